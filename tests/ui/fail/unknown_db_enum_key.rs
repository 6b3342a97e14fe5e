use schema_macros::DbEnum;

#[derive(DbEnum)]
#[db_enum(nam = "issue_state")]
enum IssueState {
    Open,
    Closed,
}

fn main() {}
