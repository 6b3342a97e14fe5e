//! Files of the migrations folder that the journal does not list: a `<out>/*.sql` file whose
//! tag has no journal entry (sqlx would apply it, `generate` would write its change again; a
//! `<tag>.down.sql` is listed with its tag) and a
//! `meta/*_snapshot.json` whose stamp no entry has. `generate` refuses to write beside them,
//! `migrate` refuses to apply, `check` reports them.

use super::{Folder, FolderError};
use schema_core::snapshot::Journal;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// What kind of file the journal does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlistedKind {
    /// `<out>/<tag>.sql`.
    Sql,
    /// `<out>/meta/<stamp>_snapshot.json`.
    Snapshot,
}

/// A file the journal does not list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlisted {
    pub kind: UnlistedKind,
    pub path: PathBuf,
}

impl Folder {
    /// The `.sql` files and snapshots of the folder that `journal` does not list, sorted (SQL
    /// files first); hidden files (`.name`: temporaries, the lock) are not migrations.
    pub fn unlisted(&self, journal: &Journal) -> Result<Vec<Unlisted>, FolderError> {
        let tags: BTreeSet<&str> = journal.entries.iter().map(|e| e.tag.as_str()).collect();
        let stamps: BTreeSet<&str> = tags.iter().map(|t| super::stamp_of(t)).collect();
        let mut out = Vec::new();
        for name in self.file_names(&self.out)? {
            // A down file (`<tag>.down.sql`) is listed with its migration's tag.
            let Some(tag) = name
                .strip_suffix(super::DOWN_SUFFIX)
                .or_else(|| name.strip_suffix(".sql"))
            else {
                continue;
            };
            // `<tag>.down.sql` is the down migration of `<tag>.sql`; `<tag>.up.sql` is the up
            // of an adopted sqlx-cli pair.
            let tag = tag.strip_suffix(".down").unwrap_or(tag);
            let tag = tag.strip_suffix(".up").unwrap_or(tag);
            if !tags.contains(tag) {
                out.push(Unlisted {
                    kind: UnlistedKind::Sql,
                    path: self.out.join(&name),
                });
            }
        }
        for name in self.file_names(&self.meta())? {
            let Some(stamp) = name.strip_suffix("_snapshot.json") else {
                continue;
            };
            if !stamps.contains(stamp) {
                out.push(Unlisted {
                    kind: UnlistedKind::Snapshot,
                    path: self.meta().join(&name),
                });
            }
        }
        Ok(out)
    }

    /// The refusal for `unlisted` files (none: `Ok`): each named, with what to do; `nothing`
    /// says what the command did not do (`nothing was written`).
    pub fn refuse_unlisted(
        &self,
        unlisted: &[Unlisted],
        nothing: &'static str,
    ) -> Result<(), FolderError> {
        if unlisted.is_empty() {
            return Ok(());
        }
        let journal = self.show(&self.journal_path());
        let files: Vec<String> = unlisted
            .iter()
            .map(|u| format!("  {}", self.unlisted_message(u, &journal)))
            .collect();
        Err(FolderError::Unlisted {
            journal,
            files: files.join("\n"),
            nothing,
        })
    }

    /// Refuses a folder whose journal does not list all its files (`migrate`, before anything
    /// is applied). A folder without a readable journal (hand-written sqlx migrations) is not
    /// checked here: `check` names what is wrong with it.
    pub fn refuse_unlisted_files(&self, nothing: &'static str) -> Result<(), FolderError> {
        let Ok(Some(text)) = self.read_optional(&self.journal_path()) else {
            return Ok(());
        };
        let Ok(journal) = Journal::parse(&text) else {
            return Ok(());
        };
        self.refuse_unlisted(&self.unlisted(&journal)?, nothing)
    }

    /// What to say of one unlisted file, naming it and what to do.
    pub fn unlisted_message(&self, unlisted: &Unlisted, journal: &str) -> String {
        let path = self.show(&unlisted.path);
        match unlisted.kind {
            UnlistedKind::Sql => format!(
                "{path} is not listed in {journal}; delete it, or restore its journal entry from version control"
            ),
            UnlistedKind::Snapshot => format!(
                "{path} belongs to no migration in {journal}; delete it, or restore its journal entry from version control"
            ),
        }
    }

    /// The names of the regular files in `dir` that are not hidden, sorted; none when `dir`
    /// does not exist.
    fn file_names(&self, dir: &std::path::Path) -> Result<Vec<String>, FolderError> {
        let names = self.names(dir)?;
        Ok(names
            .into_iter()
            .filter(|n| !n.starts_with('.') && dir.join(n).is_file())
            .collect())
    }
}
