//! SQLite `-- no-transaction` migrations. sqlx 0.8's SQLite `Migrate::apply` ignores
//! `-- no-transaction` and wraps every file in a transaction, so a table rebuild, which turns
//! foreign keys off and runs its own `BEGIN` ... `COMMIT`, fails there with "cannot start a
//! transaction within a transaction". These files run on the bare connection, as sqlx 0.9
//! runs them, and get the row sqlx writes: `(version, description, TRUE, checksum, -1)`, then
//! the execution time.
//!
//! One difference from sqlx 0.9: a file that runs its own transaction gets its row written
//! inside that transaction, just before its `COMMIT`. The rebuild and its record then commit
//! together: a crash cannot leave an applied rebuild unrecorded (to be run again), and of two
//! `migrate` runs that both found the file pending (sqlx has no migration lock on SQLite), the
//! second cannot record it again, so all it did is rolled back, even when it rebuilt a table
//! from an older shape after a later migration had changed it.
//!
//! When such a file fails, the connection may be left inside the file's transaction with
//! foreign keys off: [`recover`] rolls it back and turns them on again, and [`first_failing`]
//! finds the failing statement by replaying the file in a rolled-back transaction, without its
//! own transaction control and with foreign keys off as the file runs them.

use crate::backend::Replayed;
use crate::statements::{split_statements, Statement};
use sqlx::migrate::{MigrateError, Migration};
use sqlx::{Connection, Executor, SqliteConnection};
use std::time::{Duration, Instant};

/// Runs the file on the bare connection and records it. An error is `ExecuteMigration` when
/// a statement of the file failed, `Execute` when its row could not be written (inside the
/// file's own transaction when it has one: see [`records_inside`]).
pub async fn apply(c: &mut SqliteConnection, m: &Migration) -> Result<Duration, MigrateError> {
    let start = Instant::now();
    // sqlx turns enforcement on for every connection unless told otherwise.
    let enforced: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *c)
        .await
        .unwrap_or(1);
    let statements = split_statements(&m.sql);
    match own_transaction(&statements) {
        Some((_, commit)) => {
            // The COMMIT statement's chunk is a slice of the file: split the file there.
            let at = statements[commit].text.as_ptr() as usize - m.sql.as_ptr() as usize;
            let (body, end) = m.sql.split_at(at);
            execute(c, body, m.version).await?;
            record(c, m).await?;
            execute(c, end, m.version).await?;
        }
        None => {
            execute(c, &m.sql, m.version).await?;
            record(c, m).await?;
        }
    }
    // A hand-written file may leave foreign keys off: the next migrations run as configured.
    // (The file is applied and recorded: a connection that cannot take a pragma now fails
    // the next statement, which reports it.)
    let setting = if enforced == 1 { "ON" } else { "OFF" };
    let _ = c
        .execute(format!("PRAGMA foreign_keys={setting}").as_str())
        .await;
    let elapsed = start.elapsed();
    // The row is written: a failure here leaves execution_time at -1, as sqlx does when it
    // cannot write it, and the migration is applied all the same.
    #[allow(clippy::cast_possible_truncation)]
    let _ = sqlx::query("UPDATE _sqlx_migrations SET execution_time = ?1 WHERE version = ?2")
        .bind(elapsed.as_nanos() as i64)
        .bind(m.version)
        .execute(&mut *c)
        .await;
    Ok(elapsed)
}

/// Whether [`apply`] writes the file's row inside the file's own transaction (so a failure to
/// write it rolls the file back).
pub fn records_inside(sql: &str) -> bool {
    own_transaction(&split_statements(sql)).is_some()
}

pub(super) async fn execute(
    c: &mut SqliteConnection,
    sql: &str,
    version: i64,
) -> Result<(), MigrateError> {
    c.execute(sql)
        .await
        .map(|_| ())
        .map_err(|e| MigrateError::ExecuteMigration(e, version))
}

