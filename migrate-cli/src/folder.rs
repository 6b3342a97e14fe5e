//! The migrations folder: `<out>/<YYYYMMDDHHMMSS>_<name>.sql`, `<out>/meta/_journal.json` and
//! `<out>/meta/<YYYYMMDDHHMMSS>_snapshot.json`. Reads the history; plans the next migration's
//! files as one all-or-nothing [`WriteSet`].

use crate::timestamp;
use crate::write_set::WriteSet;
use schema_core::snapshot::{Journal, JournalEntry, Snapshot, SnapshotError};
use std::io;
use std::path::{Path, PathBuf};

pub mod history;
mod lock;
mod unlisted;

pub use lock::{FolderLock, LOCK_FILE};
pub use unlisted::{Unlisted, UnlistedKind};

/// The journal's file name inside `meta/`.
pub const JOURNAL_FILE: &str = "_journal.json";

/// What a down file's name ends with: `<tag>.down.sql`.
pub const DOWN_SUFFIX: &str = ".down.sql";

/// What an adopted sqlx-cli reversible pair's up file ends with: `<tag>.up.sql`.
pub const UP_SUFFIX: &str = ".up.sql";

/// The stamp that names migration `tag`'s snapshot: its version, the digits before its first
/// `_` (`20260101000000`, or `3` for an adopted sqlx-cli migration `3_add_posts`), else its
/// first 14 characters.
pub fn stamp_of(tag: &str) -> &str {
    match tag.split_once('_').map_or(tag, |(v, _)| v) {
        v if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => v,
        _ => tag.get(..14).unwrap_or(tag),
    }
}

/// Whether file name `name` is a migration's up file, `<tag>.sql` (not `<tag>.down.sql`).
pub fn is_up_file(name: &str) -> bool {
    name.ends_with(".sql") && !name.ends_with(DOWN_SUFFIX)
}

/// A migrations folder.
#[derive(Debug, Clone)]
pub struct Folder {
    pub out: PathBuf,
    /// Paths in messages are shown relative to this directory.
    base: PathBuf,
}

/// A migrations folder that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: {source}; fix it or restore it from version control")]
    Corrupt { path: String, source: SnapshotError },
    #[error("{journal} lists migration {tag} but its snapshot {snapshot} is missing; restore it from version control")]
    MissingSnapshot {
        journal: String,
        tag: String,
        snapshot: String,
    },
    #[error("{journal}: migration tag {tag:?} does not start with a valid YYYYMMDDHHMMSS timestamp (a real UTC date and time, such as 20240229120000); give the migration the time it was written: fix its journal entry and rename its .sql file and snapshot to match")]
    BadTag { journal: String, tag: String },
    #[error("{path} is for dialect {found} but the config says {expected}; point `out` at the {expected} migrations")]
    Dialect {
        path: String,
        found: String,
        expected: String,
    },
    #[error("{out} holds migration {file} but has no meta/{JOURNAL_FILE}; restore the journal from version control before generating")]
    NoJournal { out: String, file: String },
    #[error("the newest migration timestamp, {stamp} of {by}, leaves no later YYYYMMDDHHMMSS timestamp (none after 99991231235959) for the next migration; nothing was written; if {by} is dated by mistake, rename it to the time it was written (its .sql file, its snapshot and its journal entry) and run generate again")]
    NoLaterTag { stamp: String, by: String },
    #[error("cannot lock the migrations folder with {path}: {source}; check that the folder is writable")]
    Lock { path: String, source: io::Error },
    #[error("the migrations folder holds files that {journal} does not list; {nothing}\n{files}\nsqlx would apply such a .sql file as a migration, and generate would write its change again")]
    Unlisted {
        journal: String,
        files: String,
        /// What the refusing command did not do: `nothing was written`.
        nothing: &'static str,
    },
    #[error("the snapshots in {journal} do not form one chain, and generate writes on top of it; nothing was written\n{problems}\n(`check` reports the same)")]
    BrokenChain { journal: String, problems: String },
}

/// What the folder says happened so far.
#[derive(Debug, Default)]
pub struct History {
    pub journal: Option<Journal>,
    /// The newest snapshot and its path.
    pub latest: Option<(PathBuf, Snapshot)>,
    /// The newest second any migration, snapshot or journal entry is stamped with.
    pub latest_taken: Option<u64>,
    /// What holds [`History::latest_taken`]: a journal entry's tag or a file's name.
    pub latest_taken_by: Option<String>,
}

