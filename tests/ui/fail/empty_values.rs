// Empty strings where a name or an expression is needed.

use schema_macros::Table;
#[derive(Table)]
#[check(expr = "")]
#[table(name = "")]
struct Account {
    #[column(primary_key)]
    id: i64,
}
fn main() {}
