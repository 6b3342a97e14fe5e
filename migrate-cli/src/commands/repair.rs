//! `repair`: the two changes to `_sqlx_migrations` a user would otherwise write by hand, as
//! Flyway's `repair` makes them. `--checksum V` records the current checksum of an applied
//! migration whose file was fixed afterwards (so `migrate`, `status` and `check` accept it);
//! `--failed V` removes the row a migration that stopped part way left (MySQL), once the user
//! has finished or undone what it ran. Each shows what it changes and asks first (`--yes`
//! without a terminal), under sqlx's migration lock.

use crate::backend::{self, AppliedRow, Connected};
use crate::config::{self, Config};
use crate::database::{self, DatabaseError, ServerError, Target};
use crate::error::{Error, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::history::{load_local, show, Local};
use crate::Context;
use std::io;
use std::path::PathBuf;

/// `migrate-cli repair` flags.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(group(clap::ArgGroup::new("repair").required(true).args(["checksum", "failed"])))]
pub struct RepairArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database [default: DATABASE_URL from the environment or a .env file beside the
    /// config, then database_url in the config, then sqlite://dev.db beside it for SQLite]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// Record the current checksum of this applied migration's file, which was changed after
    /// it was applied (the database keeps what the applied version ran)
    #[arg(long, value_name = "VERSION")]
    pub checksum: Option<String>,
    /// Remove the failed row of this migration, after finishing or undoing by hand what it ran
    #[arg(long, value_name = "VERSION")]
    pub failed: Option<String>,
    /// Repair without asking (required without a terminal)
    #[arg(long)]
    pub yes: bool,
}

/// Why nothing was repaired.
#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    #[error(transparent)]
    Other(#[from] Error),
    #[error("{flag} {given}: not a migration version; give the number its file name starts with, such as {flag} 20260101000000")]
    BadVersion { flag: &'static str, given: String },
    #[error("repair changes _sqlx_migrations and there is no terminal to confirm it: pass --yes; nothing was changed")]
    NeedsYes,
    #[error("{flag} {version}: {what} has no row for migration {version} in _sqlx_migrations ({known}); nothing was changed; `status` lists what it has applied")]
    Unknown {
        flag: &'static str,
        version: i64,
        what: String,
        known: String,
    },
    #[error("--checksum {version}: migration {version} is recorded as failed on {what}, not applied: {}; nothing was changed", crate::history::failed_advice(*.version))]
    ChecksumOfFailed { version: i64, what: String },
    #[error("--checksum {version}: migration {version} is applied on {what} but its file is missing from {out}; restore it from version control (repair records the checksum of a file that is there); nothing was changed")]
    NoFile {
        version: i64,
        what: String,
        out: String,
    },
    #[error(
        "--checksum {version}: {file} has the checksum {what} recorded for it; nothing to repair"
    )]
    AlreadyMatches {
        version: i64,
        file: String,
        what: String,
    },
    #[error("--failed {version}: migration {version} is applied on {what} (since {at}), not failed; there is no failed row to remove (a file changed since it was applied is repaired with --checksum {version}); nothing was changed")]
    NotFailed {
        version: i64,
        what: String,
        at: String,
    },
    #[error("the row of migration {version} in _sqlx_migrations on {what} changed while repair ran (another migrate or repair?); nothing was changed; run status and repair again")]
    Changed { version: i64, what: String },
    #[error("cannot ask on the terminal: {0}; pass --yes to repair without asking")]
    Prompt(io::Error),
    #[error("cancelled: nothing was changed")]
    Cancelled,
}

impl RepairError {
    pub fn exit_code(&self) -> u8 {
        match self {
            RepairError::Other(e) => e.exit_code(),
            RepairError::BadVersion { .. } | RepairError::NeedsYes => EXIT_USAGE,
            _ => EXIT_FAILED,
        }
    }
}

impl From<DatabaseError> for RepairError {
    fn from(e: DatabaseError) -> RepairError {
        RepairError::Other(e.into())
    }
}

/// What `repair` changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repaired {
    /// The checksum of this version now matches its file.
    Checksum(i64),
    /// The failed row of this version is gone.
    Failed(i64),
}

