//! The application side of the schema: a fresh in-memory SQLite database migrated with the
//! committed `migrations-sqlite/` (by sqlx's own `Migrator`), then issues written and read
//! through the derived `sqlx::FromRow` and `IssueState`'s derived `sqlx::Type`.
//!
//! `cargo run -p issue-tracker --example queries`

use issue_tracker::queries::{create_project, insert_issue, issues_in_state, NewIssue};
use issue_tracker::schema::issues::IssueState;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqlitePoolOptions;
use std::path::Path;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One connection: every connection to `sqlite::memory:` is a database of its own.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await?;
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations-sqlite");
    Migrator::new(folder).await?.run(&pool).await?;

    let project = create_project(&pool, "ada@example.com", "engine").await?;
    for (title, state) in [
        ("Boiler pressure", IssueState::Open),
        ("Punch cards jam", IssueState::InProgress),
        ("Gears squeak", IssueState::Open),
    ] {
        let new = NewIssue {
            project_id: project.id,
            title,
            state,
            priority: 1,
        };
        let issue = insert_issue(&pool, &new).await?;
        println!(
            "filed #{} {:?} ({})",
            issue.id, issue.title, issue.created_at
        );
    }
    for issue in issues_in_state(&pool, project.id, IssueState::Open).await? {
        println!("open: #{} {}", issue.id, issue.title);
    }
    Ok(())
}
