// `with` is storage parameters, `name = value` separated by commas.

use schema_macros::Table;
#[derive(Table)]
#[index(columns(email), with = "fillfactor")]
#[index(columns(id), with = "fillfactor = 70; DROP TABLE accounts")]
#[index(columns(email, id), with = "fillfactor = 70, fillfactor = 80")]
#[index(columns(id, email), with = 70)]
struct Account {
    #[column(primary_key)]
    id: i64,
    email: String,
}
fn main() {}
