use schema_macros::Table;

#[derive(Table)]
#[table(name = "items")]
#[index(columns(id), name = "items_p_idx", predicate = "id > 0; DROP TABLE victim; --")]
struct Item {
    #[column(primary_key)]
    id: i64,
}

fn main() {}
