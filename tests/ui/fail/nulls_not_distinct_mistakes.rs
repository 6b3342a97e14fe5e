// `nulls_not_distinct` on an index that is not unique, and with a value.
use schema_macros::Table;

#[derive(Table)]
#[index(columns(email), nulls_not_distinct)]
#[unique(columns(handle), nulls_not_distinct = true)]
struct Account {
    #[column(primary_key)]
    id: i64,
    email: Option<String>,
    handle: Option<String>,
}

fn main() {}
