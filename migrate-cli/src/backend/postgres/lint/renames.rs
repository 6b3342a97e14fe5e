//! `rename-table` and `rename-column`: renames break running code that uses the old name
//! (squawk: `renaming-table`, `renaming-column`).

use super::{altered_table, name, At};
use schema_core::lint::{RENAME_COLUMN, RENAME_TABLE};
use squawk_syntax::ast::{self, AstNode};

pub(super) fn check(stmt: &ast::Stmt, at: &mut At<'_>) {
    match stmt {
        ast::Stmt::AlterType(t) => {
            if let Some(ast::AlterTypeAction::RenameAttribute(_)) = t.action() {
                let ty = t
                    .type_name_ref()
                    .map(|n| name(n.syntax()))
                    .unwrap_or_default();
                let message = format!(
                    "renaming an attribute of type {ty} breaks running code that uses the old name"
                );
                at.report(RENAME_COLUMN, &ty, message);
            }
        }
        ast::Stmt::AlterView(v) => {
            if let Some(ast::AlterViewAction::RenameColumn(_)) = v.action() {
                let message =
                    "renaming a column of a view breaks running code that uses the old name"
                        .to_string();
                at.report(RENAME_COLUMN, "view", message);
            }
        }
        _ => tables(stmt, at),
    }
}

fn tables(stmt: &ast::Stmt, at: &mut At<'_>) {
    let Some((table, actions)) = altered_table(stmt) else {
        return;
    };
    for action in actions {
        match action {
            ast::AlterTableAction::RenameColumn(r) => {
                let old = r
                    .column_name_ref()
                    .map(|c| name(c.syntax()))
                    .unwrap_or_default();
                let new = r
                    .column_name()
                    .map(|c| name(c.syntax()))
                    .unwrap_or_default();
                let message = format!("renaming column {table}.{old} to {new} breaks running code that still uses the old name");
                at.report(RENAME_COLUMN, &format!("{table}.{new}"), message);
            }
            ast::AlterTableAction::TableRenameTo(r) => {
                let new = r.table_name().map(|c| name(c.syntax())).unwrap_or_default();
                let message = format!("renaming table {table} to {new} breaks running code that still uses the old name");
                at.report(
                    RENAME_TABLE,
                    &crate::statements::lint::renamed_table(&table, &new),
                    message,
                );
            }
            _ => {}
        }
    }
}
