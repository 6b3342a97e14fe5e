// `references` to a `#[column(skip)]` field: the Rust field exists, but it is not a column.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(skip)]
    legacy_id: i64,
}
#[derive(Table)]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(references = Account::legacy_id)]
    owner_id: i64,
}
fn main() {}
