use schema_macros::{Sequence, Table};
#[derive(Table, Sequence)]
#[sequence(name = "order_numbers")]
struct Order {
    #[column(primary_key)]
    id: i64,
}
fn main() {}
