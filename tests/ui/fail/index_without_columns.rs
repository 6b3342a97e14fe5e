use schema_macros::Table;

#[derive(Table)]
#[index(name = "accounts_created_at_idx")]
struct Account {
    #[column(primary_key)]
    id: i64,
    created_at: i64,
}

fn main() {}
