use schema_macros::Table;

struct Account {
    id: i64,
}

#[derive(Table)]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(references = Account::id)]
    owner_id: i64,
}

fn main() {
    let _ = Account { id: 0 }.id;
}
