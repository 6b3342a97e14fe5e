//! `status`: every migration of the folder and of the database's `_sqlx_migrations`, each with
//! its state (applied, pending, modified, missing, failed), as [`crate::history`] compares them;
//! on a fleet (`--target` whose `url_file` lists several databases, or `--url` given several
//! times), one line per database ([`fleet`]).

mod fleet;

pub use crate::history::{compare, load_local, show, Entry, FolderReadError, Local, State};

use crate::backend;
use crate::config::{self, Config};
use crate::database::{self, Target};
use crate::error::Error;
use crate::Context;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `migrate-cli status` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StatusArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database [default: DATABASE_URL from the environment or a .env file beside the
    /// config, then database_url in the config, then sqlite://dev.db beside it for SQLite];
    /// given several times, a fleet (one line per database)
    #[arg(long, value_name = "URL")]
    pub url: Vec<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
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

/// Runs `status`.
pub fn status(args: &StatusArgs, ctx: &mut Context<'_>) -> Result<Vec<Entry>, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let choice = (args.url.as_slice(), args.target.as_deref());
    let mut targets = database::resolve_urls(&config, choice, &ctx.env, &ctx.cwd)?;
    if targets.len() > 1 {
        return fleet::fleet(args, &config, &targets, ctx);
    }
    let (entries, what) = entries(&config, &targets.remove(0), &ctx.cwd)?;
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

/// Every migration of the folder and of `target`, by version, and what to call the database.
fn entries(config: &Config, target: &Target, cwd: &Path) -> Result<(Vec<Entry>, String), Error> {
    let (mut entries, what) = database::block_on(read(config, target, cwd))??;
    // Journal entries without their file, which sqlx does not see: `migrate` refuses them.
    entries.extend(crate::history::unfiled(config, &entries));
    entries.sort_by_key(|e| e.version);
    Ok((entries, what))
}

async fn read(config: &Config, target: &Target, cwd: &Path) -> Result<(Vec<Entry>, String), Error> {
    let local = load_local(config, cwd).await?;
    // A file `migrate` would create is not there yet; one it would not is refused below, as
    // `migrate` refuses it (and so is a url of another database).
    let database = backend::of(config.dialect);
    if database.file_missing(target) && database.creates_file(target) {
        return Ok((
            compare(&local, &[]),
            format!("{} (not created yet)", target.source),
        ));
    }
    let mut conn = backend::connect(target, config.dialect).await?;
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
                format!("modified since it was applied {at}: restore the file from version control, or record it as it is with `migrate-cli repair --checksum {}`", e.version)
            }
            (State::Missing, Some(at)) => {
                format!("missing from {out} (applied {at}): restore the file from version control")
            }
            (State::Missing, None) => format!(
                "missing: the journal lists it but its file {} is not in {out}; restore it from version control, or remove the entry and its snapshot",
                e.file.as_deref().map_or_else(String::new, |f| show(&ctx.cwd, f))
            ),
            (State::Failed, _) => format!("failed: {}", crate::history::failed_advice(e.version)),
            (state, _) => state.as_str().to_string(),
        };
        let _ = writeln!(ctx.stdout, "  {}  {:width$}  {detail}", e.version, e.name);
    }
    let _ = writeln!(ctx.stdout, "{}", counts(entries));
}

/// `3 migrations: 2 applied, 1 pending`, or `no migrations yet`.
fn counts(entries: &[Entry]) -> String {
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
        true => "no migrations yet".to_string(),
        false => format!("{total} {noun}: {}", parts.join(", ")),
    }
}
