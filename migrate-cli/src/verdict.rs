//! The one decision `check`, `migrate` and `migrate --dry-run` share: what is wrong with the
//! folder and with the database's history, and the lint findings of the pending migrations
//! (with the database's row counts), each problem with its kind and message, so the three
//! commands cannot disagree.
//!
//! `check` gates on every problem of the folder; `migrate` ([`Scope::Migrate`]) on those about
//! the migrations it runs ([`MIGRATE_FOLDER_KINDS`]): a snapshot `generate` cannot read does
//! not make a migration unsafe to apply. `check` adds what only it compares (the source with
//! the latest snapshot, the live schema with the last applied snapshot).

use crate::config::Config;
use crate::database::{self, Target};
use crate::error::Error;
use crate::folder::history::{Fork, History, Migration};
use crate::folder::Folder;
use crate::gate;
use crate::history::{show, Entry, State};
use schema_core::lint::{self, Severity};
use schema_core::model::Schema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The folder problems that also stop `migrate`: journal entries whose SQL file is missing,
/// and forked histories.
pub const MIGRATE_FOLDER_KINDS: &[&str] = &["missing-file", "forked-history"];

/// A lint finding of a migration file, as the verdict reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: String,
    pub severity: String,
    /// The migration's tag: `20260101000000_drop_comments`.
    pub migration: String,
    /// The down file (`migrations/<tag>.down.sql`, as the user would type it) for a finding of
    /// a migration's down, which text names by it; absent for the up file's findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line of the statement in the migration file, when a statement gives the finding
    /// (`null` in JSON for a finding only a `-- lint:` comment line gives).
    pub line: Option<usize>,
    pub object: String,
    pub message: String,
    /// The code's suggestion on the config's dialect: migration files keep only the message
    /// ([`lint::parse_comment_with`]).
    pub suggestion: String,
}

/// Something wrong with the folder, the source or the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `source-changed`, `forked-history`, `out-of-order`, `broken-chain`, `missing-file`, ...
    pub kind: String,
    pub message: String,
}

impl Problem {
    pub fn new(kind: &str, message: String) -> Problem {
        Problem {
            kind: kind.to_string(),
            message,
        }
    }
}

/// What was found, and whether it fails.
#[derive(Debug, Default, Serialize)]
pub struct Verdict {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    /// How many findings fail (errors, and warnings under `--deny warnings`).
    #[serde(skip)]
    pub failing: usize,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.failing == 0
    }

    /// How many findings are `misplaced-no-transaction`, which always fail: no allow line or
    /// flag makes sqlx read a `-- no-transaction` line that is not the first.
    pub fn misplaced(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.code == lint::MISPLACED_NO_TRANSACTION)
            .count()
    }

    /// Whether failing findings that `-- lint:allow` (or `migrate --allow-lint-errors`) could
    /// accept remain.
    pub fn unreviewed(&self) -> bool {
        self.failing > self.misplaced()
    }
}

/// Who asks: `check` gates on every folder problem, `migrate` on [`MIGRATE_FOLDER_KINDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Check,
    Migrate,
}

/// What the user allowed with flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules {
    /// `--allow-out-of-order`: a pending migration older than the newest applied one is fine.
    pub allow_out_of_order: bool,
    /// `migrate --allow-lint-errors`: findings are listed but fail nothing, except
    /// `misplaced-no-transaction` (the file would fail inside sqlx's transaction).
    pub allow_lint_errors: bool,
    /// `check --deny warnings`.
    pub deny_warnings: bool,
}

/// The database's side: its name in messages, and every migration's state there.
#[derive(Debug, Clone, Copy)]
pub struct Database<'a> {
    pub what: &'a str,
    pub target: &'a Target,
    pub entries: &'a [Entry],
}

impl Database<'_> {
    /// The versions applied successfully.
    pub fn applied(&self) -> BTreeSet<i64> {
        self.entries
            .iter()
            .filter(|e| e.state == State::Applied)
            .map(|e| e.version)
            .collect()
    }
}

/// Everything the verdict reads.
pub struct Input<'a> {
    pub config: &'a Config,
    pub folder: &'a Folder,
    pub history: &'a History,
    pub database: Option<Database<'a>>,
    pub scope: Scope,
    pub cwd: &'a Path,
    /// `check --since`: the migration files added or modified since a git ref; only those gate
    /// on lint.
    pub since: Option<&'a BTreeSet<String>>,
}

