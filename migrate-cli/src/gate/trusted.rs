//! The change list's findings recomputed from a migration's snapshots: what the migration
//! changes (the diff from the previous snapshot to its own, as `generate` linted it) is known
//! without its `-- lint:` comment lines, so deleting or downgrading one changes nothing. A
//! rename that `generate` was told by a flag or a prompt (not by a `renamed_from` hint) is
//! not in the snapshots: it is taken from the file's `rename-*` findings (its statements or
//! comment lines); without them the pair is a drop and an add, the graver reading.

use super::objects::ObjectIndex;
use super::same_object;
use crate::config::Dialect;
use schema_core::diff::{self, ColumnRename, ObjectRename, RenameQuestion, Renames};
use schema_core::lint::{self, Costs, Finding, RENAME_COLUMN, RENAME_TABLE};
use schema_core::model::Schema;

/// The findings of `changes` (from `old` to `new`, see [`changes`]) on `dialect`.
pub(super) fn findings(
    dialect: Dialect,
    (old, new): (&Schema, &Schema),
    changes: &[diff::Change],
) -> Vec<Finding> {
    lint::lint_with(old, new, changes, Costs::of(dialect.renderer()))
}

/// The changes from `old` to `new`, with the renames `said` (the file's own findings) names.
pub(super) fn changes((old, new): (&Schema, &Schema), said: &[Finding]) -> Vec<diff::Change> {
    let renames = renames(old, new, said);
    diff::diff(old, new, &renames)
}

/// The hinted renames, and each open question's answer that `said` names.
pub(super) fn renames(old: &Schema, new: &Schema, said: &[Finding]) -> Renames {
    let mut renames = diff::hinted_renames(old, new);
    moves(old, new, said, &mut renames);
    let mut settled: Vec<RenameQuestion> = Vec::new();
    loop {
        let open = diff::open_questions(old, new, &renames);
        let Some(question) = open.into_iter().find(|q| !settled.contains(q)) else {
            return renames;
        };
        answer(&question, said, &mut renames);
        settled.push(question);
    }
}

/// Adds to `renames` the tables moved to another schema that a `rename-table` finding of `said`
/// names (`renaming table public.notes to app.notes`): no question pairs tables across schemas
/// (a move is declared by its `renamed_from`, which the snapshots do not keep), so without
/// this a move read back from the snapshots is a drop and a create.
fn moves(old: &Schema, new: &Schema, said: &[Finding], renames: &mut Renames) {
    let taken_from = |k: &String| renames.tables.iter().any(|(f, _)| f == k);
    let taken_to = |k: &String| renames.tables.iter().any(|(_, t)| t == k);
    let dropped: Vec<&String> = old
        .tables
        .keys()
        .filter(|k| !new.tables.contains_key(*k) && !taken_from(k))
        .collect();
    let created: Vec<&String> = new
        .tables
        .keys()
        .filter(|k| !old.tables.contains_key(*k) && !taken_to(k))
        .collect();
    let mut found = Vec::new();
    for to in &created {
        let schema = |k: &str| k.split_once('.').map(|(s, _)| s.to_string());
        let from = dropped.iter().find(|from| {
            schema(from) != schema(to)
                && !found.iter().any(|(f, _): &(String, String)| f == **from)
                && said.iter().any(|f| {
                    f.code == RENAME_TABLE
                        && same_object(&f.object, to)
                        && f.message.contains(&format!(" {from} to "))
                })
        });
        if let Some(from) = from {
            found.push(((*from).clone(), (*to).clone()));
        }
    }
    renames.tables.extend(found);
}

/// Adds to `renames` the candidate of `question` that a rename finding of `said` names.
fn answer(question: &RenameQuestion, said: &[Finding], renames: &mut Renames) {
    let (code, created, candidates) = match question {
        RenameQuestion::Table {
            created,
            candidates,
        } => (RENAME_TABLE, created.clone(), candidates),
        RenameQuestion::Column {
            table,
            created,
            candidates,
        } => (RENAME_COLUMN, format!("{table}.{created}"), candidates),
        RenameQuestion::Object {
            kind,
            created,
            candidates,
        } => (lint::rename_code(*kind), created.clone(), candidates),
        // Enums have no rename finding: a dropped enum gives none either.
        RenameQuestion::Enum { .. } => return,
    };
    let renamed = |from: &str| {
        let from = from.rsplit('.').next().unwrap_or(from);
        said.iter().any(|f| {
            f.code == code
                && same_object(&f.object, &created)
                && [
                    format!(".{from} to "),
                    format!(" {from} to "),
                    // `renaming policy OLD on TABLE to NEW`.
                    format!("policy {from} on "),
                ]
                .iter()
                .any(|s| f.message.contains(s.as_str()))
        })
    };
    let Some(from) = candidates.iter().find(|c| renamed(c)) else {
        return;
    };
    match question {
        RenameQuestion::Table { created, .. } => {
            renames.tables.push((from.clone(), created.clone()))
        }
        RenameQuestion::Column { table, created, .. } => renames.columns.push(ColumnRename {
            table: table.clone(),
            from: from.clone(),
            to: created.clone(),
        }),
        RenameQuestion::Object { kind, created, .. } => renames.objects.push(ObjectRename {
            kind: *kind,
            from: from.clone(),
            to: created.clone(),
        }),
        RenameQuestion::Enum { .. } => {}
    }
}

/// `trusted` (from the snapshots) merged into `listed` (the comment lines), keyed by code and
/// object: a comment line of the same finding keeps its message (it may know row counts) with
/// the graver severity of the two; a trusted finding without one is added.
pub(super) fn merge(trusted: Vec<Finding>, mut listed: Vec<Finding>) -> Vec<Finding> {
    let mut matched = vec![false; listed.len()];
    let keys: Vec<(&'static str, String)> =
        listed.iter().map(|f| (f.code, f.object.clone())).collect();
    let mut index = ObjectIndex::new(keys.iter().map(|(c, o)| (*c, o.as_str())));
    for f in trusted {
        // A trusted finding pushed below is marked matched: the index holds `listed` as given.
        match index.take(f.code, &f.object, &mut matched) {
            Some(i) => {
                listed[i].severity = listed[i].severity.min(f.severity);
            }
            None => {
                matched.push(true);
                listed.push(f);
            }
        }
    }
    listed
}
