//! The review gate's lint: what `check`, `migrate` and `generate` find in one migration file.
//! The statements of the file, read by the SQL parser ([`crate::statements::lint`]), are the
//! gate; the `-- lint:` lines `generate` wrote from its change list add what the SQL cannot
//! say (row counts, what a SQLite rebuild drops, what a rename means). The two are merged,
//! keyed by code and object, so a finding is neither lost nor doubled; deleting or editing a
//! comment line never weakens what the statements say. Given the migration's snapshots (its
//! previous one's and its own), the change list's findings are recomputed from them
//! ([`trusted`]), so a deleted or downgraded comment line changes nothing there either (a SQLite
//! rebuild's statements do not say which column it drops). A `-- no-transaction` line that is not
//! the file's first line is `misplaced-no-transaction`: sqlx would run the file in a
//! transaction. `-- lint:allow <code>` lines acknowledge any of these codes.

mod down;
mod objects;
mod since;
mod trusted;

pub use down::{down_annotated, down_findings, down_is_empty, down_unacknowledged, DownSnapshots};
pub use since::{changed_since, Changed, SinceError};

use crate::config::Dialect;
use crate::statements::lint::{lint_file, StatementFinding};
use objects::ObjectIndex;
use schema_core::diff::{Change, QualifiedName};
use schema_core::lint::{self, Costs, Finding, Severity};
use schema_core::model::Schema;
use std::collections::BTreeSet;

/// What a file's first line must be to run outside a transaction.
pub const NO_TRANSACTION: &str = "-- no-transaction";

/// One finding of the gate in a migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFinding {
    /// The file line of the statement (or line) it is about; `None` for a finding only its
    /// `-- lint:` comment line gives (what generate's change list knew).
    pub line: Option<usize>,
    pub finding: Finding,
}

/// A migration's previous snapshot's schema (the empty one for the first migration) and its own.
pub type Snapshots<'a> = (&'a Schema, &'a Schema);

/// Every finding of migration file `sql` of `dialect`, acknowledged or not, in file order
/// (comment-only findings first).
pub fn findings(dialect: Dialect, sql: &str) -> Vec<FileFinding> {
    findings_with(dialect, sql, None)
}

/// [`findings`], with the change list's findings recomputed from the migration's `snapshots`
/// when given: they count whatever its comment lines say.
pub fn findings_with(
    dialect: Dialect,
    sql: &str,
    snapshots: Option<Snapshots<'_>>,
) -> Vec<FileFinding> {
    let costs = Costs::of(dialect.renderer());
    let mut listed: Vec<Finding> = sql
        .lines()
        .filter_map(|line| lint::parse_comment_with(line, costs))
        // Only the statements give these: a comment line of them is read again from the SQL.
        .filter(|f| !lint::STATEMENT_CODES.contains(&f.code))
        .collect();
    let mut statements = lint_file(dialect, sql);
    if let Some(snapshots) = snapshots {
        let said: Vec<Finding> = statements
            .iter()
            .map(|s| s.finding.clone())
            .chain(listed.iter().cloned())
            .collect();
        let changes = trusted::changes(snapshots, &said);
        let trusted = trusted::findings(dialect, snapshots, &changes);
        statements = superseded_dropped(statements, &changes, &trusted);
        listed = trusted::merge(trusted, listed);
    }
    let mut out = merge(statements, listed);
    out.extend(misplaced_no_transaction(dialect, sql));
    out.extend(own_transaction_inside_sqlx(dialect, sql));
    out
}

/// The findings of `sql` that no `-- lint:allow <code>` line acknowledges.
pub fn unacknowledged(dialect: Dialect, sql: &str) -> Vec<FileFinding> {
    unacknowledged_with(dialect, sql, None)
}

/// [`unacknowledged`] of [`findings_with`] the migration's `snapshots`.
pub fn unacknowledged_with(
    dialect: Dialect,
    sql: &str,
    snapshots: Option<Snapshots<'_>>,
) -> Vec<FileFinding> {
    let allowed = lint::allowed(sql);
    // A misplaced `-- no-transaction` is no risk to review and accept: sqlx runs the file in a
    // transaction whatever the file says, so no allow line takes it away.
    findings_with(dialect, sql, snapshots)
        .into_iter()
        .filter(|f| {
            f.finding.code == lint::MISPLACED_NO_TRANSACTION || !allowed.contains(f.finding.code)
        })
        .collect()
}