/// The verdict on `input` under `rules`: the folder's problems, the database's, then the lint
/// findings of the migrations the database has not applied (every one without a database),
/// with its row counts.
pub fn judge(input: &Input<'_>, rules: Rules) -> Result<Verdict, Error> {
    let mut verdict = Verdict {
        problems: folder_problems(input),
        ..Verdict::default()
    };
    if let Some(db) = &input.database {
        let out = show(input.cwd, &input.config.out);
        verdict.problems.extend(database_problems(
            db.entries, db.what, &out, input.cwd, rules,
        ));
    }
    // Applied migrations are history: only pending ones gate, and with `--since` only those
    // added since the ref. So are adopted sqlx-cli migrations, wherever they are applied.
    let applied = input.database.map(|d| d.applied()).unwrap_or_default();
    let gated = |m: &Migration| {
        !m.adopted
            && !m.version().is_some_and(|v| applied.contains(&v))
            && input
                .since
                .is_none_or(|added| added.contains(&format!("{}.sql", m.tag)))
    };
    let sizes = input.database.map(|d| (d.target, input.config));
    let downs = input.scope == Scope::Check;
    lint_findings(
        (input.history, input.folder, input.config.dialect),
        (gated, downs),
        rules.deny_warnings,
        sizes,
        &mut verdict,
    )?;
    if rules.allow_lint_errors {
        verdict.failing = verdict.misplaced();
    }
    Ok(verdict)
}

/// locking warnings get its row counts (and are errors on large tables). With `downs`
/// (`check`), the unacknowledged errors of each one's down file too
/// ([`gate::down_unacknowledged`], named by the down file), and `missing-down` for one
/// without a down.
fn lint_findings(
    (history, folder, dialect): (&History, &Folder, crate::config::Dialect),
    (gated, downs): (impl Fn(&Migration) -> bool, bool),
    deny_warnings: bool,
    database: Option<(&database::Target, &Config)>,
    report: &mut Verdict,
) -> Result<(), Error> {
    let (mut at, mut found) = (Vec::new(), Vec::new());
    let empty = Schema::default();
    // Each snapshot's migration by id, so a migration finds its parent (its `prevId`) at once.
    let by_id: BTreeMap<&str, usize> = history
        .migrations
        .iter()
        .enumerate()
        .filter_map(|(i, m)| Some((m.snapshot.as_ref()?.id.as_str(), i)))
        .collect();
    for (i, m) in history
        .migrations
        .iter()
        .enumerate()
        .filter(|(_, m)| gated(m))
    {
        let Some(sql) = &m.sql else { continue };
        // The parent snapshot (the empty schema before the first) and this one's, when both
        // can be read: the change list's findings then need no comment line. The parent is the
        // snapshot this one follows (its `prevId`), not the one before it in the journal: after
        // a merge of two branches those differ.
        let previous = match m.snapshot.as_ref().map(|s| s.prev_id.as_str()) {
            Some(schema_core::snapshot::ROOT_ID) => Some(std::borrow::Cow::Borrowed(&empty)),
            Some(prev) => by_id.get(prev).and_then(|&p| history.schema(p)),
            None => None,
        };
        let own = history.schema(i);
        let snapshots = previous.as_deref().zip(own.as_deref());
        for f in gate::unacknowledged_with(dialect, sql, snapshots) {
            at.push((m.tag.clone(), None, f.line));
            found.push(f.finding);
        }
        if downs {
            let snapshots = own.as_deref().zip(previous.as_deref());
            // Named by its down file, when there is one.
            let file = m.down_sql.as_ref().map(|_| folder.show(&m.down_path));
            for f in down_findings(m, dialect, snapshots) {
                at.push((m.tag.clone(), file.clone(), f.line));
                found.push(f.finding);
            }
        }
    }
    if let Some((target, config)) = database {
        let costs = lint::Costs::of(config.dialect.renderer());
        let sizes = crate::sizes::for_findings(target, config, &found, costs)?;
        lint::apply_sizes(&mut found, &sizes);
    }
    for ((tag, file, line), f) in at.into_iter().zip(found) {
        if f.severity == Severity::Error || deny_warnings {
            report.failing += 1;
        }
        report.findings.push(Finding {
            code: f.code.to_string(),
            severity: f.severity.to_string(),
            migration: tag,
            file,
            line,
            object: f.object,
            message: f.message,
            suggestion: f.suggestion,
        });
    }
    Ok(())
}

