// `columns` given a string or something other than field names; the later mistakes in the same
// attribute (`uniqe`) still show.

use schema_macros::Table;
#[derive(Table)]
#[index(columns = "email", uniqe)]
#[unique(columns(id, "email"), nmae = "x")]
struct Account {
    #[column(primary_key)]
    id: i64,
    email: String,
}
fn main() {}
