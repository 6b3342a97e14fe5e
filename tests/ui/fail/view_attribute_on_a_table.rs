use schema_macros::Table;
#[derive(Table)]
#[view(name = "own_rows", sql = "SELECT 1")]
struct Note {
    #[column(primary_key)]
    id: i64,
}
fn main() {}
