use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key, identity)]
    id: String,
}

fn main() {}
