// Keys that take a string literal given something else; the message should show the right
// spelling, and the later mistakes in the same attribute (`shema`, `uniqe`) should show too.

use schema_macros::Table;
#[derive(Table)]
#[table(name = accounts, schema = "audit", shema = "x")]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(name = 5, uniqe)]
    age: i32,
}
fn main() {}
