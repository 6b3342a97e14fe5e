//! The diff's property on SQLite, with rows: for random schema pairs (A, B) from the attribute
//! language (made fit for SQLite, see `tests::gen::sqlite`), an in-memory database built by
//! `create(A)`, filled with rows, then migrated `A → B`:
//! - reads back (introspection) as exactly the model of B;
//! - keeps every row of every table B keeps, through renames and table rebuilds alike;
//! - ends with foreign-key enforcement on and no dangling reference.
//!
//! A migration may fail on rows only where lint warned that it can (a NOT NULL column without
//! a default, a new unique or check, a type change): the case is then replayed without rows
//! and must pass. `PROPTEST_CASES` overrides the number of cases (1,000 by default).

use migrate_cli::backend::sqlite::introspect::introspect;
use migrate_cli::introspect;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use schema_core::diff;
use schema_core::model::Schema;
use schema_core::render::{self, Dialect, Sqlite};
use schema_core::resolve::resolve;
use sqlx::{Connection, Executor, SqliteConnection};
use std::cell::Cell;
use tests::gen::{self, rows, source, Defs};

/// Statements the pairs must reach over a thousand cases (the property is only as good as
/// its pairs): rebuilds, in-place renames and column adds, index changes, drops.
const KINDS: &[&str] = &[
    "CREATE TABLE \"__new_",
    "INSERT INTO \"__new_",
    "ALTER TABLE \"__new_",
    "RENAME COLUMN",
    "RENAME TO",
    "ADD COLUMN",
    "COALESCE(",
    "CREATE INDEX",
    "CREATE UNIQUE INDEX",
    "DROP INDEX",
    "DROP TABLE",
    "FOREIGN KEY",
    "ON DELETE CASCADE",
    "ON DELETE RESTRICT",
    "\" IN (",
    " WHERE ",
];

fn model(defs: &Defs, which: &str) -> Result<Schema, TestCaseError> {
    let bug = |e: String| {
        TestCaseError::fail(format!(
            "generator bug: {which} is no SQLite schema: {e}\n{}",
            source(defs)
        ))
    };
    let schema = resolve(&defs.0, &defs.1).map_err(|e| bug(format!("{e:?}")))?;
    Sqlite
        .adapt(schema, &defs.0)
        .map_err(|e| bug(format!("{e:?}")))
}

/// The migration file's SQL from `old` to `new` with the renames their hints declare.
fn migration(old: &Schema, new: &Schema) -> Result<(String, Vec<diff::Change>), String> {
    let renames = diff::hinted_renames(old, new);
    let changes = diff::diff(old, new, &renames);
    let script = Sqlite
        .script(&changes, old, new)
        .map_err(|e| format!("render failed: {e}"))?;
    Ok((render::migration_sql(&script.statements), changes))
}

async fn fresh() -> Result<SqliteConnection, sqlx::Error> {
    let mut conn = SqliteConnection::connect("sqlite::memory:").await?;
    conn.execute("PRAGMA foreign_keys=ON;").await?;
    Ok(conn)
}

/// Inserts the rows in one transaction; `false` (and nothing inserted) when A refuses them.
async fn insert(conn: &mut SqliteConnection, rows: &rows::Rows) -> Result<bool, sqlx::Error> {
    conn.execute("BEGIN; PRAGMA defer_foreign_keys=ON;").await?;
    for statement in rows.inserts() {
        if conn.execute(statement.as_str()).await.is_err() {
            conn.execute("ROLLBACK;").await?;
            return Ok(false);
        }
    }
    match conn.execute("COMMIT;").await {
        Ok(_) => Ok(true),
        Err(_) => {
            conn.execute("ROLLBACK;").await?;
            Ok(false)
        }
    }
}

async fn count(conn: &mut SqliteConnection, table: &str) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
    sqlx::query_scalar(&sql).fetch_one(conn).await
}

