use schema_macros::Table;

#[derive(Table)]
#[primary_key(issue_id, labl)]
struct IssueLabel {
    issue_id: i64,
    label: String,
}

fn main() {}
