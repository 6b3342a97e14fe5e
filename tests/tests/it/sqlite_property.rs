//! The diff's property on SQLite, with rows: for random schema pairs (A, B) from the attribute
//! language (made fit for SQLite, see `tests::gen::sqlite`), an in-memory database built by
//! `create(A)`, filled with rows, then migrated `A → B`:
//! - reads back (introspection) as exactly the model of B;
//! - keeps every row of every table B keeps, through renames and table rebuilds alike;
//! - ends with foreign-key enforcement on and no dangling reference;
//! - then, through its down (`tests::gen::down::sql`, as `generate` writes it), reads back as
//!   exactly the model of A, with every row of the columns the change did not touch
//!   (`tests::gen::down::untouched`) as it was before the up.
//!
//! A migration may fail on rows only where lint warned that it can (a NOT NULL column without
//! a default, a new unique or check, a type change): the case is then replayed without rows
//! and must pass, there and back. So may a down, where its own lint (`lint::lint_down`)
//! warned. `PROPTEST_CASES` overrides the number of cases (1,000 by default).

use migrate_cli::backend::sqlite::introspect::introspect;
use migrate_cli::introspect;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use schema_core::diff;
use schema_core::model::Schema;
use schema_core::render::{self, Dialect, Sqlite};
use sqlx::{Connection, Executor, SqliteConnection};
use std::cell::Cell;
use tests::gen::{self, down, rows, source, Defs};

/// Statements the pairs must reach over a thousand cases, in their ups and in their downs (the
/// property is only as good as its pairs): rebuilds, in-place renames and column adds, index
/// changes, drops.
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
    // Issue 13's kinds SQLite has.
    "GENERATED ALWAYS AS (",
    "FOREIGN KEY (\"",
    "CREATE VIEW",
    "DROP VIEW",
];

fn model(defs: &Defs, which: &str) -> Result<Schema, TestCaseError> {
    let bug = |e: String| {
        TestCaseError::fail(format!(
            "generator bug: {which} is no SQLite schema: {e}\n{}",
            source(defs)
        ))
    };
    defs.resolve_for(&Sqlite).map_err(|e| bug(e.to_string()))
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

/// What one case found: whether its up ran with rows, whether its down did, and the up's SQL.
struct Found {
    with_rows: bool,
    down_with_rows: bool,
    /// The untouched rows compared before the up and after the down.
    compared: usize,
    step: String,
    /// The down's SQL.
    down: String,
}

/// Each untouched table's rows ([`down::untouched`]) as sorted texts of their untouched values.
async fn kept_values(
    conn: &mut SqliteConnection,
    kept: &[down::Kept],
) -> Result<Vec<Vec<String>>, sqlx::Error> {
    let mut out = Vec::new();
    for k in kept {
        let mut values: Vec<String> = sqlx::query_scalar(&k.select(down::Dialect::Sqlite))
            .fetch_all(&mut *conn)
            .await?;
        values.sort();
        out.push(values);
    }
    Ok(out)
}

async fn check(a: &Defs, b: &Defs) -> Result<Found, TestCaseError> {
    let (a, b) = (gen::sqlite::defs(a), gen::sqlite::defs(b));
    let (sa, sb) = (model(&a, "A")?, model(&b, "B")?);
    let case = || format!("--- A:\n{}--- B:\n{}", source(&a), source(&b));
    let fail = |what: String| TestCaseError::fail(format!("{what}\n{}", case()));
    let db = |e: sqlx::Error| fail(format!("database: {e}"));
    let (create_a, _) = migration(&Schema::default(), &sa).map_err(&fail)?;
    let (step, changes) = migration(&sa, &sb).map_err(&fail)?;
    let back =
        down::sql(&Sqlite, &sa, &sb).map_err(|e| fail(format!("down render failed: {e}")))?;
    crate::gate::gate_agrees(migrate_cli::config::Dialect::Sqlite, &sa, &sb).map_err(&fail)?;
    let plan = rows::plan(&a, &b, rows::Flavor::Sqlite).unwrap_or_default();
    let kept = down::untouched(&a, &b);
    let mut conn = fresh().await.map_err(db)?;
    conn.execute(create_a.as_str())
        .await
        .map_err(|e| fail(format!("create(A) failed: {e}\n{create_a}")))?;
    let with_rows = !plan.tables.is_empty() && insert(&mut conn, &plan).await.map_err(db)?;
    let before = kept_values(&mut conn, &kept).await.map_err(db)?;
    if let Err(e) = conn.execute(step.as_str()).await {
        let risks = rows::data_risks(&sa, &sb, &changes);
        if !with_rows || risks.is_empty() {
            return Err(fail(format!(
                "migration A → B failed (rows: {with_rows}, lint risks: {risks:?}): {e}\n--- SQL:\n{step}"
            )));
        }
        // The rows made it fail where lint warned: the schema part must still hold, there
        // and back.
        let mut conn = fresh().await.map_err(db)?;
        conn.execute(create_a.as_str()).await.map_err(db)?;
        conn.execute(step.as_str()).await.map_err(|e| {
            fail(format!(
                "migration A → B failed without rows: {e}\n--- SQL:\n{step}"
            ))
        })?;
        schema_holds(&mut conn, &sb, "B", &step, &fail).await?;
        down_holds(&mut conn, &sa, &back.sql, &fail).await?;
        return Ok(Found {
            with_rows: false,
            down_with_rows: false,
            compared: 0,
            step,
            down: back.sql,
        });
    }
    schema_holds(&mut conn, &sb, "B", &step, &fail).await?;
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
    let pair = Pair {
        sa: &sa,
        sb: &sb,
        create_a: &create_a,
        step: &step,
        back: &back,
    };
    let compared = down_keeps(&mut conn, &pair, (&kept, &before), with_rows, &fail).await?;
    Ok(Found {
        with_rows,
        down_with_rows: with_rows && compared.is_some(),
        compared: compared.unwrap_or(0),
        step,
        down: back.sql,
    })
}

/// A case's schemas and migrations: A and B, `create(A)`, the up `A → B` and its down.
struct Pair<'a> {
    sa: &'a Schema,
    sb: &'a Schema,
    create_a: &'a str,
    step: &'a str,
    back: &'a down::Down,
}

