//! The folder as `check` and `migrate` read it: every journal entry with its SQL and snapshot,
//! and what is wrong with the folder (missing, stray or corrupt files, a broken snapshot chain,
//! a fork: [`Fork`], which [`crate::verdict`] words with what a database has applied).

use super::{Folder, FolderError, UnlistedKind};
use crate::timestamp;
use crate::verdict::Problem;
use schema_core::diff::{self, Change};
use schema_core::model::Schema;
use schema_core::snapshot::{snapshot_id, Journal, JournalEntry, Snapshot, ROOT_ID};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

/// One journal entry and what the folder holds for it.
#[derive(Debug)]
pub struct Migration {
    pub tag: String,
    pub sql_path: PathBuf,
    pub sql: Option<String>,
    pub snapshot_path: PathBuf,
    pub snapshot: Option<Snapshot>,
    /// The journal says the migration has a down file (`"down": true`).
    pub has_down: bool,
    /// `<tag>.down.sql`.
    pub down_path: PathBuf,
    /// Its text, when the file is there and could be read (listed in the journal or not).
    pub down_sql: Option<String>,
    /// A sqlx-cli migration `baseline` adopted (`"adopted": true`): history, which the lint
    /// gate leaves out, since its file cannot change without changing its checksum.
    pub adopted: bool,
    /// The baseline `baseline` wrote (`"baseline": true`): the schema that existed before the
    /// tool, which `revert` never undoes (its down is kept for `verify`).
    pub baseline: bool,
}

impl Migration {
    /// The sqlx version: the tag's number before its first `_`.
    pub fn version(&self) -> Option<i64> {
        version_of(&self.tag)
    }
}

/// The sqlx version of migration `tag`: its number before its first `_`.
pub fn version_of(tag: &str) -> Option<i64> {
    tag.split('_').next()?.parse().ok()
}

/// Two migrations that follow the same snapshot (the same `prevId`): two branches each
/// generated one and were merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    /// The earlier one in the journal, by index into [`History::migrations`].
    pub first: usize,
    /// The later one.
    pub later: usize,
    /// The `prevId` both have.
    pub prev: String,
    /// What they follow: `migration 20260101000000_init`, `the empty schema`.
    pub parent: String,
    /// The objects both change (`public.accounts`), sorted; empty when they touch different ones.
    pub common: Vec<String>,
}

/// The migrations in journal order and the problems found reading them.
#[derive(Debug, Default)]
pub struct History {
    pub migrations: Vec<Migration>,
    /// Everything wrong with the folder but its forks.
    pub problems: Vec<Problem>,
    pub forks: Vec<Fork>,
    /// False when the journal is missing or unreadable: the latest snapshot is unknown.
    pub journal_ok: bool,
    /// How much of each snapshot was read.
    pub depth: Depth,
}

impl History {
    /// The schema of migration `i`'s snapshot, read whole from its file when only its head was
    /// read ([`Depth::Heads`]); `None` when it cannot be read.
    pub fn schema(&self, i: usize) -> Option<Cow<'_, Schema>> {
        full_schema(self.migrations.get(i)?, self.depth)
    }

    /// The last migration's snapshot, if the journal and that snapshot could be read.
    pub fn latest(&self) -> Option<(&Migration, &Snapshot)> {
        let last = self.migrations.last()?;
        Some((last, last.snapshot.as_ref()?))
    }
}

/// The schema of `m`'s snapshot, read whole from its file when it was read to `depth`
/// [`Depth::Heads`]; `None` when it cannot be read.
fn full_schema(m: &Migration, depth: Depth) -> Option<Cow<'_, Schema>> {
    let snapshot = m.snapshot.as_ref()?;
    if depth == Depth::Full {
        return Some(Cow::Borrowed(&snapshot.schema));
    }
    let text = std::fs::read_to_string(&m.snapshot_path).ok()?;
    Some(Cow::Owned(Snapshot::parse(&text).ok()?.schema))
}

/// Reads `folder` for `dialect`; never fails: what cannot be read becomes a problem.
pub fn read(folder: &Folder, dialect: &str) -> History {
    read_with(folder, dialect, Depth::Full)
}

/// How much of each snapshot to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Depth {
    /// The whole snapshot, its id checked against its content (`check`).
    #[default]
    Full,
    /// Only its `id`, `prevId` and `dialect` (`migrate`, which applies SQL and judges forks: a
    /// folder of a thousand snapshots is read in a fraction of the time and memory).
    Heads,
}

