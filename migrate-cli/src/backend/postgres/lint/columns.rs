//! `add-not-null-without-default`, `set-not-null` and `type-change`: column changes that fail
//! on rows or scan and rewrite the table (squawk: `adding-required-field`,
//! `adding-not-nullable-field`, `changing-column-type`).

use super::{altered_table, attribute_actions, name, At};
use schema_core::lint::{ADD_NOT_NULL_WITHOUT_DEFAULT, SET_NOT_NULL, TYPE_CHANGE};
use squawk_syntax::ast::{self, AstNode};

pub(super) fn check(stmt: &ast::Stmt, at: &mut At<'_>) {
    if let ast::Stmt::AlterType(t) = stmt {
        return attributes(t, at);
    }
    let Some((table, actions)) = altered_table(stmt) else {
        return;
    };
    for action in actions {
        match action {
            ast::AlterTableAction::AddColumn(add) if required(&add) => {
                let column = add
                    .column_name()
                    .map(|c| name(c.syntax()))
                    .unwrap_or_default();
                let message = format!(
                    "adding NOT NULL column {table}.{column} without a default fails if the table has rows"
                );
                at.report(
                    ADD_NOT_NULL_WITHOUT_DEFAULT,
                    &format!("{table}.{column}"),
                    message,
                );
            }
            ast::AlterTableAction::AlterColumn(alter) => {
                let column = alter
                    .column_name_ref()
                    .map(|c| name(c.syntax()))
                    .unwrap_or_default();
                let object = format!("{table}.{column}");
                match alter.option() {
                    Some(ast::AlterColumnOption::SetNotNull(_)) => at.report(
                        SET_NOT_NULL,
                        &object,
                        format!("setting {object} NOT NULL scans the whole table under an exclusive lock, and fails if a row holds NULL"),
                    ),
                    Some(ast::AlterColumnOption::SetType(_)) => at.report(
                        TYPE_CHANGE,
                        &object,
                        format!("changing the type of {object} rewrites the table under an exclusive lock (unless the types are binary compatible), and fails on a value the new type cannot hold"),
                    ),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// A column added NOT NULL (or as the primary key) without a default and not generated.
fn required(add: &ast::AddColumn) -> bool {
    let (mut not_null, mut filled) = (false, false);
    for c in add.constraints() {
        match c {
            ast::Constraint::NotNullConstraint(_) | ast::Constraint::PrimaryKeyConstraint(_) => {
                not_null = true
            }
            ast::Constraint::DefaultConstraint(_) | ast::Constraint::GeneratedConstraint(_) => {
                filled = true
            }
            _ => {}
        }
    }
    not_null && !filled
}

/// `ALTER TYPE ... ALTER ATTRIBUTE ... TYPE`: a column of a composite type.
fn attributes(t: &ast::AlterType, at: &mut At<'_>) {
    let (ty, actions) = attribute_actions(t);
    for action in actions {
        if let ast::AlterTypeAttributeAction::AlterAttribute(_) = action {
            let message =
                format!("changing an attribute type of {ty} breaks running code that reads it");
            at.report(TYPE_CHANGE, &ty, message);
        }
    }
}
