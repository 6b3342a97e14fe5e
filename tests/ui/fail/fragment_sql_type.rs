use schema_macros::Table;

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(sql_type = "int; DROP TABLE victim")]
    age: i32,
}

fn main() {}