/// [`read`], reading each snapshot to `depth`.
pub fn read_with(folder: &Folder, dialect: &str, depth: Depth) -> History {
    let mut history = History {
        depth,
        ..History::default()
    };
    let journal_path = folder.journal_path();
    let journal_shown = folder.show(&journal_path);
    let journal = match read_optional(&journal_path) {
        Ok(None) => {
            let mut sql = names(&folder.out, super::is_up_file);
            sql.extend(names(&folder.out, |n| n.ends_with(".sql")));
            if let Some(first) = sql.first() {
                history.problems.push(Problem::new(
                    "missing-journal",
                    format!(
                        "{} holds migration {first} but has no {journal_shown}; restore the journal from version control",
                        folder.show(&folder.out)
                    ),
                ));
            } else {
                history.journal_ok = true;
            }
            return history;
        }
        Ok(Some(text)) => match Journal::parse(&text) {
            Ok(journal) => journal,
            Err(e) => {
                history
                    .problems
                    .push(corrupt(&journal_shown, &e.to_string()));
                return history;
            }
        },
        Err(e) => {
            history.problems.push(unreadable(&journal_shown, &e));
            return history;
        }
    };
    history.journal_ok = true;
    if journal.dialect != dialect {
        history.problems.push(Problem::new(
            "dialect",
            format!(
                "{journal_shown} is for dialect {} but the config says {dialect}; point `out` at the {dialect} migrations",
                journal.dialect
            ),
        ));
    }
    // Snapshots of another dialect are reported one by one when the journal is for the config's
    // (a journal of another dialect already says the whole folder is).
    let expected = (journal.dialect == dialect).then_some(dialect);
    for entry in &journal.entries {
        if !entry.adopted && timestamp::parse_prefix(&entry.tag).is_none() {
            let bad = FolderError::BadTag {
                journal: journal_shown.clone(),
                tag: entry.tag.clone(),
            };
            history
                .problems
                .push(Problem::new("bad-tag", bad.to_string()));
        }
        let (tag, journal) = (entry.tag.as_str(), journal_shown.as_str());
        let m = read_migration(
            folder,
            (entry, journal),
            (expected, depth),
            &mut history.problems,
        );
        let mut m = m;
        m.has_down = entry.down;
        m.down_sql = read_down(
            folder,
            &m.down_path,
            (tag, journal, entry.down),
            &mut history.problems,
        );
        history.migrations.push(m);
    }
    stray_files(folder, &journal, &journal_shown, &mut history.problems);
    history.forks = chain(folder, &history.migrations, depth, &mut history.problems);
    history
}

/// What is wrong with the `id` / `prevId` chain of `journal`'s migrations (every fork and every
/// break, anywhere in it), worded as `check` words it without a database; for `generate`, which
/// writes on top of the chain. Reads only each snapshot's head ([`Depth::Heads`]), `latest`
/// standing for the last migration's when it is already read, and a whole snapshot only for the
/// rare fork; a snapshot that cannot be read is left to `check`.
pub fn chain_problems(
    folder: &Folder,
    journal: &Journal,
    latest: Option<&Snapshot>,
) -> Vec<String> {
    let count = journal.entries.len();
    let migrations: Vec<Migration> = journal
        .entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let snapshot_path = folder.snapshot_path(&entry.tag);
            let snapshot = match latest.filter(|_| i + 1 == count) {
                Some(s) => Some(Snapshot {
                    version: s.version.clone(),
                    dialect: s.dialect.clone(),
                    id: s.id.clone(),
                    prev_id: s.prev_id.clone(),
                    schema: Schema::default(),
                }),
                None => std::fs::read_to_string(&snapshot_path)
                    .ok()
                    .and_then(|text| parse_snapshot(&text, Depth::Heads).ok()),
            };
            Migration {
                tag: entry.tag.clone(),
                sql_path: folder.up_path(entry),
                sql: None,
                has_down: entry.down,
                down_path: folder.down_path(&entry.tag),
                down_sql: None,
                adopted: entry.adopted,
                baseline: entry.baseline,
                snapshot_path,
                snapshot,
            }
        })
        .collect();
    let mut problems = Vec::new();
    let forks = chain(folder, &migrations, Depth::Heads, &mut problems);
    let history = History {
        migrations,
        depth: Depth::Heads,
        journal_ok: true,
        ..History::default()
    };
    let mut messages: Vec<String> = forks
        .iter()
        .map(|f| crate::verdict::fork_problem(folder, &history, f, None).message)
        .collect();
    messages.extend(problems.into_iter().map(|p| p.message));
    messages
}

