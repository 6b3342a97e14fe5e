//! `generate`: diff the schema sources against the last snapshot and write the next migration
//! (its SQL, its snapshot and its journal entry), all or nothing.

use crate::config::{self, Config};
use crate::error::Error;
use crate::folder::{Folder, History, NewMigration};
use crate::renames::{self, RenameFlag};
use crate::{scan, timestamp, Context};
use schema_core::def::TableDef;
use schema_core::diff::{self, Change, RenameQuestion, Renames};
use schema_core::lint::{self, Finding};
use schema_core::model::Schema;
use schema_core::naming;
use schema_core::render::{self, Dialect};
use schema_core::snapshot::{Snapshot, ROOT_ID};
use std::path::PathBuf;

mod concurrent;
pub(crate) mod sizes;

use concurrent::Split;
pub use concurrent::{FILE_SUFFIX as CONCURRENT_FILE_SUFFIX, NO_TRANSACTION};

/// The body of a `--custom` migration.
pub const CUSTOM_SQL: &str =
    "-- custom migration: write your SQL here, separating statements with --> statement-breakpoint lines\n";

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
}

/// One migration `generate` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub tag: String,
    pub sql: PathBuf,
    pub snapshot: PathBuf,
    /// The file starts with `-- no-transaction` (concurrent index builds and drops; SQLite
    /// table rebuilds, which run their own transaction).
    pub no_transaction: bool,
    /// The file holds one concurrent index build or drop.
    pub concurrent: bool,
}

/// One file to write, before it has a name.
struct Part {
    sql: String,
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
    new: Schema,
    /// The source indexes marked `concurrently` that the dialect builds without it.
    ignored_concurrently: Vec<String>,
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
    let mut parts = parts(args, &states, &renames, &split)?;
    let findings = if args.custom {
        Vec::new()
    } else {
        let changes = split.main.iter().chain(&split.concurrent);
        let sizes = sizes::read(
            args.url.as_deref(),
            &states.config,
            &states.old,
            changes,
            ctx,
        )?;
        lint_split(&states, &split, &sizes)
    };
    annotate(&mut parts, &findings);
    let outcome = write(&states, &name, parts, ctx)?;
    let findings: Vec<Finding> = findings.into_iter().flatten().collect();
    report(&states, left_out, &split, args.custom, &outcome, ctx);
    report_findings(&findings, &outcome, ctx);
    Ok(outcome)
}

