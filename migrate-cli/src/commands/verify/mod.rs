//! `verify`: replays the whole migrations folder on a scratch database and proves, migration
//! by migration, that the live schema (read back by the database's backend) is what that
//! migration's snapshot says, and that its down migration (`<tag>.down.sql`, when there is one)
//! restores the previous snapshot's schema and lets the up apply again ([`replay`]). The scratch database ([`crate::backend::Scratch`]: a database on
//! the url's server, or a temporary SQLite file) is removed afterwards, also on failure and
//! when the run is stopped with SIGTERM or SIGINT (as CI stops a job on timeout).

pub use crate::backend::SCRATCH_PREFIX;

use crate::backend::{self, Scratch, ScratchError};
use crate::config::{self, Dialect};
use crate::database::{self, ServerError, Target};
use crate::error::Error;
use crate::folder::{Folder, FolderError};
use crate::history::{self, show, Local};
use crate::Context;
use schema_core::model::Schema;
use schema_core::snapshot::{without_rename_hints, Snapshot};
use sqlx::migrate::{Migration, MigrationType};
use std::path::{Path, PathBuf};

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
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// Replay only the up migrations: skip proving that each down restores the schema before
    /// its up
    #[arg(long)]
    pub no_down: bool,
}

/// What `verify` proved: how many migrations it replayed, and how many downs it proved
/// (none with `--no-down`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub migrations: usize,
    pub downs: usize,
    /// Migrations without a down file (not counted with `--no-down`).
    pub without_down: usize,
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
    #[error("down migration {file}{at} failed to run on the scratch database after its up: {error}; fix the down file (verified {before} migration(s) before it)")]
    Down {
        file: String,
        /// `:LINE` of the failing statement, when known.
        at: String,
        #[source]
        error: ServerError,
        before: usize,
    },
    #[error("migration {file}{at} failed to apply again after its down {down}: {error}; the down leaves something the up does not expect, fix the down file")]
    Again {
        file: String,
        /// `:LINE` of the failing statement, when known.
        at: String,
        down: String,
        #[source]
        error: ServerError,
    },
    #[error("verify failed: {count} difference(s) between the replayed migrations and their snapshots\n{report}")]
    Differences { count: usize, report: String },
    #[error("verify was stopped by {signal}; the scratch database {name} was removed")]
    Interrupted { signal: &'static str, name: String },
}

/// A migration file with the snapshot it must produce, and its down.
struct Step {
    local: Local,
    file: String,
    expected: Schema,
    down: Option<Down>,
}

/// A down migration file, as sqlx reads it: the `ReversibleDown` of its up's version.
struct Down {
    migration: Migration,
    file: String,
}

/// Runs `verify`.
pub fn verify(args: &VerifyArgs, ctx: &mut Context<'_>) -> Result<Summary, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let target = match backend::of(config.dialect).scratch_on_server() {
        true => {
            let choice = (args.url.as_deref(), args.target.as_deref());
            let env = &ctx.env;
            Some(database::resolve_one(
                &config, choice, env, &ctx.cwd, "verify",
            )?)
        }
        false => {
            if args.url.is_some() || args.target.is_some() {
                let _ = writeln!(
                    ctx.stderr,
                    "note: verify does not use --url or --target on {}: it replays on a temporary file and leaves the database alone",
                    config.dialect
                );
            }
            None
        }
    };
    let local = database::block_on(history::load_local(&config, &ctx.cwd))??;
    let folder = Folder::new(&config.out, &ctx.cwd);
    let downs = !args.no_down;
    let steps = local
        .into_iter()
        .map(|l| step(&folder, l, downs, &ctx.cwd))
        .collect::<Result<Vec<_>, Error>>()?;
    let run = on_scratch(config.dialect, target.as_ref(), &steps, downs, ctx);
    let report = database::block_on(run)??;
    if !report.is_empty() {
        return Err(VerifyError::Differences {
            count: report.iter().filter(|l| l.starts_with("  ")).count(),
            report: report.join("\n"),
        }
        .into());
    }
    let summary = Summary {
        migrations: steps.len(),
        downs: steps.iter().filter(|s| s.down.is_some()).count(),
        without_down: match downs {
            true => steps.iter().filter(|s| s.down.is_none()).count(),
            false => 0,
        },
    };
    let _ = writeln!(ctx.stdout, "{}", verified(&summary, downs));
    Ok(summary)
}

