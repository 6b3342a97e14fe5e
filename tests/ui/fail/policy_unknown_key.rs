use schema_macros::Table;
#[derive(Table)]
#[table(name = "notes", rls = true)]
#[policy(name = "own_rows", usign = "true")]
struct Note {
    #[column(primary_key)]
    id: i64,
    owner: String,
}
fn main() {}