/// The repair asked for.
#[derive(Debug, Clone, Copy)]
enum Ask {
    Checksum(i64),
    Failed(i64),
}

/// Runs `repair` and gives the exit code, printing the error.
pub fn run(args: &RepairArgs, ctx: &mut Context<'_>) -> u8 {
    match repair(args, ctx) {
        Ok(_) => EXIT_OK,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {e}");
            e.exit_code()
        }
    }
}

/// Runs `repair`.
pub fn repair(args: &RepairArgs, ctx: &mut Context<'_>) -> Result<Repaired, RepairError> {
    let ask = match (&args.checksum, &args.failed) {
        (Some(v), _) => Ask::Checksum(version("--checksum", v)?),
        (None, Some(v)) => Ask::Failed(version("--failed", v)?),
        (None, None) => {
            let usage = "repair needs --checksum VERSION or --failed VERSION";
            return Err(Error::Usage(usage.to_string()).into());
        }
    };
    let config = config::load(&ctx.cwd, args.config.as_deref()).map_err(Error::from)?;
    if ctx.prompt.is_none() && !args.yes {
        return Err(RepairError::NeedsYes);
    }
    let choice = (args.url.as_deref(), args.target.as_deref());
    let target = database::resolve_one(&config, choice, &ctx.env, &ctx.cwd, "repair")?;
    if backend::of(config.dialect).file_missing(&target) {
        return Err(DatabaseError::Connect {
            what: format!("sqlite database {}", database::redact(&target.url)),
            from: target.source,
            error: ServerError::Found("the file does not exist".to_string()),
            hint: "check the path; repair changes an existing database and never creates one",
        }
        .into());
    }
    database::block_on(locked(&config, &target, ask, args.yes, ctx))?
}

/// `20260101000000`, `20260101000000_name` or `20260101000000_name.sql`: the version.
fn version(flag: &'static str, given: &str) -> Result<i64, RepairError> {
    let file = std::path::Path::new(given.trim())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let digits = file.split('_').next().unwrap_or_default();
    digits.parse().map_err(|_| RepairError::BadVersion {
        flag,
        given: given.to_string(),
    })
}

/// Connects, takes sqlx's migration lock, repairs, and releases it.
async fn locked(
    config: &Config,
    target: &Target,
    ask: Ask,
    yes: bool,
    ctx: &mut Context<'_>,
) -> Result<Repaired, RepairError> {
    let local = load_local(config, &ctx.cwd).await.map_err(Error::from)?;
    let mut conn = backend::connect(target, config.dialect).await?;
    let result = match conn.lock().await {
        Ok(()) => {
            let result = change(&mut conn, config, &local, ask, yes, ctx).await;
            let _ = conn.unlock().await;
            result
        }
        Err(e) => Err(RepairError::Other(Error::Database(DatabaseError::Query {
            context: "cannot take the migration lock".to_string(),
            what: conn.what.clone(),
            error: ServerError::Sqlx(Box::new(sqlx::Error::Migrate(Box::new(e)))),
        }))),
    };
    conn.close().await;
    result
}

