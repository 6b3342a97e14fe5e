//! `check`: the CI gate. Fails (exit 1) on unacknowledged lint errors in migrations not yet
//! applied, a source schema that differs from the latest snapshot, an inconsistent or forked
//! migrations folder, and, with a database, applied migrations whose files changed or vanished
//! and drift between the live schema and the last applied snapshot. A password written in
//! `migrate.toml` is a warning (`secret-in-config`).

mod live;
mod secrets;

pub use secrets::SECRET_IN_CONFIG;

use crate::backend;
use crate::config::{self, Config};
use crate::database::{self, DatabaseError};
use crate::error::Error;
use crate::folder::history::{self, History};
use crate::folder::Folder;
use crate::gate;
use crate::scan;
use crate::verdict::{self, Database, Input, Rules, Scope, Verdict};
use crate::Context;
use schema_core::diff;
use std::path::{Path, PathBuf};

/// `migrate-cli check` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CheckArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database, to check applied migrations, drift and the row counts of the tables pending
    /// migrations lock [default: DATABASE_URL from the
    /// environment or a .env file beside the config, then database_url in the config, then for
    /// SQLite the dev.db beside the config when it exists; without any, only the folder and the
    /// source are checked]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Make findings of this severity fail too: `--deny warnings`
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,
    /// Accept pending migrations older than the newest one the database has applied, as
    /// `migrate --allow-out-of-order` does
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Lint only the migrations added or modified since this git ref (the CI recipe: `--since
    /// origin/main`): migrations already merged are history, and changing one is an error
    #[arg(long, value_name = "GIT-REF")]
    pub since: Option<String>,
}

/// How `check` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// What `--deny` makes fail besides errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    Warnings,
}

pub use crate::verdict::{Finding, Problem};

/// What `check` found: the shared [`crate::verdict::Verdict`], with the source and drift
/// problems only `check` looks for.
pub type Report = Verdict;

/// Runs `check`; a failed check is [`Error::CheckFailed`] (exit 1) after the report is printed.
pub fn check(args: &CheckArgs, ctx: &mut Context<'_>) -> Result<Report, Error> {
    let config =
        config::load(&ctx.cwd, args.config.as_deref()).map_err(|e| Error::Usage(e.to_string()))?;
    // A warning, told before any database is reached; it fails only under `--deny warnings`.
    let shown = config.path.strip_prefix(&ctx.cwd).unwrap_or(&config.path);
    let secrets = secrets::secrets_in_config(&config, &shown.display().to_string());
    if args.deny.is_none() {
        for secret in &secrets {
            let _ = writeln!(ctx.stderr, "warning: {}: {}", secret.kind, secret.message);
        }
    }
    let folder = Folder::new(&config.out, &ctx.cwd);
    let history = history::read(&folder, config.dialect.as_str());
    let target = target(args, &config, ctx)?;
    let live = match &target {
        Some(target) => Some(live::check(&config, target, &history, ctx)?),
        None => None,
    };
    if let Some(why) = live.as_ref().and_then(|l| l.unjudged.as_ref()) {
        let _ = writeln!(ctx.stderr, "warning: {why}");
    }
    let rules = Rules {
        allow_out_of_order: args.allow_out_of_order,
        deny_warnings: args.deny.is_some(),
        ..Rules::default()
    };
    let database = target
        .as_ref()
        .zip(live.as_ref())
        .map(|(target, live)| Database {
            what: &live.what,
            target,
            entries: &live.entries,
        });
    let changed = match &args.since {
        Some(reference) => Some(since(&config, reference, &ctx.cwd)?),
        None => None,
    };
    let since = changed.as_ref().map(gate::Changed::all);
    let input = Input {
        config: &config,
        folder: &folder,
        history: &history,
        database,
        scope: Scope::Check,
        cwd: &ctx.cwd,
        since: since.as_ref(),
    };
    let mut report = verdict::judge(&input, rules)?;
    if let Some((changed, reference)) = changed.as_ref().zip(args.since.as_deref()) {
        report
            .problems
            .extend(modified_since(&folder, &history, changed, reference));
    }
    if let Some(live) = live {
        report.problems.extend(live.drift);
    }
    source(&config, &folder, &history, ctx, &mut report.problems);
    if args.deny.is_some() {
        report.problems.extend(secrets);
    }
    print(args.format, &report, &history, ctx);
    match report.passed() {
        true => Ok(report),
        false => Err(Error::CheckFailed(format!(
            "check failed: {} problem(s), {} failing finding(s)",
            report.problems.len(),
            report.failing
        ))),
    }
}

