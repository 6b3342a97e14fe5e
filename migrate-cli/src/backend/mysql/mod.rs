//! MySQL and MariaDB: connecting, the migration lock under sqlx's name (MariaDB refuses the
//! `GET_LOCK(name, -1)` sqlx 0.8 asks for), files run statement by statement ([`migrate`]),
//! `information_schema` read back into the model ([`introspect`]), row counts for lint, and
//! scratch databases (created under the named lock `GET_LOCK('<name>')`, so one whose lock is
//! free belongs to no live run).

pub mod expressions;
pub mod introspect;
mod lint;
mod locks;
pub mod migrate;
mod revert;
pub mod statements;
pub mod view_definitions;

use super::{
    pending, server_name, ApplyError, Backend, Blocker, Conn, Database, Exprs, Judged, Names,
    Pending, RowCount, StepError,
};
use crate::database::Target;
use crate::introspect::Rules;
use crate::lock_policy::LockPolicy;
use crate::sizes::COUNT_LIMIT_BYTES;
use schema_core::diff::QualifiedName;
use schema_core::model::{Schema, Table};
use sqlx::migrate::{MigrateError, Migration};
use sqlx::mysql::MySqlConnectOptions;
use sqlx::{Executor, MySqlConnection, Row};
use std::str::FromStr;
use std::time::Duration;

/// MySQL and MariaDB before connecting.
pub struct Mysql;

impl Database for Mysql {
    fn sql_dialect(&self) -> &'static dyn sqlparser::dialect::Dialect {
        &sqlparser::dialect::MySqlDialect {}
    }
    fn lint_statements(&self, sql: &str) -> Vec<crate::statements::lint::StatementFinding> {
        crate::statements::lint::sqlparsed::lint(&lint::READER, sql)
    }
    fn how_it_runs(&self, _m: &Migration) -> &'static str {
        "statement by statement, each committing on its own"
    }
    fn misplaced_no_transaction(&self) -> &'static str {
        "so sqlx does not read it: `sqlx migrate run` would send the file inside a transaction (migrate runs MySQL files statement by statement either way, each committing on its own)"
    }
    /// `ER_LOCK_WAIT_TIMEOUT` (1205): `lock_wait_timeout` (a metadata lock) or
    /// `innodb_lock_wait_timeout` (a row lock) ran out.
    fn is_lock_timeout(&self, error: &sqlx::Error) -> bool {
        use sqlx::mysql::MySqlDatabaseError;
        error
            .as_database_error()
            .and_then(|d| d.try_downcast_ref::<MySqlDatabaseError>())
            .is_some_and(|e| e.number() == 1205)
    }
    fn names_blockers(&self) -> bool {
        true
    }
    fn rules(&self) -> &'static Rules<'static> {
        &Rules::MYSQL
    }
    fn transactional_ddl(&self) -> bool {
        false
    }
    fn names(&self) -> &'static Names {
        &NAMES
    }
}

/// What to call the database of `target`, and the connection on its way.
pub(super) fn connect(target: &Target) -> Result<(String, Pending), sqlx::Error> {
    let opts = MySqlConnectOptions::from_str(&target.url)?;
    let (db, host, port) = (opts.get_database(), opts.get_host(), opts.get_port());
    let what = server_name("mysql", db, host, port);
    Ok((what, pending(opts, Conn::Mysql)))
}

/// What URLs and messages say of MySQL and MariaDB.
const NAMES: Names = Names::server(
    "MySQL",
    &["mysql", "mariadb"],
    "the url's user needs the CREATE and DROP privileges",
    "grant the login CREATE TEMPORARY TABLES, or compare with verify, which judges on a scratch database",
);

fn quote(ident: &str) -> String {
    format!("`{}`", ident.replace('`', "``"))
}

