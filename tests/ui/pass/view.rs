use schema_core::View as _;
use schema_macros::View;

/// A view read like a table: its fields are its columns.
#[derive(View)]
#[view(
    name = "open_issues",
    schema = "reporting",
    sql = "SELECT id, title FROM issues WHERE state = 'open'",
    renamed_from = "active_issues"
)]
#[allow(dead_code)]
struct OpenIssue {
    id: i64,
    #[column(name = "issue_title", sql_type = "varchar(200)")]
    title: Option<String>,
}

#[derive(View)]
#[view(materialized, sql = "SELECT count(*) AS n FROM issues")]
#[allow(dead_code)]
struct IssueCount {
    n: i64,
}

fn main() {
    let def = OpenIssue::view_def();
    assert_eq!(def.name, "open_issues");
    assert_eq!(def.schema, "reporting");
    assert_eq!(def.columns[1].name, "issue_title");
    assert_eq!(def.renamed_from.as_deref(), Some("active_issues"));
    assert!(!def.materialized);
    let count = IssueCount::view_def();
    assert_eq!(count.name, "issue_count");
    assert!(count.materialized);
}
