//! View columns left behind by a retyped column: a view created again around a column whose
//! type changes reads the new type, but its struct's field still declares the old one, so
//! `verify` and `check` would report drift on a schema the tool migrated itself. `generate`
//! warns with the `sql_type` to write.

use super::identifiers;
use crate::diff::{type_label, Change, QualifiedName};
use crate::model::ColumnType;
use std::collections::BTreeSet;

/// One warning per column of a view that `changes` create again after retyping a column of the
/// same name in a table the view reads, whose declared type is the column's old type.
pub fn stale_view_columns(changes: &[Change]) -> Vec<String> {
    let recreated: BTreeSet<&QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropView {
                name,
                recreated: true,
                ..
            } => Some(name),
            _ => None,
        })
        .collect();
    let retyped: Vec<(&QualifiedName, &String, &ColumnType, &ColumnType)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumnType {
                table,
                column,
                from,
                to,
            } => Some((table, column, from, to)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for change in changes {
        let Change::CreateView { view } = change else {
            continue;
        };
        let name = QualifiedName::new(&view.schema, &view.name);
        if !recreated.contains(&name) {
            continue;
        }
        let read = identifiers(&view.sql);
        let reads = |n: &str| {
            read.as_ref()
                .is_none_or(|ids| ids.contains(&n.to_lowercase()))
        };
        for (table, column, from, to) in &retyped {
            if !reads(&table.name) || !reads(column) {
                continue;
            }
            let field = view.columns.iter().find(|c| c.name == **column);
            if field.is_some_and(|f| f.ty == **from) {
                out.push(format!(
                    "view {name}: column `{column}` is declared {} but reads {table}.{column}, now {}; write #[column(sql_type = \"{}\")] on its field in the view's struct, or verify and check report drift",
                    type_label(from),
                    type_label(to),
                    type_label(to)
                ));
            }
        }
    }
    out
}
