// A key that is one name must be a column by its SQL name: `full_name` is the field, the
// column is `display_name`.

use schema_macros::Table;
#[derive(Table)]
#[index(keys("full_name DESC"))]
#[index(keys("nickname"), name = "accounts_nickname_idx")]
#[index(keys("display_name text_pattern_ops"), name = "accounts_display_idx")]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(name = "display_name")]
    full_name: String,
}
fn main() {}