/// The findings of the statements merged with the change list's `listed` findings: a listed
/// finding with the code and object of a statement's takes its place (its message and
/// suggestion know more) at the statement's line, with the graver severity of the two; the
/// rest of `listed` comes first, without a line.
pub fn merge(statements: Vec<StatementFinding>, listed: Vec<Finding>) -> Vec<FileFinding> {
    let mut out: Vec<FileFinding> = statements
        .into_iter()
        .map(|s| FileFinding {
            line: Some(s.line),
            finding: s.finding,
        })
        .collect();
    let mut matched = vec![false; out.len()];
    let mut alone = Vec::new();
    let keys: Vec<(&'static str, String)> = out
        .iter()
        .map(|s| (s.finding.code, s.finding.object.clone()))
        .collect();
    let mut index = ObjectIndex::new(keys.iter().map(|(c, o)| (*c, o.as_str())));
    for f in listed {
        let twin = index.take(f.code, &f.object, &mut matched);
        match twin {
            Some(i) => {
                let severity = f.severity.min(out[i].finding.severity);
                out[i].finding = Finding { severity, ..f };
            }
            None => alone.push(FileFinding {
                line: None,
                finding: f,
            }),
        }
    }
    alone.extend(out);
    alone
}

/// Whether the statements of a file built from `changes` can say more than its change list:
/// not when every change builds something new (a schema, an enum, a table, and the indexes,
/// keys and checks of the tables these changes create), on which the statement lint gives no
/// finding by its rules; `generate` then leaves them unread (a thousand new tables are a
/// megabyte of SQL). `check` and `migrate` read every statement whatever wrote the file.
pub fn statements_may_tell(changes: &[Change]) -> bool {
    let created: BTreeSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable { table } => Some(QualifiedName::new(&table.schema, &table.name)),
            _ => None,
        })
        .collect();
    !changes.iter().all(|c| match c {
        Change::CreateSchema { .. } | Change::CreateEnum { .. } | Change::CreateTable { .. } => {
            true
        }
        Change::CreateIndex { table, .. }
        | Change::AddForeignKey { table, .. }
        | Change::AddCheck { table, .. }
        | Change::AddUnique { table, .. }
        | Change::AddPrimaryKey { table, .. } => created.contains(table),
        _ => false,
    })
}

/// `statements` without the findings the change list overrules: the `drop-view` of a view it
/// renames (by a drop and a create, on SQLite), the severity of the `drop-column` of a column
/// it knows was generated (a warning), and the `type-change` of a column whose
/// type change the change list judged (it knows the old type and the new) and found no
/// `type-change` in (MySQL restates a column whole with `MODIFY COLUMN`, so an enum that
/// only gains a value reads as a type change in the statement alone).
fn superseded_dropped(
    statements: Vec<StatementFinding>,
    changes: &[Change],
    listed: &[Finding],
) -> Vec<StatementFinding> {
    let judged: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumnType { table, column, .. } => Some(format!("{table}.{column}")),
            _ => None,
        })
        .filter(|object| {
            !listed
                .iter()
                .any(|f| f.code == lint::TYPE_CHANGE && same_object(&f.object, object))
        })
        .collect();
    // SQLite renames a view by dropping it and creating it under the new name: the change
    // list's `rename-view` says so, and the statement's `drop-view` of the old name is that.
    let renamed_views: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::RenameView { from, .. } => Some(from.to_string()),
            _ => None,
        })
        .collect();
    // A dropped generated column loses nothing its expression cannot compute again: the change
    // list says so with a warning, which the statement (not knowing the column) cannot.
    let generated_drops: Vec<&str> = listed
        .iter()
        .filter(|f| f.code == lint::DROP_COLUMN && f.severity == Severity::Warning)
        .map(|f| f.object.as_str())
        .collect();
    statements
        .into_iter()
        .filter(|s| {
            let (code, object) = (s.finding.code, &s.finding.object);
            match code {
                lint::TYPE_CHANGE => !judged.iter().any(|o| same_object(o, object)),
                lint::DROP_VIEW => !renamed_views.iter().any(|o| same_object(o, object)),
                _ => true,
            }
        })
        .map(|mut s| {
            if s.finding.code == lint::DROP_COLUMN
                && generated_drops
                    .iter()
                    .any(|o| same_object(o, &s.finding.object))
            {
                s.finding.severity = Severity::Warning;
            }
            s
        })
        .collect()
}

