use schema_macros::Table;

#[derive(Table)]
#[column(name = "accounts")]
struct Account {
    #[column(primary_key)]
    id: i64,
}

fn main() {}
