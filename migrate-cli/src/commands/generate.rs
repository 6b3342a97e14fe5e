//! `generate`: diff the schema sources against the last snapshot and write the next migration
//! (its SQL, its snapshot and its journal entry), all or nothing.

use crate::backend;
use crate::config::{self, Config};
use crate::error::Error;
use crate::folder::{Folder, FolderLock, History};
use crate::renames::{self, RenameFlag};
use crate::{scan, Context};
use schema_core::diff::{self, RenameQuestion, Renames};
use schema_core::lint::Finding;
use schema_core::model::Schema;
use schema_core::render::Dialect;
use schema_core::resolve::ResolveError;
use schema_core::snapshot::Journal;
use std::path::PathBuf;

mod concurrent;
mod downs;
mod files;
mod report;

use concurrent::Split;
pub use concurrent::{FILE_SUFFIX as CONCURRENT_FILE_SUFFIX, NO_TRANSACTION};
use files::{annotate, lint_split, parts, write};
use report::{
    ignored_concurrently, report, report_down_errors, report_dry_run, report_findings, say,
};

/// The body of a `--custom` migration.
pub const CUSTOM_SQL: &str =
    "-- custom migration: write your SQL here, separating statements with --> statement-breakpoint lines\n";

/// The body of a `--custom` migration for a dialect without breakpoint lines (MySQL).
pub const CUSTOM_SQL_PLAIN: &str =
    "-- custom migration: write your SQL here, ending each statement with ;\n";

/// The body of the down file beside a `--custom` migration.
pub const CUSTOM_DOWN_SQL: &str = "-- custom migration's down: write by hand the SQL that undoes the up file, separating statements with --> statement-breakpoint lines; until then it has no statements, which check reports as missing-down\n";

/// The body of the down file beside a `--custom` migration, for a dialect without breakpoint
/// lines (MySQL).
pub const CUSTOM_DOWN_SQL_PLAIN: &str = "-- custom migration's down: write by hand the SQL that undoes the up file, ending each statement with a semicolon; until then it has no statements, which check reports as missing-down\n";

/// `migrate-cli generate` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GenerateArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The migration's name (a-z, 0-9, _) [default: derived from the changes]
    #[arg(long)]
    pub name: Option<String>,
    /// Write an empty migration for hand-written SQL; the snapshot stays as it is
    #[arg(long)]
    pub custom: bool,
    /// Answer a possible rename: table:OLD=NEW, column:TABLE.OLD=NEW or enum:OLD=NEW
    /// (schema.name where the schema is not public)
    #[arg(long = "rename", value_name = "SPEC", value_parser = renames::parse_flag)]
    pub renames: Vec<RenameFlag>,
    /// Treat every open rename question as a real drop and a real add
    #[arg(long)]
    pub no_renames: bool,
    /// The database whose table sizes lint reads (an error if it cannot be read) [default:
    /// DATABASE_URL from the environment or a .env file beside the config, then database_url
    /// in the config, then an existing SQLite dev.db; without any, no database is read]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// Print the summary, the SQL and the lint findings that generate would write; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// What `generate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The schema matches the last snapshot; nothing was written.
    NoChanges,
    /// The migrations written, oldest first: the main file, then the no-transaction file of
    /// concurrent index builds and drops when there are any (alone when there is nothing else).
    Written {
        migrations: Vec<Written>,
        journal: PathBuf,
    },
    /// `--dry-run`: the migrations `generate` would write, with their SQL; nothing was written.
    Reviewed {
        migrations: Vec<Written>,
        journal: PathBuf,
        /// Each migration's SQL, as it would be written.
        sql: Vec<String>,
        /// Each migration's down file, as it would be written.
        down_sql: Vec<String>,
    },
}

/// One migration `generate` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub tag: String,
    pub sql: PathBuf,
    pub snapshot: PathBuf,
    /// Its down file, `<tag>.down.sql`.
    pub down: PathBuf,
    /// The file starts with `-- no-transaction` (concurrent index builds and drops; SQLite
    /// table rebuilds, which run their own transaction).
    pub no_transaction: bool,
    /// The file holds one concurrent index build or drop.
    pub concurrent: bool,
}

/// One file to write, before it has a name.
struct Part {
    sql: String,
    /// The down file's SQL.
    down_sql: String,
    /// The findings written at the top of the down file.
    down_findings: Vec<Finding>,
    snapshot_json: String,
    no_transaction: bool,
    /// One concurrent index change (its tag ends with the concurrent suffix).
    concurrent: bool,
}

/// The two states to compare.
struct States {
    config: Config,
    dialect: &'static dyn Dialect,
    folder: Folder,
    history: History,
    old: Schema,
    /// Shared with the thread that prints its snapshot ([`files::early_snapshot`]).
    new: std::sync::Arc<Schema>,
    /// The source indexes marked `concurrently` that the dialect builds without it.
    ignored_concurrently: Vec<String>,
    /// Held from reading the history to writing the journal: a concurrent run waits, then
    /// builds on this run's migration.
    _lock: FolderLock,
}

