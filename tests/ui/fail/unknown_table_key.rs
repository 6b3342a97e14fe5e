use schema_macros::Table;

#[derive(Table)]
#[table(name = "accounts", shema = "audit")]
struct Account {
    #[column(primary_key)]
    id: i64,
}

fn main() {}
