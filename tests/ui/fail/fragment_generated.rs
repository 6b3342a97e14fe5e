// A generated expression is one SQL expression: a `;` would end the statement.

use schema_macros::Table;

#[derive(Table)]
struct OrderLine {
    #[column(primary_key)]
    id: i64,
    #[column(generated = "id * 2); DROP TABLE accounts; --")]
    total: i64,
}

fn main() {}
