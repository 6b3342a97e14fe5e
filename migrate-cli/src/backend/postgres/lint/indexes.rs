//! `index-without-concurrently`, `drop-index-without-concurrently` and the `add-unique` of a
//! unique index (squawk: `require-concurrent-index-creation`,
//! `require-concurrent-index-deletion`). An index on a table created earlier in the file is
//! built on an empty table and gives no finding.

use super::{name, table_of, At, Seen};
use schema_core::lint::{ADD_UNIQUE, DROP_INDEX_WITHOUT_CONCURRENTLY, INDEX_WITHOUT_CONCURRENTLY};
use squawk_syntax::ast::{self, AstNode};

pub(super) fn check(stmt: &ast::Stmt, seen: &Seen, at: &mut At<'_>) {
    match stmt {
        ast::Stmt::CreateIndex(c) => {
            let Some(table) = c.table_relation_name().map(|n| table_of(n.syntax())) else {
                return;
            };
            if seen
                .created
                .contains(&crate::statements::lint::last_part(&table))
            {
                return;
            }
            let index = c
                .index()
                .map(|n| name(n.syntax()))
                .unwrap_or_else(|| "an index".into());
            if c.concurrently_token().is_none() {
                let message = format!("building index {index} on {table} without CONCURRENTLY blocks writes to the table until it is built");
                at.report(INDEX_WITHOUT_CONCURRENTLY, &table, message);
            }
            if c.unique_token().is_some() {
                let message =
                    format!("unique index {index} on {table} fails if the table holds duplicates");
                at.report(ADD_UNIQUE, &table, message);
            }
        }
        ast::Stmt::DropIndex(d) if d.concurrently_token().is_none() => {
            for index in d.index_refs() {
                let index = name(index.syntax());
                let message = format!("dropping index {index} without CONCURRENTLY takes a lock on its table that blocks reads and writes until it is dropped");
                at.report(DROP_INDEX_WITHOUT_CONCURRENTLY, &index, message);
            }
        }
        _ => {}
    }
}
