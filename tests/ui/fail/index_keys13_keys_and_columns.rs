// An index takes `columns(..)` or `keys(..)`, not both: the error is on the second one.

use schema_macros::Table;
#[derive(Table)]
#[index(columns(email), keys("lower(email)"), name = "accounts_email_idx")]
#[index(keys("email"), columns(email))]
struct Account {
    #[column(primary_key)]
    id: i64,
    email: String,
}
fn main() {}
