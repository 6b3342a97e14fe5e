// The primary key names a `skip` field, the struct's only field.

use schema_macros::Table;
#[derive(Table)]
#[primary_key(id)]
struct Account {
    #[column(skip)]
    id: i64,
}
fn main() {}
