use schema_macros::Table;

#[derive(Table)]
#[check(name = "accounts_age_check", expr = "age >= 0 -- and more")]
struct Account {
    #[column(primary_key)]
    id: i64,
    age: i32,
}

fn main() {}
