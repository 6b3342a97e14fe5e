//! The down files of one `generate` run: for each migration written, `<tag>.down.sql` takes a
//! database from that migration's snapshot back to the previous one, the diff the other way
//! rendered by the same dialect code, with its `-- lint:` lines ([`gate::down_annotated`] of
//! [`lint::lint_down`]).

use super::{CUSTOM_DOWN_SQL, CUSTOM_DOWN_SQL_PLAIN, NO_TRANSACTION};
use crate::config::Dialect;
use crate::error::Error;
use crate::gate;
use schema_core::diff::{self, Change, Renames};
use schema_core::lint::{self, Costs, Finding};
use schema_core::model::Schema;
use schema_core::render;

/// One migration's way there and back: its schema before and after, the changes of the up,
/// and the renames of the way there (none for a concurrent-index file).
pub(super) struct Step<'a> {
    pub previous: &'a Schema,
    pub own: &'a Schema,
    pub up: &'a [Change],
    pub renames: &'a Renames,
    /// The up is one concurrent index build or drop, in a `-- no-transaction` file of its own:
    /// so is its down.
    pub concurrent: bool,
}

/// The down file of `step`, with its lint comment lines, and those findings.
pub(super) fn down_sql(dialect: Dialect, step: &Step<'_>) -> Result<(String, Vec<Finding>), Error> {
    let renderer = dialect.renderer();
    let mut changes = diff::down(step.previous, step.own, step.renames);
    if !step.concurrent {
        // The main file's down runs in a transaction, where CONCURRENTLY is refused.
        plain_indexes(&mut changes);
    }
    let script = renderer.script(&changes, step.own, step.previous)?;
    let body = render::file_sql(renderer, &script.statements);
    let body = match script.no_transaction || step.concurrent {
        true => format!("{NO_TRANSACTION}\n{body}"),
        false => body,
    };
    let costs = Costs::of(renderer);
    let listed = lint::lint_down(step.own, step.previous, step.up, &changes, costs);
    Ok(gate::down_annotated(dialect, &body, &changes, listed))
}

/// The down file beside a `--custom` migration: empty, saying it must be written by hand.
pub(super) fn custom_down_sql(dialect: &dyn render::Dialect) -> &'static str {
    match dialect.statement_breakpoints() {
        true => CUSTOM_DOWN_SQL,
        false => CUSTOM_DOWN_SQL_PLAIN,
    }
}

/// Index builds and drops without `CONCURRENTLY`.
fn plain_indexes(changes: &mut [Change]) {
    for change in changes {
        match change {
            Change::CreateIndex { index, .. } => index.concurrently = false,
            Change::DropIndex { concurrently, .. } => *concurrently = false,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `--custom` down's comment, on every dialect, says how to end a statement once.
    #[test]
    fn the_custom_down_comment_reads_well() {
        let mysql = custom_down_sql(&render::Mysql);
        assert!(!mysql.contains(";;"), "{mysql}");
        assert!(
            mysql.contains("ending each statement with a semicolon;"),
            "{mysql}"
        );
        for sql in [mysql, custom_down_sql(&render::Postgres)] {
            assert!(crate::gate::down_is_empty(sql), "{sql}");
        }
    }
}