impl History {
    /// Takes `stamp` of `by` when it is newer than every stamp seen so far (or as new, when
    /// `by` is a journal entry: its tag names the migration better than its files do).
    fn take(&mut self, stamp: u64, by: &str, entry: bool) {
        if self
            .latest_taken
            .is_none_or(|t| stamp > t || entry && stamp == t)
        {
            self.latest_taken = Some(stamp);
            self.latest_taken_by = Some(by.to_string());
        }
    }
}

/// The next migration's files.
#[derive(Debug)]
pub struct Planned {
    pub sql_path: PathBuf,
    pub snapshot_path: PathBuf,
    pub journal_path: PathBuf,
    pub files: WriteSet,
}

/// One migration to plan.
#[derive(Debug, Clone)]
pub struct NewMigration {
    pub tag: String,
    /// The journal's `when`, in milliseconds since the epoch.
    pub when_ms: u64,
    pub sql: String,
    pub snapshot_json: String,
    /// The SQL separates its statements with `--> statement-breakpoint` lines (the journal's
    /// `breakpoints`).
    pub breakpoints: bool,
    /// The down file's SQL (`<tag>.down.sql`, the journal's `down`), when it has one.
    pub down_sql: Option<String>,
}

/// The files of several migrations written together.
#[derive(Debug)]
pub struct PlannedAll {
    /// Each migration's SQL and snapshot paths, in the order planned.
    pub migrations: Vec<(PathBuf, PathBuf)>,
    pub journal_path: PathBuf,
    pub files: WriteSet,
}

impl Folder {
    pub fn new(out: impl Into<PathBuf>, base: impl Into<PathBuf>) -> Folder {
        Folder {
            out: out.into(),
            base: base.into(),
        }
    }

    pub fn meta(&self) -> PathBuf {
        self.out.join("meta")
    }

    pub fn journal_path(&self) -> PathBuf {
        self.meta().join(JOURNAL_FILE)
    }

    pub fn sql_path(&self, tag: &str) -> PathBuf {
        self.out.join(format!("{tag}.sql"))
    }

    /// `<tag>.down.sql`: the down migration of `<tag>.sql`, as sqlx reads it
    /// (`<version>_<description>.down.sql`).
    pub fn down_path(&self, tag: &str) -> PathBuf {
        self.out.join(format!("{tag}{DOWN_SUFFIX}"))
    }

    /// The up file of journal entry `entry`: `<tag>.sql`, or `<tag>.up.sql` for an adopted
    /// sqlx-cli reversible pair (`"adopted"` and `"down"`).
    pub fn up_path(&self, entry: &JournalEntry) -> PathBuf {
        self.up_path_of(&entry.tag, entry.adopted && entry.down)
    }

    /// `<tag>.up.sql` when `pair` (an adopted reversible pair), else `<tag>.sql`.
    pub fn up_path_of(&self, tag: &str, pair: bool) -> PathBuf {
        match pair {
            true => self.out.join(format!("{tag}{UP_SUFFIX}")),
            false => self.sql_path(tag),
        }
    }

    /// `meta/<YYYYMMDDHHMMSS>_snapshot.json` for a migration tag (`meta/<version>_snapshot.json`
    /// for an adopted sqlx-cli migration: [`stamp_of`]).
    pub fn snapshot_path(&self, tag: &str) -> PathBuf {
        self.meta().join(format!("{}_snapshot.json", stamp_of(tag)))
    }

