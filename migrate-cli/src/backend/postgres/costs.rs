//! What each statement of a PostgreSQL file costs (`plan`): the table lock it takes (the
//! modes of PostgreSQL's "Explicit Locking" chapter) and whether it scans or rewrites the
//! table, read from squawk's parse tree, never from the text.
//!
//! - `ALTER TABLE` takes the strongest lock of its actions: `ACCESS EXCLUSIVE` for most,
//!   `SHARE ROW EXCLUSIVE` (on both tables) for a foreign key, `SHARE UPDATE EXCLUSIVE` for
//!   `VALIDATE CONSTRAINT`. It rewrites for a type change (unless the types are binary
//!   compatible), a volatile default, a stored generated or identity column; it scans for
//!   `SET NOT NULL`, a check or foreign key added without `NOT VALID`, `VALIDATE CONSTRAINT`
//!   and a primary key or unique constraint built with its index.
//! - `CREATE INDEX` takes `SHARE` and scans; `CONCURRENTLY`, `SHARE UPDATE EXCLUSIVE` (writes
//!   go on). `DROP INDEX` takes `ACCESS EXCLUSIVE` on its table; `CONCURRENTLY`, `SHARE UPDATE
//!   EXCLUSIVE`.
//! - `DROP TABLE`, `TRUNCATE`: `ACCESS EXCLUSIVE`. `UPDATE`, `DELETE`, `INSERT`: `ROW
//!   EXCLUSIVE` (rows, not the table), and `UPDATE` / `DELETE` read the table.
//! - A table created earlier in the same file is empty: its statements still lock it, but
//!   nobody else sees it before the migration commits, so no size is read for it.

use super::lint::{name, sql_offsets, table_of};
use crate::backend::costs::{Lock, StatementCost, Work};
use crate::statements::lint::{last_part, LineIndex};
use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SourceFile, SyntaxKind};
use std::collections::BTreeSet;

/// PostgreSQL's table lock modes, weakest first.
const MODES: &[&str] = &[
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
];

const ACCESS_EXCLUSIVE: &str = "ACCESS EXCLUSIVE";
const SHARE_UPDATE_EXCLUSIVE: &str = "SHARE UPDATE EXCLUSIVE";
const SHARE_ROW_EXCLUSIVE: &str = "SHARE ROW EXCLUSIVE";

/// Functions whose default makes `ADD COLUMN` write every row (volatile ones; a stable
/// default such as `now()` is evaluated once and stored in the catalog).
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
];

/// Column types that bring a sequence default (`nextval`), so adding one rewrites.
const SERIALS: &[&str] = &[
    "serial",
    "bigserial",
    "smallserial",
    "serial4",
    "serial8",
    "serial2",
];

/// The cost of each statement of `sql`, a PostgreSQL migration file.
pub(crate) fn costs(sql: &str) -> Vec<StatementCost> {
    let index = LineIndex::new(sql);
    let mut created = BTreeSet::new();
    let mut out = Vec::new();
    for chunk in crate::statements::split_statements(sql) {
        let base = chunk.text.as_ptr() as usize - sql.as_ptr() as usize;
        let parse = SourceFile::parse(chunk.text);
        for stmt in parse.tree().stmts() {
            let Some((first, _)) = sql_offsets(stmt.syntax()) else {
                continue;
            };
            let end = usize::from(stmt.syntax().text_range().end());
            let text = chunk.text[first..end].trim_end().to_string();
            let (line, last_line) = (
                index.line(base + first),
                index.line(base + end.max(first + 1) - 1),
            );
            let cost = statement(&stmt, &created);
            if let ast::Stmt::CreateTable(t) = &stmt {
                if let Some(n) = t.table_name() {
                    created.insert(last_part(&n.syntax().text().to_string()));
                }
            }
            let (lock, work, table, note) = cost;
            out.push(StatementCost {
                line,
                last_line,
                sql: text,
                lock,
                work,
                table,
                note,
            });
        }
    }
    out
}

type Cost = (Option<Lock>, Work, Option<String>, Option<String>);

