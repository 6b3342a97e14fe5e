// Broken values of several kinds, each followed by another mistake in the same attribute: every
// mistake is reported, not only the first.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(default = now(), sql_type = varchar, uniqe)]
    created: i64,
    #[column(references = "Account::id", on_delete = cascade, nmae = "x")]
    owner_id: i64,
    #[column(default_sql = "", renamed_from(old), indx)]
    age: i32,
}
fn main() {}
