//! `verify`: replays the whole migrations folder on a scratch database and proves, migration
//! by migration, that the live schema (read back by [`crate::introspect`]) is what that
//! migration's snapshot says. The scratch database ([`postgres`] and [`mysql`]: a database on
//! the url's server; [`sqlite`]: a temporary file) is removed afterwards, also on failure.

mod mysql;
mod postgres;
mod sqlite;

pub use postgres::LOCK_CLASS;

use crate::commands::status::{self, show, Local};
use crate::config::{self, Dialect};
use crate::database::{self, Connected, Db};
use crate::error::Error;
use crate::folder::{Folder, FolderError};
use crate::introspect;
use crate::Context;
use schema_core::model::Schema;
use schema_core::snapshot::{without_rename_hints, Snapshot};
use std::path::PathBuf;

/// The prefix of every scratch database's name: `verify_<pid>_<nanos>` on PostgreSQL and
/// MySQL, the directory `verify_<pid>_XXXXXX` of the scratch file on SQLite.
pub const SCRATCH_PREFIX: &str = "verify_";

/// `migrate-cli verify` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct VerifyArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// PostgreSQL and MySQL: the server to create the scratch database on (its database is
    /// only connected to) [default: DATABASE_URL from the environment or a .env file beside the
    /// config, then database_url in the config]. SQLite needs none: the scratch database is a
    /// temporary file
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
    #[error("migration {file} has no snapshot {snapshot}; restore it from version control")]
    NoSnapshot { file: String, snapshot: String },
    #[error("cannot create the scratch database {name} on {what}: {error}; the url's user needs the CREATEDB privilege")]
    CreateScratch {
        name: String,
        what: String,
        error: String,
    },
    #[error("cannot create a scratch sqlite database in {dir}: {error}; set TMPDIR to a writable directory")]
    CreateScratchFile { dir: String, error: String },
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

/// Replays `steps` on a scratch database of a server (PostgreSQL's or MySQL's `Scratch`: the
/// same fields and methods), which is dropped afterwards whatever happened.
macro_rules! on_server {
    ($scratch:expr, $dialect:expr, $steps:expr, $ctx:expr) => {{
        let scratch = $scratch;
        say_replaying($ctx, $steps.len(), &scratch.name, &scratch.what);
        let result = match scratch.connect().await {
            Ok(mut conn) => {
                let result = replay(&mut conn, $dialect, $steps, $ctx).await;
                conn.close().await;
                result
            }
            Err(e) => Err(e),
        };
        scratch.drop_now().await;
        result
    }};
}

/// Runs `verify`.
pub fn verify(args: &VerifyArgs, ctx: &mut Context<'_>) -> Result<Summary, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let target = match config.dialect {
        Dialect::Postgres | Dialect::Mysql => {
            let env = std::env::var(database::ENV_VAR).ok();
            Some(database::resolve_url(
                &config,
                args.url.as_deref(),
                env,
                &ctx.cwd,
            )?)
        }
        Dialect::Sqlite => {
            if args.url.is_some() {
                let _ = writeln!(
                    ctx.stderr,
                    "note: verify does not use --url on sqlite: it replays on a temporary file and leaves the database alone"
                );
            }
            None
        }
    };
    let local = database::block_on(status::load_local(&config, &ctx.cwd))??;
    let folder = Folder::new(&config.out, &ctx.cwd);
    let steps = local
        .into_iter()
        .map(|l| step(&folder, l, &ctx.cwd))
        .collect::<Result<Vec<_>, Error>>()?;
    let dialect = config.dialect;
    let report = database::block_on(async {
        match &target {
            Some(target) if dialect == Dialect::Mysql => {
                on_server!(mysql::Scratch::create(target).await?, dialect, &steps, ctx)
            }
            Some(target) => {
                on_server!(
                    postgres::Scratch::create(target).await?,
                    dialect,
                    &steps,
                    ctx
                )
            }
            None => {
                let scratch = sqlite::Scratch::create()?;
                let shown = scratch.path.display().to_string();
                say_replaying(ctx, steps.len(), &shown, "a temporary sqlite file");
                let mut conn = scratch.connect().await?;
                let result = replay(&mut conn, dialect, &steps, ctx).await;
                conn.close().await;
                result
            }
        }
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

fn say_replaying(ctx: &mut Context<'_>, count: usize, name: &str, what: &str) {
    let _ = writeln!(
        ctx.stdout,
        "replaying {count} migration(s) on the scratch database {name} ({what})"
    );
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
    conn: &mut Connected,
    dialect: Dialect,
    steps: &[Step],
    ctx: &mut Context<'_>,
) -> Result<Vec<String>, Error> {
    let mut report = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let applied = match &mut conn.db {
            Db::Postgres(c) => postgres::apply(c, step).await,
            Db::Mysql(c) => mysql::apply(c, step).await,
            _ => sqlite::apply(conn, step).await,
        };
        applied.map_err(|(at, error)| VerifyError::Apply {
            file: step.file.clone(),
            at,
            error,
            before: n,
        })?;
        let actual =
            introspect::introspect(&mut conn.db)
                .await
                .map_err(|e| VerifyError::Scratch {
                    context: "cannot read the schema back".into(),
                    name: conn.what.clone(),
                    error: database::error_message(&e),
                })?;
        let differences =
            introspect::judge::compare(&mut conn.db, dialect, &step.expected, &actual).await;
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
    Ok(report)
}
