// A generated column computes its value: a default is an error on the default itself.

use schema_macros::Table;

#[derive(Table)]
struct OrderLine {
    #[column(primary_key)]
    id: i64,
    price: i32,
    #[column(generated = "price * 2", default = 0)]
    total: i32,
    #[column(generated = "price * 3", default_sql = "0")]
    triple: i32,
}

fn main() {}
