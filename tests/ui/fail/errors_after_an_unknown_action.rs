// An unknown action, then `references` to a field of another type (String vs i64): both
// mistakes should be reported.

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
    #[column(on_delete = "cascad", references = Account::id)]
    owner_id: String,
}
fn main() {}
