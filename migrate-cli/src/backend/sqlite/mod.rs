//! SQLite: connecting to a file (relative paths from the config's directory), `-- no-transaction`
//! files run on the bare connection ([`migrate`]), the pragmas and `CREATE` text read back into
//! the model ([`introspect`]), exact row counts for lint, and finding what a failed rebuild
//! loses. SQLite has no server: its scratch database is a temporary file.

mod costs;
pub mod defaults;
pub mod introspect;
mod lint;
pub mod migrate;
mod revert;

use super::{
    pending, quote, ApplyError, Backend, Conn, Database, Names, Pending, Replayed, RowCount,
    StepError,
};
use crate::database::{Target, UrlSource};
use crate::lock_policy::LockPolicy;
use crate::statements::{split_statements, Statement};
use schema_core::diff::QualifiedName;
use schema_core::model::Schema;
use sqlx::migrate::{Migrate, MigrateError, Migration};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Executor, SqliteConnection};
use std::str::FromStr;
use std::time::Duration;

/// SQLite before connecting.
pub struct Sqlite;

impl Database for Sqlite {
    fn sql_dialect(&self) -> &'static dyn sqlparser::dialect::Dialect {
        &sqlparser::dialect::SQLiteDialect {}
    }
    fn lint_statements(&self, sql: &str) -> Vec<crate::statements::lint::StatementFinding> {
        crate::statements::lint::sqlparsed::lint(&lint::READER, sql)
    }
    fn statement_costs(&self, sql: &str) -> Vec<crate::backend::costs::StatementCost> {
        costs::costs(sql)
    }
    fn unusable_defaults(
        &self,
        schema: &Schema,
    ) -> Result<Vec<super::Rejected>, super::DefaultsError> {
        defaults::check(schema)
    }
    fn names(&self) -> &'static Names {
        &Names {
            title: "SQLite",
            schemes: &["sqlite"],
            connect_hint: "check the path, or add ?mode=rwc to the url to create the file",
            scratch_hint: "set TMPDIR to a writable directory",
            probe_hint: "SQLite expressions are compared as text",
        }
    }
    fn scratch_on_server(&self) -> bool {
        false
    }
    /// A URL of another database is not a missing file: connecting refuses it.
    fn file_missing(&self, target: &Target) -> bool {
        let sqlite = target.url.to_ascii_lowercase().starts_with("sqlite:")
            || matches!(target.source, UrlSource::DefaultFile(_));
        sqlite
            && !in_memory(&target.url)
            && options(target).is_ok_and(|opts| !opts.get_filename().exists())
    }
    /// `dev.db` beside the config, created when missing.
    fn default_url(&self, dir: &std::path::Path) -> Option<(String, std::path::PathBuf)> {
        let file = dir.join("dev.db");
        Some((format!("sqlite://{}?mode=rwc", file.display()), file))
    }
    /// The default `dev.db`, or a url with `mode=rwc`.
    fn creates_file(&self, target: &Target) -> bool {
        matches!(target.source, UrlSource::DefaultFile(_))
            || url::Url::parse(&target.url)
                .is_ok_and(|u| u.query_pairs().any(|(k, v)| k == "mode" && v == "rwc"))
    }
    /// `SQLITE_BUSY` (with its extended codes): `busy_timeout` ran out while another
    /// connection held the database.
    fn is_lock_timeout(&self, error: &sqlx::Error) -> bool {
        let code = error.as_database_error().and_then(|d| d.code());
        code.and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| c & 0xff == 5)
    }
    fn blockers_unseen(&self) -> &'static str {
        "another connection holds a write transaction on the database file (SQLite does not say which)"
    }
    fn how_it_runs(&self, m: &Migration) -> &'static str {
        let own = migrate::own_transaction(&split_statements(&m.sql)).is_some();
        match (m.no_tx, own) {
            (true, true) => "in the transaction it opens itself, with foreign keys off",
            (true, false) => "without a transaction",
            (false, _) => "in its own transaction",
        }
    }
    fn records_itself(&self, m: &Migration) -> bool {
        m.no_tx
    }
    fn records_inside(&self, m: &Migration) -> bool {
        m.no_tx && migrate::records_inside(&m.sql)
    }
    fn own_transaction(&self, statements: &[Statement<'_>]) -> Option<(usize, usize)> {
        migrate::own_transaction(statements)
    }
    fn is_control(&self, statement: &Statement<'_>) -> bool {
        migrate::is_control(statement)
    }
}