/// Runs the down on `conn` (after the up): the database reads back as A, and every untouched
/// table's rows (`kept`) as they were `before` the up. A down may fail on the rows only where
/// its lint warned: it is then replayed without rows (`None`). Returns the rows compared.
async fn down_keeps(
    conn: &mut SqliteConnection,
    pair: &Pair<'_>,
    (kept, before): (&[down::Kept], &[Vec<String>]),
    with_rows: bool,
    fail: &impl Fn(String) -> TestCaseError,
) -> Result<Option<usize>, TestCaseError> {
    let db = |e: sqlx::Error| fail(format!("database: {e}"));
    let (back, step) = (pair.back, pair.step);
    if let Err(e) = conn.execute(back.sql.as_str()).await {
        let costs = schema_core::lint::Costs::of(&Sqlite);
        let risks = rows::down_risks(pair.sa, pair.sb, &back.up, &back.changes, costs);
        if !with_rows || risks.is_empty() {
            return Err(fail(format!(
                "down B → A failed (rows: {with_rows}, its lint risks: {risks:?}): {e}\n--- up:\n{step}--- down:\n{}",
                back.sql
            )));
        }
        // The rows made the down fail where its lint warned: without rows it must hold.
        let mut conn = fresh().await.map_err(db)?;
        conn.execute(pair.create_a).await.map_err(db)?;
        conn.execute(step).await.map_err(db)?;
        down_holds(&mut conn, pair.sa, &back.sql, fail).await?;
        return Ok(None);
    }
    schema_holds(conn, pair.sa, "A after the down", &back.sql, fail).await?;
    let after = kept_values(conn, kept).await.map_err(db)?;
    for ((k, before), after) in kept.iter().zip(before).zip(&after) {
        if before != after {
            return Err(fail(format!(
                "table {} ({}) changed through the up and its down: {before:?} became {after:?}\n--- up:\n{step}--- down:\n{}",
                k.table,
                k.columns.join(", "),
                back.sql
            )));
        }
    }
    Ok(Some(before.iter().map(Vec::len).sum()))
}

/// The down `sql` runs on `conn` and the database reads back as A (`want`).
async fn down_holds(
    conn: &mut SqliteConnection,
    want: &Schema,
    sql: &str,
    fail: &impl Fn(String) -> TestCaseError,
) -> Result<(), TestCaseError> {
    conn.execute(sql).await.map_err(|e| {
        fail(format!(
            "down B → A failed without rows: {e}\n--- down:\n{sql}"
        ))
    })?;
    schema_holds(conn, want, "A after the down", sql, fail).await
}

/// The database reads back as `want` (named `which`), with enforcement on and every reference
/// intact.
async fn schema_holds(
    conn: &mut SqliteConnection,
    want: &Schema,
    which: &str,
    step: &str,
    fail: &impl Fn(String) -> TestCaseError,
) -> Result<(), TestCaseError> {
    let db = |e: sqlx::Error| fail(format!("database: {e}"));
    let have = introspect(conn).await.map_err(db)?;
    let differences = introspect::compare(want, &have);
    if !differences.is_empty() {
        return Err(fail(format!(
            "the migrated database differs from {which}:\n{}\n--- SQL:\n{step}",
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
    let down_with_rows = Cell::new(0u32);
    let compared = Cell::new(0usize);
    let seen = std::cell::RefCell::new(vec![0u32; KINDS.len()]);
    let seen_down = std::cell::RefCell::new(vec![0u32; KINDS.len()]);
    let mut runner = TestRunner::new(gen::config(1000));
    let result = runner.run(&gen::schema_pair(), |(a, b)| {
        let found = rt.block_on(check(&a, &b))?;
        cases.set(cases.get() + 1);
        with_rows.set(with_rows.get() + u32::from(found.with_rows));
        down_with_rows.set(down_with_rows.get() + u32::from(found.down_with_rows));
        compared.set(compared.get() + found.compared);
        for (k, kind) in KINDS.iter().enumerate() {
            seen.borrow_mut()[k] += u32::from(found.step.contains(kind));
            seen_down.borrow_mut()[k] += u32::from(found.down.contains(kind));
        }
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, _)) => panic!("minimal failing case: {reason}"),
        Err(e) => panic!("{e}"),
    }
    eprintln!(
        "{} of {} cases ran with rows, {} ran their down with rows ({} untouched rows compared)",
        with_rows.get(),
        cases.get(),
        down_with_rows.get(),
        compared.get()
    );
    if cases.get() >= 1000 {
        let missing = |seen: &[u32]| -> Vec<&str> {
            KINDS
                .iter()
                .zip(seen)
                .filter(|(_, n)| **n == 0)
                .map(|(k, _)| *k)
                .collect()
        };
        let (up, back) = (missing(&seen.borrow()), missing(&seen_down.borrow()));
        assert!(up.is_empty(), "no migration contained: {up:?}");
        assert!(back.is_empty(), "no down contained: {back:?}");
    }
    assert!(
        with_rows.get() * 2 >= cases.get(),
        "only {} of {} cases had rows: the row plan is too weak to prove anything",
        with_rows.get(),
        cases.get()
    );
}
