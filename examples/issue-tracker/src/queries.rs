//! The application's queries on SQLite, written with the names the derive gives each table
//! (`Issue::TABLE`, `Issue::COLUMNS.state`) and read through the derived `sqlx::FromRow`: a
//! renamed column or table changes these statements at compile time, and `IssueState` is
//! stored and read as its schema label.

use crate::schema::accounts::{Account, Project};
use crate::schema::issues::{Issue, IssueState};
use sqlx::SqlitePool;

/// An issue to file: what the database does not choose.
pub struct NewIssue<'a> {
    pub project_id: i64,
    pub title: &'a str,
    pub state: IssueState,
    pub priority: i16,
}

/// Files an issue and returns it as stored (id, defaults and all).
pub async fn insert_issue(pool: &SqlitePool, new: &NewIssue<'_>) -> Result<Issue, sqlx::Error> {
    let c = Issue::COLUMNS;
    let sql = format!(
        "INSERT INTO {} ({}, {}, {}, {}) VALUES (?, ?, ?, ?) RETURNING *",
        Issue::TABLE,
        c.project_id,
        c.title,
        c.state,
        c.priority
    );
    sqlx::query_as::<_, Issue>(&sql)
        .bind(new.project_id)
        .bind(new.title)
        .bind(&new.state)
        .bind(new.priority)
        .fetch_one(pool)
        .await
}

/// The project's issues in `state`, oldest first.
pub async fn issues_in_state(
    pool: &SqlitePool,
    project_id: i64,
    state: IssueState,
) -> Result<Vec<Issue>, sqlx::Error> {
    let c = Issue::COLUMNS;
    let sql = format!(
        "SELECT * FROM {} WHERE {} = ? AND {} = ? ORDER BY {}",
        Issue::TABLE,
        c.project_id,
        c.state,
        c.id
    );
    sqlx::query_as::<_, Issue>(&sql)
        .bind(project_id)
        .bind(state)
        .fetch_all(pool)
        .await
}

/// Creates an account and a project it owns; returns the project.
pub async fn create_project(
    pool: &SqlitePool,
    email: &str,
    slug: &str,
) -> Result<Project, sqlx::Error> {
    let a = Account::COLUMNS;
    let account = sqlx::query_as::<_, Account>(&format!(
        "INSERT INTO {} ({}, {}) VALUES (?, ?) RETURNING *",
        Account::TABLE,
        a.email,
        a.display_name
    ))
    .bind(email)
    .bind(email)
    .fetch_one(pool)
    .await?;
    let p = Project::COLUMNS;
    sqlx::query_as::<_, Project>(&format!(
        "INSERT INTO {} ({}, {}, {}) VALUES (?, ?, ?) RETURNING *",
        Project::TABLE,
        p.owner_id,
        p.slug,
        p.title
    ))
    .bind(account.id)
    .bind(slug)
    .bind(slug)
    .fetch_one(pool)
    .await
}
