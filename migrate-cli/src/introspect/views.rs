//! Views compared by name, kind (materialized or not) and columns: their names in order and,
//! where the catalog gives them (PostgreSQL), their types. A query is compared where the
//! database keeps it as it was run (SQLite's `CREATE VIEW` text, against what `generate`
//! renders); PostgreSQL and MySQL print a query back reformatted, so here the query itself is
//! not compared there: the server judges it ([`super::judge`] creates the snapshot's view on a
//! probe and compares what the server prints back for both).

use schema_core::model::{Schema, View};
use schema_core::render::{Dialect, Sqlite};

/// Every difference between the views of `expected` and `actual`, one line each.
pub(super) fn compare(expected: &Schema, actual: &Schema, out: &mut Vec<String>) {
    for (key, want) in &expected.views {
        let Some(have) = actual.views.get(key) else {
            out.push(format!("{key}: missing {}", kind(want)));
            continue;
        };
        if want.materialized != have.materialized {
            out.push(format!(
                "{key}: {}, snapshot says {}",
                kind(have),
                kind(want)
            ));
        }
        let names = |v: &View| v.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        if names(want) != names(have) {
            out.push(format!(
                "{key}: view columns ({}), snapshot says ({})",
                names(have).join(", "),
                names(want).join(", ")
            ));
        } else {
            for (w, h) in want.columns.iter().zip(&have.columns) {
                if !schema_core::diff::type_label(&h.ty).is_empty() && w.ty != h.ty {
                    out.push(format!(
                        "{key}: view column {} is {}, snapshot says {}",
                        w.name,
                        schema_core::diff::type_label(&h.ty),
                        schema_core::diff::type_label(&w.ty)
                    ));
                }
            }
        }
        if have.sql.starts_with("CREATE ") && !same_sqlite_text(want, have) {
            out.push(format!(
                "{key}: view query `{}`, snapshot says `{}`",
                have.sql, want.sql
            ));
        }
    }
    for (key, have) in &actual.views {
        if !expected.views.contains_key(key) {
            out.push(format!("{key}: {} not in the snapshot", kind(have)));
        }
    }
}

fn kind(v: &View) -> &'static str {
    match v.materialized {
        true => "materialized view",
        false => "view",
    }
}

/// SQLite keeps the `CREATE VIEW` statement as it ran: the one `generate` renders for `want`.
fn same_sqlite_text(want: &View, have: &View) -> bool {
    let Ok(rendered) = Sqlite.create_view(want) else {
        return false;
    };
    rendered
        .first()
        .is_some_and(|sql| sql.trim_end_matches(';') == have.sql.trim())
}