/// sqlx's row: `(version, description, TRUE, checksum, -1)`.
async fn record(c: &mut SqliteConnection, m: &Migration) -> Result<(), MigrateError> {
    sqlx::query(
        "INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) \
         VALUES ( ?1, ?2, TRUE, ?3, -1 )",
    )
    .bind(m.version)
    .bind(&*m.description)
    .bind(&*m.checksum)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// After a failed file: rolls back the transaction it may have left open and turns foreign
/// keys on again. True when a transaction was rolled back; false when none was open (the file
/// failed before its `BEGIN` or after its `COMMIT`, or SQLite already rolled it back).
pub async fn recover(c: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    let rolled_back = match c.execute("ROLLBACK").await {
        Ok(_) => true,
        Err(e) if no_transaction_active(&e) => false,
        Err(e) => return Err(e),
    };
    c.execute("PRAGMA foreign_keys=ON").await?;
    Ok(rolled_back)
}

fn no_transaction_active(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.message().contains("no transaction is active"))
}

/// The indexes (into `statements`) of the file's own `BEGIN` and `COMMIT`, when the file runs
/// its own transaction: only statements that change no data before its `BEGIN` and after its
/// `COMMIT` (`PRAGMA`s), as `generate` writes a rebuild.
pub fn own_transaction(statements: &[Statement<'_>]) -> Option<(usize, usize)> {
    let real: Vec<(usize, String)> = statements
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, sql_of(s)?)))
        .collect();
    let begin = real.iter().position(|(_, s)| !is_pragma(s))?;
    let commit = real.iter().rposition(|(_, s)| !is_pragma(s))?;
    (begin < commit && is_begin(&real[begin].1) && is_commit(&real[commit].1))
        .then(|| (real[begin].0, real[commit].0))
}

/// Whether a statement is the file's own transaction or foreign-key control, which the
/// replay leaves out (it runs in a transaction of its own, with foreign keys off).
pub fn is_control(statement: &Statement<'_>) -> bool {
    sql_of(statement).is_some_and(|s| {
        is_begin(&s) || is_commit(&s) || words(&s).starts_with("PRAGMA FOREIGN_KEYS")
    })
}

/// A statement's SQL without comment lines, or `None` when it has none.
fn sql_of(statement: &Statement<'_>) -> Option<String> {
    let lines: Vec<&str> = statement
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--"))
        .collect();
    (!lines.is_empty()).then(|| lines.join(" "))
}

/// Upper-cased words, without the trailing `;`, separated by single spaces.
fn words(sql: &str) -> String {
    let sql = sql.trim().trim_end_matches(';').to_uppercase();
    let words: Vec<&str> = sql.split_whitespace().collect();
    words.join(" ").replace(" =", "=").replace("= ", "=")
}

fn is_pragma(sql: &str) -> bool {
    words(sql).starts_with("PRAGMA ")
}

fn is_begin(sql: &str) -> bool {
    let w = words(sql);
    [
        "BEGIN",
        "BEGIN DEFERRED",
        "BEGIN IMMEDIATE",
        "BEGIN EXCLUSIVE",
    ]
    .iter()
    .any(|b| w == *b || w == format!("{b} TRANSACTION"))
}

fn is_commit(sql: &str) -> bool {
    matches!(
        words(sql).as_str(),
        "COMMIT" | "COMMIT TRANSACTION" | "END" | "END TRANSACTION"
    )
}

/// Replays `statements` in a transaction that is always rolled back, with foreign keys off
/// around it as the file has them, and gives the first that fails.
pub async fn first_failing(
    c: &mut SqliteConnection,
    statements: &[&str],
) -> Result<Option<Replayed>, sqlx::Error> {
    c.execute("PRAGMA foreign_keys=OFF").await?;
    let replayed = replay(c, statements).await;
    let restored = c.execute("PRAGMA foreign_keys=ON").await;
    let replayed = replayed?;
    restored?;
    Ok(replayed)
}

async fn replay(
    c: &mut SqliteConnection,
    statements: &[&str],
) -> Result<Option<Replayed>, sqlx::Error> {
    let mut tx = c.begin().await?;
    let mut failed = None;
    for (index, statement) in statements.iter().enumerate() {
        if let Err(error) = (&mut *tx).execute(*statement).await {
            let violations = match statement.contains("pragma_foreign_key_check") {
                true => violations(&mut tx).await.unwrap_or_default(),
                false => Vec::new(),
            };
            failed = Some(Replayed {
                index,
                error,
                violations,
            });
            break;
        }
    }
    tx.rollback().await?;
    Ok(failed)
}

