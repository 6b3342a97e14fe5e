use schema_macros::Table;
#[derive(Table)]
#[table(name = "notes")]
#[policy(name = "own_rows", for = "select", using = "owner = current_user")]
struct Note {
    #[column(primary_key)]
    id: i64,
    owner: String,
}
fn main() {}
