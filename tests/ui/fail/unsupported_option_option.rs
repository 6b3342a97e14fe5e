// The error should underline the whole type.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    nick: Option<Option<String>>,
}
fn main() {}