/// Runs `generate`.
pub fn generate(args: &GenerateArgs, ctx: &mut Context<'_>) -> Result<Outcome, Error> {
    let name = args.name.as_deref().map(sanitize_name).transpose()?;
    let states = load(args, ctx)?;
    let renames = if args.custom {
        known_renames(args, &states)?
    } else {
        settle_renames(args, &states, ctx)?
    };
    let early = if args.custom || states.history.latest.is_none() && states.new.tables.is_empty() {
        None
    } else {
        Some(files::early_snapshot(&states))
    };
    let changes = diff::diff(&states.old, &states.new, &renames);
    if changes.is_empty() && !args.custom {
        let matched = match &states.history.latest {
            Some((path, _)) => format!("schema matches {}", states.folder.show(path)),
            None => "no tables or enums in the schema sources and no migrations yet".to_string(),
        };
        say(ctx, &format!("no changes: {matched}; nothing written"));
        return Ok(Outcome::NoChanges);
    }
    let name = match name {
        Some(name) => name,
        None if args.custom => "custom".to_string(),
        None => {
            sanitize_name(&diff::migration_name(&changes)).unwrap_or_else(|_| "migration".into())
        }
    };
    let left_out = if args.custom { changes.len() } else { 0 };
    let split = if args.custom {
        Split::default()
    } else {
        concurrent::split(changes)
    };
    let mut parts = parts(args, &states, &renames, &split, early)?;
    let findings = if args.custom {
        Vec::new()
    } else {
        let changes = split.main.iter().chain(&split.concurrent);
        let sizes = crate::sizes::read(
            (args.url.as_deref(), args.target.as_deref()),
            &states.config,
            &states.old,
            changes,
            schema_core::lint::Costs::of(states.dialect),
            ctx,
        )?;
        lint_split(&states, &split, &sizes)
    };
    let findings = annotate(&mut parts, (&split, findings), states.config.dialect);
    let down_findings: Vec<Vec<Finding>> = parts
        .iter_mut()
        .map(|p| std::mem::take(&mut p.down_findings))
        .collect();
    let outcome = write(&states, &name, parts, args.dry_run, ctx)?;
    let findings: Vec<Finding> = findings.into_iter().flatten().collect();
    report(&states, left_out, &split, args.custom, &outcome, ctx);
    report_findings(&findings, &outcome, ctx);
    report_down_errors(&states, &down_findings, &outcome, ctx);
    report_dry_run(&outcome, ctx);
    drop_later((
        states.old,
        states.new,
        states.history,
        split,
        renames,
        findings,
    ));
    Ok(outcome)
}

