// `columns()` and `#[primary_key()]` with nothing in them.

use schema_macros::Table;
#[derive(Table)]
#[index(columns())]
#[primary_key()]
struct Account {
    #[column(primary_key)]
    id: i64,
}
fn main() {}
