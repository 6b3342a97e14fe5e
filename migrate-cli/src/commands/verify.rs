//! `verify`: replays the whole migrations folder on a scratch database and proves, migration
//! by migration, that the live schema (read back by the database's backend) is what that
//! migration's snapshot says. The scratch database ([`crate::backend::Scratch`]: a database on
//! the url's server, or a temporary SQLite file) is removed afterwards, also on failure and
//! when the run is stopped with SIGTERM or SIGINT (as CI stops a job on timeout).

pub use crate::backend::SCRATCH_PREFIX;

use crate::backend::{self, Connected, Scratch, ScratchError};
use crate::config::{self, Dialect};
use crate::database::{self, ServerError, Target};
use crate::error::Error;
use crate::folder::{Folder, FolderError};
use crate::history::{self, show, Local};
use crate::introspect;
use crate::Context;
use schema_core::model::Schema;
use schema_core::snapshot::{without_rename_hints, Snapshot};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

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
    #[error(transparent)]
    Scratch(#[from] ScratchError),
    #[error("migration {file}{at} failed to apply on a fresh database: {error}; fix the file (verified {before} migration(s) before it)")]
    Apply {
        file: String,
        /// `:LINE` of the failing statement, when known.
        at: String,
        #[source]
        error: ServerError,
        before: usize,
    },
    #[error("verify failed: {count} difference(s) between the replayed migrations and their snapshots\n{report}")]
    Differences { count: usize, report: String },
    #[error("verify was stopped by {signal}; the scratch database {name} was removed")]
    Interrupted { signal: &'static str, name: String },
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
    let target = match backend::of(config.dialect).scratch_on_server() {
        true => {
            let env = ctx.env.var(database::ENV_VAR);
            let url = args.url.as_deref();
            Some(database::resolve_url(&config, url, env, &ctx.cwd)?)
        }
        false => {
            if args.url.is_some() {
                let _ = writeln!(
                    ctx.stderr,
                    "note: verify does not use --url on {}: it replays on a temporary file and leaves the database alone",
                    config.dialect
                );
            }
            None
        }
    };
    let local = database::block_on(history::load_local(&config, &ctx.cwd))??;
    let folder = Folder::new(&config.out, &ctx.cwd);
    let steps = local
        .into_iter()
        .map(|l| step(&folder, l, &ctx.cwd))
        .collect::<Result<Vec<_>, Error>>()?;
    let run = on_scratch(config.dialect, target.as_ref(), &steps, ctx);
    let report = database::block_on(run)??;
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

/// Replays `steps` on a new scratch database, which is removed afterwards whatever happened:
/// a failure, a panic (its `Drop`) or SIGTERM / SIGINT, which stop the replay.
async fn on_scratch(
    dialect: Dialect,
    target: Option<&Target>,
    steps: &[Step],
    ctx: &mut Context<'_>,
) -> Result<Vec<String>, Error> {
    // Listening before the scratch database exists: a signal from now on removes it.
    let mut stop = signals::Stop::listen();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!("{SCRATCH_PREFIX}{}_{nanos}", std::process::id());
    let scratch = Scratch::create(dialect, target, &name)
        .await
        .map_err(VerifyError::from)?;
    say_replaying(ctx, steps.len(), &scratch.name, &scratch.what);
    let result = tokio::select! {
        result = replay_on(&scratch, steps, ctx) => result,
        signal = stop.recv() => Err(VerifyError::Interrupted {
            signal,
            name: scratch.name.clone(),
        }
        .into()),
    };
    scratch.drop_now().await;
    result
}

async fn replay_on(
    scratch: &Scratch,
    steps: &[Step],
    ctx: &mut Context<'_>,
) -> Result<Vec<String>, Error> {
    let mut conn = scratch.connect().await.map_err(VerifyError::from)?;
    let result = replay(&mut conn, steps, ctx).await;
    conn.close().await;
    result
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
    steps: &[Step],
    ctx: &mut Context<'_>,
) -> Result<Vec<String>, Error> {
    let mut report = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let applied = conn.replay_step(&step.local.migration).await;
        applied.map_err(|(line, error)| VerifyError::Apply {
            file: step.file.clone(),
            at: line.map(|l| format!(":{l}")).unwrap_or_default(),
            error,
            before: n,
        })?;
        let actual = conn.introspect().await.map_err(|e| ScratchError::Use {
            context: "cannot read the schema back".into(),
            name: conn.what.clone(),
            error: ServerError::Server(Box::new(e)),
        });
        let actual = actual.map_err(VerifyError::from)?;
        let judged = introspect::judge::compare(conn, &step.expected, &actual).await;
        if let Some(why) = &judged.unjudged {
            let _ = writeln!(ctx.stderr, "note: {why}");
        }
        let differences = judged.differences;
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

/// The signals that stop a run: SIGTERM (a CI timeout, `kill`) and SIGINT (Ctrl-C).
mod signals {
    /// Both signals, listened to from [`Stop::listen`] on.
    pub(super) struct Stop {
        #[cfg(unix)]
        streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
    }

    impl Stop {
        pub(super) fn listen() -> Stop {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{signal, SignalKind};
                let term = signal(SignalKind::terminate());
                let int = signal(SignalKind::interrupt());
                Stop {
                    streams: term.ok().zip(int.ok()),
                }
            }
            #[cfg(not(unix))]
            Stop {}
        }

        /// Waits for the first of them; its name.
        pub(super) async fn recv(&mut self) -> &'static str {
            #[cfg(unix)]
            {
                let Some((term, int)) = &mut self.streams else {
                    return std::future::pending().await;
                };
                tokio::select! {
                    _ = term.recv() => "SIGTERM",
                    _ = int.recv() => "SIGINT",
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
                "Ctrl-C"
            }
        }
    }
}