/// What to call the database of `target`, and the connection on its way.
pub(super) fn connect(target: &Target) -> Result<(String, Pending), sqlx::Error> {
    let opts = options(target)?;
    let what = format!("sqlite database {}", opts.get_filename().display());
    Ok((what, pending(opts, Conn::Sqlite)))
}

/// SQLite options for `target`, a relative file taken from `target.base`.
fn options(target: &Target) -> Result<SqliteConnectOptions, sqlx::Error> {
    if let UrlSource::DefaultFile(file) = &target.source {
        return Ok(SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true));
    }
    // Schemes are case-insensitive; sqlx strips only a lowercase `sqlite:`.
    let url = match target.url.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("sqlite:") => {
            format!("sqlite:{}", &target.url[7..])
        }
        _ => target.url.clone(),
    };
    let opts = SqliteConnectOptions::from_str(&url)?;
    if in_memory(&target.url) {
        return Ok(opts);
    }
    let file = opts.get_filename().to_path_buf();
    Ok(if file.is_relative() {
        opts.filename(target.base.join(file))
    } else {
        opts
    })
}

fn in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

impl Backend for SqliteConnection {
    const HISTORY_EXISTS: &'static str =
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'";
    const INSTALLED_ON: &'static str = "strftime('%Y-%m-%dT%H:%M:%SZ', installed_on)";

    /// sqlx's `apply`, except for `-- no-transaction` files, which it would wrap in a
    /// transaction: those run on the bare connection ([`migrate::apply`]).
    /// `busy_timeout` from the lock timeout: how long a statement waits for another
    /// connection's write transaction before `SQLITE_BUSY` (sqlx's default is 5 s).
    async fn prepare(&mut self, policy: &LockPolicy) -> Result<(), sqlx::Error> {
        if let Some(d) = policy.lock_timeout {
            let sql = format!(
                "PRAGMA busy_timeout = {}",
                d.as_millis().min(i32::MAX as u128)
            );
            self.execute(sql.as_str()).await?;
        }
        Ok(())
    }

    async fn apply(&mut self, m: &Migration, _policy: &LockPolicy) -> Result<Duration, ApplyError> {
        let applied = match m.no_tx {
            true => migrate::apply(self, m).await,
            false => Migrate::apply(self, m).await,
        };
        applied.map_err(ApplyError::Migrate)
    }

    /// A down in one transaction with the deletion of its row, or, `-- no-transaction`, on the
    /// bare connection ([`revert::revert`]).
    async fn revert_one(
        &mut self,
        down: &Migration,
        _policy: &LockPolicy,
    ) -> Result<Duration, ApplyError> {
        revert::revert(self, down)
            .await
            .map_err(ApplyError::Migrate)
    }

    async fn recover(&mut self, m: &Migration) -> Option<Result<bool, sqlx::Error>> {
        match m.no_tx {
            true => Some(migrate::recover(self).await),
            false => None,
        }
    }

    async fn replay_own(&mut self, statements: &[&str]) -> Option<Replayed> {
        migrate::first_failing(self, statements)
            .await
            .ok()
            .flatten()
    }

    async fn failure_note(&mut self, sql: &str) -> Option<String> {
        lost_triggers(self, sql).await
    }

    /// Applies the file as `migrate` does: sqlx's `apply` with its row, or, for a
    /// `-- no-transaction` file, statement by statement on the bare connection.
    async fn replay_step(&mut self, m: &Migration) -> Result<(), StepError> {
        if m.no_tx {
            return without_transaction(self, m).await;
        }
        match Migrate::apply(self, m).await {
            Ok(_) => Ok(()),
            Err(MigrateError::ExecuteMigration(e, _)) => Err(StepError::Whole(e)),
            Err(e) => Err(StepError::At(None, sqlx::Error::Migrate(Box::new(e)))),
        }
    }

