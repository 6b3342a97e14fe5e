//! The files of one `generate` run: each file's SQL (rendered by the dialect) and snapshot,
//! the lint comments at their tops, and the all-or-nothing write with the journal entry.

use super::concurrent::{self, Split};
use super::downs;
use super::{
    GenerateArgs, Outcome, Part, States, Written, CONCURRENT_FILE_SUFFIX, CUSTOM_SQL,
    CUSTOM_SQL_PLAIN, NO_TRANSACTION,
};
use crate::config::Dialect;
use crate::error::Error;
use crate::folder::{FolderError, NewMigration};
use crate::gate;
use crate::{timestamp, Context};
use schema_core::diff::{Change, Renames};
use schema_core::lint::{self, Finding};
use schema_core::model::Schema;
use schema_core::render;
use schema_core::snapshot::{self, Snapshot, ROOT_ID};

/// The snapshot JSON of the new schema after the latest one, built on a thread of its own
/// while the diff, lint and render run: what a migration without concurrent index changes
/// writes. The thread is not waited for when nothing is written.
pub(super) fn early_snapshot(states: &States) -> std::thread::JoinHandle<String> {
    let dialect = states.config.dialect.as_str().to_string();
    let prev_id = prev_id(states).to_string();
    let schema = std::sync::Arc::clone(&states.new);
    std::thread::spawn(move || snapshot::snapshot_json(&dialect, &prev_id, &schema))
}

fn prev_id(states: &States) -> &str {
    states
        .history
        .latest
        .as_ref()
        .map_or(ROOT_ID, |(_, s)| s.id.as_str())
}

/// The files' SQL and snapshots: the main file (or the custom one), then the no-transaction
/// file when there are concurrent index changes; either alone when the other has nothing.
/// `early` is the new schema's snapshot when [`early_snapshot`] started one.
pub(super) fn parts(
    args: &GenerateArgs,
    states: &States,
    renames: &Renames,
    split: &Split,
    early: Option<std::thread::JoinHandle<String>>,
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
        steps.iter().chain(std::iter::once(&*states.new)).collect()
    };
    let prev_id = prev_id(states);
    let dialect = states.config.dialect.as_str();
    // The snapshots (hashing and printing the whole schema) are built beside the SQL.
    let (sqls, snapshots) = std::thread::scope(|s| {
        let snapshots = s.spawn(|| match early {
            Some(early) if schemas.len() == 1 && !args.custom => {
                vec![early
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))]
            }
            _ => chain_snapshots(dialect, prev_id, &schemas),
        });
        let sqls = if args.custom {
            Ok(vec![(custom_sql(states.dialect).to_string(), false, false)])
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
    let downs = down_sqls(args, states, renames, split, &schemas)?;
    Ok(sqls?
        .into_iter()
        .zip(snapshots)
        .zip(downs)
        .map(
            |(((sql, no_transaction, concurrent), snapshot_json), (down_sql, down_findings))| {
                Part {
                    sql,
                    down_sql,
                    down_findings,
                    snapshot_json,
                    no_transaction,
                    concurrent,
                }
            },
        )
        .collect())
}

/// Each file's down ([`downs::down_sql`]): from its schema (`schemas`, one per file) back to the
/// one before it; the hand-written placeholder for `--custom`.
fn down_sqls(
    args: &GenerateArgs,
    states: &States,
    renames: &Renames,
    split: &Split,
    schemas: &[&Schema],
) -> Result<Vec<(String, Vec<Finding>)>, Error> {
    if args.custom {
        let sql = downs::custom_down_sql(states.dialect).to_string();
        return Ok(vec![(sql, Vec::new())]);
    }
    let none = Renames::default();
    let main = (!split.main.is_empty()).then_some(split.main.as_slice());
    let ups = main.into_iter().map(|up| (up, false)).chain(
        split
            .concurrent
            .iter()
            .map(|c| (std::slice::from_ref(c), true)),
    );
    let mut previous: &Schema = &states.old;
    let mut out = Vec::new();
    for (i, ((up, concurrent), own)) in ups.zip(schemas).enumerate() {
        let step = downs::Step {
            previous,
            own,
            up,
            // Only the first file renames: the later ones each build or drop one index.
            renames: if i == 0 { renames } else { &none },
            concurrent,
        };
        out.push(downs::down_sql(states.config.dialect, &step)?);
        previous = own;
    }
    Ok(out)
}