/// The unacknowledged findings of `m`'s down file with its `snapshots` (its own, the previous
/// one's); `missing-down` when it has none, or one without statements.
fn down_findings(
    m: &Migration,
    dialect: crate::config::Dialect,
    snapshots: Option<gate::DownSnapshots<'_>>,
) -> Vec<gate::FileFinding> {
    let missing = |why: String| {
        vec![gate::FileFinding {
            line: None,
            finding: lint::Finding {
                code: lint::MISSING_DOWN,
                severity: Severity::Warning,
                object: m.tag.clone(),
                message: why,
                suggestion: lint::suggestion_for(lint::MISSING_DOWN).replace("<tag>", &m.tag),
            },
        }]
    };
    match &m.down_sql {
        // A down the journal lists but the folder lacks is `missing-down-file`, a problem.
        None if m.has_down => Vec::new(),
        None => missing(format!(
            "migration {} has no down file, so it cannot be reverted",
            m.tag
        )),
        Some(sql) if gate::down_is_empty(sql) => missing(format!(
            "the down file of migration {} has no statements, so it cannot be reverted",
            m.tag
        )),
        // Only errors: a down's warnings (its drops of what the up created, the locks it
        // takes) are written at its top and shown by `revert`; listing them here would warn
        // on every migration that creates something.
        Some(sql) => gate::down_unacknowledged(dialect, sql, snapshots)
            .into_iter()
            .filter(|f| f.finding.severity == Severity::Error)
            .collect(),
    }
}

/// The folder's problems `input.scope` gates on, forks worded with what the database applied.
fn folder_problems(input: &Input<'_>) -> Vec<Problem> {
    let history = input.history;
    let mut problems: Vec<Problem> = history
        .problems
        .iter()
        .filter(|p| input.scope == Scope::Check || MIGRATE_FOLDER_KINDS.contains(&p.kind.as_str()))
        .cloned()
        .collect();
    for fork in &history.forks {
        problems.push(fork_problem(input.folder, history, fork, input.database));
    }
    problems
}

/// A fork, with advice: which of the two to regenerate, and why.
pub fn fork_problem(
    folder: &Folder,
    history: &History,
    fork: &Fork,
    database: Option<Database<'_>>,
) -> Problem {
    let (first, later) = (
        &history.migrations[fork.first],
        &history.migrations[fork.later],
    );
    let overlap = match fork.common.is_empty() {
        true => "their changes touch different objects, so regenerating is mechanical".to_string(),
        false => format!(
            "their changes touch the same objects ({}): decide how they combine before regenerating",
            fork.common.join(", ")
        ),
    };
    let regenerate = |m: &Migration, other: &str| {
        format!(
            "regenerate {} on top of {other}: delete {}, {} and its journal entry, then run generate",
            m.tag,
            folder.show(&m.sql_path),
            folder.show(&m.snapshot_path),
        )
    };
    let applied = database.map(|d| (d.what, d.applied()));
    let is_applied =
        |m: &Migration, set: &BTreeSet<i64>| m.version().is_some_and(|v| set.contains(&v));
    let advice = match &applied {
        None => format!(
            "resolve it by regenerating the later one, which is the less likely to be applied anywhere yet (pass --url to ask a database which one it has not applied): {}",
            regenerate(later, &first.tag)
        ),
        Some((what, set)) => match (is_applied(first, set), is_applied(later, set)) {
            (true, false) | (false, false) => format!(
                "{what} has not applied {}, so resolve it by regenerating that one: {}",
                later.tag,
                regenerate(later, &first.tag)
            ),
            (false, true) => format!(
                "{what} has applied {} but not {}, so resolve it by regenerating {1}, not the later one: {}",
                later.tag,
                first.tag,
                regenerate(first, &later.tag)
            ),
            (true, true) => format!(
                "{what} has applied both, so keep both files (deleting either would leave {what} with a migration the folder lacks) and regenerate one of them only where no database has applied it"
            ),
        },
    };
    Problem::new(
        "forked-history",
        format!(
            "migrations {} and {} both follow {} (prevId {}), as when two branches each generated a migration and were merged; {overlap}; {advice}",
            first.tag, later.tag, fork.parent, fork.prev,
        ),
    )
}

