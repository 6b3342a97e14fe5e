//! The gate of a down file (`<tag>.down.sql`): its statements and `-- lint:` lines as for any
//! migration file, with the findings of the way back recomputed from the migration's snapshots
//! ([`lint::lint_down`]: drops of what the up created, `irreversible` for what the up destroyed),
//! so a deleted or downgraded comment line changes nothing. `check` gates on it; `revert`
//! refuses a down with unacknowledged errors.

use super::objects::ObjectIndex;
use super::{annotated_with, merge, trusted, FileFinding};
use super::{misplaced_no_transaction, own_transaction_inside_sqlx, superseded_dropped};
use crate::config::Dialect;
use crate::statements::lint::lint_file;
use schema_core::diff::{Change, QualifiedName};
use schema_core::lint::{self, Costs, Finding};
use schema_core::lint::{Severity, DOWN_DROP_CODES};
use schema_core::model::Schema;
use std::collections::BTreeSet;

/// A migration's own schema (its snapshot's) and the previous one's (the empty schema for the
/// first migration): the down goes from the first back to the second.
pub type DownSnapshots<'a> = (&'a Schema, &'a Schema);

/// Every finding of down file `sql` of `dialect`, acknowledged or not, in file order
/// (comment-only findings first); with the migration's `snapshots`, the change list's findings
/// (and `irreversible`) are recomputed from them, whatever the comment lines say.
pub fn down_findings(
    dialect: Dialect,
    sql: &str,
    snapshots: Option<DownSnapshots<'_>>,
) -> Vec<FileFinding> {
    let costs = Costs::of(dialect.renderer());
    let listed: Vec<Finding> = sql
        .lines()
        .filter_map(|line| lint::parse_comment_with(line, costs))
        .filter(|f| !lint::STATEMENT_CODES.contains(&f.code))
        .collect();
    let mut statements = lint_file(dialect, sql);
    if let Some((own, previous)) = snapshots {
        let said: Vec<Finding> = statements
            .iter()
            .map(|s| s.finding.clone())
            .chain(listed.iter().cloned())
            .collect();
        let renames = trusted::renames(own, previous, &said);
        let down = schema_core::diff::diff(own, previous, &renames);
        let up = schema_core::diff::diff(previous, own, &renames.reversed());
        let trusted = lint::lint_down(own, previous, &up, &down, costs);
        statements = superseded_dropped(statements, &down, &trusted);
        let mut out = merge(statements, trusted::merge(trusted.clone(), listed));
        as_warned(&mut out, &trusted);
        out.extend(misplaced_no_transaction(dialect, sql));
        out.extend(own_transaction_inside_sqlx(dialect, sql));
        return out;
    }
    let mut out = merge(statements, listed);
    out.extend(misplaced_no_transaction(dialect, sql));
    out.extend(own_transaction_inside_sqlx(dialect, sql));
    out
}

/// The findings of down file `sql` ([`down_findings`]) that no `-- lint:allow <code>` line
/// acknowledges (a misplaced `-- no-transaction` is never acknowledged).
pub fn down_unacknowledged(
    dialect: Dialect,
    sql: &str,
    snapshots: Option<DownSnapshots<'_>>,
) -> Vec<FileFinding> {
    let allowed = lint::allowed(sql);
    down_findings(dialect, sql, snapshots)
        .into_iter()
        .filter(|f| {
            f.finding.code == lint::MISPLACED_NO_TRANSACTION || !allowed.contains(f.finding.code)
        })
        .collect()
}

/// Whether down file `sql` has no statement (the placeholder `generate --custom` writes, or a
/// file of comments): such a migration has no way back, `missing-down`.
pub fn down_is_empty(sql: &str) -> bool {
    crate::statements::split_statements(sql)
        .iter()
        .all(|s| s.sql_line().is_none())
}

/// Down file `body` as `generate` writes it ([`super::annotated`]), its drops of what the up
/// created kept at the severity of `listed` ([`lint::lint_down`]'s warnings), where the
/// statements alone would call them errors.
pub fn down_annotated(
    dialect: Dialect,
    body: &str,
    changes: &[Change],
    listed: Vec<Finding>,
) -> (String, Vec<Finding>) {
    let trusted = listed.clone();
    let read = down_statements_may_tell(changes);
    annotated_with(dialect, body, (read, changes, listed), &|found| {
        as_warned(found, &trusted)
    })
}

/// Whether the statements of a generated down of `changes` can say more than its change list:
/// not when every change drops a table, a column or an enum the up created, or a foreign key,
/// check or unique key of a table the down drops, each of whose statements gives the finding
/// the change list gives for it and no other; `generate` then leaves them unread (the down of a
/// thousand new tables is a thousand `DROP TABLE`s and their foreign keys' drops). An index
/// drop is read: on PostgreSQL its statement alone says `drop-index-without-concurrently`.
/// `check` reads every statement ([`down_findings`]) and finds what these comment lines say (a
/// test asserts it on every dialect).
fn down_statements_may_tell(changes: &[Change]) -> bool {
    let dropped: BTreeSet<&QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropTable { table } => Some(table),
            _ => None,
        })
        .collect();
    !changes.iter().all(|c| match c {
        Change::DropTable { .. } | Change::DropColumn { .. } | Change::DropEnum { .. } => true,
        Change::DropForeignKey { table, .. }
        | Change::DropCheck { table, .. }
        | Change::DropUnique { table, .. } => dropped.contains(table),
        _ => false,
    })
}

/// The drops of what the up created (a warning in `trusted`) back at that severity: the
/// statement that drops it says error, not knowing that the up created it.
fn as_warned(found: &mut [FileFinding], trusted: &[Finding]) {
    let warned = ObjectIndex::new(
        trusted
            .iter()
            .filter(|t| t.severity == Severity::Warning)
            .map(|t| (t.code, t.object.as_str())),
    );
    for f in found {
        if DOWN_DROP_CODES.contains(&f.finding.code)
            && warned.contains(f.finding.code, &f.finding.object)
        {
            f.finding.severity = Severity::Warning;
        }
    }
}
