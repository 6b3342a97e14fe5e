use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(default = 1.5)]
    balance: i64,
}

fn main() {}