/// The database's history against the folder: applied migrations that changed, vanished or
/// failed, and (unless `rules` allow it) pending migrations older than the newest applied one.
pub fn database_problems(
    entries: &[Entry],
    what: &str,
    out: &str,
    cwd: &Path,
    rules: Rules,
) -> Vec<Problem> {
    let file = |e: &Entry| match &e.file {
        Some(f) => show(cwd, f),
        None => format!("{out}/{}_{}.sql", e.version, e.name),
    };
    let mut problems = Vec::new();
    for e in entries {
        let at = e.applied_at.as_deref().unwrap_or("?");
        let (v, file) = (e.version, file(e));
        let message = match e.state {
            State::Modified => format!("migration {v} ({file}) changed since it was applied on {what} ({at}): restore the applied version from version control and put the change in a new migration, or, when the database already holds what the file now says, run `migrate-cli repair --checksum {v}` to record the file as it is"),
            State::Missing => format!("migration {v} ({file}) was applied on {what} ({at}) but is missing from {out}: restore the file from version control"),
            State::Failed => format!("migration {v} ({file}) is recorded as failed in _sqlx_migrations on {what}: {}", crate::history::failed_advice(v)),
            State::Applied | State::Pending => continue,
        };
        problems.push(Problem::new(e.state.as_str(), message));
    }
    if !rules.allow_out_of_order {
        problems.extend(out_of_order(entries, what, &file));
    }
    problems
}

/// Pending migrations older than the newest applied one.
fn out_of_order(entries: &[Entry], what: &str, file: &dyn Fn(&Entry) -> String) -> Vec<Problem> {
    let newest = entries
        .iter()
        .filter(|e| e.state != State::Pending)
        .max_by_key(|e| e.version);
    let Some(newest) = newest else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|e| e.state == State::Pending && e.version < newest.version)
        .map(|e| {
            Problem::new(
                "out-of-order",
                format!(
                    "migration {} ({}) is pending but older than migration {} ({}), which {what} has applied: it was merged after the newer one was deployed, so it would run after changes written later than it; check that it does not conflict with them, then run migrate --allow-out-of-order (check --allow-out-of-order), or delete it and generate it again so it comes last",
                    e.version,
                    file(e),
                    newest.version,
                    file(newest),
                ),
            )
        })
        .collect()
}

/// The verdict as text, one line per finding (with its suggestion) and per problem.
pub fn lines(verdict: &Verdict) -> Vec<String> {
    let mut lines = Vec::new();
    for f in &verdict.findings {
        let at = f.line.map_or(String::new(), |l| format!(":{l}"));
        let name = f.file.as_deref().unwrap_or(&f.migration);
        lines.push(format!(
            "{name}{at}: {} {} {}: {}",
            f.severity, f.code, f.object, f.message
        ));
        if !f.suggestion.is_empty() {
            lines.push(format!("  suggestion: {}", f.suggestion));
        }
    }
    // A misplaced `-- no-transaction` has its suggestion (move the line) and no acknowledgement;
    // nor has `missing-down`, which only a down file answers.
    let missing_down = verdict
        .findings
        .iter()
        .filter(|f| f.code == lint::MISSING_DOWN)
        .count();
    if verdict.findings.len() > verdict.misplaced() + missing_down {
        let but = match (verdict.misplaced(), missing_down) {
            (0, 0) => "",
            (_, 0) => " (all but misplaced-no-transaction, which only moving the line fixes)",
            (0, _) => " (all but missing-down, which only a down file answers)",
            _ => " (all but misplaced-no-transaction, which only moving the line fixes, and missing-down, which only a down file answers)",
        };
        lines.push(format!(
            "  acknowledge a reviewed finding{but} with a line `-- lint:allow <code>` among the comment lines at the top of its migration file (below `-- no-transaction`, which must stay the first line)"
        ));
    }
    for p in &verdict.problems {
        lines.push(format!("{}: {}", p.kind, p.message));
    }
    lines
}

/// Why a verdict refuses, in a few words each: `the history is forked; ...`.
pub fn reasons(verdict: &Verdict, out: &str) -> String {
    let mut reasons: Vec<String> = Vec::new();
    let mut add = |reason: String| {
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    };
    for p in &verdict.problems {
        add(match p.kind.as_str() {
            "modified" | "missing" | "failed" => format!("the applied history differs from {out}"),
            "forked-history" => "the history is forked".to_string(),
            "out-of-order" => {
                "a pending migration is older than the newest applied one".to_string()
            }
            "missing-file" => "the journal lists migrations whose files are missing".to_string(),
            _ => format!("{out} is inconsistent"),
        });
    }
    if verdict.misplaced() > 0 {
        add("a `-- no-transaction` line is not the first line of its file".to_string());
    }
    if verdict.unreviewed() {
        add("pending migrations have lint errors nobody acknowledged".to_string());
    }
    reasons.join("; ")
}
