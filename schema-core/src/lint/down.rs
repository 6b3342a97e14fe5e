//! Lint of a down migration: the way back from a migration's schema to the one before it.
//! Its changes are linted as any migration's, and a drop there removes what the up created, so
//! its message says that the data written since the up ran is lost; such a drop is a warning
//! ([`DOWN_DROP_CODES`]), since undoing what the up added is what a down is for, and `revert`
//! shows it before it runs. What the up destroyed
//! (a dropped table or plain column, removed enum values, a narrowing type change, NULLs filled with a
//! default) the down can only re-create empty or as it is: that is `irreversible`, an error,
//! naming what cannot come back. A dropped generated column is not: the down re-adds it with its
//! expression, which computes every value again.

use super::{finding, lint_with, rebuilds, Costs, Finding, Severity};
use super::{
    DISABLE_RLS, DROP_COLUMN, DROP_ENUM_VALUE, DROP_POLICY, DROP_SCHEMA, DROP_SEQUENCE, DROP_TABLE,
    DROP_VIEW,
};
use crate::diff::{type_label, Change};
use crate::model::{ColumnType, Schema};

/// The findings of a down migration: `down` (the changes from `own`, the migration's schema,
/// back to `previous`) linted as any migration's, their drops saying that the data written
/// since the up ran is lost, then an `irreversible` finding for each change of `up` (the
/// changes from `previous` to `own`) that the down cannot undo.
pub fn lint_down(
    own: &Schema,
    previous: &Schema,
    up: &[Change],
    down: &[Change],
    costs: Costs,
) -> Vec<Finding> {
    let mut out = lint_with(own, previous, down, costs);
    for f in &mut out {
        if DOWN_DROP_CODES.contains(&f.code) {
            f.severity = Severity::Warning;
        }
        let since = match f.code {
            DROP_TABLE | DROP_COLUMN | DROP_SCHEMA => {
                "; the up migration created it, so every row written to it since the up ran is lost"
            }
            DROP_ENUM_VALUE => {
                "; the up migration added them, so the rows written with them since the up ran must be given another value first"
            }
            DROP_SEQUENCE => {
                "; the up migration created it, so the numbers it gave since the up ran are forgotten"
            }
            DROP_VIEW => "; the up migration created it, so code written since that reads it fails",
            DROP_POLICY | DISABLE_RLS => "; the up migration added it, so the down returns to the access the table had before",
            _ => continue,
        };
        f.message.push_str(since);
    }
    let unqualified: Vec<Change>;
    let up = match costs.schemas {
        true => up,
        false => {
            unqualified = up.iter().map(Change::unqualified).collect();
            &unqualified
        }
    };
    for change in up {
        irreversible(change, previous, costs, &mut out);
    }
    out
}

/// What a down migration cannot bring back (a table's rows, a column's values, precision a
/// narrowed type lost): found in down files only ([`lint_down`]).
pub const IRREVERSIBLE: &str = "irreversible";

/// A migration without a down file, or whose down file has no statement: `check` only.
pub const MISSING_DOWN: &str = "missing-down";

/// The codes only a down file gives.
pub const DOWN_CODES: &[&str] = &[IRREVERSIBLE];

/// The drops a down makes of what its up created: warnings there.
pub const DOWN_DROP_CODES: &[&str] = &[
    DROP_TABLE,
    DROP_COLUMN,
    DROP_SCHEMA,
    DROP_ENUM_VALUE,
    DROP_SEQUENCE,
    DROP_VIEW,
    DROP_POLICY,
    DISABLE_RLS,
];

