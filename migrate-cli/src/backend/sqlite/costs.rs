//! What each statement of a SQLite file costs (`plan`): SQLite locks the whole database, not a
//! table, so every statement that writes holds the database's write lock (other writers wait;
//! readers go on in WAL mode) until the file's transaction ends. A table rebuild's copy
//! (`INSERT INTO "__new_t" SELECT ... FROM "t"` into a table the file created) rewrites `t`;
//! `CREATE INDEX` on an existing table scans it. Statements are read by sqlparser as the lint
//! reads them.

use crate::backend::costs::{self, Lock, StatementCost, Work};
use crate::statements::lint::last_part;
use sqlparser::ast::{SetExpr, Statement, TableFactor};
use std::collections::BTreeSet;

/// The cost of each statement of `sql`, a SQLite migration file.
pub(crate) fn costs(sql: &str) -> Vec<StatementCost> {
    let mut created = BTreeSet::new();
    let mut out = costs::unknown(sql);
    for cost in &mut out {
        let Ok(parsed) = super::lint::parse_statement(&cost.sql) else {
            continue;
        };
        for stmt in &parsed {
            judge(stmt, &mut created, cost);
        }
    }
    out
}

/// Sets `cost` from one parsed statement; remembers the tables it creates.
fn judge(stmt: &Statement, created: &mut BTreeSet<String>, cost: &mut StatementCost) {
    let write = Lock {
        mode: "write".to_string(),
        on: "the database".to_string(),
    };
    let existing = |name: &str| (!created.contains(&last_part(name))).then(|| last_part(name));
    match stmt {
        Statement::Pragma { .. } | Statement::Query(_) => {}
        Statement::CreateTable(t) => {
            created.insert(last_part(&t.name.to_string()));
            cost.lock = Some(write);
        }
        Statement::CreateIndex(i) => {
            cost.lock = Some(write);
            if let Some(table) = existing(&i.table_name.to_string()) {
                cost.work = Work::Scan;
                cost.table = Some(table);
            }
        }
        Statement::Insert(insert) => {
            cost.lock = Some(write);
            let into = last_part(&insert.table.to_string());
            let from = insert.source.as_ref().and_then(|q| match q.body.as_ref() {
                SetExpr::Select(s) => s.from.first().and_then(|t| match &t.relation {
                    TableFactor::Table { name, .. } => Some(name.to_string()),
                    _ => None,
                }),
                _ => None,
            });
            if let (true, Some(from)) = (created.contains(&into), from) {
                if let Some(table) = existing(&from) {
                    cost.work = Work::Rewrite;
                    cost.note = Some(format!("a table rebuild: copies every row of {table}"));
                    cost.table = Some(table);
                }
            }
        }
        _ => cost.lock = Some(write),
    }
}

#[cfg(test)]
mod tests {
    use super::costs;
    use crate::backend::costs::Work;

    #[test]
    fn a_rebuild_copies_the_table_under_the_database_lock() {
        let sql = "-- no-transaction\nPRAGMA foreign_keys=OFF;\n--> statement-breakpoint\nCREATE TABLE \"__new_t\" (a integer);\n--> statement-breakpoint\nINSERT INTO \"__new_t\" (\"a\") SELECT \"a\" FROM \"t\";\n--> statement-breakpoint\nDROP TABLE \"t\";\nALTER TABLE \"__new_t\" RENAME TO \"t\";\n--> statement-breakpoint\nCREATE INDEX i ON u (a);";
        let c = costs(sql);
        let got: Vec<(usize, Option<String>, Work, Option<&str>)> = c
            .iter()
            .map(|c| {
                (
                    c.line,
                    c.lock.as_ref().map(|l| l.to_string()),
                    c.work,
                    c.table.as_deref(),
                )
            })
            .collect();
        let write = || Some("write on the database".to_string());
        assert_eq!(
            got,
            vec![
                (2, None, Work::None, None),
                (4, write(), Work::None, None),
                (6, write(), Work::Rewrite, Some("t")),
                (8, write(), Work::None, None),
                (9, write(), Work::None, None),
                (11, write(), Work::Scan, Some("u")),
            ]
        );
        assert_eq!(
            c[2].sql,
            "INSERT INTO \"__new_t\" (\"a\") SELECT \"a\" FROM \"t\";"
        );
    }
}