/// A table's name as the lock names it: schema-qualified, `public` when it names none (the
/// model's default schema; generated files always name it).
fn qualified(table: &str) -> String {
    match table.contains('.') {
        true => table.to_string(),
        false => format!("public.{table}"),
    }
}

/// The cost of one statement; `created` are the tables created earlier in the file.
fn statement(stmt: &ast::Stmt, created: &BTreeSet<String>) -> Cost {
    let on = |table: String, mode: &str, work: Work, note: Option<String>| -> Cost {
        let table = qualified(&table);
        let sized = (!created.contains(&last_part(&table))).then(|| table.clone());
        let lock = Lock {
            mode: mode.to_string(),
            on: table,
        };
        (Some(lock), work, sized, note)
    };
    match stmt {
        ast::Stmt::AlterTable(t) => {
            let Some(table) = t.table_relation_name().map(|n| table_of(n.syntax())) else {
                return (None, Work::None, None, None);
            };
            let (mode, work, also, note) = alter_actions(t.actions());
            let mut cost = on(table, mode, work, note);
            if let (Some(lock), Some(other)) = (&mut cost.0, also) {
                lock.on = format!("{} and {}", lock.on, qualified(&other));
            }
            cost
        }
        ast::Stmt::CreateIndex(c) => {
            let Some(table) = c.table_relation_name().map(|n| table_of(n.syntax())) else {
                return (None, Work::None, None, None);
            };
            match c.concurrently_token() {
                Some(_) => {
                    let note =
                        "builds in two passes while writes go on; cannot run in a transaction";
                    on(table, SHARE_UPDATE_EXCLUSIVE, Work::Scan, Some(note.into()))
                }
                None => on(
                    table,
                    "SHARE",
                    Work::Scan,
                    Some("blocks writes until built".into()),
                ),
            }
        }
        ast::Stmt::DropIndex(d) => {
            let indexes: Vec<String> = d.index_refs().map(|i| name(i.syntax())).collect();
            let mode = match d.concurrently_token() {
                Some(_) => SHARE_UPDATE_EXCLUSIVE,
                None => ACCESS_EXCLUSIVE,
            };
            let lock = Lock {
                mode: mode.to_string(),
                on: format!("the table of {}", indexes.join(", ")),
            };
            (Some(lock), Work::None, None, None)
        }
        ast::Stmt::DropTable(d) => {
            let tables: Vec<String> = d
                .table_name_refs()
                .map(|n| qualified(&table_of(n.syntax())))
                .collect();
            let lock = Lock {
                mode: ACCESS_EXCLUSIVE.to_string(),
                on: tables.join(", "),
            };
            (Some(lock), Work::None, None, None)
        }
        ast::Stmt::Truncate(t) => {
            let tables = t.table_list().map(|l| name(l.syntax())).unwrap_or_default();
            let lock = Lock {
                mode: ACCESS_EXCLUSIVE.to_string(),
                on: tables,
            };
            (Some(lock), Work::None, None, None)
        }
        ast::Stmt::Update(u) => match u.relation_name() {
            Some(n) => on(
                table_of(n.syntax()),
                "ROW EXCLUSIVE",
                Work::Scan,
                Some("writes the rows it changes; blocks writers of those rows".into()),
            ),
            None => (None, Work::None, None, None),
        },
        ast::Stmt::Delete(d) => match d.relation_name() {
            Some(n) => on(table_of(n.syntax()), "ROW EXCLUSIVE", Work::Scan, None),
            None => (None, Work::None, None, None),
        },
        ast::Stmt::Insert(i) => match i.relation_name_ref() {
            Some(n) => on(table_of(n.syntax()), "ROW EXCLUSIVE", Work::None, None),
            None => (None, Work::None, None, None),
        },
        _ => (None, Work::None, None, None),
    }
}

