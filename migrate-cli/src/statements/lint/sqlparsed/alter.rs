//! The actions of a SQLite or MySQL `ALTER TABLE`. A MySQL `MODIFY COLUMN` or `CHANGE COLUMN`
//! restates the whole column: whether its type changes is not in the statement, so it is a
//! `type-change` warning (the copy of the table it may cost), and a `CHANGE` to a new name
//! also a `rename-column`.

use super::{At, Seen};
use schema_core::lint::{
    ADD_CHECK, ADD_FOREIGN_KEY, ADD_NOT_NULL_WITHOUT_DEFAULT, ADD_UNIQUE, DROP_COLUMN,
    RENAME_COLUMN, RENAME_TABLE, SET_NOT_NULL, TYPE_CHANGE,
};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, RenameTableNameKind,
    TableConstraint,
};

/// The new name of an `ALTER TABLE ... RENAME TO`.
pub(super) fn renamed_to(op: &AlterTableOperation) -> Option<String> {
    match op {
        AlterTableOperation::RenameTable { table_name } => Some(match table_name {
            RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => super::object(n),
        }),
        _ => None,
    }
}

pub(super) fn check(table: &str, op: &AlterTableOperation, seen: &Seen, at: &mut At<'_>) {
    use AlterTableOperation as Op;
    let existing = seen.existing(table);
    match op {
        Op::AddColumn { column_def, .. } => add_column(table, column_def, existing, at),
        Op::DropColumn { column_names, .. } => {
            for column in column_names {
                let object = format!("{table}.{}", column.value);
                let message = format!("dropping column {object} deletes its data; running code that still selects it fails");
                at.report(DROP_COLUMN, &object, message);
            }
        }
        Op::RenameColumn {
            old_column_name,
            new_column_name,
        } => rename_column(table, &old_column_name.value, &new_column_name.value, at),
        Op::RenameTable { .. } if existing => {
            let new = renamed_to(op).unwrap_or_default();
            let message = format!(
                "renaming table {table} to {new} breaks running code that still uses the old name"
            );
            at.report(
                RENAME_TABLE,
                &super::super::renamed_table(table, &new),
                message,
            );
        }
        Op::AlterColumn { column_name, op } => {
            let object = format!("{table}.{}", column_name.value);
            match op {
                AlterColumnOperation::SetNotNull => at.report(
                    SET_NOT_NULL,
                    &object,
                    format!("setting {object} NOT NULL scans the table, and fails if a row holds NULL"),
                ),
                AlterColumnOperation::SetDataType { .. } => at.report(
                    TYPE_CHANGE,
                    &object,
                    format!("changing the type of {object} copies the table, and fails on a value the new type cannot hold"),
                ),
                _ => {}
            }
        }
        Op::ModifyColumn { col_name, .. } => modify(table, &col_name.value, at),
        Op::ChangeColumn {
            old_name, new_name, ..
        } => {
            if old_name.value != new_name.value {
                rename_column(table, &old_name.value, &new_name.value, at);
            }
            modify(table, &new_name.value, at);
        }
        Op::AddConstraint {
            constraint,
            not_valid,
        } if existing => add_constraint(table, constraint, *not_valid, at),
        _ => {}
    }
}

fn rename_column(table: &str, old: &str, new: &str, at: &mut At<'_>) {
    let message = format!(
        "renaming column {table}.{old} to {new} breaks running code that still uses the old name"
    );
    at.report(RENAME_COLUMN, &format!("{table}.{new}"), message);
}

fn modify(table: &str, column: &str, at: &mut At<'_>) {
    let object = format!("{table}.{column}");
    let message = format!("MODIFY/CHANGE COLUMN restates {object}: a different type (or nullability) copies the table (ALGORITHM=COPY: writes wait until it is done), and fails on a value the new definition cannot hold");
    at.report(TYPE_CHANGE, &object, message);
}

fn add_column(table: &str, column: &ColumnDef, existing: bool, at: &mut At<'_>) {
    let object = format!("{table}.{}", column.name.value);
    let (mut not_null, mut filled) = (false, false);
    for option in column.options.iter().map(|o| &o.option) {
        match option {
            ColumnOption::NotNull => not_null = true,
            ColumnOption::Unique { is_primary, .. } => {
                not_null |= *is_primary;
                let message = format!("adding {object} with a unique index fails on duplicates and builds the index while writes wait");
                at.report(ADD_UNIQUE, &object, message);
            }
            ColumnOption::ForeignKey { .. } => {
                let message = format!("adding {object} with a foreign key checks every row against the referenced table");
                at.report(ADD_FOREIGN_KEY, &object, message);
            }
            ColumnOption::Check(_) if existing => {
                let message = format!("adding {object} with a check fails if a row violates it");
                at.report(ADD_CHECK, &object, message);
            }
            ColumnOption::Default(_)
            | ColumnOption::Generated { .. }
            | ColumnOption::Identity(_) => filled = true,
            ColumnOption::DialectSpecific(tokens) => {
                filled |= tokens
                    .iter()
                    .any(|t| t.to_string().eq_ignore_ascii_case("AUTO_INCREMENT"));
            }
            _ => {}
        }
    }
    if not_null && !filled && existing {
        let message = format!("adding NOT NULL column {object} without a default fails on SQLite, and on MySQL fills the existing rows with the type's implicit default (0, '')");
        at.report(ADD_NOT_NULL_WITHOUT_DEFAULT, &object, message);
    }
}

fn add_constraint(table: &str, constraint: &TableConstraint, not_valid: bool, at: &mut At<'_>) {
    let (code, what) = match constraint {
        TableConstraint::Unique { .. } | TableConstraint::PrimaryKey { .. } => {
            (ADD_UNIQUE, "builds a unique index while writes wait, and fails on duplicates")
        }
        TableConstraint::ForeignKey { .. } if !not_valid => {
            (ADD_FOREIGN_KEY, "checks every row against the referenced table (ALGORITHM=COPY while foreign_key_checks is on)")
        }
        TableConstraint::Check { .. } if !not_valid => (ADD_CHECK, "checks every row, and fails if a row violates it"),
        _ => return,
    };
    let name = constraint_name(constraint).unwrap_or_else(|| "a constraint".into());
    at.report(code, table, format!("adding {name} on {table} {what}"));
}

fn constraint_name(c: &TableConstraint) -> Option<String> {
    match c {
        TableConstraint::Unique { name, .. }
        | TableConstraint::PrimaryKey { name, .. }
        | TableConstraint::ForeignKey { name, .. }
        | TableConstraint::Check { name, .. } => name.as_ref().map(|n| n.value.clone()),
        _ => None,
    }
}