/// `PRAGMA foreign_key_check` summed up per table and parent: `3 row(s) of "kids" reference
/// missing rows of "parents"`.
async fn violations(c: &mut SqliteConnection) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT \"table\", \"parent\", count(*) FROM pragma_foreign_key_check \
         GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(table, parent, n)| {
            format!("{n} row(s) of \"{table}\" reference missing rows of \"{parent}\"")
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REBUILD: &str = "-- no-transaction\n-- lint: warning x\nPRAGMA foreign_keys=OFF;\n--> statement-breakpoint\nBEGIN;\n--> statement-breakpoint\nDROP TABLE \"t\";\n--> statement-breakpoint\nCOMMIT;\n--> statement-breakpoint\nPRAGMA foreign_keys=ON;\n";

    #[test]
    fn a_rebuild_file_runs_its_own_transaction() {
        let statements = split_statements(REBUILD);
        assert_eq!(own_transaction(&statements), Some((1, 3)));
        let control: Vec<bool> = statements.iter().map(is_control).collect();
        assert_eq!(control, [true, true, false, true, true]);
        let no_begin = "-- no-transaction\nPRAGMA foreign_keys = off;\n--> statement-breakpoint\nDROP TABLE \"t\";\n";
        assert_eq!(own_transaction(&split_statements(no_begin)), None);
        let open_only = "begin transaction;\n--> statement-breakpoint\nDROP TABLE \"t\";\n";
        assert_eq!(own_transaction(&split_statements(open_only)), None);
        let lower = "pragma foreign_keys = off;\n--> statement-breakpoint\nbegin immediate;\n--> statement-breakpoint\nDROP TABLE \"t\";\n--> statement-breakpoint\nend;\n";
        assert_eq!(own_transaction(&split_statements(lower)), Some((1, 3)));
    }

    async fn memory() -> SqliteConnection {
        let mut c = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::migrate::Migrate::ensure_migrations_table(&mut c)
            .await
            .unwrap();
        c.execute(
            "CREATE TABLE p (id integer PRIMARY KEY); \
             CREATE TABLE k (id integer PRIMARY KEY, p integer REFERENCES p ON DELETE CASCADE); \
             INSERT INTO p VALUES (1); INSERT INTO k VALUES (1, 1);",
        )
        .await
        .unwrap();
        c
    }

    async fn scalar(c: &mut SqliteConnection, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
    }

    fn migration(body: &str) -> Migration {
        let sql = REBUILD.replace("DROP TABLE \"t\";", body);
        let kind = sqlx::migrate::MigrationType::Simple;
        Migration::new(7, "rebuild p".into(), kind, sql.into(), true)
    }

    #[tokio::test]
    async fn a_rebuild_is_applied_and_recorded_as_sqlx_records_it() {
        let mut c = memory().await;
        let body = "CREATE TABLE \"__new_p\" (id integer PRIMARY KEY, x integer);\n--> statement-breakpoint\nINSERT INTO \"__new_p\" (id) SELECT id FROM p;\n--> statement-breakpoint\nDROP TABLE p;\n--> statement-breakpoint\nALTER TABLE \"__new_p\" RENAME TO p;";
        let m = migration(body);
        apply(&mut c, &m).await.unwrap();
        assert_eq!(scalar(&mut c, "SELECT count(*) FROM k").await, 1);
        assert_eq!(scalar(&mut c, "PRAGMA foreign_keys").await, 1);
        let row: (i64, String, bool, Vec<u8>, i64) = sqlx::query_as(
            "SELECT version, description, success, checksum, execution_time FROM _sqlx_migrations",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(
            (row.0, row.1.as_str(), row.2, row.3.as_slice()),
            (7, "rebuild p", true, &*m.checksum)
        );
        assert!(row.4 > 0, "execution_time {}", row.4);
    }

    #[tokio::test]
    async fn a_file_that_leaves_foreign_keys_off_does_not_leave_them_off() {
        let mut c = memory().await;
        let sql = "-- no-transaction\nPRAGMA foreign_keys=OFF;\n";
        let kind = sqlx::migrate::MigrationType::Simple;
        let m = Migration::new(8, "off".into(), kind, sql.into(), true);
        apply(&mut c, &m).await.unwrap();
        assert_eq!(scalar(&mut c, "PRAGMA foreign_keys").await, 1);
    }

    #[tokio::test]
    async fn a_rebuild_recorded_meanwhile_is_rolled_back_whole() {
        let mut c = memory().await;
        c.execute("INSERT INTO _sqlx_migrations VALUES (7, 'rebuild p', CURRENT_TIMESTAMP, TRUE, x'00', 1)")
            .await
            .unwrap();
        // Rebuilt from an older shape: without its record inside, this would drop column y.
        c.execute("ALTER TABLE p ADD COLUMN y integer DEFAULT 3")
            .await
            .unwrap();
        let body = "CREATE TABLE \"__new_p\" (id integer PRIMARY KEY);\n--> statement-breakpoint\nINSERT INTO \"__new_p\" (id) SELECT id FROM p;\n--> statement-breakpoint\nDROP TABLE p;\n--> statement-breakpoint\nALTER TABLE \"__new_p\" RENAME TO p;";
        assert!(records_inside(&migration(body).sql));
        let failed = apply(&mut c, &migration(body)).await;
        assert!(matches!(failed, Err(MigrateError::Execute(_))));
        assert!(
            recover(&mut c).await.unwrap(),
            "the file's transaction was not open"
        );
        assert_eq!(scalar(&mut c, "SELECT y FROM p").await, 3);
        assert_eq!(scalar(&mut c, "SELECT count(*) FROM k").await, 1);
        assert_eq!(scalar(&mut c, "PRAGMA foreign_keys").await, 1);
    }

    #[tokio::test]
    async fn a_failed_rebuild_is_rolled_back_and_foreign_keys_are_on_again() {
        let mut c = memory().await;
        let m =
            migration("DROP TABLE p;\n--> statement-breakpoint\nINSERT INTO nowhere VALUES (1);");
        let failed = apply(&mut c, &m).await;
        assert!(matches!(failed, Err(MigrateError::ExecuteMigration(_, 7))));
        assert_eq!(scalar(&mut c, "PRAGMA foreign_keys").await, 0);
        assert!(recover(&mut c).await.unwrap(), "no transaction was open");
        assert_eq!(scalar(&mut c, "PRAGMA foreign_keys").await, 1);
        assert_eq!(scalar(&mut c, "SELECT count(*) FROM p").await, 1);
        assert_eq!(scalar(&mut c, "SELECT count(*) FROM k").await, 1);
        assert_eq!(
            scalar(&mut c, "SELECT count(*) FROM _sqlx_migrations").await,
            0
        );
        assert!(
            !recover(&mut c).await.unwrap(),
            "ROLLBACK without a transaction"
        );

        let statements = ["DROP TABLE p;", "INSERT INTO nowhere VALUES (1);"];
        let replayed = first_failing(&mut c, &statements).await.unwrap().unwrap();
        assert_eq!(replayed.index, 1);
        assert_eq!(scalar(&mut c, "SELECT count(*) FROM k").await, 1);
        assert_eq!(scalar(&mut c, "PRAGMA foreign_keys").await, 1);
    }

    #[tokio::test]
    async fn the_replay_names_the_rows_that_reference_nothing() {
        let mut c = memory().await;
        let statements = [
            "DROP TABLE p;",
            "CREATE TEMP TABLE t (n integer CHECK (n = 0));",
            "INSERT INTO t SELECT count(*) FROM pragma_foreign_key_check;",
        ];
        let replayed = first_failing(&mut c, &statements).await.unwrap().unwrap();
        assert_eq!(replayed.index, 2);
        assert_eq!(
            replayed.violations,
            ["1 row(s) of \"k\" reference missing rows of \"p\""]
        );
        assert_eq!(scalar(&mut c, "SELECT count(*) FROM p").await, 1);
    }
}
