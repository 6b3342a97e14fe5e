//! `generated-expression-change`: a column whose generated expression (or kind) changes, or a
//! plain column that becomes generated, has every row's value computed anew, which rewrites
//! the table (PostgreSQL before 17 drops the column and adds it again; MySQL copies the
//! table; SQLite rebuilds it). A warning, as `type-change` is.

use super::{finding, Costs, Finding, Severity, GENERATED_EXPRESSION_CHANGE};
use crate::diff::{Change, QualifiedName};

/// The finding of `change`, when it is a generation change of an existing table's column.
pub(super) fn lint(
    change: &Change,
    costs: Costs,
    existing: &dyn Fn(&QualifiedName) -> bool,
    out: &mut Vec<Finding>,
) {
    let Change::AlterGenerated {
        table,
        column,
        from,
    } = change
    else {
        return;
    };
    let Some(to) = &column.generated else {
        return;
    };
    if !existing(table) {
        return;
    }
    let cost = if costs.rebuilds_tables {
        "rebuilds the table (every row is copied while the database is locked for writes)"
    } else if costs.copies_tables {
        "rewrites the table (writes wait until it is done)"
    } else {
        "drops the column and adds it again (PostgreSQL before 17 cannot change the expression), which rewrites the table under an exclusive lock and drops and rebuilds the column's indexes and constraints"
    };
    let what = match from {
        Some(_) => format!(
            "changing the generated expression of {table}.{} to ({}) computes every row's value anew and {cost}",
            column.name, to.expr
        ),
        None => format!(
            "making {table}.{} a column generated as ({}) replaces every row's value by the computed one and {cost}",
            column.name, to.expr
        ),
    };
    out.push(finding(
        GENERATED_EXPRESSION_CHANGE,
        Severity::Warning,
        format!("{table}.{}", column.name),
        what,
        super::suggestion_for(GENERATED_EXPRESSION_CHANGE),
    ));
}