/// Checks the row against what was asked, shows the change, asks, and makes it.
async fn change(
    conn: &mut Connected,
    config: &Config,
    local: &[Local],
    ask: Ask,
    yes: bool,
    ctx: &mut Context<'_>,
) -> Result<Repaired, RepairError> {
    let rows = conn.applied().await?;
    let what = conn.what.clone();
    let (flag, version) = match ask {
        Ask::Checksum(v) => ("--checksum", v),
        Ask::Failed(v) => ("--failed", v),
    };
    let Some(row) = rows.iter().find(|r| r.version == version) else {
        return Err(RepairError::Unknown {
            flag,
            version,
            what,
            known: known(&rows),
        });
    };
    match ask {
        Ask::Checksum(_) => {
            let (file, checksum) = checksum_change(row, config, local, &what, ctx)?;
            let question =
                format!("record the new checksum of {file} for migration {version} on {what}?");
            confirm(ctx, yes, &question, "yes, record it")?;
            if !conn.set_checksum(version, &checksum).await? {
                return Err(RepairError::Changed { version, what });
            }
            let _ = writeln!(
                ctx.stdout,
                "recorded the checksum of {file} for migration {version} on {what}; migrate, status and check now take the file as it is"
            );
            Ok(Repaired::Checksum(version))
        }
        Ask::Failed(_) => {
            if row.success {
                return Err(RepairError::NotFailed {
                    version,
                    what,
                    at: row.installed_on.clone(),
                });
            }
            // After `drop`, its file is gone: migrate will not run it again.
            let has_file = local.iter().any(|l| l.migration.version == version);
            let then = match has_file {
                true => ", and lets migrate apply it again",
                false => "",
            };
            let _ = writeln!(
                ctx.stdout,
                "migration {version} ({}) is recorded as failed on {what} since {}; removing its row says that what it ran was finished or undone by hand{then}",
                row.description, row.installed_on
            );
            let question = format!("remove the failed row of migration {version} on {what}?");
            confirm(ctx, yes, &question, "yes, remove it")?;
            if !conn.delete_failed(version).await? {
                return Err(RepairError::Changed { version, what });
            }
            let next = match has_file {
                true => "run migrate to apply the fixed file (or `migrate-cli drop` to remove the migration)".to_string(),
                false => format!(
                    "its file is no longer in {} (dropped), so migrate will not run it again",
                    crate::history::show(&ctx.cwd, &config.out)
                ),
            };
            let _ = writeln!(
                ctx.stdout,
                "removed the failed row of migration {version} from _sqlx_migrations on {what}; {next}"
            );
            Ok(Repaired::Failed(version))
        }
    }
}

/// The file and its new checksum, after refusing what `--checksum` does not repair; prints
/// the stored and the new checksum.
fn checksum_change(
    row: &AppliedRow,
    config: &Config,
    local: &[Local],
    what: &str,
    ctx: &mut Context<'_>,
) -> Result<(String, Vec<u8>), RepairError> {
    let version = row.version;
    if !row.success {
        return Err(RepairError::ChecksumOfFailed {
            version,
            what: what.to_string(),
        });
    }
    let Some(m) = local.iter().find(|l| l.migration.version == version) else {
        return Err(RepairError::NoFile {
            version,
            what: what.to_string(),
            out: show(&ctx.cwd, &config.out),
        });
    };
    let file = show(&ctx.cwd, &m.file);
    if *m.migration.checksum == *row.checksum {
        return Err(RepairError::AlreadyMatches {
            version,
            file,
            what: what.to_string(),
        });
    }
    let _ = writeln!(
        ctx.stdout,
        "{file} changed since it was applied on {what} ({}): the database keeps what the applied version ran; only the recorded checksum changes\n  stored checksum: {}\n  new checksum:    {}",
        row.installed_on,
        hex(&row.checksum),
        hex(&m.migration.checksum),
    );
    Ok((file, m.migration.checksum.to_vec()))
}

/// The versions `_sqlx_migrations` holds, for a message.
fn known(rows: &[AppliedRow]) -> String {
    match rows {
        [] => "it has none".to_string(),
        [only] => format!("it has {}", only.version),
        [first, .., last] => format!(
            "it has {} rows, {} to {}",
            rows.len(),
            first.version,
            last.version
        ),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Asks on the terminal unless `yes`.
fn confirm(
    ctx: &mut Context<'_>,
    yes: bool,
    question: &str,
    answer: &str,
) -> Result<(), RepairError> {
    if yes {
        return Ok(());
    }
    let Some(prompt) = ctx.prompt.as_deref_mut() else {
        return Err(RepairError::NeedsYes);
    };
    let options = ["no, change nothing".to_string(), answer.to_string()];
    match prompt
        .choose(question, &options, 0)
        .map_err(RepairError::Prompt)?
    {
        Some(1) => Ok(()),
        _ => Err(RepairError::Cancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_read_from_a_number_a_tag_or_a_file() {
        for given in [
            "20260101000000",
            "20260101000000_add_email",
            "migrations/20260101000000_add_email.sql",
        ] {
            assert_eq!(
                version("--checksum", given).unwrap(),
                20260101000000,
                "{given}"
            );
        }
        let err = version("--failed", "latest").unwrap_err();
        assert_eq!(err.exit_code(), EXIT_USAGE);
        assert!(err
            .to_string()
            .starts_with("--failed latest: not a migration version"));
    }
}