/// The last line of `verify`: `verified 3 migrations and 2 downs; 1 migration has no down
/// (check reports missing-down)`, worded for every count (`downs`: false with `--no-down`).
fn verified(summary: &Summary, downs: bool) -> String {
    let Summary {
        migrations: all,
        downs: proved,
        without_down: without,
    } = *summary;
    let migrations = counted(all, "migration", "migrations");
    let missing = "(check reports missing-down)";
    if !downs {
        return format!("verified {migrations} (downs skipped: --no-down)");
    }
    let proved_text = counted(proved, "down", "downs");
    match (proved, without) {
        (_, 0) if proved == 0 => format!("verified {migrations}"),
        (_, 0) => format!("verified {migrations} and {proved_text}"),
        (0, 1) if all == 1 => format!("verified {migrations}; it has no down {missing}"),
        (0, w) if w == all && w == 2 => {
            format!("verified {migrations}; neither has a down {missing}")
        }
        (0, w) if w == all => format!("verified {migrations}; none has a down {missing}"),
        (0, w) => {
            let none = counted(w, "migration", "migrations");
            let verb = if w == 1 { "has" } else { "have" };
            format!("verified {migrations}; {none} {verb} no down {missing}")
        }
        (_, w) => {
            let none = counted(w, "migration", "migrations");
            let verb = if w == 1 { "has" } else { "have" };
            format!("verified {migrations} and {proved_text}; {none} {verb} no down {missing}")
        }
    }
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Replays `steps` on a new scratch database, which is removed afterwards whatever happened:
/// a failure, a panic (its `Drop`) or SIGTERM / SIGINT, which stop the replay.
async fn on_scratch(
    dialect: Dialect,
    target: Option<&Target>,
    steps: &[Step],
    downs: bool,
    ctx: &mut Context<'_>,
) -> Result<Vec<String>, Error> {
    // Listening before the scratch database exists: a signal from now on removes it.
    let mut stop = signals::Stop::listen();
    let scratch = Scratch::create_new(dialect, target)
        .await
        .map_err(VerifyError::from)?;
    say_replaying(ctx, steps, &scratch.name, &scratch.what);
    let name = scratch.name.clone();
    scratch
        .with_connection(async |conn| -> Result<_, Error> {
            tokio::select! {
                result = replay::replay(conn, steps, downs, ctx) => result,
                signal = stop.recv() => Err(VerifyError::Interrupted { signal, name }.into()),
            }
        })
        .await
}

fn say_replaying(ctx: &mut Context<'_>, steps: &[Step], name: &str, what: &str) {
    let count = steps.len();
    let downs = match steps.iter().filter(|s| s.down.is_some()).count() {
        0 => String::new(),
        n => format!(" and {n} down(s)"),
    };
    let _ = writeln!(
        ctx.stdout,
        "replaying {count} migration(s){downs} on the scratch database {name} ({what})"
    );
}

fn step(folder: &Folder, local: Local, downs: bool, cwd: &Path) -> Result<Step, Error> {
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
    let down = match downs {
        true => down_of(&local, cwd)?,
        false => None,
    };
    Ok(Step {
        local,
        file,
        expected: without_rename_hints(&snapshot.schema),
        down,
    })
}

/// The down of `<out>/<tag>.sql` (or of sqlx's `<tag>.up.sql`): `<out>/<tag>.down.sql`, read
/// as sqlx reads it (`-- no-transaction` on its first line), or `None` when there is none.
fn down_of(local: &Local, cwd: &Path) -> Result<Option<Down>, Error> {
    let name = local.file.file_name().map(|n| n.to_string_lossy());
    let tag = name.as_deref().unwrap_or_default();
    let tag = tag.strip_suffix(".sql").unwrap_or(tag);
    let tag = tag.strip_suffix(".up").unwrap_or(tag);
    let path = local.file.with_file_name(format!("{tag}.down.sql"));
    let sql = match std::fs::read_to_string(&path) {
        Ok(sql) => sql,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(FolderError::Io {
                path: show(cwd, &path),
                source,
            }
            .into())
        }
    };
    let m = &local.migration;
    let no_tx = sql.starts_with("-- no-transaction");
    let migration = Migration::new(
        m.version,
        m.description.clone(),
        MigrationType::ReversibleDown,
        sql.into(),
        no_tx,
    );
    Ok(Some(Down {
        migration,
        file: show(cwd, &path),
    }))
}

mod replay;
mod signals;

#[cfg(test)]
mod tests {
    use super::*;

    fn line(migrations: usize, downs: usize, without_down: usize) -> String {
        let summary = Summary {
            migrations,
            downs,
            without_down,
        };
        verified(&summary, true)
    }

    #[test]
    fn the_summary_is_worded_for_every_count() {
        let missing = "(check reports missing-down)";
        assert_eq!(line(0, 0, 0), "verified 0 migrations");
        assert_eq!(line(1, 1, 0), "verified 1 migration and 1 down");
        assert_eq!(line(3, 3, 0), "verified 3 migrations and 3 downs");
        assert_eq!(
            line(1, 0, 1),
            format!("verified 1 migration; it has no down {missing}")
        );
        assert_eq!(
            line(2, 0, 2),
            format!("verified 2 migrations; neither has a down {missing}")
        );
        assert_eq!(
            line(3, 0, 3),
            format!("verified 3 migrations; none has a down {missing}")
        );
        assert_eq!(
            line(3, 2, 1),
            format!("verified 3 migrations and 2 downs; 1 migration has no down {missing}")
        );
        assert_eq!(
            line(3, 1, 2),
            format!("verified 3 migrations and 1 down; 2 migrations have no down {missing}")
        );
        let summary = Summary {
            migrations: 1,
            downs: 0,
            without_down: 0,
        };
        assert_eq!(
            verified(&summary, false),
            "verified 1 migration (downs skipped: --no-down)"
        );
    }
}
