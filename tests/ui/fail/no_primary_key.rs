use schema_macros::Table;

#[derive(Table)]
struct Account {
    id: i64,
    email: String,
}

fn main() {}
