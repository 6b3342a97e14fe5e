use schema_macros::Table;

#[derive(Table)]
struct Account(i64, String);

fn main() {}
