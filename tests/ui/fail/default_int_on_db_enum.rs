use schema_macros::{DbEnum, Table};

#[derive(DbEnum)]
enum Kind {
    Bug,
    Feature,
}

#[derive(Table)]
struct Issue {
    #[column(primary_key)]
    id: i64,
    #[column(default = 3)]
    kind: Kind,
}

fn main() {}