/// The lint findings of each file [`render_split`] writes, in the same order: the main file's
/// (when it has statements), then each no-transaction file's.
pub(super) fn lint_split(
    states: &States,
    split: &Split,
    sizes: &lint::TableSizes,
) -> Vec<Vec<Finding>> {
    // The findings say what each change costs on this dialect (locks, or a table rebuild).
    let costs = lint::Costs::of(states.dialect);
    let lint =
        |changes: &[Change]| lint::lint_sized_with(&states.old, &states.new, changes, sizes, costs);
    let mut out = Vec::new();
    if !split.main.is_empty() {
        out.push(lint(&split.main));
    }
    for change in &split.concurrent {
        out.push(lint(std::slice::from_ref(change)));
    }
    out
}

/// Puts each file's findings as `-- lint: ...` comment lines at its top, after the
/// `-- no-transaction` line where there is one (it must stay the first line): the change
/// list's `findings` merged with what the gate reads in the file's statements
/// ([`gate::annotated`]), so the review text and the gate agree. Returns the findings
/// written, one list per part.
pub(super) fn annotate(
    parts: &mut [Part],
    (split, findings): (&Split, Vec<Vec<Finding>>),
    dialect: Dialect,
) -> Vec<Vec<Finding>> {
    let mut listed = findings.into_iter();
    let mut written = Vec::new();
    // Each part's changes, in the order of the parts (as [`lint_split`] gives the findings).
    let main = (!split.main.is_empty()).then_some(split.main.as_slice());
    let mut changes = main
        .into_iter()
        .chain(split.concurrent.iter().map(std::slice::from_ref));
    for part in parts.iter_mut() {
        let changes = changes.next().unwrap_or_default();
        let listed = listed.next().unwrap_or_default();
        let (sql, findings) = gate::annotated(dialect, &part.sql, changes, listed);
        part.sql = sql;
        written.push(findings);
    }
    written
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

/// The body of a `--custom` migration in `dialect`'s file format.
fn custom_sql(dialect: &dyn render::Dialect) -> &'static str {
    if dialect.statement_breakpoints() {
        CUSTOM_SQL
    } else {
        CUSTOM_SQL_PLAIN
    }
}

/// The main file's SQL, then one no-transaction file per concurrent change, each with whether
/// it runs without a transaction and whether it is a concurrent one; a main file without
/// statements is left out.
fn render_split(states: &States, split: &Split) -> Result<Vec<(String, bool, bool)>, Error> {
    let (old, new) = (&states.old, &states.new);
    let file = |script: render::Script, concurrent: bool| {
        let body = render::file_sql(states.dialect, &script.statements);
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

/// Refuses `count` migrations from second `first` on when the last would not be a valid
/// `YYYYMMDDHHMMSS` timestamp (after the year 9999), naming what holds the newest stamp.
fn no_later_tag(states: &States, first: u64, count: usize) -> Result<(), Error> {
    let last = first.saturating_add(u64::try_from(count.saturating_sub(1)).unwrap_or(u64::MAX));
    if last <= timestamp::LATEST {
        return Ok(());
    }
    let history = &states.history;
    Err(FolderError::NoLaterTag {
        stamp: history
            .latest_taken
            .map_or_else(String::new, timestamp::format),
        by: history.latest_taken_by.clone().unwrap_or_default(),
    }
    .into())
}

/// Writes the parts as consecutive migrations, each in the next free second, all or nothing;
/// with `dry_run`, only says what it would write.
pub(super) fn write(
    states: &States,
    name: &str,
    parts: Vec<Part>,
    dry_run: bool,
    ctx: &Context<'_>,
) -> Result<Outcome, Error> {
    let now_ms = timestamp::unix_millis(ctx.now);
    let first = timestamp::next_free(now_ms / 1000, states.history.latest_taken);
    no_later_tag(states, first, parts.len())?;
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
            breakpoints: states.dialect.statement_breakpoints(),
            down_sql: Some(part.down_sql),
        });
        flags.push((part.no_transaction, part.concurrent));
    }
    let tags: Vec<String> = planned.iter().map(|m| m.tag.clone()).collect();
    let (sql, down_sql): (Vec<String>, Vec<String>) = match dry_run {
        true => planned
            .iter()
            .map(|m| (m.sql.clone(), m.down_sql.clone().unwrap_or_default()))
            .unzip(),
        false => Default::default(),
    };
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
                down: states.folder.down_path(&tag),
                tag,
                sql,
                snapshot,
                no_transaction,
                concurrent,
            },
        )
        .collect();
    if dry_run {
        return Ok(Outcome::Reviewed {
            migrations,
            journal,
            sql,
            down_sql,
        });
    }
    plan.files.commit()?;
    Ok(Outcome::Written {
        migrations,
        journal,
    })
}
