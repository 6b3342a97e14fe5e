//! Who blocks a waiting migration on MySQL and MariaDB, asked from a second connection.
//!
//! A row lock wait names its blocker exactly (`information_schema.INNODB_LOCK_WAITS`, MariaDB
//! and MySQL 5.7). A metadata lock wait (`Waiting for table metadata lock`: DDL behind a
//! transaction that read or wrote the table) does not without `METADATA_LOCK_INFO`, a plugin
//! MariaDB does not load by default, or MySQL's `performance_schema.metadata_locks`, which
//! MariaDB 10.11 leaves off: the sessions with an open InnoDB transaction
//! (`INNODB_TRX`, which on MariaDB 10.11 lists a transaction that only read a table too) are
//! the candidates, oldest first. A session holding the table through `LOCK TABLES` or a
//! non-InnoDB table without a transaction is not among them.

use crate::backend::Blocker;
use sqlx::{MySqlConnection, Row};
use std::time::Duration;

/// The sessions that block connection `id`, as well as the server tells.
pub async fn blockers(c: &mut MySqlConnection, id: i64) -> Result<Vec<Blocker>, sqlx::Error> {
    let state: Option<Option<String>> = sqlx::query_scalar(
        "SELECT CAST(STATE AS CHAR) FROM information_schema.PROCESSLIST WHERE ID = ?",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    let state = state.flatten().unwrap_or_default().to_ascii_lowercase();
    if state.contains("metadata lock") {
        return sessions(c, id, OPEN_TRANSACTIONS).await;
    }
    // MySQL 8 moved lock waits to performance_schema: nothing to name there.
    Ok(sessions(c, id, ROW_LOCK_BLOCKERS).await.unwrap_or_default())
}

/// Every other session with an open InnoDB transaction.
const OPEN_TRANSACTIONS: &str = "SELECT CAST(t.trx_mysql_thread_id AS SIGNED), \
     CAST(TIMESTAMPDIFF(MICROSECOND, t.trx_started, NOW(6)) AS SIGNED), \
     CAST(CASE WHEN p.COMMAND = 'Sleep' THEN 'idle in transaction' ELSE p.STATE END AS CHAR), \
     CAST(LEFT(COALESCE(t.trx_query, p.INFO), 200) AS CHAR) \
     FROM information_schema.INNODB_TRX t \
     LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id \
     WHERE t.trx_mysql_thread_id <> ? ORDER BY t.trx_started, t.trx_mysql_thread_id";

/// The transactions holding the row locks session `?` waits for.
const ROW_LOCK_BLOCKERS: &str = "SELECT DISTINCT CAST(b.trx_mysql_thread_id AS SIGNED), \
     CAST(TIMESTAMPDIFF(MICROSECOND, b.trx_started, NOW(6)) AS SIGNED), \
     CAST(CASE WHEN p.COMMAND = 'Sleep' THEN 'idle in transaction' ELSE p.STATE END AS CHAR), \
     CAST(LEFT(COALESCE(b.trx_query, p.INFO), 200) AS CHAR) \
     FROM information_schema.INNODB_LOCK_WAITS w \
     JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id \
     JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id \
     LEFT JOIN information_schema.PROCESSLIST p ON p.ID = b.trx_mysql_thread_id \
     WHERE r.trx_mysql_thread_id = ?";

/// The sessions `sql` lists for connection `id`.
async fn sessions(
    c: &mut MySqlConnection,
    id: i64,
    sql: &str,
) -> Result<Vec<Blocker>, sqlx::Error> {
    let rows = sqlx::query(sql).bind(id).fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            let micros: Option<i64> = r.try_get(1)?;
            Ok(Blocker {
                session: format!("connection {id}"),
                open_for: micros.map(|m| Duration::from_micros(m.max(0) as u64)),
                state: r.try_get(2)?,
                query: r.try_get(3)?,
            })
        })
        .collect()
}
