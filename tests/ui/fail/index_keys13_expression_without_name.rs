// An index on an expression needs a `name`: the error is on the expression key; an index
// whose keys are columns gets a derived name.

use schema_macros::Table;
#[derive(Table)]
#[index(keys("created_at DESC", "lower(email)"))]
#[index(keys("created_at DESC NULLS LAST", "id"))]
struct Account {
    #[column(primary_key)]
    id: i64,
    email: String,
    created_at: i64,
}
fn main() {}
