//! `drop-view` and `drop-sequence` on SQLite and MySQL: `DROP VIEW` (a MySQL view renamed is
//! `RENAME TABLE`, a `rename-table`) and MariaDB's `DROP SEQUENCE`, with the codes, objects and
//! severities the change list gives the generated drop. A view dropped and created again later
//! in the file (around a table rebuild or a retyped column it reads) is no finding.

use super::{object, At};
use crate::statements::lint::{last_part, Lines, StatementFinding};
use schema_core::lint::{DROP_SEQUENCE, DROP_VIEW};
use sqlparser::ast::{ObjectName, ObjectType, Statement};
use std::collections::BTreeMap;

/// The finding of a `DROP` of `kind` naming `name`, if it is one of these.
pub(super) fn check(kind: &ObjectType, name: &ObjectName, at: &mut At<'_>) {
    let name = object(name);
    match kind {
        ObjectType::View | ObjectType::MaterializedView => {
            let message = format!("dropping view {name} breaks code that still reads it");
            at.report(DROP_VIEW, &name, message);
        }
        ObjectType::Sequence => {
            let message = format!("dropping sequence {name} forgets the last number it gave; a default or code still calling it fails");
            at.report(DROP_SEQUENCE, &name, message);
        }
        _ => {}
    }
}

/// `out` without the `drop-view` findings of views that `statements` create again after the
/// drop.
pub(super) fn without_recreated(
    out: &mut Vec<StatementFinding>,
    statements: &[(Lines, Result<Vec<Statement>, String>)],
) {
    let mut created: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (lines, parsed) in statements {
        for stmt in parsed.iter().flatten() {
            if let Statement::CreateView { name, .. } = stmt {
                let name = last_part(&name.to_string());
                created.entry(name).or_default().push(lines.first);
            }
        }
    }
    out.retain(|f| {
        let again = || {
            created
                .get(&last_part(&f.finding.object))
                .is_some_and(|at| at.iter().any(|&l| l > f.line))
        };
        f.finding.code != DROP_VIEW || !again()
    });
}
