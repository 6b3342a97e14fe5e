use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(default = "zero")]
    age: i32,
}

fn main() {}
