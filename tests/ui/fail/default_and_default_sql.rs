use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(default = "2024-01-01", default_sql = "now()")]
    created_at: String,
}

fn main() {}