    /// `path` as shown in messages.
    pub fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.base)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Reads the journal and the newest snapshot; an absent folder is an empty history.
    pub fn read(&self, dialect: &str) -> Result<History, FolderError> {
        let mut history = History::default();
        if let Some((stamp, name)) = self.latest_stamped_file()? {
            history.take(stamp, &name, false);
        }
        let journal_path = self.journal_path();
        let Some(text) = self.read_optional(&journal_path)? else {
            if let Some(file) = self.first_migration_file()? {
                return Err(FolderError::NoJournal {
                    out: self.show(&self.out),
                    file,
                });
            }
            return Ok(history);
        };
        let journal = Journal::parse(&text).map_err(|source| FolderError::Corrupt {
            path: self.show(&journal_path),
            source,
        })?;
        self.check_dialect(&journal_path, &journal.dialect, dialect)?;
        for entry in &journal.entries {
            let stamp = match timestamp::parse_prefix(&entry.tag) {
                Some(stamp) => stamp,
                // An adopted sqlx-cli migration may have an integer version.
                None if entry.adopted => 0,
                None => {
                    return Err(FolderError::BadTag {
                        journal: self.show(&journal_path),
                        tag: entry.tag.clone(),
                    })
                }
            };
            history.take(stamp.max(entry.when / 1000), &entry.tag, true);
        }
        if let Some(last) = journal.last() {
            let path = self.snapshot_path(&last.tag);
            let text = self
                .read_optional(&path)?
                .ok_or_else(|| FolderError::MissingSnapshot {
                    journal: self.show(&journal_path),
                    tag: last.tag.clone(),
                    snapshot: self.show(&path),
                })?;
            let snapshot = Snapshot::parse(&text).map_err(|source| FolderError::Corrupt {
                path: self.show(&path),
                source,
            })?;
            self.check_dialect(&path, &snapshot.dialect, dialect)?;
            let problems = history::chain_problems(self, &journal, Some(&snapshot));
            if !problems.is_empty() {
                return Err(FolderError::BrokenChain {
                    journal: self.show(&journal_path),
                    problems: problems.join("\n"),
                });
            }
            history.latest = Some((path, snapshot));
        }
        history.journal = Some(journal);
        Ok(history)
    }

    /// The files of migration `tag`: its SQL, its snapshot and the journal with it appended.
    pub fn plan(
        &self,
        tag: &str,
        when_ms: u64,
        sql: String,
        snapshot_json: String,
        dialect: &str,
        journal: Option<Journal>,
    ) -> Planned {
        let migration = NewMigration {
            tag: tag.to_string(),
            when_ms,
            sql,
            snapshot_json,
            breakpoints: true,
            down_sql: None,
        };
        let mut planned = self.plan_all(vec![migration], dialect, journal);
        let (sql_path, snapshot_path) = planned.migrations.remove(0);
        Planned {
            sql_path,
            snapshot_path,
            journal_path: planned.journal_path,
            files: planned.files,
        }
    }

    /// The files of several migrations, in order: each one's SQL and snapshot, and the journal
    /// with all of them appended, as one all-or-nothing [`WriteSet`].
    pub fn plan_all(
        &self,
        migrations: Vec<NewMigration>,
        dialect: &str,
        journal: Option<Journal>,
    ) -> PlannedAll {
        let mut journal = journal.unwrap_or_else(|| Journal::new(dialect));
        let mut files = WriteSet::new();
        let mut paths = Vec::new();
        for m in migrations {
            let entry = journal.push(&m.tag, m.when_ms);
            entry.breakpoints = m.breakpoints;
            entry.down = m.down_sql.is_some();
            let (sql_path, snapshot_path) = (self.sql_path(&m.tag), self.snapshot_path(&m.tag));
            files.create(sql_path.clone(), m.sql);
            if let Some(down) = m.down_sql {
                files.create(self.down_path(&m.tag), down);
            }
            files.create(snapshot_path.clone(), m.snapshot_json);
            paths.push((sql_path, snapshot_path));
        }
        let journal_path = self.journal_path();
        files.replace(journal_path.clone(), journal.to_json());
        PlannedAll {
            migrations: paths,
            journal_path,
            files,
        }
    }

    fn check_dialect(&self, path: &Path, found: &str, expected: &str) -> Result<(), FolderError> {
        if found == expected {
            return Ok(());
        }
        Err(FolderError::Dialect {
            path: self.show(path),
            found: found.to_string(),
            expected: expected.to_string(),
        })
    }

    fn read_optional(&self, path: &Path) -> Result<Option<String>, FolderError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(FolderError::Io {
                path: self.show(path),
                source,
            }),
        }
    }

    /// File names in `dir`, sorted; none when it does not exist.
    fn names(&self, dir: &Path) -> Result<Vec<String>, FolderError> {
        let io_err = |source| FolderError::Io {
            path: self.show(dir),
            source,
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            names.push(
                entry
                    .map_err(io_err)?
                    .file_name()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
        names.sort();
        Ok(names)
    }

    /// The newest `YYYYMMDDHHMMSS` stamp of any file in `out` or `meta`, with the file's name.
    fn latest_stamped_file(&self) -> Result<Option<(u64, String)>, FolderError> {
        let mut names = self.names(&self.out)?;
        names.extend(self.names(&self.meta())?);
        Ok(names
            .into_iter()
            .filter_map(|n| Some((timestamp::parse_prefix(&n)?, n)))
            .max_by_key(|(stamp, _)| *stamp))
    }

    fn first_migration_file(&self) -> Result<Option<String>, FolderError> {
        let names = self.names(&self.out)?;
        // An up file names the migration better than its down file, which sorts first.
        let up = names.iter().find(|n| is_up_file(n));
        Ok(up
            .or_else(|| names.iter().find(|n| n.ends_with(".sql")))
            .cloned())
    }
}

#[cfg(test)]
mod tests;
