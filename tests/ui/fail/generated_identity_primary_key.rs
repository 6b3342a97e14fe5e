// A generated column is neither an identity nor the primary key.

use schema_macros::Table;

#[derive(Table)]
struct OrderLine {
    #[column(primary_key, generated = "1")]
    id: i64,
    #[column(identity, generated = "id * 2")]
    total: i64,
}

fn main() {}
