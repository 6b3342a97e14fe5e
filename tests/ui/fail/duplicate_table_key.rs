use schema_macros::Table;

#[derive(Table)]
#[table(name = "accounts")]
#[table(name = "users")]
struct Account {
    #[column(primary_key)]
    id: i64,
}

fn main() {}
