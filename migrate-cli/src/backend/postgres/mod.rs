//! PostgreSQL: connecting, the catalog read back into the model ([`introspect`]), row counts
//! for lint, repairing interrupted concurrent index builds, and scratch databases (created
//! under an advisory lock, dropped `WITH (FORCE)`). Migrations go through sqlx's own
//! `Migrate` for PostgreSQL: its advisory lock, one transaction per file unless the file says
//! `-- no-transaction`.

mod costs;
pub mod expressions;
pub mod introspect;
mod lint;
pub mod migrate;
pub mod statements;
pub mod view_definitions;

use super::{
    pending, quote, server_name, ApplyError, Backend, Blocker, Conn, Database, Exprs, Judged,
    Names, Pending, RowCount, StepError,
};
use crate::commands::migrate::Remains;
use crate::database::Target;
use crate::lock_policy::LockPolicy;
use crate::statements::split_statements;

use schema_core::diff::QualifiedName;
use schema_core::model::{Schema, Table};
use sqlx::migrate::Migration;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection, Row};
use std::str::FromStr;

use crate::sizes::COUNT_LIMIT_BYTES;

/// `pg_advisory_lock`'s first key for scratch databases ("veri"); the second is
/// `hashtext(name)`. A run holds its lock from before `CREATE DATABASE` until the drop, so a
/// scratch database whose lock nobody holds was left by an interrupted run.
pub const LOCK_CLASS: i32 = 0x7665_7269;

/// What a scratch database's name looks like, as a PostgreSQL regular expression.
const SCRATCH_NAME_RE: &str = "^verify_[0-9]+_[0-9]+$";

/// What URLs and messages say of PostgreSQL.
const NAMES: Names = Names::server(
    "PostgreSQL",
    &["postgres", "postgresql"],
    "the url's user needs the CREATEDB privilege",
    "grant the login TEMPORARY on the database and use a primary that is not read-only, or compare with verify, which judges on a scratch database",
);

/// PostgreSQL before connecting.
pub struct Postgres;

impl Database for Postgres {
    fn sql_dialect(&self) -> &'static dyn sqlparser::dialect::Dialect {
        &sqlparser::dialect::PostgreSqlDialect {}
    }
    fn has_schemas(&self) -> bool {
        true
    }
    fn lint_statements(&self, sql: &str) -> Vec<crate::statements::lint::StatementFinding> {
        lint::lint(sql)
    }
    fn statement_costs(&self, sql: &str) -> Vec<crate::backend::costs::StatementCost> {
        costs::costs(sql)
    }
    fn error_position(&self, error: &sqlx::Error) -> Option<usize> {
        use sqlx::postgres::{PgDatabaseError, PgErrorPosition};
        let pg = error
            .as_database_error()?
            .try_downcast_ref::<PgDatabaseError>()?;
        match pg.position()? {
            PgErrorPosition::Original(position) => Some(position),
            PgErrorPosition::Internal { .. } => None,
        }
    }
    /// `lock_not_available`: `lock_timeout` fired (or `NOWAIT` found the lock taken).
    fn is_lock_timeout(&self, error: &sqlx::Error) -> bool {
        error
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|code| code == "55P03")
    }
    fn names_blockers(&self) -> bool {
        true
    }
    fn no_transaction_remains(&self, sql: &str) -> Option<Remains> {
        Some(no_transaction_remains(sql))
    }
    fn names(&self) -> &'static Names {
        &NAMES
    }
    fn how_it_runs(&self, m: &Migration) -> &'static str {
        match m.no_tx {
            true => "without a transaction",
            false => "in its own transaction",
        }
    }
}

/// What to call the database of `target`, and the connection on its way.
pub(super) fn connect(target: &Target) -> Result<(String, Pending), sqlx::Error> {
    let opts = PgConnectOptions::from_str(&target.url)?;
    let (db, host, port) = (opts.get_database(), opts.get_host(), opts.get_port());
    let what = server_name("postgres", db, host, port);
    Ok((what, pending(opts, Conn::Postgres)))
}