/// The strongest lock of an `ALTER TABLE`'s actions, the most its rows are worked, the table a
/// foreign key references (locked too), and a note.
fn alter_actions(
    actions: ast::AstChildren<ast::AlterTableAction>,
) -> (&'static str, Work, Option<String>, Option<String>) {
    let (mut mode, mut work, mut also, mut notes) = ("ACCESS SHARE", Work::None, None, Vec::new());
    for action in actions {
        let (m, w, note) = match action {
            ast::AlterTableAction::AddColumn(add) => add_column(&add),
            ast::AlterTableAction::AlterColumn(alter) => match alter.option() {
                Some(ast::AlterColumnOption::SetType(_)) => (
                    ACCESS_EXCLUSIVE,
                    Work::Rewrite,
                    Some("rewrites unless the types are binary compatible"),
                ),
                Some(ast::AlterColumnOption::SetNotNull(_)) => (ACCESS_EXCLUSIVE, Work::Scan, None),
                _ => (ACCESS_EXCLUSIVE, Work::None, None),
            },
            ast::AlterTableAction::AddConstraint(add) => {
                let Some(constraint) = add.constraint() else {
                    continue;
                };
                let validated = !constraint.is_not_valid();
                match &constraint {
                    ast::Constraint::ForeignKeyConstraint(fk) => {
                        also = fk.table_name_ref().map(|n| table_of(n.syntax()));
                        let w = if validated { Work::Scan } else { Work::None };
                        (SHARE_ROW_EXCLUSIVE, w, None)
                    }
                    ast::Constraint::CheckConstraint(_) if validated => {
                        (ACCESS_EXCLUSIVE, Work::Scan, None)
                    }
                    ast::Constraint::PrimaryKeyConstraint(p) if p.using_index().is_none() => {
                        (ACCESS_EXCLUSIVE, Work::Scan, Some("builds its index"))
                    }
                    ast::Constraint::UniqueConstraint(u) if u.using_index().is_none() => {
                        (ACCESS_EXCLUSIVE, Work::Scan, Some("builds its index"))
                    }
                    ast::Constraint::ExcludeConstraint(_) => {
                        (ACCESS_EXCLUSIVE, Work::Scan, Some("builds its index"))
                    }
                    _ => (ACCESS_EXCLUSIVE, Work::None, None),
                }
            }
            ast::AlterTableAction::ValidateConstraint(_) => {
                (SHARE_UPDATE_EXCLUSIVE, Work::Scan, None)
            }
            _ => (ACCESS_EXCLUSIVE, Work::None, None),
        };
        if strength(m) > strength(mode) {
            mode = m;
        }
        work = work.max(w);
        notes.extend(note);
    }
    notes.dedup();
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    (mode, work, also, note)
}

/// `ADD COLUMN`: a rewrite with a volatile default, a serial type, a stored generated or an
/// identity column; a catalog change otherwise (PostgreSQL 11 and later).
fn add_column(add: &ast::AddColumn) -> (&'static str, Work, Option<&'static str>) {
    let ty = add
        .ty()
        .map(|t| t.syntax().text().to_string().to_lowercase());
    if ty.is_some_and(|t| SERIALS.contains(&t.trim())) {
        return (
            ACCESS_EXCLUSIVE,
            Work::Rewrite,
            Some("a serial column fills every row from its sequence"),
        );
    }
    for c in add.constraints() {
        match c {
            ast::Constraint::GeneratedConstraint(_) => {
                return (
                    ACCESS_EXCLUSIVE,
                    Work::Rewrite,
                    Some("a generated or identity column is computed for every row"),
                );
            }
            ast::Constraint::DefaultConstraint(d)
                if d.expr().is_some_and(|e| volatile(e.syntax())) =>
            {
                return (
                    ACCESS_EXCLUSIVE,
                    Work::Rewrite,
                    Some("a volatile default is computed for every row"),
                );
            }
            _ => {}
        }
    }
    (ACCESS_EXCLUSIVE, Work::None, None)
}

/// Whether an expression calls a volatile function.
fn volatile(expr: &squawk_syntax::SyntaxNode) -> bool {
    expr.descendants()
        .filter(|n| n.kind() == SyntaxKind::CALL_EXPR)
        .filter_map(ast::CallExpr::cast)
        .filter_map(|call| call.expr())
        .any(|callee| {
            let called = last_part(&callee.syntax().text().to_string()).to_lowercase();
            VOLATILE.contains(&called.as_str())
        })
}

