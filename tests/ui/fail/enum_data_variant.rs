use schema_macros::DbEnum;

#[derive(DbEnum)]
enum IssueState {
    Open,
    Closed { reason: String },
}

fn main() {}
