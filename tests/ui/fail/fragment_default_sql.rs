use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(default_sql = "now(); DELETE FROM accounts")]
    created_at: String,
}

fn main() {}
