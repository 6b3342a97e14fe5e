use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: Option<i64>,
}

fn main() {}
