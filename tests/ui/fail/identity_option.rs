// `identity` on an `Option<i64>`: PostgreSQL makes an identity column NOT NULL, so the
// model (nullable) would never match the database.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(identity)]
    seq: Option<i64>,
}
fn main() {}