/// A migration file `body` as `generate` writes it: the change list's `listed` findings merged
/// with its statements' ([`merge`]) as `-- lint:` comment lines at its top, below its
/// `-- no-transaction` first line where it has one; and the findings written.
pub fn annotated(
    dialect: Dialect,
    body: &str,
    changes: &[Change],
    listed: Vec<Finding>,
) -> (String, Vec<Finding>) {
    let read = statements_may_tell(changes);
    annotated_with(dialect, body, (read, changes, listed), &|_| {})
}

/// [`annotated`], the statements of `body` read only when `read`, with `adjust` applied to the
/// merged findings before they are written.
fn annotated_with(
    dialect: Dialect,
    body: &str,
    (read, changes, listed): (bool, &[Change], Vec<Finding>),
    adjust: &dyn Fn(&mut Vec<FileFinding>),
) -> (String, Vec<Finding>) {
    let merged = |sql: &str| -> Vec<Finding> {
        let statements = match read {
            true => superseded_dropped(lint_file(dialect, sql), changes, &listed),
            false => Vec::new(),
        };
        let mut merged = merge(statements, listed.clone());
        adjust(&mut merged);
        merged.into_iter().map(|f| f.finding).collect()
    };
    let first = merged(body);
    let sql = with_comments(body, &first);
    // The statements' lines (named by `unparsed-statement`) as they are below the comments;
    // without such a finding no line is named, and the file is not read again.
    if !first.iter().any(|f| f.code == lint::UNPARSED_STATEMENT) {
        return (sql, first);
    }
    let second = merged(&sql);
    match second == first {
        true => (sql, first),
        false => (with_comments(body, &second), second),
    }
}

/// `body` with `findings` as comment lines at its top, after its `-- no-transaction` line.
fn with_comments(body: &str, findings: &[Finding]) -> String {
    let comments: String = findings.iter().map(|f| f.comment() + "\n").collect();
    let first = format!("{NO_TRANSACTION}\n");
    let at = match body.starts_with(&first) {
        true => first.len(),
        false => 0,
    };
    let mut sql = body.to_string();
    sql.insert_str(at, &comments);
    sql
}

/// Whether two objects name the same thing, one maybe without the schema the other names:
/// `public.t.c` and `t.c` (hand-written SQL leaves the default schema out).
fn same_object(a: &str, b: &str) -> bool {
    let within = |long: &str, short: &str| {
        long.strip_suffix(short)
            .is_some_and(|head| head.ends_with('.'))
    };
    a == b || within(a, b) || within(b, a)
}

/// `misplaced-no-transaction` for a file that opens and commits a transaction of its own (a
/// SQLite rebuild) without `-- no-transaction` as its first line: sqlx would run it inside its
/// own transaction, where the file's `BEGIN` fails (the line missing, or misspelt).
fn own_transaction_inside_sqlx(dialect: Dialect, sql: &str) -> Vec<FileFinding> {
    if sql.lines().next().map(str::trim_end) == Some(NO_TRANSACTION) {
        return Vec::new();
    }
    let statements = crate::statements::split_statements(sql);
    let Some((begin, _)) = crate::backend::of(dialect).own_transaction(&statements) else {
        return Vec::new();
    };
    let line = statements[begin]
        .sql_line()
        .unwrap_or(statements[begin].first_line);
    vec![FileFinding {
        line: Some(line),
        finding: Finding {
            code: lint::MISPLACED_NO_TRANSACTION,
            severity: Severity::Error,
            object: format!("line {line}"),
            message: format!(
                "the file opens its own transaction on line {line} but its first line is not `{NO_TRANSACTION}`, so sqlx runs it inside a transaction and that one fails"
            ),
            suggestion: lint::suggestion_for(lint::MISPLACED_NO_TRANSACTION).to_string(),
        },
    }]
}

/// `misplaced-no-transaction` for each `-- no-transaction` line after the first line, with
/// what that does on `dialect`'s database.
fn misplaced_no_transaction(dialect: Dialect, sql: &str) -> Vec<FileFinding> {
    let first = sql.lines().next().map(str::trim_end);
    if first == Some(NO_TRANSACTION) {
        return Vec::new();
    }
    sql.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, line)| line.trim() == NO_TRANSACTION)
        .map(|(i, _)| {
            let line = i + 1;
            FileFinding {
                line: Some(line),
                finding: Finding {
                    code: lint::MISPLACED_NO_TRANSACTION,
                    severity: Severity::Error,
                    object: format!("line {line}"),
                    message: format!(
                        "`{NO_TRANSACTION}` is on line {line}, not the first line, {}",
                        crate::backend::of(dialect).misplaced_no_transaction()
                    ),
                    suggestion: lint::suggestion_for(lint::MISPLACED_NO_TRANSACTION).to_string(),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
