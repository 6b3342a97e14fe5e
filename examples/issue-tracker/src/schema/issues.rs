//! Issues, their comments and labels.

// clippy reads two `#[index(columns(project_id, ..))]` helper attributes as one attribute given twice.
#![allow(clippy::duplicated_attributes)]

use super::accounts::{Account, Project};
use chrono::{DateTime, Utc};
use schema_macros::{DbEnum, Table};

#[derive(DbEnum)]
#[db_enum(name = "issue_state")]
pub enum IssueState {
    Open,
    InProgress,
    Closed,
}

#[derive(Table)]
#[table(name = "issues")]
#[index(columns(project_id, state))]
#[index(
    columns(project_id),
    name = "issues_open_idx",
    predicate = "state <> 'closed'"
)]
#[check(name = "issues_title_check", expr = "length(title) > 0")]
pub struct Issue {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = Project::id, on_delete = "cascade")]
    pub project_id: i64,
    #[column(references = Account::id, on_delete = "set null")]
    pub assignee_id: Option<i64>,
    pub title: String,
    pub body: Option<String>,
    #[column(default = "open")]
    pub state: IssueState,
    #[column(default = 0)]
    pub priority: i16,
    #[column(default_sql = "now()")]
    pub created_at: DateTime<Utc>,
}

#[derive(Table)]
#[table(name = "comments")]
pub struct Comment {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = Issue::id, on_delete = "cascade", index)]
    pub issue_id: i64,
    #[column(references = Account::id, on_delete = "restrict")]
    pub author_id: i64,
    pub body: String,
}

#[derive(Table)]
#[table(name = "issue_labels")]
#[primary_key(issue_id, label)]
pub struct IssueLabel {
    #[column(references = Issue::id, on_delete = "cascade")]
    pub issue_id: i64,
    pub label: String,
}
