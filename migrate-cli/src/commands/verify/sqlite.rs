//! `verify` on SQLite: the scratch database is `scratch.db` in a new directory
//! (`verify_<pid>_XXXXXX`) of the system's temporary directory, removed with whatever SQLite
//! wrote beside it (journal, WAL) when the run ends, also when verification fails or panics;
//! one a killed run left behind is removed by the next run.
//!
//! A migration is applied as `migrate` applies it: sqlx's `Migrate::apply`, in its own
//! transaction with its `_sqlx_migrations` row. A `-- no-transaction` file (the table rebuilds,
//! which switch foreign keys off around their own `BEGIN` ... `COMMIT`) runs statement by
//! statement on the bare connection, as under any runner that leaves it alone.

use super::{Step, VerifyError, SCRATCH_PREFIX};
use crate::commands::migrate::{split_statements, Statement};
use crate::database::{self, Connected, Db};
use crate::error::Error;
use sqlx::migrate::MigrateError;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};
use std::path::{Path, PathBuf};

/// A scratch database file; its directory goes when this does.
pub(super) struct Scratch {
    pub(super) path: PathBuf,
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new `verify_<pid>_XXXXXX` directory in the temporary directory, after removing those
    /// that killed runs left behind.
    pub(super) fn create() -> Result<Scratch, Error> {
        let tmp = std::env::temp_dir();
        reclaim_abandoned(&tmp);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{SCRATCH_PREFIX}{}_", std::process::id()))
            .tempdir_in(&tmp)
            .map_err(|e| VerifyError::CreateScratchFile {
                dir: tmp.display().to_string(),
                error: e.to_string(),
            })?;
        Ok(Scratch {
            path: dir.path().join("scratch.db"),
            dir,
        })
    }

    /// A connection with the options `migrate` uses for a SQLite file (foreign keys on), and
    /// sqlx's history table, which [`apply`] writes to.
    pub(super) async fn connect(&self) -> Result<Connected, Error> {
        let what = self.path.display().to_string();
        let opts = SqliteConnectOptions::new()
            .filename(&self.path)
            .create_if_missing(true);
        let conn = opts
            .connect()
            .await
            .map_err(|e| VerifyError::CreateScratchFile {
                dir: self.dir.path().display().to_string(),
                error: database::error_message(&e),
            })?;
        let mut connected = Connected {
            db: Db::Sqlite(conn),
            what: what.clone(),
        };
        let ensured = connected.migrate().ensure_migrations_table().await;
        if let Err(e) = ensured {
            connected.close().await;
            return Err(VerifyError::Scratch {
                context: "cannot create _sqlx_migrations".into(),
                name: what,
                error: e.to_string(),
            }
            .into());
        }
        Ok(connected)
    }
}

/// Removes the scratch directories of runs that were killed (their process is gone), when
/// the system says which processes run (`/proc`). Best effort, and only directories that hold
/// nothing but a scratch database.
fn reclaim_abandoned(tmp: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(SCRATCH_PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if pid == std::process::id() || proc.join(pid.to_string()).exists() {
            continue;
        }
        let only_scratch = std::fs::read_dir(entry.path()).is_ok_and(|files| {
            files
                .filter_map(Result::ok)
                .all(|f| f.file_name().to_string_lossy().starts_with("scratch.db"))
        });
        if only_scratch {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Applies one migration; on failure, `:LINE` of the failing statement (when it can be
/// found) and SQLite's error.
pub(super) async fn apply(conn: &mut Connected, step: &Step) -> Result<(), (String, String)> {
    let migration = &step.local.migration;
    if migration.no_tx {
        return without_transaction(conn, step).await;
    }
    match conn.migrate().apply(migration).await {
        Ok(_) => Ok(()),
        Err(MigrateError::ExecuteMigration(e, _)) => {
            let at = failing_line(conn, step).await;
            Err((at, database::error_message(&e)))
        }
        Err(e) => Err((String::new(), e.to_string())),
    }
}

fn statements(step: &Step) -> Vec<Statement<'_>> {
    split_statements(&step.local.migration.sql)
        .into_iter()
        .filter(|s| s.sql_line().is_some())
        .collect()
}

fn line(statement: &Statement<'_>) -> String {
    statement
        .sql_line()
        .map(|l| format!(":{l}"))
        .unwrap_or_default()
}

/// The line of the statement that fails when the (rolled back) migration is replayed.
async fn failing_line(conn: &mut Connected, step: &Step) -> String {
    let statements = statements(step);
    let texts: Vec<&str> = statements.iter().map(|s| s.text).collect();
    match conn.first_failing(&texts).await {
        Ok(Some((i, _))) => statements.get(i).map(line).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Runs a `-- no-transaction` file statement by statement. When one fails inside the file's
/// own transaction, rolls it back. Either way foreign-key enforcement is left as it was
/// before the file (a hand-written file may leave it off), as `migrate` leaves it.
async fn without_transaction(conn: &mut Connected, step: &Step) -> Result<(), (String, String)> {
    let Db::Sqlite(c) = &mut conn.db else {
        return Err((String::new(), "not a sqlite connection".into()));
    };
    let enforced: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *c)
        .await
        .unwrap_or(1);
    let mut result = Ok(());
    for s in statements(step) {
        if let Err(e) = c.execute(s.text).await {
            // An error when the file's transaction was not open yet: nothing to undo.
            let _ = c.execute("ROLLBACK").await;
            result = Err((line(&s), database::error_message(&e)));
            break;
        }
    }
    let setting = if enforced == 1 { "ON" } else { "OFF" };
    let _ = c
        .execute(format!("PRAGMA foreign_keys={setting}").as_str())
        .await;
    result
}
