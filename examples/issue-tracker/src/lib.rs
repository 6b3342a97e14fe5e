//! Example application: an issue tracker whose tables are declared as structs.
//!
//! [`tables`] and [`enums`] list the run-time descriptions the derives emit; the migrations in
//! `migrations/` were written by `migrate-cli generate` from the same source. [`queries`] is the
//! application's side: rows read through the `sqlx::FromRow` the derive implements, in SQL built
//! from the table and column names it gives (`Issue::TABLE`, `Issue::COLUMNS.title`).

pub mod queries;
pub mod schema;

use schema::accounts::{Account, Project};
use schema::issues::{Comment, Issue, IssueLabel, IssueState};
use schema_core::{DbEnum, EnumDef, Table, TableDef};

/// Every table's description, as the derive emitted it at compile time.
pub fn tables() -> Vec<TableDef> {
    vec![
        Account::table_def(),
        Project::table_def(),
        Issue::table_def(),
        Comment::table_def(),
        IssueLabel::table_def(),
    ]
}

/// Every enum's description.
pub fn enums() -> Vec<EnumDef> {
    vec![IssueState::enum_def()]
}
