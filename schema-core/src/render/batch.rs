//! Consecutive actions on one table in one `ALTER TABLE`, where the dialect
//! [combines](super::Dialect::combines_alter_actions) them, so the table is rewritten at most once.
//!
//! Only actions that follow each other are combined: every other statement (a rename, an index,
//! an enum type, a statement on another table) ends the statement being built, so the order of
//! statements stays that of the changes. The one exception is a `FillNulls` `UPDATE`, which goes
//! before the statement being built when that statement only alters other columns' definitions:
//! without it, the `UPDATE` before a `SET NOT NULL` would split the table's statement in two.

use super::{Dialect, RenderError};
use crate::diff::Change;

/// An `ALTER TABLE` being built and the statements before it.
#[derive(Debug, Default)]
pub(crate) struct AlterBatch {
    combine: bool,
    statements: Vec<String>,
    pending: Option<Pending>,
}

/// The actions of the `ALTER TABLE` being built.
#[derive(Debug)]
struct Pending {
    /// The table as the statement names it: `"public"."accounts"`.
    table: String,
    /// Each action with the column whose definition alone it changes (`None` for anything else:
    /// a column added or dropped, a constraint).
    actions: Vec<(Option<String>, String)>,
}

impl AlterBatch {
    /// A batch that combines actions when `combine` is true, and otherwise gives each action a
    /// statement of its own.
    pub(crate) fn new(combine: bool) -> Self {
        AlterBatch {
            combine,
            ..AlterBatch::default()
        }
    }

    /// One action of `ALTER TABLE <table>`; `column` is the column whose definition alone the
    /// action changes.
    pub(crate) fn action(&mut self, table: String, column: Option<&str>, action: String) {
        let same = self.pending.as_ref().is_some_and(|p| p.table == table);
        if !(self.combine && same) {
            self.flush();
        }
        let pending = self.pending.get_or_insert_with(|| Pending {
            table,
            actions: Vec::new(),
        });
        pending.actions.push((column.map(str::to_string), action));
    }

    /// Statements that run after everything before them.
    pub(crate) fn statements(&mut self, statements: impl IntoIterator<Item = String>) {
        self.flush();
        self.statements.extend(statements);
    }

    /// An `UPDATE` of `column` of `table` that must run before the column's later actions: it
    /// goes before the `ALTER TABLE` being built when that only alters other columns of the
    /// same table, and after it otherwise.
    pub(crate) fn update(&mut self, table: &str, column: &str, statements: Vec<String>) {
        let before = self.pending.as_ref().is_some_and(|p| {
            p.table == table
                && p.actions
                    .iter()
                    .all(|(c, _)| c.as_deref().is_some_and(|c| c != column))
        });
        if before {
            self.statements.extend(statements);
        } else {
            self.statements(statements);
        }
    }

    /// Every statement, in order.
    pub(crate) fn finish(mut self) -> Vec<String> {
        self.flush();
        self.statements
    }

    /// `ALTER TABLE t a;` for one action, one line per action for more.
    fn flush(&mut self) {
        let Some(Pending { table, actions }) = self.pending.take() else {
            return;
        };
        let actions: Vec<String> = actions.into_iter().map(|(_, a)| a).collect();
        self.statements.push(match actions.as_slice() {
            [one] => format!("ALTER TABLE {table} {one};"),
            _ => format!("ALTER TABLE {table}\n\t{};", actions.join(",\n\t")),
        });
    }
}

/// The column whose definition alone `change` alters: type, nullability, default, identity.
pub(crate) fn altered_column(change: &Change) -> Option<&str> {
    use Change::*;
    match change {
        AlterColumnType { column, .. }
        | SetNotNull { column, .. }
        | DropNotNull { column, .. }
        | SetDefault { column, .. }
        | DropDefault { column, .. }
        | AddIdentity { column, .. }
        | DropIdentity { column, .. }
        | AlterIdentity { column, .. } => Some(column),
        _ => None,
    }
}

/// The statements of `changes` in order, each change through the dialect's
/// [`alter_action`](Dialect::alter_action) or [`statements`](Dialect::statements), consecutive
/// actions on one table combined where the dialect combines them.
pub(crate) fn statements<D: Dialect + ?Sized>(
    d: &D,
    changes: &[Change],
) -> Result<Vec<String>, RenderError> {
    let mut batch = AlterBatch::new(d.combines_alter_actions());
    for change in changes {
        if let Some(action) = d.alter_action(change) {
            let (table, action) = action?;
            batch.action(d.qualified(&table), altered_column(change), action);
        } else if let Change::FillNulls { table, column, .. } = change {
            batch.update(&d.qualified(table), column, d.statements(change)?);
        } else {
            batch.statements(d.statements(change)?);
        }
    }
    Ok(batch.finish())
}
