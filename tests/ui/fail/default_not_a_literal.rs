use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(default = now())]
    created_at: i64,
}

fn main() {}
