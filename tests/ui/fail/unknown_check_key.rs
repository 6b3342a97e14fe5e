use schema_macros::Table;

#[derive(Table)]
#[check(nme = "accounts_age_check", expr = "age >= 0")]
struct Account {
    #[column(primary_key)]
    id: i64,
    age: i32,
}

fn main() {}