/// Migration `entry` of `journal`; its snapshot must be for dialect `expected` when given.
fn read_migration(
    folder: &Folder,
    (entry, journal): (&JournalEntry, &str),
    (expected, depth): (Option<&str>, Depth),
    problems: &mut Vec<Problem>,
) -> Migration {
    let tag = entry.tag.as_str();
    let sql_path = folder.up_path(entry);
    let snapshot_path = folder.snapshot_path(tag);
    let sql = match read_optional(&sql_path) {
        Ok(Some(text)) => Some(text),
        Ok(None) => {
            problems.push(Problem::new(
                "missing-file",
                format!(
                    "{journal} lists migration {tag} but its file {} is missing; restore it from version control, or remove the entry and its snapshot",
                    folder.show(&sql_path)
                ),
            ));
            None
        }
        Err(e) => {
            problems.push(unreadable(&folder.show(&sql_path), &e));
            None
        }
    };
    let shown = folder.show(&snapshot_path);
    let snapshot = match read_optional(&snapshot_path) {
        Ok(Some(text)) => match parse_snapshot(&text, depth) {
            Ok(snapshot) => {
                if depth == Depth::Full
                    && snapshot.id != snapshot_id(&snapshot.prev_id, &snapshot.schema)
                {
                    problems.push(Problem::new(
                        "corrupt",
                        format!(
                            "{shown}: its id {} does not match its content (edited by hand?); restore it from version control",
                            snapshot.id
                        ),
                    ));
                }
                if let Some(dialect) = expected.filter(|d| *d != snapshot.dialect) {
                    problems.push(Problem::new(
                        "dialect",
                        format!(
                            "{shown} is for dialect {} but the config says {dialect}, as does {journal}; restore the snapshot from version control, or delete migration {tag} (its .sql file, its snapshot and its journal entry) and run generate again",
                            snapshot.dialect
                        ),
                    ));
                }
                Some(snapshot)
            }
            Err(e) => {
                problems.push(corrupt(&shown, &e.to_string()));
                None
            }
        },
        Ok(None) => {
            problems.push(Problem::new(
                "missing-snapshot",
                format!(
                    "{journal} lists migration {tag} but its snapshot {shown} is missing; restore it from version control"
                ),
            ));
            None
        }
        Err(e) => {
            problems.push(unreadable(&shown, &e));
            None
        }
    };
    Migration {
        tag: tag.to_string(),
        sql_path,
        sql,
        snapshot_path,
        snapshot,
        has_down: false,
        down_path: folder.down_path(tag),
        down_sql: None,
        adopted: entry.adopted,
        baseline: entry.baseline,
    }
}

/// The down file of migration `tag`, whether or not `journal` says it has one (`listed`):
/// a file that is there is the down, as `revert` and `verify` read it, even where the entry
/// lacks `"down": true`; `missing-down-file` when the journal lists one that is missing
/// (`revert` could not run it).
fn read_down(
    folder: &Folder,
    path: &Path,
    (tag, journal, listed): (&str, &str, bool),
    problems: &mut Vec<Problem>,
) -> Option<String> {
    match read_optional(path) {
        Ok(Some(text)) => Some(text),
        Ok(None) if !listed => None,
        Ok(None) => {
            problems.push(Problem::new(
                MISSING_DOWN_FILE,
                format!(
                    "{journal} says migration {tag} has a down file, but {} is missing; restore it from version control, or set \"down\" to false in its journal entry if it never had one",
                    folder.show(path)
                ),
            ));
            None
        }
        Err(e) => {
            problems.push(unreadable(&folder.show(path), &e));
            None
        }
    }
}

/// The problem of a journal entry whose down file is missing.
pub const MISSING_DOWN_FILE: &str = "missing-down-file";

/// A snapshot read to `depth` (with [`Depth::Heads`], its schema left empty).
fn parse_snapshot(text: &str, depth: Depth) -> Result<Snapshot, String> {
    if depth == Depth::Full {
        return Snapshot::parse(text).map_err(|e| e.to_string());
    }
    #[derive(serde::Deserialize)]
    struct Head {
        version: String,
        dialect: String,
        id: String,
        #[serde(rename = "prevId")]
        prev_id: String,
    }
    let head: Head = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(Snapshot {
        version: head.version,
        dialect: head.dialect,
        id: head.id,
        prev_id: head.prev_id,
        schema: Default::default(),
    })
}

/// `.sql` files (`stray-file`) and snapshots (`stray-snapshot`) the journal does not list, as
/// [`Folder::unlisted`] finds them for `generate` and `migrate` too.
fn stray_files(folder: &Folder, journal: &Journal, shown: &str, problems: &mut Vec<Problem>) {
    let unlisted = match folder.unlisted(journal) {
        Ok(unlisted) => unlisted,
        Err(e) => {
            problems.push(Problem::new("unreadable", e.to_string()));
            return;
        }
    };
    for u in &unlisted {
        let kind = match u.kind {
            UnlistedKind::Sql => "stray-file",
            UnlistedKind::Snapshot => "stray-snapshot",
        };
        problems.push(Problem::new(kind, folder.unlisted_message(u, shown)));
    }
}

