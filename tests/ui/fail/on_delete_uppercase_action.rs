// An action in SQL's upper case (`"CASCADE"`) is read; one spelt with an underscore is not,
// and the error suggests the spelling with a space.

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
    #[column(references = Account::id, on_delete = "CASCADE", on_update = "set_null")]
    owner_id: i64,
}
fn main() {}
