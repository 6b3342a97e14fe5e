// Index keys beyond plain columns compile, and the run-time description says what was written:
// keys by their SQL names, expressions verbatim, operator classes, order and storage parameters.

use schema_core::model::{KeyTarget, Nulls};
use schema_core::Table;
use schema_macros::Table;

#[derive(Table)]
#[table(name = "accounts")]
#[index(keys("lower(email)"), name = "accounts_email_lower_idx", unique)]
#[index(keys("created_at DESC NULLS LAST", "id"), with = "fillfactor = 70")]
#[index(keys("title text_pattern_ops"), name = "accounts_title_idx", predicate = "title <> ''", using = "btree", concurrently)]
#[index(keys("display_name"))]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    pub title: String,
    #[column(name = "display_name")]
    pub full_name: String,
    pub created_at: i64,
}

fn main() {
    let def = Account::table_def();
    let lower = &def.indexes[0];
    assert_eq!(lower.keys[0].target, KeyTarget::Expression("lower(email)".into()));
    assert!(lower.unique && lower.columns.is_empty());
    let created = &def.indexes[1];
    assert_eq!(created.keys[0].target, KeyTarget::Column("created_at".into()));
    assert!(created.keys[0].desc);
    assert_eq!(created.keys[0].nulls, Some(Nulls::Last));
    assert_eq!(created.with.get("fillfactor").map(String::as_str), Some("70"));
    let title = &def.indexes[2];
    assert_eq!(title.keys[0].opclass.as_deref(), Some("text_pattern_ops"));
    assert_eq!(def.indexes[3].keys[0].target, KeyTarget::Column("display_name".into()));
}
