use schema_macros::DbEnum;
#[derive(DbEnum)]
enum Nothing {}
fn main() {}
