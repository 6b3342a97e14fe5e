// A default naming no label is reported with the text as written, braces and all.

use schema_macros::{DbEnum, Table};

#[derive(DbEnum)]
enum Shape {
    #[db_enum(rename = "{x}")]
    Named,
}

#[derive(Table)]
struct Drawing {
    #[column(primary_key)]
    id: i64,
    #[column(default = "{y} }")]
    shape: Shape,
}

fn main() {}