/// The files' SQL and snapshots: the main file (or the custom one), then the no-transaction
/// file when there are concurrent index changes; either alone when the other has nothing.
fn parts(
    args: &GenerateArgs,
    states: &States,
    renames: &Renames,
    split: &Split,
) -> Result<Vec<Part>, Error> {
    // Each concurrent change has a no-transaction file of its own (PostgreSQL runs a
    // multi-statement file as one transaction, which CONCURRENTLY refuses). The main file's
    // snapshot is the schema before them, and each file's the schema after it.
    let n = split.concurrent.len();
    let between = |done: usize| concurrent::between(&states.old, &states.new, renames, split, done);
    let steps: Vec<Schema> = if args.custom || n == 0 {
        Vec::new()
    } else {
        let first = usize::from(split.main.is_empty());
        (first..n).map(between).collect()
    };
    let schemas: Vec<&Schema> = if args.custom {
        vec![&states.old]
    } else {
        steps.iter().chain(std::iter::once(&states.new)).collect()
    };
    let prev_id = states
        .history
        .latest
        .as_ref()
        .map_or(ROOT_ID, |(_, s)| s.id.as_str());
    let dialect = states.config.dialect.as_str();
    // The snapshots (hashing and printing the whole schema) are built beside the SQL.
    let (sqls, snapshots) = std::thread::scope(|s| {
        let snapshots = s.spawn(|| chain_snapshots(dialect, prev_id, &schemas));
        let sqls = if args.custom {
            Ok(vec![(CUSTOM_SQL.to_string(), false, false)])
        } else {
            render_split(states, split)
        };
        (
            sqls,
            snapshots
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    });
    Ok(sqls?
        .into_iter()
        .zip(snapshots)
        .map(|((sql, no_transaction, concurrent), snapshot_json)| Part {
            sql,
            snapshot_json,
            no_transaction,
            concurrent,
        })
        .collect())
}

/// The lint findings of each file [`render_split`] writes, in the same order: the main file's
/// (when it has statements), then each no-transaction file's.
fn lint_split(states: &States, split: &Split, sizes: &lint::TableSizes) -> Vec<Vec<Finding>> {
    let mut out = Vec::new();
    if !split.main.is_empty() {
        out.push(lint::lint_sized(
            &states.old,
            &states.new,
            &split.main,
            sizes,
        ));
    }
    for change in &split.concurrent {
        let change = std::slice::from_ref(change);
        out.push(lint::lint_sized(&states.old, &states.new, change, sizes));
    }
    // Where no index can be built without blocking writes, there is nothing to suggest.
    if !states.dialect.supports_concurrent_indexes() {
        for findings in &mut out {
            findings.retain(|f| f.code != lint::INDEX_WITHOUT_CONCURRENTLY);
        }
    }
    out
}

/// Puts each file's findings as `-- lint: ...` comment lines at its top, after the
/// `-- no-transaction` line where there is one (it must stay the first line).
fn annotate(parts: &mut [Part], findings: &[Vec<Finding>]) {
    for (part, findings) in parts.iter_mut().zip(findings) {
        if findings.is_empty() {
            continue;
        }
        let comments: String = findings.iter().map(|f| f.comment() + "\n").collect();
        let first = format!("{NO_TRANSACTION}\n");
        let at = if part.no_transaction && part.sql.starts_with(&first) {
            first.len()
        } else {
            0
        };
        part.sql.insert_str(at, &comments);
    }
}

/// One snapshot per schema, each the parent of the next.
fn chain_snapshots(dialect: &str, prev_id: &str, schemas: &[&Schema]) -> Vec<String> {
    let mut prev = prev_id.to_string();
    schemas
        .iter()
        .map(|schema| {
            let snapshot = Snapshot::new(dialect, &prev, schema);
            prev.clone_from(&snapshot.id);
            snapshot.to_json()
        })
        .collect()
}

/// The main file's SQL, then one no-transaction file per concurrent change, each with whether
/// it runs without a transaction and whether it is a concurrent one; a main file without
/// statements is left out.
fn render_split(states: &States, split: &Split) -> Result<Vec<(String, bool, bool)>, Error> {
    let (old, new) = (&states.old, &states.new);
    let file = |script: render::Script, concurrent: bool| {
        let body = render::migration_sql(&script.statements);
        if script.no_transaction || concurrent {
            (format!("{NO_TRANSACTION}\n{body}"), true, concurrent)
        } else {
            (body, false, false)
        }
    };
    let mut out = Vec::new();
    if !split.main.is_empty() {
        out.push(file(states.dialect.script(&split.main, old, new)?, false));
    }
    for change in &split.concurrent {
        let script = states
            .dialect
            .script(std::slice::from_ref(change), old, new)?;
        out.push(file(script, true));
    }
    Ok(out)
}

fn load(args: &GenerateArgs, ctx: &Context<'_>) -> Result<States, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let Some(dialect) = render::dialect(config.dialect.as_str()) else {
        return Err(Error::UnsupportedDialect {
            dialect: config.dialect,
            config: shown(&config.path, ctx),
        });
    };
    let folder = Folder::new(&config.out, &ctx.cwd);
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
    let ignored_concurrently = ignored_concurrently(&scanned.tables, &new);
    let mut history = history?;
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
        new,
        ignored_concurrently,
    })
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
            .choose(&renames::question_text(&question), &options)
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

/// Writes the parts as consecutive migrations, each in the next free second, all or nothing.
fn write(
    states: &States,
    name: &str,
    parts: Vec<Part>,
    ctx: &Context<'_>,
) -> Result<Outcome, Error> {
    let now_ms = timestamp::unix_millis(ctx.now);
    let first = timestamp::next_free(now_ms / 1000, states.history.latest_taken);
    let mut planned = Vec::new();
    let mut flags = Vec::new();
    for (stamp, part) in (first..).zip(parts) {
        let when = if stamp == now_ms / 1000 {
            now_ms
        } else {
            stamp * 1000
        };
        let tag = if part.concurrent {
            format!(
                "{}_{name}_{CONCURRENT_FILE_SUFFIX}",
                timestamp::format(stamp)
            )
        } else {
            format!("{}_{name}", timestamp::format(stamp))
        };
        planned.push(NewMigration {
            tag,
            when_ms: when,
            sql: part.sql,
            snapshot_json: part.snapshot_json,
        });
        flags.push((part.no_transaction, part.concurrent));
    }
    let tags: Vec<String> = planned.iter().map(|m| m.tag.clone()).collect();
    let journal = states.history.journal.clone();
    let dialect = states.config.dialect.as_str();
    let plan = states.folder.plan_all(planned, dialect, journal);
    let journal = plan.journal_path.clone();
    let migrations = tags
        .into_iter()
        .zip(flags)
        .zip(plan.migrations.iter().cloned())
        .map(
            |((tag, (no_transaction, concurrent)), (sql, snapshot))| Written {
                tag,
                sql,
                snapshot,
                no_transaction,
                concurrent,
            },
        )
        .collect();
    plan.files.commit()?;
    Ok(Outcome::Written {
        migrations,
        journal,
    })
}

