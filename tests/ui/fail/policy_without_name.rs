use schema_macros::Table;
#[derive(Table)]
#[table(name = "notes", rls)]
#[policy(for = "select", using = "true")]
struct Note {
    #[column(primary_key)]
    id: i64,
    owner: String,
}
fn main() {}
