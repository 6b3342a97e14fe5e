use schema_macros::Table;
#[derive(Table)]
#[table(name = "notes", rls)]
#[policy(name = "own_rows", for = "select", using = "true")]
#[policy(name = "own_rows", for = "delete", using = "true")]
struct Note {
    #[column(primary_key)]
    id: i64,
    owner: String,
}
fn main() {}