/// Forks (two snapshots with the same `prevId`), returned, and breaks in the `id` / `prevId`
/// chain, pushed to `problems`. Snapshots read only to their heads are read whole for a fork.
fn chain(
    folder: &Folder,
    migrations: &[Migration],
    depth: Depth,
    problems: &mut Vec<Problem>,
) -> Vec<Fork> {
    let mut by_prev: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, m) in migrations.iter().enumerate() {
        if let Some(s) = &m.snapshot {
            by_prev.entry(s.prev_id.as_str()).or_default().push(i);
        }
    }
    let mut forked = BTreeSet::new();
    let mut forks = Vec::new();
    for (prev, members) in by_prev.iter().filter(|(_, m)| m.len() > 1) {
        for &later in &members[1..] {
            forked.insert(later);
            forks.push(fork(migrations, depth, prev, (members[0], later)));
        }
    }
    for (i, m) in migrations.iter().enumerate() {
        let Some(snapshot) = &m.snapshot else {
            continue;
        };
        if forked.contains(&i) {
            continue;
        }
        let expected = match i {
            0 => ROOT_ID,
            _ => match &migrations[i - 1].snapshot {
                Some(prev) => prev.id.as_str(),
                None => continue,
            },
        };
        if snapshot.prev_id != expected {
            let after = match i {
                0 => "it is the first migration".to_string(),
                _ => format!(
                    "the previous migration {} has id {expected}",
                    migrations[i - 1].tag
                ),
            };
            problems.push(Problem::new(
                "broken-chain",
                format!(
                    "{}: prevId is {} but {after}; restore the snapshots from version control, or delete the migrations from {} on and generate again",
                    folder.show(&m.snapshot_path),
                    snapshot.prev_id,
                    m.tag
                ),
            ));
        }
    }
    forks
}

/// The fork of `migrations[first]` and `migrations[later]`, which both follow `prev`; their
/// snapshots (and their parent's) are read whole when `depth` read only their heads.
fn fork(
    migrations: &[Migration],
    depth: Depth,
    prev: &str,
    (first, later): (usize, usize),
) -> Fork {
    let parent = migrations
        .iter()
        .find(|m| m.snapshot.as_ref().is_some_and(|s| s.id == prev));
    let empty = std::borrow::Cow::Owned(Schema::default());
    let (parent_name, parent_schema) = match parent {
        Some(m) => (
            format!("migration {}", m.tag),
            full_schema(m, depth).unwrap_or(empty),
        ),
        None if prev == ROOT_ID => ("the empty schema".to_string(), empty),
        None => (format!("an unknown snapshot {prev}"), empty),
    };
    let parent_schema = parent_schema.as_ref();
    let touched = |m: &Migration| -> BTreeSet<String> {
        let (Some(s), Some(schema)) = (&m.snapshot, full_schema(m, depth)) else {
            return BTreeSet::new();
        };
        let schema = schema.as_ref();
        let renames = diff::hinted_renames(parent_schema, schema);
        // Named as the snapshot's dialect names them: `t` on a dialect without schemas.
        let schemas = schema_core::render::dialect(&s.dialect).is_none_or(|d| d.supports_schemas());
        diff::diff(parent_schema, schema, &renames)
            .iter()
            .map(|c| match schemas {
                true => object_of(c),
                false => object_of(&c.unqualified()),
            })
            .collect()
    };
    let (a, b) = (touched(&migrations[first]), touched(&migrations[later]));
    Fork {
        first,
        later,
        prev: prev.to_string(),
        parent: parent_name,
        common: a.intersection(&b).cloned().collect(),
    }
}

/// The object a change is about: its table, or the summary's subject for schemas and enums.
pub fn object_of(change: &Change) -> String {
    if let Some(table) = change.table() {
        return table.to_string();
    }
    let summary = change.summary();
    let subject = summary.get(2..).unwrap_or(&summary);
    let words: Vec<&str> = subject.split_whitespace().take(2).collect();
    words.join(" ").trim_end_matches(':').to_string()
}

fn corrupt(path: &str, error: &str) -> Problem {
    Problem::new(
        "corrupt",
        format!("{path}: {error}; fix it or restore it from version control"),
    )
}

fn unreadable(path: &str, error: &io::Error) -> Problem {
    Problem::new("unreadable", format!("cannot read {path}: {error}"))
}

fn read_optional(path: &Path) -> io::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// File names in `dir` that `keep` accepts, sorted; none when `dir` cannot be listed.
fn names(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| keep(n))
        .collect();
    names.sort();
    names
}