impl Backend for PgConnection {
    const HISTORY_EXISTS: &'static str =
        "SELECT count(*) FROM pg_catalog.pg_class WHERE oid = to_regclass('_sqlx_migrations')";
    const INSTALLED_ON: &'static str =
        "to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
    const SET_CHECKSUM: &'static str =
        "UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2 AND success";
    const DELETE_FAILED: &'static str =
        "DELETE FROM _sqlx_migrations WHERE version = $1 AND NOT success";
    const RECORD: &'static str = "INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) VALUES ( $1, $2, TRUE, $3, -1 )";
    const SET_EXECUTION_TIME: &'static str =
        "UPDATE _sqlx_migrations SET execution_time = $1 WHERE version = $2";

    /// `SET LOCAL lock_timeout` and `statement_timeout` for the batch's transaction.
    async fn begin_batch(&mut self, policy: &LockPolicy) -> Result<(), sqlx::Error> {
        if policy.is_set() {
            self.execute(migrate::settings("SET LOCAL", policy).as_str())
                .await?;
        }
        Ok(())
    }

    /// sqlx's `apply` with `SET LOCAL lock_timeout` and `statement_timeout` ([`migrate`]).
    async fn apply(
        &mut self,
        m: &Migration,
        policy: &LockPolicy,
    ) -> Result<std::time::Duration, ApplyError> {
        migrate::apply(self, m, policy)
            .await
            .map_err(ApplyError::Migrate)
    }

    /// sqlx's `revert` with `SET LOCAL lock_timeout` and `statement_timeout` ([`migrate`]).
    async fn revert_one(
        &mut self,
        down: &Migration,
        policy: &LockPolicy,
    ) -> Result<std::time::Duration, ApplyError> {
        migrate::revert(self, down, policy)
            .await
            .map_err(ApplyError::Migrate)
    }

