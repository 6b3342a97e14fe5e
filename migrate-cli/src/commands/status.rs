//! `status`: every migration of the folder and of the database's `_sqlx_migrations`, each with
//! its state (applied, pending, modified, missing, failed); also the folder reading and the
//! comparison that `migrate` checks before applying anything.

use crate::config::{self, Config};
use crate::database::{self, AppliedRow, Connected, Target};
use crate::error::Error;
use crate::Context;
use serde::Serialize;
use sqlx::migrate::{Migration, Migrator};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `migrate-cli status` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StatusArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database [default: DATABASE_URL from the environment or a .env file beside the
    /// config, then database_url in the config, then sqlite://dev.db beside it for SQLite]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How `status` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// A migration file of the folder, as sqlx reads it.
#[derive(Debug, Clone)]
pub struct Local {
    pub migration: Migration,
    pub file: PathBuf,
    /// The file name without its version and `.sql`: `create_accounts`.
    pub name: String,
}

/// Where a migration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Applied,
    Pending,
    /// Applied, but its file changed since (the checksums differ).
    Modified,
    /// Applied, but its file is gone from the folder.
    Missing,
    /// Recorded with `success = false`: partly applied by a database without transactional DDL.
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Modified => "modified",
            State::Missing => "missing",
            State::Failed => "failed",
        }
    }
}

/// One line of `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub version: i64,
    pub name: String,
    pub state: State,
    /// When it was recorded in `_sqlx_migrations` (UTC), if it was.
    pub applied_at: Option<String>,
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// The migrations folder cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FolderReadError {
    #[error("migrations folder {out} does not exist; run generate first, or point `out` in {config} at the folder")]
    NoFolder { out: String, config: String },
    #[error("cannot read the migrations in {out}: {error}; fix or rename the file named")]
    Resolve { out: String, error: String },
}

/// `path` as the user would type it: relative to `cwd` when inside it.
pub fn show(cwd: &Path, path: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

/// The folder's migrations in version order, read by sqlx's own [`Migrator`] (which skips
/// `meta/` and anything not named `<version>_<name>.sql`).
pub async fn load_local(config: &Config, cwd: &Path) -> Result<Vec<Local>, FolderReadError> {
    let out = show(cwd, &config.out);
    if !config.out.is_dir() {
        return Err(FolderReadError::NoFolder {
            out,
            config: show(cwd, &config.path),
        });
    }
    let migrator =
        Migrator::new(config.out.as_path())
            .await
            .map_err(|e| FolderReadError::Resolve {
                out: out.clone(),
                error: e.to_string(),
            })?;
    let files = files_by_version(&config.out);
    Ok(migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| {
            let file = files.get(&m.version).cloned();
            let name = file
                .as_deref()
                .and_then(|f| f.file_name())
                .map(|f| name_of(&f.to_string_lossy()))
                .unwrap_or_else(|| m.description.replace(' ', "_"));
            let file = file.unwrap_or_else(|| config.out.join(format!("{}_{name}.sql", m.version)));
            Local {
                migration: m.clone(),
                file,
                name,
            }
        })
        .collect())
}

/// `20260101000000_create_accounts.sql` → `create_accounts`.
fn name_of(file_name: &str) -> String {
    let rest = file_name
        .split_once('_')
        .map_or(file_name, |(_, rest)| rest);
    let rest = rest.strip_suffix(".sql").unwrap_or(rest);
    rest.strip_suffix(".up").unwrap_or(rest).to_string()
}

/// The up-migration file of each version, named the way sqlx reads them.
fn files_by_version(out: &Path) -> BTreeMap<i64, PathBuf> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let (version, rest) = name.split_once('_')?;
            let up = rest.ends_with(".sql") && !rest.ends_with(".down.sql");
            Some((version.parse().ok().filter(|_| up)?, e.path()))
        })
        .collect()
}

