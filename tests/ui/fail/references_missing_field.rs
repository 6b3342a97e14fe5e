use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(references = Account::account_id)]
    owner_id: i64,
}

fn main() {}
