use schema_macros::Table;

#[derive(Table)]
struct Issue {
    #[column(primary_key)]
    id: i64,
    #[column(default = "")]
    tags: Vec<String>,
}

fn main() {}
