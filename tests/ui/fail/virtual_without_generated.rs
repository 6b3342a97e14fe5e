// `virtual` says how a generated column is computed; without `generated` it means nothing.

use schema_macros::Table;

#[derive(Table)]
struct OrderLine {
    #[column(primary_key)]
    id: i64,
    #[column(virtual)]
    total: i32,
}

fn main() {}
