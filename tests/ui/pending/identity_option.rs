// NOT RUN: compiles today, should not. `identity` on an `Option<i64>`: PostgreSQL makes an
// identity column NOT NULL, so the model (nullable) never matches the database and diffs churn.
// Expected: an error on `identity` asking to drop the Option. Move to ui/fail/ once fixed.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(identity)]
    seq: Option<i64>,
}
fn main() {}
