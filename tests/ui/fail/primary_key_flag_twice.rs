use schema_macros::Table;
#[derive(Table)]
struct IssueLabel {
    #[column(primary_key)]
    issue_id: i64,
    #[column(primary_key)]
    label: String,
}
fn main() {}
