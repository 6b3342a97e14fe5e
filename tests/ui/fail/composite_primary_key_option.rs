use schema_macros::Table;

#[derive(Table)]
#[primary_key(issue_id, label)]
struct IssueLabel {
    issue_id: i64,
    label: Option<String>,
}

fn main() {}
