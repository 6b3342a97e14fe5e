// Every struct- and column-level key of `#[derive(Table)]`, and what the derive describes.

use schema_core::def::{DefaultDef, FieldType};
use schema_core::model::{ColumnType, FkAction};
use schema_macros::Table;

#[derive(Table)]
#[table(name = "accounts", schema = "audit", renamed_from = "users")]
#[index(columns(created_at))]
#[index(
    columns(display_name, active),
    name = "accounts_active_name_idx",
    unique,
    predicate = "active = true",
    using = "BTREE",
    concurrently
)]
#[unique(columns(display_name, email), name = "accounts_name_email_key")]
#[unique(columns(score))]
#[check(name = "accounts_score_check", expr = "score >= 0")]
#[check(expr = "length(display_name) > 0")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(name = "email_address", unique, sql_type = "VARCHAR(320)", renamed_from = "mail")]
    pub email: String,
    #[column(index)]
    pub display_name: String,
    #[column(default = true)]
    pub active: bool,
    #[column(default = -1)]
    pub score: i32,
    #[column(default = 0.5)]
    pub ratio: f64,
    #[column(default = 2)]
    pub weight: f32,
    #[column(default = "anonymous")]
    pub nickname: Option<String>,
    #[column(sql_type = "timestamptz", default_sql = "now()")]
    pub created_at: String,
    #[column(default_sql = "'{}'")]
    pub tags: Vec<String>,
    pub avatar: Option<Vec<u8>>,
    pub small: i16,
    pub profile: serde_json::Value,
    #[column(skip)]
    pub cached_rank: std::cell::Cell<u32>,
}

#[derive(Table)]
pub struct Session {
    #[column(primary_key)]
    pub token: String,
    #[column(references = Account::id, on_delete = "cascade", on_update = "no action", index)]
    pub account_id: i64,
    #[column(references = Account::id, on_delete = "set null", on_update = "restrict")]
    pub impersonator_id: Option<i64>,
}

fn main() {
    let def = <Account as schema_core::Table>::table_def();
    assert_eq!(def.rust_name, "Account");
    assert_eq!(def.name, "accounts");
    assert_eq!(def.schema, "audit");
    assert_eq!(def.renamed_from.as_deref(), Some("users"));
    let names: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id", "email_address", "display_name", "active", "score", "ratio", "weight",
            "nickname", "created_at", "tags", "avatar", "small", "profile",
        ],
        "skip fields are no columns; `name` renames",
    );
    assert_eq!(def.primary_key, ["id"]);
    let field = |n: &str| def.fields.iter().find(|f| f.field == n).unwrap();
    assert!(field("id").identity);
    let email = field("email");
    assert!(email.unique && !email.nullable);
    assert_eq!(email.renamed_from.as_deref(), Some("mail"));
    assert_eq!(email.ty, FieldType::Sql(ColumnType::Builtin("character varying(320)".into())));
    assert!(field("display_name").index);
    assert_eq!(field("active").default, Some(DefaultDef::Bool(true)));
    assert_eq!(field("score").default, Some(DefaultDef::Int("-1".into())));
    assert_eq!(field("ratio").default, Some(DefaultDef::Float("0.5".into())));
    assert_eq!(field("weight").default, Some(DefaultDef::Int("2".into())));
    assert!(field("nickname").nullable);
    assert_eq!(field("nickname").default, Some(DefaultDef::Str("anonymous".into())));
    assert_eq!(field("created_at").default, Some(DefaultDef::Sql("now()".into())));
    assert_eq!(
        field("created_at").ty,
        FieldType::Sql(ColumnType::Builtin("timestamp with time zone".into()))
    );
    assert_eq!(
        field("tags").ty,
        FieldType::Sql(ColumnType::Array(Box::new(ColumnType::Builtin("text".into()))))
    );
    assert_eq!(field("avatar").ty, FieldType::Sql(ColumnType::Builtin("bytea".into())));
    assert!(field("avatar").nullable);
    assert_eq!(field("small").ty, FieldType::Sql(ColumnType::Builtin("smallint".into())));
    assert_eq!(field("profile").ty, FieldType::Sql(ColumnType::Builtin("jsonb".into())));

    assert_eq!(def.indexes.len(), 2);
    assert_eq!(def.indexes[0].columns, ["created_at"]);
    assert!(def.indexes[0].name.is_none() && !def.indexes[0].unique);
    let idx = &def.indexes[1];
    assert_eq!(idx.columns, ["display_name", "active"]);
    assert_eq!(idx.name.as_deref(), Some("accounts_active_name_idx"));
    assert!(idx.unique && idx.concurrently);
    assert_eq!(idx.predicate.as_deref(), Some("active = true"));
    assert_eq!(idx.using.as_deref(), Some("btree"));
    assert_eq!(def.uniques.len(), 2);
    assert_eq!(def.uniques[0].columns, ["display_name", "email"], "lists name fields, not SQL names");
    assert_eq!(def.uniques[0].name.as_deref(), Some("accounts_name_email_key"));
    assert_eq!(def.checks.len(), 2);
    assert_eq!(def.checks[0].name.as_deref(), Some("accounts_score_check"));
    assert_eq!(def.checks[1].expr, "length(display_name) > 0");

    let session = <Session as schema_core::Table>::table_def();
    assert_eq!(session.name, "session", "default name: snake_case, no plural");
    assert_eq!(session.schema, "public");
    assert_eq!(session.primary_key, ["token"]);
    let fk = session.fields[1].references.as_ref().unwrap();
    assert_eq!((fk.table.as_str(), fk.field.as_str()), ("Account", "id"));
    assert_eq!((fk.on_delete, fk.on_update), (FkAction::Cascade, FkAction::NoAction));
    assert!(session.fields[1].index);
    let fk = session.fields[2].references.as_ref().unwrap();
    assert_eq!((fk.on_delete, fk.on_update), (FkAction::SetNull, FkAction::Restrict));
    assert!(session.fields[2].nullable);

    let schema = schema_core::resolve::resolve(&[def, session], &[]).expect("resolves");
    assert_eq!(schema.schemas, ["audit"]);
    let accounts = &schema.tables["audit.accounts"];
    assert_eq!(accounts.primary_key.as_ref().unwrap().name, "accounts_pkey");
    assert_eq!(accounts.column("email_address").unwrap().nullable, false);
    assert!(accounts.uniques.iter().any(|u| u.name == "accounts_email_address_key"));
    assert!(accounts.uniques.iter().any(|u| u.columns == ["display_name", "email_address"]));
    assert!(accounts.indexes.iter().any(|i| i.name == "accounts_created_at_idx"));
    let sessions = &schema.tables["public.session"];
    assert_eq!(sessions.foreign_keys.len(), 2);
    let fk = sessions.foreign_keys.iter().find(|f| f.columns == ["account_id"]).unwrap();
    assert_eq!((fk.ref_schema.as_str(), fk.ref_table.as_str()), ("audit", "accounts"));
    assert_eq!(fk.ref_columns, ["id"]);
    assert_eq!(fk.on_delete, FkAction::Cascade);
}
