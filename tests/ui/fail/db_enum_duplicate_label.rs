use schema_macros::DbEnum;
#[derive(DbEnum)]
enum IssueState {
    Open,
    #[db_enum(rename = "open")]
    Reopened,
}
fn main() {}
