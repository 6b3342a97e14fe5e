// A nullable foreign key whose inner type differs from the target's.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
}
#[derive(Table)]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(references = Account::id)]
    owner_id: Option<i32>,
}
fn main() {}