/// What one case found: whether it ran with rows, and the migration's SQL.
async fn check(a: &Defs, b: &Defs) -> Result<(bool, String), TestCaseError> {
    let (a, b) = (gen::sqlite::defs(a), gen::sqlite::defs(b));
    let (sa, sb) = (model(&a, "A")?, model(&b, "B")?);
    let case = || format!("--- A:\n{}--- B:\n{}", source(&a), source(&b));
    let fail = |what: String| TestCaseError::fail(format!("{what}\n{}", case()));
    let db = |e: sqlx::Error| fail(format!("database: {e}"));
    let (create_a, _) = migration(&Schema::default(), &sa).map_err(&fail)?;
    let (step, changes) = migration(&sa, &sb).map_err(&fail)?;
    crate::gate::gate_agrees(migrate_cli::config::Dialect::Sqlite, &sa, &sb).map_err(&fail)?;
    let plan = rows::plan(&a, &b, rows::Flavor::Sqlite).unwrap_or_default();
    let mut conn = fresh().await.map_err(db)?;
    conn.execute(create_a.as_str())
        .await
        .map_err(|e| fail(format!("create(A) failed: {e}\n{create_a}")))?;
    let with_rows = !plan.tables.is_empty() && insert(&mut conn, &plan).await.map_err(db)?;
    if let Err(e) = conn.execute(step.as_str()).await {
        let risks = rows::data_risks(&sa, &sb, &changes);
        if !with_rows || risks.is_empty() {
            return Err(fail(format!(
                "migration A → B failed (rows: {with_rows}, lint risks: {risks:?}): {e}\n--- SQL:\n{step}"
            )));
        }
        // The rows made it fail where lint warned: the schema part must still hold.
        let mut conn = fresh().await.map_err(db)?;
        conn.execute(create_a.as_str()).await.map_err(db)?;
        conn.execute(step.as_str()).await.map_err(|e| {
            fail(format!(
                "migration A → B failed without rows: {e}\n--- SQL:\n{step}"
            ))
        })?;
        schema_holds(&mut conn, &sb, &step, &fail).await?;
        return Ok((false, step));
    }
    schema_holds(&mut conn, &sb, &step, &fail).await?;
    if with_rows {
        for ((_, now), (schema, before)) in rows::survivors(&a, &b) {
            let have = count(&mut conn, &now).await.map_err(db)?;
            let had = plan.count(&schema, &before) as i64;
            prop_assert_eq!(
                have,
                had,
                "table {} (was {}) lost rows\n--- SQL:\n{}{}",
                now,
                before,
                step,
                case()
            );
        }
    }
    Ok((with_rows, step))
}

/// The database reads back as `want`, with enforcement on and every reference intact.
async fn schema_holds(
    conn: &mut SqliteConnection,
    want: &Schema,
    step: &str,
    fail: &impl Fn(String) -> TestCaseError,
) -> Result<(), TestCaseError> {
    let db = |e: sqlx::Error| fail(format!("database: {e}"));
    let have = introspect(conn).await.map_err(db)?;
    let differences = introspect::compare(want, &have);
    if !differences.is_empty() {
        return Err(fail(format!(
            "the migrated database differs from B:\n{}\n--- SQL:\n{step}",
            differences.join("\n")
        )));
    }
    let enforced: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    let dangling: i64 = sqlx::query_scalar("SELECT count(*) FROM pragma_foreign_key_check")
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    if enforced != 1 || dangling != 0 {
        return Err(fail(format!(
            "after the migration: foreign_keys = {enforced}, {dangling} dangling reference(s)\n--- SQL:\n{step}"
        )));
    }
    Ok(())
}

#[test]
fn sqlite_migration_from_a_to_b_reaches_b_and_keeps_the_rows() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let cases = Cell::new(0u32);
    let with_rows = Cell::new(0u32);
    let seen = std::cell::RefCell::new(vec![0u32; KINDS.len()]);
    let mut runner = TestRunner::new(gen::config(1000));
    let result = runner.run(&gen::schema_pair(), |(a, b)| {
        let (rows, sql) = rt.block_on(check(&a, &b))?;
        cases.set(cases.get() + 1);
        with_rows.set(with_rows.get() + u32::from(rows));
        for (k, kind) in KINDS.iter().enumerate() {
            seen.borrow_mut()[k] += u32::from(sql.contains(kind));
        }
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, _)) => panic!("minimal failing case: {reason}"),
        Err(e) => panic!("{e}"),
    }
    eprintln!("{} of {} cases ran with rows", with_rows.get(), cases.get());
    if cases.get() >= 1000 {
        let missing: Vec<&str> = KINDS
            .iter()
            .zip(seen.borrow().iter())
            .filter(|(_, n)| **n == 0)
            .map(|(k, _)| *k)
            .collect();
        assert!(missing.is_empty(), "no migration contained: {missing:?}");
    }
    assert!(
        with_rows.get() * 2 >= cases.get(),
        "only {} of {} cases had rows: the row plan is too weak to prove anything",
        with_rows.get(),
        cases.get()
    );
}