/// The database to compare with, if any URL is given anywhere.
fn target(
    args: &CheckArgs,
    config: &Config,
    ctx: &Context<'_>,
) -> Result<Option<database::Target>, Error> {
    let choice = (args.url.as_deref(), args.target.as_deref());
    match database::resolve_one(config, choice, &ctx.env, &ctx.cwd, "check") {
        Ok(target) if matches!(target.source, database::UrlSource::DefaultFile(_)) => {
            Ok((!backend::of(config.dialect).file_missing(&target)).then_some(target))
        }
        Ok(target) => Ok(Some(target)),
        Err(DatabaseError::NoUrl { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The migration files added or modified since git ref `reference`, asked in the config's
/// directory.
fn since(config: &Config, reference: &str, cwd: &Path) -> Result<gate::Changed, Error> {
    let dir = cwd.join(config.path.parent().unwrap_or(Path::new("")));
    let out = cwd.join(&config.out);
    gate::changed_since(&dir, &out, reference).map_err(|e| Error::Usage(e.to_string()))
}

/// `modified-migration` for each migration of the journal that was already merged at
/// `reference` and changed since: a database that applied it refuses it as modified.
fn modified_since(
    folder: &Folder,
    history: &History,
    changed: &gate::Changed,
    reference: &str,
) -> Vec<Problem> {
    history
        .migrations
        .iter()
        .filter(|m| changed.modified.contains(&format!("{}.sql", m.tag)))
        .map(|m| {
            let version = m.version().map_or_else(|| m.tag.clone(), |v| v.to_string());
            Problem::new(
                "modified-migration",
                format!(
                    "migration {} ({}) was already merged at {reference} and has changed since: every database that applied it will refuse it as modified (its checksum is recorded); restore it and put the change in a new migration, or, where a database already holds what the file now says, run `migrate-cli repair --checksum {version}` there",
                    m.tag,
                    folder.show(&m.sql_path),
                ),
            )
        })
        .collect()
}

/// The source schema against the latest snapshot: one problem per difference.
fn source(
    config: &Config,
    folder: &Folder,
    history: &History,
    ctx: &Context<'_>,
    problems: &mut Vec<Problem>,
) {
    if !history.journal_ok {
        return;
    }
    let empty = Default::default();
    let (old, against) = match history.latest() {
        Some((_, snapshot)) => (
            &snapshot.schema,
            folder
                .show(&folder.snapshot_path(&history.migrations[history.migrations.len() - 1].tag)),
        ),
        None if history.migrations.is_empty() => (&empty, "the empty history".to_string()),
        None => return,
    };
    let dialect = config.dialect.renderer();
    let new = match scan::scan(&config.schema, &ctx.cwd).and_then(|s| s.resolve_for(dialect)) {
        Ok(new) => new,
        Err(e) => {
            problems.push(Problem::new("source-error", e.to_string()));
            return;
        }
    };
    let renames = diff::hinted_renames(old, &new);
    for change in diff::diff(old, &new, &renames) {
        problems.push(Problem::new(
            "source-changed",
            format!(
                "the source schema differs from {against}: {}; run generate to write the migration",
                change.summary_for(dialect.supports_schemas())
            ),
        ));
    }
}

/// The unacknowledged findings of every migration that `gated` keeps (the pending ones, those
/// added since `--since`), as the gate finds them with the migration's snapshots
/// ([`crate::gate::unacknowledged_with`]); with a database, the
fn print(format: Format, report: &Report, history: &History, ctx: &mut Context<'_>) {
    if format == Format::Json {
        let json = serde_json::to_string_pretty(report).unwrap_or_default();
        let _ = writeln!(ctx.stdout, "{json}");
        return;
    }
    for line in verdict::lines(report) {
        let _ = writeln!(ctx.stdout, "{line}");
    }
    if report.passed() {
        let n = history.migrations.len();
        let _ = writeln!(
            ctx.stdout,
            "check passed: {n} migration(s), source matches the latest snapshot"
        );
    }
}