impl Backend for MySqlConnection {
    const HISTORY_EXISTS: &'static str = "SELECT IF(DATABASE() IS NULL, -1, (SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_sqlx_migrations'))";
    const INSTALLED_ON: &'static str = "DATE_FORMAT(CONVERT_TZ(installed_on, @@session.time_zone, '+00:00'), '%Y-%m-%dT%H:%i:%sZ')";
    const TRANSACTIONAL_DDL: bool = false;

    /// `GET_LOCK` under sqlx's name, with a timeout of a year (MariaDB takes no negative one).
    async fn lock(&mut self) -> Result<(), MigrateError> {
        let name = lock_name(self).await?;
        let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 31536000)")
            .bind(&name)
            .fetch_one(&mut *self)
            .await?;
        match got {
            Some(1) => Ok(()),
            _ => Err(MigrateError::Execute(sqlx::Error::Protocol(format!(
                "GET_LOCK('{name}') was not granted"
            )))),
        }
    }

    async fn unlock(&mut self) -> Result<(), MigrateError> {
        let name = lock_name(self).await?;
        sqlx::query("SELECT RELEASE_LOCK(?)")
            .bind(&name)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    /// `lock_wait_timeout` (metadata locks) and `innodb_lock_wait_timeout` (row locks) from
    /// the lock timeout, in whole seconds (at least 1, the least both take); MariaDB's
    /// `max_statement_time` from the statement timeout (MySQL has no such variable and
    /// refuses it).
    async fn prepare(&mut self, policy: &LockPolicy) -> Result<(), sqlx::Error> {
        if let Some(d) = policy.lock_timeout {
            let secs = d.as_millis().div_ceil(1000).max(1);
            let sql = format!(
                "SET SESSION lock_wait_timeout = {secs}, SESSION innodb_lock_wait_timeout = {secs}"
            );
            self.execute(sql.as_str()).await?;
        }
        if let Some(d) = policy.statement_timeout {
            let sql = format!("SET SESSION max_statement_time = {:.3}", d.as_secs_f64());
            self.execute(sql.as_str()).await?;
        }
        Ok(())
    }

    async fn apply(&mut self, m: &Migration, _policy: &LockPolicy) -> Result<Duration, ApplyError> {
        migrate::apply(self, m).await
    }

    async fn resume(
        &mut self,
        m: &Migration,
        from: usize,
        _policy: &LockPolicy,
    ) -> Result<Duration, ApplyError> {
        migrate::apply_from(self, m, from).await
    }

    async fn session_id(&mut self) -> Result<Option<i64>, sqlx::Error> {
        let id: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()")
            .fetch_one(&mut *self)
            .await?;
        Ok(i64::try_from(id).ok())
    }

    async fn blockers(&mut self, id: i64) -> Result<Vec<Blocker>, sqlx::Error> {
        locks::blockers(self, id).await
    }

    async fn revert_one(
        &mut self,
        down: &Migration,
        _policy: &LockPolicy,
    ) -> Result<Duration, ApplyError> {
        revert::revert(self, down).await
    }

    /// Runs the statements as `migrate` does, each committing on its own.
    async fn replay_step(&mut self, m: &Migration) -> Result<(), StepError> {
        let statements = migrate::statements(&m.sql).map_err(StepError::Unsplittable)?;
        migrate::run(self, &statements).await.map_err(|stopped| {
            let line = statements.get(stopped.index).and_then(|s| s.sql_line());
            StepError::At(line, stopped.error)
        })
    }

    /// `table_rows`, or `count(*)` for a small table. The table is looked up in the
    /// connection's database: the model's `public` schema name is not a MySQL database.
    async fn row_count(&mut self, name: &QualifiedName) -> RowCount {
        let row = sqlx::query(
            "SELECT CAST(table_rows AS SIGNED), CAST(data_length AS SIGNED) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = ? AND table_type = 'BASE TABLE'",
        )
        .bind(&name.name)
        .fetch_optional(&mut *self)
        .await?;
        let Some(row) = row else {
            return Ok(Err("not in the database"));
        };
        let (estimate, bytes): (Option<i64>, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
        if bytes.unwrap_or(0) <= COUNT_LIMIT_BYTES {
            let sql = format!("SELECT count(*) FROM {}", quote(&name.name));
            let n: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *self).await?;
            return Ok(Ok(n.max(0) as u64));
        }
        match estimate {
            Some(n) if n > 0 => Ok(Ok(n as u64)),
            _ => Ok(Err(
                "no statistics yet and too large to count; run ANALYZE TABLE on it",
            )),
        }
    }

    async fn introspect(&mut self) -> Result<Schema, sqlx::Error> {
        introspect::introspect(self).await
    }

    async fn normalize_expressions(&mut self, table: &Table, exprs: &Exprs) -> Judged {
        expressions::normalize(self, table, exprs).await
    }

    async fn view_definitions(&mut self, views: &[schema_core::model::View]) -> Judged {
        view_definitions::definitions(self, views).await
    }

    async fn create_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT GET_LOCK(?, 0)")
            .bind(name)
            .execute(&mut *self)
            .await?;
        let sql = format!("CREATE DATABASE {} CHARACTER SET utf8mb4", quote(name));
        self.execute(sql.as_str()).await.map(drop)
    }

    fn drop_scratch_sql(name: &str) -> String {
        format!("DROP DATABASE IF EXISTS {}", quote(name))
    }

    /// Drops the scratch databases whose named lock is free.
    async fn abandoned_scratch(&mut self) -> Result<Vec<String>, sqlx::Error> {
        let sql = "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata \
                   WHERE schema_name REGEXP '^verify_[0-9]+_[0-9]+$' AND IS_USED_LOCK(schema_name) IS NULL";
        sqlx::query_scalar::<_, String>(sql)
            .fetch_all(&mut *self)
            .await
    }

    fn server_of(target: &Target) -> Result<String, sqlx::Error> {
        let opts = MySqlConnectOptions::from_str(&target.url)?;
        Ok(format!("{}:{}", opts.get_host(), opts.get_port()))
    }
}

/// sqlx's name for the migration lock of the connection's database (`generate_lock_id` in
/// sqlx-mysql 0.8), so that our runs and sqlx's exclude each other.
async fn lock_name(c: &mut MySqlConnection) -> Result<String, sqlx::Error> {
    let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut *c)
        .await?;
    Ok(lock_id(&database.unwrap_or_default()))
}

/// `0x3d32ad9e * crc32(database)` in hex, as sqlx computes it (CRC-32/ISO-HDLC).
fn lock_id(database: &str) -> String {
    let mut crc = !0u32;
    for byte in database.bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    format!("{:x}", 0x3d32_ad9e_i64 * i64::from(!crc))
}

#[cfg(test)]
mod tests {
    use super::lock_id;

    #[test]
    fn the_mysql_lock_has_sqlxs_name() {
        // crc32("123456789") = 0xcbf43926, the check value of CRC-32/ISO-HDLC.
        assert_eq!(
            lock_id("123456789"),
            format!("{:x}", 0x3d32_ad9e_i64 * 0xcbf4_3926_i64)
        );
        assert_eq!(lock_id(""), "0");
    }
}
