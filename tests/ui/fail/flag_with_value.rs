use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(unique = true)]
    email: String,
}

fn main() {}
