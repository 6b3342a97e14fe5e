use schema_macros::Table;

#[derive(Table)]
#[primary_key(issue_id, label)]
struct IssueLabel {
    #[column(primary_key)]
    issue_id: i64,
    label: String,
}

fn main() {}