/// Every migration of `local` and `applied`, by version, with its state.
pub fn compare(local: &[Local], applied: &[AppliedRow]) -> Vec<Entry> {
    let mut entries: BTreeMap<i64, Entry> = BTreeMap::new();
    for l in local {
        entries.insert(
            l.migration.version,
            Entry {
                version: l.migration.version,
                name: l.name.clone(),
                state: State::Pending,
                applied_at: None,
                file: Some(l.file.clone()),
            },
        );
    }
    let by_version: BTreeMap<i64, &Local> =
        local.iter().map(|l| (l.migration.version, l)).collect();
    for row in applied {
        let local = by_version.get(&row.version);
        let state = match local {
            _ if !row.success => State::Failed,
            None => State::Missing,
            Some(l) if *l.migration.checksum != *row.checksum => State::Modified,
            Some(_) => State::Applied,
        };
        let entry = entries.entry(row.version).or_insert_with(|| Entry {
            version: row.version,
            name: row.description.replace(' ', "_"),
            state,
            applied_at: None,
            file: None,
        });
        entry.state = state;
        entry.applied_at = Some(row.installed_on.clone());
    }
    entries.into_values().collect()
}

/// Runs `status`.
pub fn status(args: &StatusArgs, ctx: &mut Context<'_>) -> Result<Vec<Entry>, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let env = std::env::var(database::ENV_VAR).ok();
    let target = database::resolve_url(&config, args.url.as_deref(), env, &ctx.cwd)?;
    let (entries, what) = database::block_on(read(&config, &target, &ctx.cwd))??;
    match args.format {
        Format::Json => {
            #[derive(Serialize)]
            struct Out<'a> {
                migrations: &'a [Entry],
            }
            let json = serde_json::to_string_pretty(&Out {
                migrations: &entries,
            })
            .unwrap_or_default();
            let _ = writeln!(ctx.stdout, "{json}");
        }
        Format::Text => print_text(&entries, &config, &what, ctx),
    }
    Ok(entries)
}

async fn read(config: &Config, target: &Target, cwd: &Path) -> Result<(Vec<Entry>, String), Error> {
    let local = load_local(config, cwd).await?;
    if config.dialect == crate::config::Dialect::Sqlite && database::sqlite_file_missing(target) {
        return Ok((
            compare(&local, &[]),
            format!("{} (not created yet)", target.source),
        ));
    }
    let mut conn: Connected = database::connect(target, config.dialect).await?;
    let applied = conn.applied().await;
    let what = conn.what.clone();
    conn.close().await;
    Ok((compare(&local, &applied?), what))
}

fn print_text(entries: &[Entry], config: &Config, what: &str, ctx: &mut Context<'_>) {
    let out = show(&ctx.cwd, &config.out);
    let _ = writeln!(ctx.stdout, "migrations in {out} on {what}");
    let width = entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
    for e in entries {
        let detail = match (e.state, &e.applied_at) {
            (State::Applied, Some(at)) => format!("applied {at}"),
            (State::Modified, Some(at)) => {
                format!("modified since it was applied {at}: restore the file from version control")
            }
            (State::Missing, Some(at)) => {
                format!("missing from {out} (applied {at}): restore the file from version control")
            }
            (State::Failed, _) => format!(
                "failed: repair by hand (finish or undo what it ran), then DELETE FROM _sqlx_migrations WHERE version = {}",
                e.version
            ),
            (state, _) => state.as_str().to_string(),
        };
        let _ = writeln!(ctx.stdout, "  {}  {:width$}  {detail}", e.version, e.name);
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in entries {
        *counts.entry(e.state.as_str()).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let total = entries.len();
    let noun = if total == 1 {
        "migration"
    } else {
        "migrations"
    };
    match parts.is_empty() {
        true => {
            let _ = writeln!(ctx.stdout, "no migrations yet");
        }
        false => {
            let _ = writeln!(ctx.stdout, "{total} {noun}: {}", parts.join(", "));
        }
    }
}