fn strength(mode: &str) -> usize {
    MODES.iter().position(|m| *m == mode).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::costs;
    use crate::backend::costs::Work;

    /// The lock (as `MODE on table`) and work of each statement of `sql`.
    fn check(sql: &str, expect: &[(&str, Work)]) {
        let got: Vec<(String, Work)> = costs(sql)
            .into_iter()
            .map(|c| (c.lock.map(|l| l.to_string()).unwrap_or_default(), c.work))
            .collect();
        let expect: Vec<(String, Work)> = expect.iter().map(|(l, w)| (l.to_string(), *w)).collect();
        assert_eq!(got, expect, "{sql}");
    }

    #[test]
    fn alter_table_actions() {
        let x = "ACCESS EXCLUSIVE on public.orders";
        check(
            "ALTER TABLE \"public\".\"orders\" ADD COLUMN \"note\" text;",
            &[(x, Work::None)],
        );
        check(
            "ALTER TABLE orders ADD COLUMN n int NOT NULL DEFAULT 0;",
            &[(x, Work::None)],
        );
        check(
            "ALTER TABLE orders ADD COLUMN id uuid DEFAULT gen_random_uuid();",
            &[(x, Work::Rewrite)],
        );
        check(
            "ALTER TABLE orders ADD COLUMN at timestamptz DEFAULT now();",
            &[(x, Work::None)],
        );
        check(
            "ALTER TABLE orders ADD COLUMN n bigserial;",
            &[(x, Work::Rewrite)],
        );
        check(
            "ALTER TABLE orders ALTER COLUMN n TYPE bigint;",
            &[(x, Work::Rewrite)],
        );
        check(
            "ALTER TABLE orders ALTER COLUMN n SET NOT NULL;",
            &[(x, Work::Scan)],
        );
        check(
            "ALTER TABLE orders ALTER COLUMN n SET DEFAULT 1;",
            &[(x, Work::None)],
        );
        check(
            "ALTER TABLE orders ADD CONSTRAINT c CHECK (n > 0);",
            &[(x, Work::Scan)],
        );
        check(
            "ALTER TABLE orders ADD CONSTRAINT c CHECK (n > 0) NOT VALID;",
            &[(x, Work::None)],
        );
        check(
            "ALTER TABLE orders VALIDATE CONSTRAINT c;",
            &[("SHARE UPDATE EXCLUSIVE on public.orders", Work::Scan)],
        );
        check(
            "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES accounts (id);",
            &[(
                "SHARE ROW EXCLUSIVE on public.orders and public.accounts",
                Work::Scan,
            )],
        );
        check(
            "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES accounts (id) NOT VALID, ALTER COLUMN n TYPE bigint;",
            &[("ACCESS EXCLUSIVE on public.orders and public.accounts", Work::Rewrite)],
        );
    }

    #[test]
    fn indexes_tables_and_rows() {
        check(
            "CREATE INDEX i ON orders (n);",
            &[("SHARE on public.orders", Work::Scan)],
        );
        check(
            "CREATE INDEX CONCURRENTLY i ON app.orders (n);",
            &[("SHARE UPDATE EXCLUSIVE on app.orders", Work::Scan)],
        );
        check(
            "DROP INDEX i;",
            &[("ACCESS EXCLUSIVE on the table of i", Work::None)],
        );
        check(
            "DROP TABLE orders;",
            &[("ACCESS EXCLUSIVE on public.orders", Work::None)],
        );
        check(
            "UPDATE orders SET n = 0 WHERE n IS NULL;",
            &[("ROW EXCLUSIVE on public.orders", Work::Scan)],
        );
        check("CREATE TYPE mood AS ENUM ('a');", &[("", Work::None)]);
    }

    #[test]
    fn a_table_created_in_the_file_is_not_sized() {
        let sql = "CREATE TABLE t (a int);\n--> statement-breakpoint\nCREATE INDEX i ON t (a);\nCREATE INDEX j ON u (a);";
        let c = costs(sql);
        assert_eq!(c.len(), 3);
        assert_eq!((c[1].line, c[1].table.as_deref()), (3, None));
        assert_eq!((c[2].line, c[2].table.as_deref()), (4, Some("public.u")));
        assert_eq!(c[2].sql, "CREATE INDEX j ON u (a);");
    }
}
