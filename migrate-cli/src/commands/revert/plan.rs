//! What `revert` would do, decided before anything runs: the applied migrations to revert,
//! newest first, each with its down file (`<out>/<tag>.down.sql`, which sqlx reads as the
//! `ReversibleDown` of that version) and the down's lint findings, and every reason to refuse.

use crate::backend::AppliedRow;
use crate::config::Config;
use crate::folder::history::{self, Depth, History};
use crate::folder::Folder;
use crate::gate::{self, FileFinding};
use crate::history::{compare, show, Entry, Local, State};
use schema_core::lint::Severity;
use schema_core::model::Schema;
use sqlx::migrate::{Migration, MigrationType};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One applied migration to revert.
#[derive(Debug, Clone)]
pub struct Step {
    pub version: i64,
    /// Its up file as the user would type it, or `<version>` when the folder lacks it.
    pub up: String,
    /// Its down file (`<out>/<tag>.down.sql`), as the user would type it.
    pub down_file: String,
    /// The down as sqlx reads it, when the file is there.
    pub down: Option<Migration>,
    /// The down's findings that no `-- lint:allow` line acknowledges.
    pub findings: Vec<FileFinding>,
}

impl Step {
    /// Its unacknowledged lint errors.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Error)
            .count()
    }
}

/// The migrations to revert and the reasons to refuse.
#[derive(Debug, Default)]
pub struct Plan {
    /// Newest first.
    pub steps: Vec<Step>,
    pub reasons: Vec<String>,
    /// Some reason is a lint error (the refusal then says how to acknowledge it).
    pub lint: bool,
}

impl Plan {
    /// Adds the downs' unacknowledged lint errors to the reasons, unless `allow_lint_errors`.
    pub fn judge_lint(&mut self, allow_lint_errors: bool) {
        if allow_lint_errors {
            return;
        }
        for step in &self.steps {
            let errors = step
                .findings
                .iter()
                .filter(|f| f.finding.severity == Severity::Error);
            for f in errors {
                self.lint = true;
                self.reasons.push(finding_line(&step.down_file, f));
            }
        }
    }

    /// The findings of every down, in order, for table sizes to be applied to
    /// ([`Plan::set_findings`] puts them back).
    pub fn findings(&self) -> Vec<schema_core::lint::Finding> {
        let all = self.steps.iter().flat_map(|s| &s.findings);
        all.map(|f| f.finding.clone()).collect()
    }

    /// Puts back the findings [`Plan::findings`] gave, changed.
    pub fn set_findings(&mut self, findings: Vec<schema_core::lint::Finding>) {
        let mut findings = findings.into_iter();
        for f in self.steps.iter_mut().flat_map(|s| &mut s.findings) {
            if let Some(changed) = findings.next() {
                f.finding = changed;
            }
        }
    }
}

/// Where the down of the up file `up` lies: `<tag>.sql` → `<tag>.down.sql`.
pub fn down_path(up: &Path) -> PathBuf {
    let name = up.file_name().map(|n| n.to_string_lossy().into_owned());
    let tag = name.as_deref().and_then(|n| n.strip_suffix(".sql"));
    let tag = tag.map(|t| t.strip_suffix(".up").unwrap_or(t));
    match tag {
        Some(tag) => up.with_file_name(format!("{tag}.down.sql")),
        None => up.with_extension("down.sql"),
    }
}

/// The down of `local` as sqlx reads it (its `-- no-transaction` first line included), or why
/// it cannot be read; `Ok(None)` when there is no down file.
fn read_down(local: &Local) -> Result<Option<Migration>, String> {
    let path = down_path(&local.file);
    let sql = match std::fs::read_to_string(&path) {
        Ok(sql) => sql,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let no_tx = sql.starts_with("-- no-transaction");
    let m = &local.migration;
    let kind = MigrationType::ReversibleDown;
    Ok(Some(Migration::new(
        m.version,
        m.description.clone(),
        kind,
        sql.into(),
        no_tx,
    )))
}

/// What was asked for: the newest applied migration, or every one newer than a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Newest,
    To(i64),
}

/// Decides what `revert` does on a database with `applied` rows (`what` names it): the steps
/// with their downs' findings, and every reason to refuse but lint ([`Plan::judge_lint`]).
pub fn plan(
    config: &Config,
    cwd: &Path,
    (local, applied): (&[Local], &[AppliedRow]),
    ask: Ask,
    what: &str,
) -> Plan {
    let mut plan = Plan::default();
    let entries = compare(local, applied);
    let out = show(cwd, &config.out);
    for e in entries.iter().filter(|e| e.state == State::Failed) {
        plan.reasons.push(format!(
            "migration {} is recorded as failed on {what}: {}; revert undoes only migrations that were applied whole",
            e.version,
            crate::history::failed_advice(e.version)
        ));
    }
    let mut done: Vec<_> = entries
        .iter()
        .filter(|e| matches!(e.state, State::Applied | State::Modified | State::Missing))
        .collect();
    done.reverse();
    let chosen: Vec<_> = match ask {
        Ask::Newest => done.into_iter().take(1).collect(),
        Ask::To(to) => done.into_iter().filter(|e| e.version > to).collect(),
    };
    let by_version: BTreeMap<i64, &Local> =
        local.iter().map(|l| (l.migration.version, l)).collect();
    let judge = Judge {
        config,
        cwd,
        what,
        snapshots: Snapshots::new(config, cwd),
    };
    for e in chosen {
        let step = match by_version.get(&e.version) {
            Some(l) => judge.step(e, l, &mut plan),
            None => {
                plan.reasons.push(format!(
                    "migration {} ({}) is applied on {what} but its file is missing from {out}: restore it and its down file from version control",
                    e.version, e.name
                ));
                Step {
                    version: e.version,
                    up: e.version.to_string(),
                    down_file: String::new(),
                    down: None,
                    findings: Vec::new(),
                }
            }
        };
        plan.steps.push(step);
    }
    plan
}

