use schema_macros::Table;

#[derive(Table)]
#[index(columns(created_at), uniqe)]
struct Account {
    #[column(primary_key)]
    id: i64,
    created_at: i64,
}

fn main() {}
