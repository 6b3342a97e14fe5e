use schema_macros::Table;

#[derive(Table)]
struct Account<T> {
    #[column(primary_key)]
    id: i64,
    #[column(skip)]
    extra: T,
}

fn main() {}
