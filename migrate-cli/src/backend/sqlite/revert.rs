//! `revert` on SQLite: a down file and the deletion of its version's `_sqlx_migrations` row.
//! sqlx 0.8's SQLite `Migrate::revert` reports a failing file as a bookkeeping error and, like
//! its `apply`, ignores `-- no-transaction`; so a down runs here as [`super::migrate`] runs an up
//! file: in one transaction with the deletion, or, for a `-- no-transaction` down (a table
//! rebuild that turns foreign keys off and opens its own transaction), on the bare connection
//! with the row deleted inside the file's own transaction, just before its `COMMIT`.

use super::migrate::{execute, own_transaction};
use crate::statements::split_statements;
use sqlx::migrate::{MigrateError, Migration};
use sqlx::{Connection, Executor, SqliteConnection};
use std::time::{Duration, Instant};

/// Runs `down` and deletes its version's row. An error is `ExecuteMigration` when a statement
/// of the file failed, `Execute` when the row could not be deleted (in a transaction, or inside
/// the file's own one, both are then rolled back by [`super::migrate::recover`]).
pub async fn revert(c: &mut SqliteConnection, down: &Migration) -> Result<Duration, MigrateError> {
    let start = Instant::now();
    if !down.no_tx {
        let mut tx = c.begin().await?;
        (&mut *tx)
            .execute(&*down.sql)
            .await
            .map_err(|e| MigrateError::ExecuteMigration(e, down.version))?;
        forget(&mut tx, down.version).await?;
        tx.commit().await?;
        return Ok(start.elapsed());
    }
    let enforced: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *c)
        .await
        .unwrap_or(1);
    let statements = split_statements(&down.sql);
    match own_transaction(&statements) {
        Some((_, commit)) => {
            let at = statements[commit].text.as_ptr() as usize - down.sql.as_ptr() as usize;
            let (body, end) = down.sql.split_at(at);
            execute(c, body, down.version).await?;
            forget(c, down.version).await?;
            execute(c, end, down.version).await?;
        }
        None => {
            execute(c, &down.sql, down.version).await?;
            forget(c, down.version).await?;
        }
    }
    let setting = if enforced == 1 { "ON" } else { "OFF" };
    let _ = c
        .execute(format!("PRAGMA foreign_keys={setting}").as_str())
        .await;
    Ok(start.elapsed())
}

/// Deletes the row of `version`. SQLite has no migration lock: when the row is already gone
/// (another `revert` ran this down meanwhile), this is an error, so the transaction the down
/// ran in is rolled back instead of undoing the migration twice.
async fn forget(c: &mut SqliteConnection, version: i64) -> Result<(), MigrateError> {
    let deleted = sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ?1")
        .bind(version)
        .execute(&mut *c)
        .await?;
    match deleted.rows_affected() {
        0 => Err(MigrateError::Execute(sqlx::Error::Protocol(format!(
            "_sqlx_migrations has no row for version {version} any more: another revert ran meanwhile"
        )))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::migrate::MigrationType;

    async fn applied() -> SqliteConnection {
        let mut c = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::migrate::Migrate::ensure_migrations_table(&mut c)
            .await
            .unwrap();
        c.execute(
            "CREATE TABLE p (id integer PRIMARY KEY, x integer); \
             CREATE TABLE k (id integer PRIMARY KEY, p integer REFERENCES p ON DELETE CASCADE); \
             INSERT INTO p VALUES (1, 2); INSERT INTO k VALUES (1, 1); \
             INSERT INTO _sqlx_migrations VALUES (7, 'x', CURRENT_TIMESTAMP, TRUE, x'00', 1);",
        )
        .await
        .unwrap();
        c
    }

    async fn scalar(c: &mut SqliteConnection, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
    }

    fn down(sql: &str) -> Migration {
        let no_tx = sql.starts_with("-- no-transaction");
        Migration::new(
            7,
            "x".into(),
            MigrationType::ReversibleDown,
            sql.to_string().into(),
            no_tx,
        )
    }

    #[tokio::test]
    async fn a_rebuild_down_deletes_the_row_inside_its_own_transaction() {
        let mut c = applied().await;
        let sql = "-- no-transaction\nPRAGMA foreign_keys=OFF;\n--> statement-breakpoint\nBEGIN;\n--> statement-breakpoint\nCREATE TABLE \"__new_p\" (id integer PRIMARY KEY);\n--> statement-breakpoint\nINSERT INTO \"__new_p\" (id) SELECT id FROM p;\n--> statement-breakpoint\nDROP TABLE p;\n--> statement-breakpoint\nALTER TABLE \"__new_p\" RENAME TO p;\n--> statement-breakpoint\nCOMMIT;\n--> statement-breakpoint\nPRAGMA foreign_keys=ON;\n";
        revert(&mut c, &down(sql)).await.unwrap();
        assert_eq!(
            scalar(&mut c, "SELECT count(*) FROM _sqlx_migrations").await,
            0
        );
        assert_eq!(scalar(&mut c, "SELECT count(*) FROM k").await, 1);
        assert_eq!(
            scalar(&mut c, "SELECT count(*) FROM pragma_table_info('p')").await,
            1
        );
        assert_eq!(scalar(&mut c, "PRAGMA foreign_keys").await, 1);
    }

    #[tokio::test]
    async fn a_down_whose_row_is_gone_is_rolled_back() {
        let mut c = applied().await;
        c.execute("DELETE FROM _sqlx_migrations").await.unwrap();
        let failed = revert(&mut c, &down("ALTER TABLE p DROP COLUMN x;")).await;
        assert!(
            matches!(failed, Err(MigrateError::Execute(_))),
            "{failed:?}"
        );
        assert_eq!(scalar(&mut c, "SELECT x FROM p").await, 2);
    }

    #[tokio::test]
    async fn a_failing_down_keeps_the_row_and_changes_nothing() {
        let mut c = applied().await;
        let sql = "ALTER TABLE p DROP COLUMN x;\n--> statement-breakpoint\nINSERT INTO nowhere VALUES (1);\n";
        let failed = revert(&mut c, &down(sql)).await;
        assert!(
            matches!(failed, Err(MigrateError::ExecuteMigration(_, 7))),
            "{failed:?}"
        );
        assert_eq!(
            scalar(&mut c, "SELECT count(*) FROM _sqlx_migrations").await,
            1
        );
        assert_eq!(scalar(&mut c, "SELECT x FROM p").await, 2);
    }
}
