// A flag given a value, followed by more mistakes in the same attribute: each one should be
// reported (`nmae`, the string default on an i32), not only the first.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(unique = true, nmae = "x", default = "zero")]
    age: i32,
}
fn main() {}