/// The `irreversible` finding of one change of the up, if the down cannot undo it.
fn irreversible(change: &Change, previous: &Schema, costs: Costs, out: &mut Vec<Finding>) {
    let mut push = |object: String, message: String| {
        out.push(finding(
            IRREVERSIBLE,
            Severity::Error,
            object,
            message,
            super::suggestion_for(IRREVERSIBLE),
        ))
    };
    match change {
        Change::DropTable { table } => push(
            table.to_string(),
            format!("the down re-creates table {table} without its rows: the rows the up deleted cannot come back"),
        ),
        Change::DropSequence { name } => push(
            name.to_string(),
            format!("the down re-creates sequence {name} at its start: the numbers it had given cannot come back, so it may give them again"),
        ),
        // A generated column's values are computed again when the down re-adds it.
        Change::DropColumn { table, column }
            if super::old_column(previous, table, column).is_some_and(|c| c.generated.is_some()) => {}
        Change::DropColumn { table, column } => push(
            format!("{table}.{column}"),
            format!(
                "the down re-adds column {table}.{column}{} empty (NULL or its default in every row): the values the up deleted cannot come back",
                super::old_type(previous, table, column)
            ),
        ),
        Change::RebuildEnum {
            name,
            old_values,
            values,
            ..
        } => {
            let lost = quoted(old_values.iter().filter(|v| !values.contains(v)));
            if !lost.is_empty() {
                push(
                    name.to_string(),
                    format!("the down adds value(s) {lost} back to enum {name}, but not to the rows that held them before the up"),
                );
            }
        }
        Change::AlterColumnType {
            table,
            column,
            from,
            to,
        } => {
            let object = format!("{table}.{column}");
            if let Some(lost) = rebuilds::lost_enum_values(from, to) {
                let lost = quoted(lost.iter());
                push(
                    object,
                    format!("the down adds value(s) {lost} back to the enum of column {table}.{column}, but not to the rows that held them before the up"),
                );
            } else if !costs.rebuilds_tables && !widens(from, to) {
                // SQLite's rebuild copies values as they are: its type changes lose nothing.
                push(
                    object,
                    format!(
                        "the down turns column {table}.{column} back from {} to {}, but a narrowed type cannot widen its lost precision: what the up's conversion cut off cannot come back",
                        type_label(to),
                        type_label(from)
                    ),
                );
            }
        }
        Change::AlterGenerated {
            table,
            column,
            from: None,
        } => push(
            format!("{table}.{}", column.name),
            format!("the down makes column {table}.{} a plain column again, holding the computed values: the values it held before the up replaced them cannot come back", column.name),
        ),
        Change::FillNulls {
            table,
            column,
            value,
        } => push(
            format!("{table}.{column}"),
            format!("the down lets column {table}.{column} hold NULL again, but the NULLs the up set to {value} stay {value}"),
        ),
        _ => {}
    }
}

/// `'a', 'b'`.
fn quoted<'a>(values: impl Iterator<Item = &'a String>) -> String {
    values
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether every value of type `from` is held unchanged by type `to`, so the way back loses
/// nothing the way there kept: a larger integer or float, a longer or unbounded string, a
/// numeric with at least as many digits on both sides of the point, more fractional seconds,
/// values appended to an inline enum. Anything else counts as narrowing.
pub(crate) fn widens(from: &ColumnType, to: &ColumnType) -> bool {
    let (from, to) = match (from, to) {
        (ColumnType::Builtin(from), ColumnType::Builtin(to)) => (from, to),
        (ColumnType::Enum { .. }, ColumnType::Builtin(to)) => return is_text(&parts(to).0),
        _ => return false,
    };
    let ((from_name, from_args), (to_name, to_args)) = (parts(from), parts(to));
    if from_name == "enum" && to_name == "enum" {
        let head = from.trim_end().strip_suffix(')').unwrap_or(from);
        return to.starts_with(&format!("{head},"));
    }
    if let (Some(a), Some(b)) = (rank(&from_name), rank(&to_name)) {
        return a.0 == b.0 && a.1 <= b.1;
    }
    let strings = is_string(&from_name) && is_string(&to_name);
    if strings {
        return is_text(&to_name)
            || to_args.is_empty() && to_name != "character" && to_name != "char"
            || from_args
                .first()
                .zip(to_args.first())
                .is_some_and(|(a, b)| a <= b);
    }
    if from_name != to_name {
        return false;
    }
    match (from_name.as_str(), from_args.as_slice(), to_args.as_slice()) {
        (_, _, []) if from_name == "numeric" || from_name == "decimal" => true,
        ("numeric" | "decimal", [p, s], [q, t]) => s <= t && p - s <= q - t,
        ("numeric" | "decimal", [p], [q, t]) => *p <= q - t,
        (_, a, b) if a.len() == b.len() => a.iter().zip(b).all(|(x, y)| x <= y),
        _ => false,
    }
}

/// A type's lowercased name and its numeric arguments: `numeric(10,2)` is `("numeric", [10, 2])`.
fn parts(ty: &str) -> (String, Vec<i64>) {
    let ty = ty.trim().to_ascii_lowercase();
    let Some((name, rest)) = ty.split_once('(') else {
        return (ty, Vec::new());
    };
    let (args, tail) = rest.split_once(')').unwrap_or((rest, ""));
    let args = args
        .split(',')
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    // `timestamp(3) with time zone`: the name keeps what follows the arguments.
    let name = format!("{}{}", name.trim(), tail);
    (name.trim().to_string(), args)
}

/// The family and the rank of an integer or float type.
fn rank(name: &str) -> Option<(u8, u8)> {
    Some(match name {
        "tinyint" => (0, 0),
        "smallint" | "int2" => (0, 1),
        "mediumint" => (0, 2),
        "integer" | "int" | "int4" => (0, 3),
        "bigint" | "int8" => (0, 4),
        "real" | "float4" | "float" => (1, 0),
        "double precision" | "double" | "float8" => (1, 1),
        _ => return None,
    })
}

fn is_text(name: &str) -> bool {
    matches!(name, "text" | "mediumtext" | "longtext")
}

fn is_string(name: &str) -> bool {
    is_text(name)
        || matches!(
            name,
            "character varying" | "varchar" | "character" | "char" | "tinytext"
        )
}