fn load(args: &GenerateArgs, ctx: &mut Context<'_>) -> Result<States, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let dialect = config.dialect.renderer();
    let folder = Folder::new(&config.out, &ctx.cwd);
    let lock = folder.lock_telling(ctx.stderr)?;
    // The last snapshot is read beside the scan of the sources.
    let (scanned, history) = std::thread::scope(|s| {
        let history = s.spawn(|| folder.read(config.dialect.as_str()));
        let scanned = scan::scan(&config.schema, &ctx.cwd);
        (
            scanned,
            history
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    });
    let scanned = scanned?;
    let new = scanned.resolve_for(dialect)?;
    crate::fragments::check(&scanned, &new, dialect, backend::of(config.dialect))?;
    unusable_defaults(&scanned, &new, backend::of(config.dialect))?;
    let ignored_concurrently = ignored_concurrently(&scanned.tables, &new);
    drop_later(scanned);
    let mut history = history?;
    let empty = Journal::new(config.dialect.as_str());
    let unlisted = folder.unlisted(history.journal.as_ref().unwrap_or(&empty))?;
    folder.refuse_unlisted(&unlisted, "nothing was written")?;
    // The old schema moves out of the snapshot; the snapshot keeps its path and id.
    let old = history
        .latest
        .as_mut()
        .map(|(_, s)| std::mem::take(&mut s.schema))
        .unwrap_or_default();
    Ok(States {
        config,
        dialect,
        folder,
        history,
        old,
        new: std::sync::Arc::new(new),
        ignored_concurrently,
        _lock: lock,
    })
}

/// Refuses the defaults the database cannot evaluate, each at its struct and field.
fn unusable_defaults(
    scanned: &scan::Scanned,
    schema: &Schema,
    database: &dyn backend::Database,
) -> Result<(), Error> {
    let rejected = database.unusable_defaults(schema)?;
    if rejected.is_empty() {
        return Ok(());
    }
    let errors = rejected
        .into_iter()
        .map(|r| {
            let def = scanned
                .tables
                .iter()
                .find(|d| Schema::key(&d.schema, &d.name) == r.table);
            let field = def.and_then(|d| d.fields.iter().find(|f| f.name == r.column));
            ResolveError {
                rust_name: def.map_or_else(|| r.table.clone(), |d| d.rust_name.clone()),
                field: Some(field.map_or_else(|| r.column.clone(), |f| f.field.clone())),
                message: format!(
                    "{} cannot evaluate the default `{}` of field `{}` ({}), so every insert that leaves column `{}` out would fail; write a default {} has{}, or set the value in the application",
                    database.names().title,
                    r.default,
                    field.map_or(r.column.as_str(), |f| f.field.as_str()),
                    r.reason,
                    r.column,
                    database.names().title,
                    r.hint.map(|h| format!(" ({h})")).unwrap_or_default(),
                ),
            }
        })
        .collect();
    Err(scanned.located(errors).into())
}

/// Frees `value` on a thread of its own: a large schema takes milliseconds to free, which the
/// command need not wait for (a process that exits first just leaves it to the system).
fn drop_later<T: Send + 'static>(value: T) {
    // When no thread can be started, the closure and `value` are dropped here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// Hinted renames plus the flags, after checking the flags.
fn known_renames(args: &GenerateArgs, states: &States) -> Result<Renames, Error> {
    let mut renames = diff::hinted_renames(&states.old, &states.new);
    renames::apply(&args.renames, &mut renames);
    let problems = renames::check(&args.renames, &states.old, &states.new, &renames);
    if problems.is_empty() {
        return Ok(renames);
    }
    Err(Error::Usage(format!(
        "{}\nfix or drop these --rename flags; nothing was written",
        problems.join("\n")
    )))
}

/// Known renames, then the open questions: asked on a terminal, listed otherwise.
fn settle_renames(
    args: &GenerateArgs,
    states: &States,
    ctx: &mut Context<'_>,
) -> Result<Renames, Error> {
    let mut renames = known_renames(args, states)?;
    if args.no_renames {
        return Ok(renames);
    }
    let Some(prompt) = ctx.prompt.as_deref_mut() else {
        let open = diff::open_questions(&states.old, &states.new, &renames);
        return if open.is_empty() {
            Ok(renames)
        } else {
            Err(Error::OpenRenames(open_renames_message(&open)))
        };
    };
    // One question at a time: an answer can settle or raise others (a renamed table's columns).
    let mut asked: Vec<RenameQuestion> = Vec::new();
    loop {
        let open = diff::open_questions(&states.old, &states.new, &renames);
        let Some(question) = open.into_iter().find(|q| !asked.iter().any(|a| same(a, q))) else {
            return Ok(renames);
        };
        let options = renames::options(&question);
        let choice = prompt
            .choose(
                &renames::question_text(&question),
                &options,
                renames::default_option(&question),
            )
            .map_err(Error::Prompt)?
            .ok_or(Error::Cancelled)?;
        if let Some(flag) = choice
            .checked_sub(1)
            .and_then(|n| renames::answer(&question, n))
        {
            renames::apply(&[flag], &mut renames);
        }
        asked.push(question);
    }
}

/// The same question (same created object), whatever its candidates.
fn same(a: &RenameQuestion, b: &RenameQuestion) -> bool {
    use RenameQuestion::*;
    match (a, b) {
        (Table { created: x, .. }, Table { created: y, .. }) => x == y,
        (Enum { created: x, .. }, Enum { created: y, .. }) => x == y,
        (
            Object {
                kind: k,
                created: x,
                ..
            },
            Object {
                kind: l,
                created: y,
                ..
            },
        ) => k == l && x == y,
        (
            Column {
                table: t,
                created: x,
                ..
            },
            Column {
                table: u,
                created: y,
                ..
            },
        ) => t == u && x == y,
        _ => false,
    }
}

/// Every open question with the flags that answer it.
pub fn open_renames_message(open: &[RenameQuestion]) -> String {
    let n = open.len();
    let mut out = format!(
        "{n} possible rename{} need{} an answer; nothing was written",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" }
    );
    for question in open {
        out.push_str(&format!("\n  {}", renames::question_text(question)));
        for flag in renames::answers(question) {
            out.push_str(&format!("\n    renamed: {flag}"));
        }
    }
    out.push_str(
        "\nanswer each with its --rename flag and run generate again; \
         pass --no-renames to treat the rest as created (a real drop and a real add)",
    );
    out
}

/// `Add Email!` → `add_email`: lowercase `[a-z0-9_]`, runs of anything else become one `_`.
pub fn sanitize_name(name: &str) -> Result<String, Error> {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() {
        return Err(Error::Usage(format!(
            "--name {name:?} has no letters or digits; use something like --name add_email_to_accounts"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