/// The indexes of `tables` marked `concurrently` whose index in `new` (the schema as the dialect
/// stores it) is not: the dialect has no concurrent builds and ignores the flag.
fn ignored_concurrently(tables: &[TableDef], new: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for def in tables {
        let table = new.tables.get(&Schema::key(&def.schema, &def.name));
        for index in def.indexes.iter().filter(|i| i.concurrently) {
            // The name resolve gives it: field names become column names.
            let column = |f: &String| match def.fields.iter().find(|d| d.field == *f) {
                Some(field) => field.name.clone(),
                None => f.clone(),
            };
            let columns: Vec<String> = index.columns.iter().map(column).collect();
            let name = match &index.name {
                Some(name) => name.clone(),
                None => naming::index(&def.name, &columns),
            };
            let kept = table
                .and_then(|t| t.indexes.iter().find(|i| i.name == name))
                .is_some_and(|i| i.concurrently);
            if !kept {
                out.push(name);
            }
        }
    }
    out.sort();
    out
}

/// What changed, which changes run without a transaction, and the files written.
fn report(
    states: &States,
    left_out: usize,
    split: &Split,
    custom: bool,
    outcome: &Outcome,
    ctx: &mut Context<'_>,
) {
    let Outcome::Written {
        migrations,
        journal,
    } = outcome
    else {
        return;
    };
    let show = |p: &PathBuf| states.folder.show(p);
    let mut lines = Vec::new();
    if custom {
        if left_out > 0 {
            lines.push(format!(
                "note: the schema sources have {left_out} change(s) this custom migration leaves out; run generate again for them"
            ));
        }
    } else {
        lines.extend(split.main.iter().map(Change::summary));
        lines.extend(
            split
                .concurrent
                .iter()
                .map(|c| format!("{} [no transaction]", c.summary())),
        );
    }
    for m in migrations
        .iter()
        .filter(|m| m.no_transaction && !m.concurrent)
    {
        lines.push(format!(
            "note: {} rebuilds or drops tables, so it starts with {NO_TRANSACTION} and runs its own transaction with foreign-key enforcement off, checking every reference before it commits",
            show(&m.sql)
        ));
    }
    for m in migrations.iter().filter(|m| m.concurrent) {
        lines.push(format!(
            "note: PostgreSQL cannot build or drop an index CONCURRENTLY inside a transaction, \
             so the [no transaction] change(s) are in {}, which starts with {NO_TRANSACTION}",
            show(&m.sql)
        ));
    }
    if !states.ignored_concurrently.is_empty() {
        lines.push(format!(
            "note: {} has no concurrent index builds, so `concurrently` is ignored on {}",
            states.dialect.name(),
            states.ignored_concurrently.join(", ")
        ));
    }
    for m in migrations {
        lines.push(format!("wrote {}", show(&m.sql)));
        lines.push(format!("wrote {}", show(&m.snapshot)));
    }
    lines.push(format!("updated {}", show(journal)));
    if custom {
        for m in migrations {
            lines.push(format!("write your SQL in {}", show(&m.sql)));
        }
    }
    say(ctx, &lines.join("\n"));
}

/// Each finding with its suggestion, after the summary; they are also at the top of the files.
fn report_findings(findings: &[Finding], outcome: &Outcome, ctx: &mut Context<'_>) {
    if findings.is_empty() || *outcome == Outcome::NoChanges {
        return;
    }
    let mut lines = Vec::new();
    for f in findings {
        lines.push(format!("lint: {f}"));
        lines.push(format!("  suggestion: {}", f.suggestion));
    }
    lines.push(
        "review these findings, written at the top of the migration file(s); \
         acknowledge one with a line -- lint:allow <code> in its file"
            .to_string(),
    );
    say(ctx, &lines.join("\n"));
}

fn say(ctx: &mut Context<'_>, text: &str) {
    // A closed stdout must not turn a written migration into a failure.
    let _ = writeln!(ctx.stdout, "{text}");
}

fn shown(path: &std::path::Path, ctx: &Context<'_>) -> String {
    path.strip_prefix(&ctx.cwd)
        .unwrap_or(path)
        .display()
        .to_string()
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
