//! `add-unique`, `add-foreign-key` and `add-check`: constraints whose validation scans the table
//! under a lock, or whose index build blocks it (squawk: `constraint-missing-not-valid`,
//! `adding-foreign-key-constraint`, `disallowed-unique-constraint`).
//!
//! A `PRIMARY KEY` or `EXCLUDE` constraint builds an index as `UNIQUE` does: `add-unique`. A
//! constraint `USING INDEX` reuses an index built before, and one added `NOT VALID` checks only
//! new rows: neither gives a finding, but its `VALIDATE CONSTRAINT` in the same file does, since
//! the file runs as one transaction and keeps the lock of the `ADD` while it scans.

use super::{altered_table, last_part, name, At, Seen};
use schema_core::lint::{ADD_CHECK, ADD_FOREIGN_KEY, ADD_UNIQUE, SET_NOT_NULL};
use squawk_syntax::ast::{self, AstNode};

pub(super) fn check(stmt: &ast::Stmt, seen: &Seen, at: &mut At<'_>) {
    let Some((table, actions)) = altered_table(stmt) else {
        return;
    };
    let existing = !seen
        .created
        .contains(&crate::statements::lint::last_part(&table));
    for action in actions {
        match action {
            ast::AlterTableAction::AddConstraint(add) if existing => {
                if let Some(c) = add.constraint() {
                    table_constraint(&c, &table, at);
                }
            }
            ast::AlterTableAction::AddColumn(add) => {
                let column = add
                    .column_name()
                    .map(|c| name(c.syntax()))
                    .unwrap_or_default();
                for c in add.constraints() {
                    column_constraint(&c, &table, &column, existing, at);
                }
            }
            ast::AlterTableAction::ValidateConstraint(v) => {
                let Some(constraint) = v.constraint_name_ref().map(|n| last_part(n.syntax()))
                else {
                    continue;
                };
                if let Some(code) = seen.not_valid.get(&constraint) {
                    let message = format!("validating {constraint} on {table} in the file that added it NOT VALID scans the table while the lock of the ADD is still held (one transaction); validate it in a later migration");
                    at.report(code, &table, message);
                }
            }
            _ => {}
        }
    }
}

/// The code of a constraint's kind.
pub(super) fn code_of(c: &ast::Constraint) -> &'static str {
    match c {
        ast::Constraint::UniqueConstraint(_)
        | ast::Constraint::PrimaryKeyConstraint(_)
        | ast::Constraint::ExcludeConstraint(_) => ADD_UNIQUE,
        ast::Constraint::ForeignKeyConstraint(_) | ast::Constraint::ReferencesConstraint(_) => {
            ADD_FOREIGN_KEY
        }
        ast::Constraint::NotNullConstraint(_) => SET_NOT_NULL,
        _ => ADD_CHECK,
    }
}

/// `ALTER TABLE ... ADD CONSTRAINT` on an existing table.
fn table_constraint(c: &ast::Constraint, table: &str, at: &mut At<'_>) {
    let what = c
        .constraint_name()
        .map(|n| name(n.syntax()))
        .unwrap_or_else(|| "a constraint".into());
    let message = match c {
        ast::Constraint::UniqueConstraint(u) if u.using_index().is_some() => return,
        ast::Constraint::PrimaryKeyConstraint(p) if p.using_index().is_some() => return,
        ast::Constraint::UniqueConstraint(_)
        | ast::Constraint::PrimaryKeyConstraint(_)
        | ast::Constraint::ExcludeConstraint(_) => format!(
            "adding {what} on {table} builds its index under a lock that blocks reads and writes, and fails on duplicates"
        ),
        _ if c.is_not_valid() => return,
        ast::Constraint::ForeignKeyConstraint(_) | ast::Constraint::ReferencesConstraint(_) => format!(
            "adding foreign key {what} on {table} without NOT VALID scans the table while writes to both tables wait, and fails on orphan rows"
        ),
        _ => format!(
            "adding {what} on {table} without NOT VALID scans the table while writes wait, and fails if a row violates it"
        ),
    };
    at.report(code_of(c), table, message);
}

/// A constraint of a column `ALTER TABLE ... ADD COLUMN` adds.
fn column_constraint(
    c: &ast::Constraint,
    table: &str,
    column: &str,
    existing: bool,
    at: &mut At<'_>,
) {
    let object = format!("{table}.{column}");
    match c {
        ast::Constraint::UniqueConstraint(_) | ast::Constraint::PrimaryKeyConstraint(_) => at.report(
            ADD_UNIQUE,
            &object,
            format!("adding {object} with a unique index builds the index under a lock that blocks reads and writes"),
        ),
        ast::Constraint::ReferencesConstraint(_) | ast::Constraint::ForeignKeyConstraint(_) => at.report(
            ADD_FOREIGN_KEY,
            &object,
            format!("adding {object} with a foreign key takes a lock on both tables that blocks writes"),
        ),
        ast::Constraint::CheckConstraint(_) if existing => at.report(
            ADD_CHECK,
            &object,
            format!("adding {object} with a check scans the table while writes wait, and fails if a row violates it"),
        ),
        _ => {}
    }
}
