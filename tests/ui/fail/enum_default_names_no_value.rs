use schema_macros::{DbEnum, Table};

#[derive(DbEnum)]
enum IssueState {
    Open,
    Closed,
}

#[derive(Table)]
struct Issue {
    #[column(primary_key)]
    id: i64,
    #[column(default = "opened")]
    state: IssueState,
}

fn main() {}
