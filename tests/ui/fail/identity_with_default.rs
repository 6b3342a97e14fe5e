use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key, identity, default = 1)]
    id: i64,
}

fn main() {}
