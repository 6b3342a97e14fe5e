use schema_macros::Table;

#[derive(Table)]
struct Place {
    #[column(primary_key)]
    id: i64,
    point: (f64, f64),
}

fn main() {}
