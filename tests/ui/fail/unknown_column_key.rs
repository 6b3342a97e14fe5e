use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(nmae = "email_address")]
    email: String,
}

fn main() {}
