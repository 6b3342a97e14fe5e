use schema_macros::Table;

// Both mistakes show in one compile, with the other errors of the item.
#[derive(Table)]
#[index(columns(tags), using = "btree; DROP TABLE victim")]
#[index(columns(id), uniqe)]
struct Post {
    #[column(primary_key)]
    id: i64,
    tags: Vec<String>,
}

fn main() {}
