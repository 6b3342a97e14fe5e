//! SQLite judges the column defaults written for it: every default that is an expression is
//! evaluated by an in-memory SQLite, so a default SQLite cannot run (a PostgreSQL-only function
//! such as `gen_random_uuid()`) is refused before a migration holds it. SQLite would accept it
//! in `CREATE TABLE` and fail every insert that leaves the column out.

use schema_core::model::Schema;
use schema_core::render::sqlite::is_literal_default;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};
use std::collections::BTreeMap;

/// How many expressions one `SELECT` evaluates (SQLite allows 2000 result columns).
const BATCH: usize = 200;

/// A column whose default SQLite cannot evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The table's key (`schema.name`).
    pub table: String,
    pub column: String,
    /// The default as the schema holds it.
    pub default: String,
    /// What SQLite said about it.
    pub reason: String,
    /// A default the database has instead, where one is known.
    pub hint: Option<&'static str>,
}

/// The in-memory SQLite could not be started.
#[derive(Debug, thiserror::Error)]
pub enum DefaultsError {
    #[error("cannot start the runtime that checks the SQLite defaults: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot open an in-memory SQLite database to check the defaults: {0}")]
    Connect(#[source] sqlx::Error),
}

/// The columns of `schema` whose default SQLite cannot evaluate, in table and column order.
/// Literals (numbers, strings, `NULL`, `CURRENT_TIMESTAMP`, ...) need no check; the other
/// defaults are evaluated once each, many to a statement, on one in-memory connection, which is
/// opened only when there is one to check.
pub fn check(schema: &Schema) -> Result<Vec<Rejected>, DefaultsError> {
    let mut users: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (key, table) in &schema.tables {
        for column in &table.columns {
            match column.default.as_deref() {
                Some(default) if !is_literal_default(default) => {
                    users.entry(default).or_default().push((key, &column.name));
                }
                _ => {}
            }
        }
    }
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let expressions: Vec<&str> = users.keys().copied().collect();
    let failed = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(DefaultsError::Runtime)?
        .block_on(failures(&expressions))?;
    let mut rejected: Vec<Rejected> = failed
        .into_iter()
        .flat_map(|(default, reason)| {
            let users = users.get(default).map_or(&[][..], Vec::as_slice);
            users.iter().map(move |(table, column)| Rejected {
                table: table.to_string(),
                column: column.to_string(),
                default: default.to_string(),
                reason: reason.clone(),
                hint: Some("for a random id, `lower(hex(randomblob(16)))`"),
            })
        })
        .collect();
    rejected.sort_by(|a, b| (&a.table, &a.column).cmp(&(&b.table, &b.column)));
    Ok(rejected)
}

/// Each expression SQLite cannot evaluate, with its reason: a batch at a time, and the
/// expressions of a failed batch one by one.
async fn failures<'e>(expressions: &[&'e str]) -> Result<Vec<(&'e str, String)>, DefaultsError> {
    let options = SqliteConnectOptions::new().in_memory(true);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(DefaultsError::Connect)?;
    let mut failed = Vec::new();
    for batch in expressions.chunks(BATCH) {
        if batch.len() > 1 && evaluate(&mut conn, batch).await.is_ok() {
            continue;
        }
        for &expression in batch {
            if let Err(reason) = evaluate(&mut conn, &[expression]).await {
                failed.push((expression, reason));
            }
        }
    }
    let _ = conn.close().await;
    Ok(failed)
}

/// Evaluates `SELECT (e1), (e2), ...` as SQLite evaluates `DEFAULT (e)`; an expression that
/// closes its parentheses to add a column or a statement gives more than one row or column
/// per expression and is refused too.
async fn evaluate(conn: &mut SqliteConnection, expressions: &[&str]) -> Result<(), String> {
    let list: Vec<String> = expressions.iter().map(|e| format!("({e})")).collect();
    let sql = format!("SELECT {}", list.join(", "));
    let rows = sqlx::raw_sql(&sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| match e.as_database_error() {
            Some(db) => db.message().to_string(),
            None => e.to_string(),
        })?;
    match rows.as_slice() {
        [row] if row.len() == expressions.len() => Ok(()),
        _ => Err("it is not one expression".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_core::model::{Column, ColumnType};

    fn schema(defaults: &[&str]) -> Schema {
        let mut table = crate::backend::bare_table("public".into(), "t".into());
        for (i, d) in defaults.iter().enumerate() {
            table.columns.push(Column {
                name: format!("c{i}"),
                ty: ColumnType::Builtin("text".into()),
                nullable: true,
                default: Some(d.to_string()),
                identity: false,
                identity_options: Default::default(),
                generated: None,
                renamed_from: None,
            });
        }
        let mut schema = Schema::default();
        schema.tables.insert(table.key(), table);
        schema
    }

    fn rejected(defaults: &[&str]) -> Vec<(String, String)> {
        check(&schema(defaults))
            .unwrap()
            .into_iter()
            .map(|r| (r.column, r.reason))
            .collect()
    }

    #[test]
    fn what_sqlite_evaluates_passes() {
        let ok = [
            "42",
            "'open'",
            "CURRENT_TIMESTAMP",
            "datetime('now')",
            "(datetime('now'))",
            "lower('X')",
            "lower(hex(randomblob(16)))",
            "1 + 2",
            "json_object('a', 1)",
        ];
        assert_eq!(rejected(&ok), []);
    }

    #[test]
    fn what_sqlite_cannot_evaluate_is_rejected_with_its_reason() {
        let got = rejected(&[
            "gen_random_uuid()",
            "lower('X')",
            "now() + interval '1 day'",
        ]);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "c0");
        assert_eq!(got[0].1, "no such function: gen_random_uuid");
        assert_eq!(got[1].0, "c2");
    }

    #[test]
    fn an_expression_that_escapes_its_parentheses_is_rejected() {
        for bad in ["1), (2", "1); SELECT (2", "c0", "(SELECT 1 FROM t"] {
            assert_eq!(rejected(&[bad]).len(), 1, "{bad}");
        }
    }

    #[test]
    fn literals_are_accepted() {
        assert_eq!(rejected(&["1", "'a'", "NULL", "true", "CURRENT_DATE"]), []);
    }
}
