// With the `sqlx` feature, the derived `sqlx::FromRow` gives a `#[column(skip)]` field its
// `Default::default()`, as sqlx's own `#[sqlx(skip)]` does: a skipped type without `Default` is
// an error on that type.
use schema_macros::Table;

struct Cache;

#[derive(Table)]
#[table(name = "accounts")]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(skip)]
    cache: Cache,
}

fn main() {}
