use schema_macros::DbEnum;
#[derive(DbEnum)]
struct IssueState { open: bool }
fn main() {}
