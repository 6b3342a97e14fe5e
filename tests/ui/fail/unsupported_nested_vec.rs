use schema_macros::Table;

#[derive(Table)]
struct Grid {
    #[column(primary_key)]
    id: i64,
    cells: Vec<Vec<i32>>,
}

fn main() {}
