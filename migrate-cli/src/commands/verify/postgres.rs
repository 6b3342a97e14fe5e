//! `verify` on PostgreSQL: the scratch database is a database with a fresh random name on the
//! url's server, dropped afterwards (`WITH (FORCE)`), also when verification fails or panics;
//! one a killed run left behind is dropped by the next run on that server.

use super::{Step, VerifyError, SCRATCH_PREFIX};
use crate::commands::migrate::split_statements;
use crate::config::Dialect;
use crate::database::{self, Connected, Db, Target};
use crate::error::Error;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs a migration's statements, in one transaction unless its first line is
/// `-- no-transaction`. On failure: `:LINE` of the failing statement and the error.
pub(super) async fn apply(conn: &mut PgConnection, step: &Step) -> Result<(), (String, String)> {
    let sql = &step.local.migration.sql;
    let statements: Vec<_> = split_statements(sql)
        .into_iter()
        .filter(|s| s.sql_line().is_some())
        .collect();
    let failed = |s: &crate::commands::migrate::Statement<'_>, e: sqlx::Error| {
        let at = s.sql_line().map(|l| format!(":{l}")).unwrap_or_default();
        (at, database::error_message(&e))
    };
    let no_line = |e: sqlx::Error| (String::new(), database::error_message(&e));
    if step.local.migration.no_tx {
        for s in &statements {
            conn.execute(s.text).await.map_err(|e| failed(s, e))?;
        }
        return Ok(());
    }
    let mut tx = conn.begin().await.map_err(no_line)?;
    for s in &statements {
        (&mut *tx).execute(s.text).await.map_err(|e| failed(s, e))?;
    }
    tx.commit().await.map_err(no_line)
}

/// `pg_advisory_lock`'s first key for scratch databases ("veri"); the second is
/// `hashtext(name)`. A run holds its lock from before `CREATE DATABASE` until the drop, so a
/// scratch database whose lock nobody holds was left by an interrupted run.
pub const LOCK_CLASS: i32 = 0x7665_7269;

/// What a scratch database's name looks like, as a PostgreSQL regular expression.
const SCRATCH_NAME_RE: &str = "^verify_[0-9]+_[0-9]+$";

/// A scratch database on the url's server. Dropped (`WITH (FORCE)`) by [`Scratch::drop_now`],
/// or, when unwinding, by `Drop`; one a killed run left behind is dropped by the next run on
/// that server (see [`LOCK_CLASS`]).
pub(super) struct Scratch {
    pub(super) name: String,
    pub(super) what: String,
    admin: PgConnectOptions,
    /// The connection to the url's database that holds this run's advisory lock.
    lock: Option<PgConnection>,
}

impl Scratch {
    pub(super) async fn create(target: &Target) -> Result<Scratch, Error> {
        let admin = PgConnectOptions::from_str(&target.url).map_err(|e| {
            database::DatabaseError::BadUrl {
                from: target.source.clone(),
                url: database::redact(&target.url),
                error: e.to_string(),
            }
        })?;
        let connected = database::connect(target, Dialect::Postgres).await?;
        let database::Db::Postgres(mut conn) = connected.db else {
            return Err(VerifyError::Scratch {
                context: "cannot create a scratch database".into(),
                name: connected.what,
                error: "not a postgres connection".into(),
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
            sqlx::query("SELECT pg_advisory_lock($1, hashtext($2))")
                .bind(LOCK_CLASS)
                .bind(&name)
                .execute(&mut conn)
                .await?;
            conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
                .await
        }
        .await;
        if let Err(e) = created {
            let _ = conn.close().await;
            return Err(VerifyError::CreateScratch {
                name,
                what,
                error: database::error_message(&e),
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
                db: Db::Postgres(conn),
                what: self.name.clone(),
            }),
            Err(e) => Err(self.failed("cannot connect", e).into()),
        }
    }

    pub(super) fn failed(&self, context: &str, error: sqlx::Error) -> VerifyError {
        VerifyError::Scratch {
            context: context.to_string(),
            name: self.name.clone(),
            error: database::error_message(&error),
        }
    }

    /// Drops the database on the lock's connection, then releases the lock.
    pub(super) async fn drop_now(mut self) {
        let Some(mut conn) = self.lock.take() else {
            return;
        };
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        match conn.execute(sql.as_str()).await {
            Ok(_) => {}
            Err(e) => warn_left(&self.name, &database::error_message(&e)),
        }
        let _ = conn.close().await;
    }
}

/// Drops the scratch databases of runs that were killed (nobody holds their lock).
/// Best effort: a database this user may not drop is left alone.
async fn reclaim_abandoned(conn: &mut PgConnection) {
    let sql = "SELECT d.datname::text FROM pg_database d WHERE d.datname ~ $1 AND NOT EXISTS \
               (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid::bigint = $2 \
                AND l.objsubid = 2 AND l.objid::bigint = (hashtext(d.datname)::bigint & 4294967295))";
    let Ok(names) = sqlx::query_scalar::<_, String>(sql)
        .bind(SCRATCH_NAME_RE)
        .bind(i64::from(LOCK_CLASS))
        .fetch_all(&mut *conn)
        .await
    else {
        return;
    };
    for name in names {
        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        let _ = conn.execute(sql.as_str()).await;
    }
}

fn warn_left(name: &str, error: &str) {
    eprintln!(
        "warning: could not drop the scratch database {name} ({error}); drop it by hand: DROP DATABASE \"{name}\" WITH (FORCE)"
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
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
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