    /// Runs the down as `sqlx migrate revert` does (sqlx's `revert`: the file and the removal
    /// of its version's row in one transaction) or, for a `-- no-transaction` file, statement by
    /// statement on the bare connection, then removes the row its up wrote.
    async fn replay_down(&mut self, m: &Migration) -> Result<(), StepError> {
        if m.no_tx {
            without_transaction(self, m).await?;
            return sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ?")
                .bind(m.version)
                .execute(&mut *self)
                .await
                .map(|_| ())
                .map_err(|e| StepError::At(None, e));
        }
        match Migrate::revert(self, m).await {
            Ok(_) => Ok(()),
            Err(MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _)) => {
                Err(StepError::Whole(e))
            }
            Err(e) => Err(StepError::At(None, sqlx::Error::Migrate(Box::new(e)))),
        }
    }

    async fn introspect(&mut self) -> Result<Schema, sqlx::Error> {
        introspect::introspect(self).await
    }

    /// `count(*)`, which is exact (SQLite keeps no estimate); one schema, so only the name counts.
    async fn row_count(&mut self, name: &QualifiedName) -> RowCount {
        let exists: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
        )
        .bind(&name.name)
        .fetch_one(&mut *self)
        .await?;
        if exists == 0 {
            return Ok(Err("not in the database"));
        }
        let sql = format!("SELECT count(*) FROM {}", quote(&name.name));
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *self).await?;
        Ok(Ok(n.max(0) as u64))
    }

    async fn create_scratch(&mut self, _name: &str) -> Result<(), sqlx::Error> {
        Err(no_server())
    }

    fn drop_scratch_sql(name: &str) -> String {
        format!("rm -r {name}")
    }

    fn server_of(_target: &Target) -> Result<String, sqlx::Error> {
        Err(no_server())
    }
}

fn no_server() -> sqlx::Error {
    sqlx::Error::Configuration("sqlite has no server: its scratch database is a file".into())
}

/// Runs a `-- no-transaction` file statement by statement. When one fails inside the file's
/// own transaction, rolls it back. Either way foreign-key enforcement is left as it was
/// before the file (a hand-written file may leave it off), as `migrate` leaves it.
async fn without_transaction(c: &mut SqliteConnection, m: &Migration) -> Result<(), StepError> {
    let enforced: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *c)
        .await
        .unwrap_or(1);
    let statements = split_statements(&m.sql);
    let mut result = Ok(());
    for s in statements.iter().filter(|s| s.sql_line().is_some()) {
        if let Err(e) = c.execute(s.text).await {
            // An error when the file's transaction was not open yet: nothing to undo.
            let _ = c.execute("ROLLBACK").await;
            result = Err(StepError::At(s.sql_line(), e));
            break;
        }
    }
    let setting = if enforced == 1 { "ON" } else { "OFF" };
    let _ = c
        .execute(format!("PRAGMA foreign_keys={setting}").as_str())
        .await;
    result
}

/// The `CREATE TRIGGER` statements of the tables a rebuild file remembers the triggers of
/// (its `"tbl_name" IN (..)` list), read from the database after the rollback, as a note for
/// a file that failed on `lost_triggers`.
async fn lost_triggers(c: &mut SqliteConnection, sql: &str) -> Option<String> {
    let start = sql.find("\"__migrate_triggers\" AS SELECT")?;
    let list = &sql[start..];
    let open = list.find("\"tbl_name\" IN (")? + "\"tbl_name\" IN (".len();
    let close = list[open..].find(");")? + open;
    let query = format!(
        "SELECT sql || ';' FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({}) ORDER BY name",
        &list[open..close]
    );
    let rows: Vec<String> = sqlx::query_scalar(&query).fetch_all(&mut *c).await.ok()?;
    Some(
        rows.iter()
            .map(|r| format!("    {r}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}
