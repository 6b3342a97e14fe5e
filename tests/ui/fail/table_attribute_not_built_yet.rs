use schema_macros::Table;
#[derive(Table)]
#[policy(name = "own_rows", using = "owner = current_user")]
struct Note {
    #[column(primary_key)]
    id: i64,
}
fn main() {}
