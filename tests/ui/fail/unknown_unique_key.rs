use schema_macros::Table;

#[derive(Table)]
#[unique(columns(owner_id, slug), nam = "projects_owner_slug_key")]
struct Project {
    #[column(primary_key)]
    id: i64,
    owner_id: i64,
    slug: String,
}

fn main() {}
