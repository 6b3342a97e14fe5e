use schema_macros::Table;
#[derive(Table)]
#[table(name = "notes", rls)]
#[policy(name = "own_rows", as = "permisive")]
struct Note {
    #[column(primary_key)]
    id: i64,
    owner: String,
}
fn main() {}
