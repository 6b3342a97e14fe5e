use schema_macros::Table;

#[derive(Table)]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(on_delete = "cascade")]
    owner_id: i64,
}

fn main() {}