    async fn session_id(&mut self) -> Result<Option<i64>, sqlx::Error> {
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *self)
            .await?;
        Ok(Some(i64::from(pid)))
    }

    async fn blockers(&mut self, pid: i64) -> Result<Vec<Blocker>, sqlx::Error> {
        migrate::blockers(self, pid).await
    }

    /// Runs the statements, in one transaction unless the file is `-- no-transaction`.
    async fn replay_step(&mut self, m: &Migration) -> Result<(), StepError> {
        let statements: Vec<_> = split_statements(&m.sql)
            .into_iter()
            .filter(|s| s.sql_line().is_some())
            .collect();
        if m.no_tx {
            for s in &statements {
                self.execute(s.text)
                    .await
                    .map_err(|e| StepError::At(s.sql_line(), e))?;
            }
            return Ok(());
        }
        let mut tx = self.begin().await.map_err(|e| StepError::At(None, e))?;
        for s in &statements {
            (&mut *tx)
                .execute(s.text)
                .await
                .map_err(|e| StepError::At(s.sql_line(), e))?;
        }
        tx.commit().await.map_err(|e| StepError::At(None, e))
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

    /// `reltuples`, or `count(*)` for a small table never analyzed.
    async fn row_count(&mut self, name: &QualifiedName) -> RowCount {
        let row = sqlx::query(
            "SELECT c.reltuples::float8, pg_catalog.pg_relation_size(c.oid) \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r'",
        )
        .bind(&name.schema)
        .bind(&name.name)
        .fetch_optional(&mut *self)
        .await?;
        let Some(row) = row else {
            return Ok(Err("not in the database"));
        };
        let (estimate, bytes): (f64, i64) = (row.try_get(0)?, row.try_get(1)?);
        // -1: never analyzed (PostgreSQL 14+); 0 with pages on disk: never analyzed before 14.
        let analyzed = estimate > 0.0 || (estimate == 0.0 && bytes == 0);
        if analyzed {
            return Ok(Ok(estimate.round() as u64));
        }
        if bytes > COUNT_LIMIT_BYTES {
            return Ok(Err(
                "never analyzed and too large to count; run ANALYZE on it",
            ));
        }
        let sql = format!(
            "SELECT count(*) FROM {}.{}",
            quote(&name.schema),
            quote(&name.name)
        );
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *self).await?;
        Ok(Ok(n.max(0) as u64))
    }

    async fn drop_invalid_index(&mut self, schema: &str, name: &str) -> Result<bool, sqlx::Error> {
        let invalid: Option<bool> = sqlx::query_scalar(
            "SELECT NOT i.indisvalid FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2",
        )
        .bind(schema)
        .bind(name)
        .fetch_optional(&mut *self)
        .await?;
        if invalid != Some(true) {
            return Ok(false);
        }
        let drop = format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}.{}",
            quote(schema),
            quote(name)
        );
        self.execute(drop.as_str()).await?;
        Ok(true)
    }

    async fn create_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_lock($1, hashtext($2))")
            .bind(LOCK_CLASS)
            .bind(name)
            .execute(&mut *self)
            .await?;
        self.execute(format!("CREATE DATABASE {}", quote(name)).as_str())
            .await
            .map(drop)
    }

    fn drop_scratch_sql(name: &str) -> String {
        format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote(name))
    }

    /// Drops the scratch databases whose advisory lock nobody holds.
    async fn abandoned_scratch(&mut self) -> Result<Vec<String>, sqlx::Error> {
        let sql = "SELECT d.datname::text FROM pg_database d WHERE d.datname ~ $1 AND NOT EXISTS \
                   (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid::bigint = $2 \
                    AND l.objsubid = 2 AND l.objid::bigint = (hashtext(d.datname)::bigint & 4294967295))";
        sqlx::query_scalar::<_, String>(sql)
            .bind(SCRATCH_NAME_RE)
            .bind(i64::from(LOCK_CLASS))
            .fetch_all(&mut *self)
            .await
    }

    fn server_of(target: &Target) -> Result<String, sqlx::Error> {
        let opts = PgConnectOptions::from_str(&target.url)?;
        Ok(format!("{}:{}", opts.get_host(), opts.get_port()))
    }
}

/// What a failed PostgreSQL `-- no-transaction` file left: sqlx sent it whole as one simple
/// query, run in one implicit transaction unless the file's transaction commands end it; a
/// concurrent index build alone in its file runs outside any transaction and may leave an
/// invalid index (in a file of several statements it cannot run at all).
fn no_transaction_remains(sql: &str) -> Remains {
    match statements::read(sql) {
        Ok(script) if script.statements <= 1 && script.concurrently && script.control_line.is_none() => Remains::InvalidIndex,
        Ok(script) => match script.control_line {
            Some(line) => Remains::Told(format!("{IMPLICIT}, which the file's own transaction command at line {line} ends early: what the file committed before the failing statement remains, and what ran after its last commit was rolled back; nothing was recorded; check the database by hand, fix the file and run migrate again")),
            None => {
                let mut told = format!("{IMPLICIT}, so the failure rolled all of it back: nothing of this migration remains and nothing was recorded; fix the file and run migrate again");
                if script.concurrently {
                    told.push_str(" (a CONCURRENTLY statement cannot run inside that transaction: put it alone in a -- no-transaction file of its own)");
                }
                Remains::RolledBack(told)
            }
        },
        Err(_) => Remains::Told(format!("{IMPLICIT}, unless a COMMIT or ROLLBACK in the file (which could not be read: check it) ended it early, leaving what it committed before the failing statement; nothing was recorded; check the database by hand, fix the file and run migrate again")),
    }
}

/// How PostgreSQL runs a `-- no-transaction` file.
const IMPLICIT: &str = "PostgreSQL ran this -- no-transaction file as sqlx sends it, as one query string, and PostgreSQL runs a query string in one implicit transaction";
