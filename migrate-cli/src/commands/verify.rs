//! `verify`: replays the whole migrations folder on a scratch database and proves, migration
//! by migration, that the live schema (read back by [`crate::introspect`]) is what that
//! migration's snapshot says. The scratch database is dropped afterwards, also on failure.

use crate::commands::migrate::split_statements;
use crate::commands::status::{self, show, Local};
use crate::config::{self, Dialect};
use crate::database::{self, Target};
use crate::error::Error;
use crate::folder::{Folder, FolderError};
use crate::introspect;
use crate::Context;
use schema_core::model::Schema;
use schema_core::snapshot::{without_rename_hints, Snapshot};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// The prefix of every scratch database's name: `verify_<pid>_<nanos>`.
pub const SCRATCH_PREFIX: &str = "verify_";

/// `migrate-cli verify` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct VerifyArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The server to create the scratch database on (its database is only connected to)
    /// [default: DATABASE_URL from the environment or a .env file beside the config, then
    /// database_url in the config]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

/// What `verify` proved: how many migrations it replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub migrations: usize,
}

/// Why `verify` failed.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("verify does not support dialect {dialect} (in {config}) yet; only dialect = \"postgres\" can be verified for now")]
    Unsupported { dialect: Dialect, config: String },
    #[error("migration {file} has no snapshot {snapshot}; restore it from version control")]
    NoSnapshot { file: String, snapshot: String },
    #[error("cannot create the scratch database {name} on {what}: {error}; the url's user needs the CREATEDB privilege")]
    CreateScratch {
        name: String,
        what: String,
        error: String,
    },
    #[error("{context} on the scratch database {name}: {error}")]
    Scratch {
        context: String,
        name: String,
        error: String,
    },
    #[error("migration {file}{at} failed to apply on a fresh database: {error}; fix the file (verified {before} migration(s) before it)")]
    Apply {
        file: String,
        /// `:LINE` of the failing statement, when known.
        at: String,
        error: String,
        before: usize,
    },
    #[error("verify failed: {count} difference(s) between the replayed migrations and their snapshots\n{report}")]
    Differences { count: usize, report: String },
}

/// A migration file with the snapshot it must produce.
struct Step {
    local: Local,
    file: String,
    expected: Schema,
}

/// Runs `verify`.
pub fn verify(args: &VerifyArgs, ctx: &mut Context<'_>) -> Result<Summary, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    if config.dialect != Dialect::Postgres {
        return Err(VerifyError::Unsupported {
            dialect: config.dialect,
            config: show(&ctx.cwd, &config.path),
        }
        .into());
    }
    let env = std::env::var(database::ENV_VAR).ok();
    let target = database::resolve_url(&config, args.url.as_deref(), env, &ctx.cwd)?;
    let local = database::block_on(status::load_local(&config, &ctx.cwd))??;
    let folder = Folder::new(&config.out, &ctx.cwd);
    let steps = local
        .into_iter()
        .map(|l| step(&folder, l, &ctx.cwd))
        .collect::<Result<Vec<_>, Error>>()?;
    let report = database::block_on(async {
        let scratch = Scratch::create(&target).await?;
        let _ = writeln!(
            ctx.stdout,
            "replaying {} migration(s) on the scratch database {} ({})",
            steps.len(),
            scratch.name,
            scratch.what
        );
        let result = replay(&scratch, &steps, ctx).await;
        scratch.drop_now().await;
        result
    })??;
    if !report.is_empty() {
        return Err(VerifyError::Differences {
            count: report.iter().filter(|l| l.starts_with("  ")).count(),
            report: report.join("\n"),
        }
        .into());
    }
    let noun = if steps.len() == 1 {
        "migration"
    } else {
        "migrations"
    };
    let _ = writeln!(ctx.stdout, "verified {} {noun}", steps.len());
    Ok(Summary {
        migrations: steps.len(),
    })
}

fn step(folder: &Folder, local: Local, cwd: &std::path::Path) -> Result<Step, Error> {
    let path = folder.snapshot_path(&local.migration.version.to_string());
    let file = show(cwd, &local.file);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VerifyError::NoSnapshot {
                file,
                snapshot: show(cwd, &path),
            }
            .into())
        }
        Err(source) => {
            return Err(FolderError::Io {
                path: show(cwd, &path),
                source,
            }
            .into())
        }
    };
    let snapshot = Snapshot::parse(&text).map_err(|source| FolderError::Corrupt {
        path: show(cwd, &path),
        source,
    })?;
    Ok(Step {
        local,
        file,
        expected: without_rename_hints(&snapshot.schema),
    })
}

/// Applies each step and compares; gives the report (a header line per migration with
/// differences, then one indented line per difference), empty when everything matched.
async fn replay(
    scratch: &Scratch,
    steps: &[Step],
    ctx: &mut Context<'_>,
) -> Result<Vec<String>, Error> {
    let mut conn = scratch.connect().await?;
    let mut report = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        apply(&mut conn, step)
            .await
            .map_err(|(at, error)| VerifyError::Apply {
                file: step.file.clone(),
                at,
                error,
                before: n,
            })?;
        let actual = introspect::postgres::introspect(&mut conn)
            .await
            .map_err(|e| scratch.failed("cannot read the schema back", e))?;
        let differences = introspect::compare(&step.expected, &actual);
        let version = step.local.migration.version;
        if differences.is_empty() {
            let _ = writeln!(ctx.stdout, "  {version} {}  ok", step.local.name);
            continue;
        }
        let _ = writeln!(
            ctx.stdout,
            "  {version} {}  {} difference(s)",
            step.local.name,
            differences.len()
        );
        report.push(format!("after {}:", step.file));
        report.extend(differences.into_iter().map(|d| format!("  {d}")));
    }
    let _ = conn.close().await;
    Ok(report)
}

/// Runs a migration's statements, in one transaction unless its first line is
/// `-- no-transaction`. On failure: `:LINE` of the failing statement and the error.
async fn apply(conn: &mut PgConnection, step: &Step) -> Result<(), (String, String)> {
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
struct Scratch {
    name: String,
    what: String,
    admin: PgConnectOptions,
    /// The connection to the url's database that holds this run's advisory lock.
    lock: Option<PgConnection>,
}

impl Scratch {
    async fn create(target: &Target) -> Result<Scratch, Error> {
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

    async fn connect(&self) -> Result<PgConnection, Error> {
        let opts = self.admin.clone().database(&self.name);
        opts.connect()
            .await
            .map_err(|e| self.failed("cannot connect", e).into())
    }

    fn failed(&self, context: &str, error: sqlx::Error) -> VerifyError {
        VerifyError::Scratch {
            context: context.to_string(),
            name: self.name.clone(),
            error: database::error_message(&error),
        }
    }

    /// Drops the database on the lock's connection, then releases the lock.
    async fn drop_now(mut self) {
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
