// `#[column(name = "")]` and `sql_type = ""`: a column needs a name and a type, so each
// literal gets its own error.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(name = "", sql_type = "")]
    email: String,
}
fn main() {}
