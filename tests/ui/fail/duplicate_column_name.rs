use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    email: String,
    #[column(name = "email")]
    backup_email: String,
}

fn main() {}
