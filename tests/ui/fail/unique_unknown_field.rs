use schema_macros::Table;

#[derive(Table)]
#[unique(columns(owner_id, slug))]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(name = "owner")]
    owner: i64,
    slug: String,
}

fn main() {}
