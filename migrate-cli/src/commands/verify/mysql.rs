//! `verify` on MySQL and MariaDB: the scratch database is a database with a fresh name
//! (`verify_<pid>_<nanos>`) on the url's server, dropped afterwards, also when verification
//! fails or panics; one a killed run left behind is dropped by the next run on that server.
//!
//! A run holds the named lock `GET_LOCK('<name>')` on its admin connection from before
//! `CREATE DATABASE` until the drop, so a scratch database whose lock is free
//! (`IS_USED_LOCK` is NULL) belongs to no live run. The migrations are applied as `migrate`
//! applies them on MySQL: statement by statement, each committing on its own.

use super::{Step, VerifyError, SCRATCH_PREFIX};
use crate::commands::migrate::mysql as run;
use crate::config::Dialect;
use crate::database::{self, Connected, Db, Target};
use crate::error::Error;
use sqlx::mysql::MySqlConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, MySqlConnection};
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs a migration's statements; on failure, `:LINE` of the failing statement and the error.
pub(super) async fn apply(conn: &mut MySqlConnection, step: &Step) -> Result<(), (String, String)> {
    let statements = run::statements(&step.local.migration.sql).map_err(|e| {
        (
            format!(":{}", e.line()),
            format!("cannot be cut into statements: {e}"),
        )
    })?;
    run::run(conn, &statements).await.map_err(|stopped| {
        let at = statements
            .get(stopped.index)
            .and_then(|s| s.sql_line())
            .map(|l| format!(":{l}"))
            .unwrap_or_default();
        (at, database::error_message(&stopped.error))
    })
}

/// A scratch database on the url's server, dropped by [`Scratch::drop_now`] or, when
/// unwinding, by `Drop`.
pub(super) struct Scratch {
    pub(super) name: String,
    pub(super) what: String,
    admin: MySqlConnectOptions,
    /// The connection to the url's server that holds this run's named lock.
    lock: Option<MySqlConnection>,
}

impl Scratch {
    pub(super) async fn create(target: &Target) -> Result<Scratch, Error> {
        let admin = MySqlConnectOptions::from_str(&target.url).map_err(|e| {
            database::DatabaseError::BadUrl {
                from: target.source.clone(),
                url: database::redact(&target.url),
                error: e.to_string(),
            }
        })?;
        let connected = database::connect(target, Dialect::Mysql).await?;
        let Db::Mysql(mut conn) = connected.db else {
            return Err(VerifyError::Scratch {
                context: "cannot create a scratch database".into(),
                name: connected.what,
                error: "not a mysql connection".into(),
            }
            .into());
        };
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("{SCRATCH_PREFIX}{}_{nanos}", std::process::id());
        let what = format!("{}:{}", admin.get_host(), admin.get_port());
        reclaim_abandoned(&mut conn).await;
        let created = async {
            sqlx::query("SELECT GET_LOCK(?, 0)")
                .bind(&name)
                .execute(&mut conn)
                .await?;
            let sql = format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4");
            conn.execute(sql.as_str()).await
        }
        .await;
        if let Err(e) = created {
            let _ = conn.close().await;
            return Err(VerifyError::CreateScratch {
                name,
                what,
                error: format!(
                    "{}; the url's user needs the CREATE and DROP privileges",
                    database::error_message(&e)
                ),
            }
            .into());
        }
        Ok(Scratch {
            name,
            what,
            admin,
            lock: Some(conn),
        })
    }

    /// A connection to the scratch database, as the commands hold one.
    pub(super) async fn connect(&self) -> Result<Connected, Error> {
        let opts = self.admin.clone().database(&self.name);
        match opts.connect().await {
            Ok(conn) => Ok(Connected {
                db: Db::Mysql(conn),
                what: self.name.clone(),
            }),
            Err(e) => Err(VerifyError::Scratch {
                context: "cannot connect".into(),
                name: self.name.clone(),
                error: database::error_message(&e),
            }
            .into()),
        }
    }

    /// Drops the database on the lock's connection, then releases the lock with it.
    pub(super) async fn drop_now(mut self) {
        let Some(mut conn) = self.lock.take() else {
            return;
        };
        let sql = format!("DROP DATABASE IF EXISTS `{}`", self.name);
        if let Err(e) = conn.execute(sql.as_str()).await {
            warn_left(&self.name, &database::error_message(&e));
        }
        let _ = conn.close().await;
    }
}

/// Drops the scratch databases of runs that were killed (nobody holds their lock). Best
/// effort: a database this user may not drop is left alone.
async fn reclaim_abandoned(conn: &mut MySqlConnection) {
    let sql = "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata \
               WHERE schema_name REGEXP '^verify_[0-9]+_[0-9]+$' AND IS_USED_LOCK(schema_name) IS NULL";
    let Ok(names) = sqlx::query_scalar::<_, String>(sql)
        .fetch_all(&mut *conn)
        .await
    else {
        return;
    };
    for name in names {
        let sql = format!("DROP DATABASE IF EXISTS `{name}`");
        let _ = conn.execute(sql.as_str()).await;
    }
}

fn warn_left(name: &str, error: &str) {
    eprintln!(
        "warning: could not drop the scratch database {name} ({error}); drop it by hand: DROP DATABASE `{name}`"
    );
}

impl Drop for Scratch {
    /// When a panic skipped [`Scratch::drop_now`]: drops the database on a thread and runtime
    /// of its own (this one may be unwinding inside a runtime).
    fn drop(&mut self) {
        if self.lock.is_none() {
            return;
        }
        drop(self.lock.take());
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            database::block_on(async move {
                let mut conn = admin.connect().await?;
                let sql = format!("DROP DATABASE IF EXISTS `{name}`");
                conn.execute(sql.as_str()).await?;
                conn.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(Ok(())))) {
            warn_left(&self.name, "the run was interrupted");
        }
    }
}
