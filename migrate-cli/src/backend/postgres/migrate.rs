//! Applying a migration on PostgreSQL under the run's lock and statement timeouts: sqlx's
//! `apply` (one transaction with its `_sqlx_migrations` row, then the execution time) with
//! `SET LOCAL lock_timeout` / `statement_timeout` as the transaction's first statement; a
//! `-- no-transaction` file gets them as session settings, `RESET` after it; `revert` runs a
//! down the same way ([`revert`]). Who blocks a
//! waiting migration is read from `pg_blocking_pids` and `pg_stat_activity` ([`blockers`]).

use crate::backend::Blocker;
use crate::lock_policy::LockPolicy;
use sqlx::migrate::{Migrate, MigrateError, Migration};
use sqlx::{Connection, Executor, PgConnection, Row};
use std::time::{Duration, Instant};

/// Applies `m` as sqlx does, with `policy`'s timeouts set for it alone.
pub async fn apply(
    c: &mut PgConnection,
    m: &Migration,
    policy: &LockPolicy,
) -> Result<Duration, MigrateError> {
    if !policy.is_set() {
        return Migrate::apply(c, m).await;
    }
    if m.no_tx {
        c.execute(settings("SET", policy).as_str()).await?;
        let applied = Migrate::apply(&mut *c, m).await;
        let reset = c
            .execute("RESET lock_timeout; RESET statement_timeout")
            .await;
        let elapsed = applied?;
        reset?;
        return Ok(elapsed);
    }
    let start = Instant::now();
    // Dropped on an error, the transaction is rolled back before the connection's next use.
    let mut tx = c.begin().await?;
    tx.execute(settings("SET LOCAL", policy).as_str()).await?;
    tx.execute(&*m.sql)
        .await
        .map_err(|e| MigrateError::ExecuteMigration(e, m.version))?;
    sqlx::query(
        "INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) \
         VALUES ( $1, $2, TRUE, $3, -1 )",
    )
    .bind(m.version)
    .bind(&*m.description)
    .bind(&*m.checksum)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let elapsed = start.elapsed();
    // As sqlx: the execution time is bookkeeping, its loss is accepted.
    let nanos = i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX);
    let _ = sqlx::query("UPDATE _sqlx_migrations SET execution_time = $1 WHERE version = $2")
        .bind(nanos)
        .bind(m.version)
        .execute(&mut *c)
        .await;
    Ok(elapsed)
}

/// Reverts `down` as sqlx does (the down and the deletion of its row in one transaction
/// unless it is `-- no-transaction`), with `policy`'s timeouts set for it alone.
pub async fn revert(
    c: &mut PgConnection,
    down: &Migration,
    policy: &LockPolicy,
) -> Result<Duration, MigrateError> {
    if !policy.is_set() {
        return Migrate::revert(c, down).await;
    }
    if down.no_tx {
        c.execute(settings("SET", policy).as_str()).await?;
        let reverted = Migrate::revert(&mut *c, down).await;
        let reset = c
            .execute("RESET lock_timeout; RESET statement_timeout")
            .await;
        let elapsed = reverted?;
        reset?;
        return Ok(elapsed);
    }
    let start = Instant::now();
    let mut tx = c.begin().await?;
    tx.execute(settings("SET LOCAL", policy).as_str()).await?;
    tx.execute(&*down.sql)
        .await
        .map_err(|e| MigrateError::ExecuteMigration(e, down.version))?;
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(down.version)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(start.elapsed())
}

/// `SET LOCAL lock_timeout = '1000ms'; SET LOCAL statement_timeout = '900000ms'`, for what
/// `policy` sets.
pub(super) fn settings(set: &str, policy: &LockPolicy) -> String {
    let mut out = Vec::new();
    if let Some(d) = policy.lock_timeout {
        out.push(format!("{set} lock_timeout = '{}ms'", d.as_millis()));
    }
    if let Some(d) = policy.statement_timeout {
        out.push(format!("{set} statement_timeout = '{}ms'", d.as_millis()));
    }
    out.join("; ")
}

/// The sessions holding a lock that backend `pid` waits for, oldest transaction first.
pub async fn blockers(c: &mut PgConnection, pid: i64) -> Result<Vec<Blocker>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.pid, EXTRACT(EPOCH FROM clock_timestamp() - a.xact_start)::float8, a.state, \
         left(a.query, 200) FROM pg_catalog.pg_stat_activity a \
         WHERE a.pid = ANY(pg_catalog.pg_blocking_pids($1::int)) ORDER BY a.xact_start NULLS LAST, a.pid",
    )
    .bind(pid)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            let pid: i32 = r.try_get(0)?;
            let open: Option<f64> = r.try_get(1)?;
            Ok(Blocker {
                session: format!("pid {pid}"),
                open_for: open.map(|s| Duration::from_secs_f64(s.max(0.0))),
                state: r.try_get(2)?,
                query: r.try_get(3)?,
            })
        })
        .collect()
}
