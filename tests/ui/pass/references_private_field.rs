// `references` to a non-`pub` field of a struct in another module: the check compares the
// fields' markers, which are usable wherever the struct is, so field privacy does not matter.

mod accounts {
    use schema_macros::Table;
    #[derive(Table)]
    pub struct Account {
        #[column(primary_key)]
        id: i64,
    }
}
use schema_macros::Table;
#[derive(Table)]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(references = accounts::Account::id)]
    owner_id: i64,
}
fn main() {}
