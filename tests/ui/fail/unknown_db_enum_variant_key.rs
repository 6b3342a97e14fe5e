use schema_macros::DbEnum;

#[derive(DbEnum)]
enum IssueState {
    Open,
    #[db_enum(renam = "in-progress")]
    InProgress,
    Closed,
}

fn main() {}