/// What judging one migration to revert needs.
struct Judge<'a> {
    config: &'a Config,
    cwd: &'a Path,
    what: &'a str,
    snapshots: Snapshots,
}

impl Judge<'_> {
    /// The step that reverts the applied migration `e` of file `l`, its reasons to refuse
    /// added to `plan`.
    fn step(&self, e: &Entry, l: &Local, plan: &mut Plan) -> Step {
        let (what, cwd) = (self.what, self.cwd);
        let up = show(cwd, &l.file);
        let down_file = show(cwd, &down_path(&l.file));
        if e.state == State::Modified {
            plan.reasons.push(format!(
                "{up} changed since it was applied on {what} (the checksums differ): its down undoes the file as it is, not what ran; restore the applied version of the file (or, when only a comment changed, run `migrate-cli repair --checksum {}`)",
                e.version
            ));
        }
        if self.snapshots.is_baseline(e.version) {
            // Its down drops the schema that existed before the tool; `verify` still runs it,
            // on a scratch database only.
            plan.reasons.push(format!(
                "{up} is the baseline (the schema that existed before migrate-cli): revert never runs its down {down_file}, which would drop that whole schema; roll forward instead: change the structs and run generate to write a new migration (`--to {}` reverts only the migrations after it)",
                e.version
            ));
            return Step {
                version: e.version,
                up,
                down_file,
                down: None,
                findings: Vec::new(),
            };
        }
        let down = match read_down(l) {
            Ok(Some(down)) => down,
            Ok(None) => {
                plan.reasons.push(format!(
                    "{up} has no down file {down_file}: write it by hand (SQL that takes the database back to the schema before this migration), or roll forward instead: fix the struct and run generate"
                ));
                return Step {
                    version: e.version,
                    up,
                    down_file,
                    down: None,
                    findings: Vec::new(),
                };
            }
            Err(error) => {
                plan.reasons
                    .push(format!("cannot read {down_file}: {error}"));
                return Step {
                    version: e.version,
                    up,
                    down_file,
                    down: None,
                    findings: Vec::new(),
                };
            }
        };
        if gate::down_is_empty(&down.sql) {
            // `check` calls it `missing-down`; running it would only delete the row.
            plan.reasons.push(format!(
                "{up} cannot be reverted: its down file {down_file} has no statements: write the way back by hand (it was generated empty by generate --custom)"
            ));
        }
        let reversed = self.snapshots.reversed(e.version);
        let reversed = reversed
            .as_ref()
            .map(|(own, prev)| (own.as_ref(), prev.as_ref()));
        // The gate `check` applies to downs, with the snapshots reversed (own, then previous).
        let findings = gate::down_unacknowledged(self.config.dialect, &down.sql, reversed);
        Step {
            version: e.version,
            up,
            down_file,
            down: Some(down),
            findings,
        }
    }
}

/// A finding as one line: `migrations/x.down.sql:3: error drop-table accounts: ...`.
pub fn finding_line(file: &str, f: &FileFinding) -> String {
    let at = f.line.map_or(String::new(), |l| format!(":{l}"));
    let f = &f.finding;
    format!(
        "{file}{at}: {} {} {}: {}",
        f.severity, f.code, f.object, f.message
    )
}

/// The folder's snapshots, read when a down is linted.
struct Snapshots {
    history: History,
    empty: Schema,
}

impl Snapshots {
    fn new(config: &Config, cwd: &Path) -> Snapshots {
        let folder = Folder::new(&config.out, cwd);
        Snapshots {
            history: history::read_with(&folder, config.dialect.as_str(), Depth::Heads),
            empty: Schema::default(),
        }
    }

    /// The journal lists migration `version` as the baseline.
    fn is_baseline(&self, version: i64) -> bool {
        let h = &self.history.migrations;
        h.iter().any(|m| m.baseline && m.version() == Some(version))
    }

    /// The schema of migration `version`'s snapshot and of the snapshot it follows (the empty
    /// schema before the first), in that order: what its down goes from and to.
    fn reversed(&self, version: i64) -> Option<(Cow<'_, Schema>, Cow<'_, Schema>)> {
        let h = &self.history;
        let i = h
            .migrations
            .iter()
            .position(|m| m.version() == Some(version))?;
        let own = h.schema(i)?;
        let prev_id = h.migrations[i].snapshot.as_ref()?.prev_id.as_str();
        let previous = match prev_id {
            schema_core::snapshot::ROOT_ID => Cow::Borrowed(&self.empty),
            prev => {
                let p = h
                    .migrations
                    .iter()
                    .position(|m| m.snapshot.as_ref().is_some_and(|s| s.id == prev))?;
                h.schema(p)?
            }
        };
        Some((own, previous))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_down_file_lies_beside_its_up_file() {
        let up = Path::new("migrations/20260101000000_init.sql");
        assert_eq!(
            down_path(up),
            Path::new("migrations/20260101000000_init.down.sql")
        );
        let up = Path::new("m/1_x.up.sql");
        assert_eq!(down_path(up), Path::new("m/1_x.down.sql"));
    }
}
