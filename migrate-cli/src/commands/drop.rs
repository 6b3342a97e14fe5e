//! `drop`: removes the newest migration (its SQL file, its down file, its snapshot and its
//! journal entry) so a
//! struct can be fixed and `generate` run again, refusing one a database has applied.
//!
//! All or nothing: the files are first renamed aside (hidden names in their own folders,
//! which sqlx and `generate` ignore), then the shorter journal replaces the old one through
//! [`WriteSet`] (temp file, sync, rename: the commit point), and only then are the set-aside
//! files deleted. Any failure before the commit moves the files back, so the folder is as it
//! was; a crash before it leaves a journal whose newest entry lacks its files, which `check`
//! names and `drop` finishes when run again.

use crate::config::{self, Config};
use crate::error::{Error, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::folder::{Folder, FolderError};
use crate::write_set::WriteSet;
use crate::Context;
use schema_core::snapshot::Journal;
use std::io;
use std::path::{Path, PathBuf};

mod applied;

/// `migrate-cli drop` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DropArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The migration to drop, YYYYMMDDHHMMSS_name; it must be the newest [default: the newest]
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Drop without asking (required without a terminal)
    #[arg(long)]
    pub yes: bool,
    /// The database that must not have applied it [default: DATABASE_URL from the environment
    /// or a .env file beside the config, then database_url in the config, then for SQLite the
    /// dev.db beside the config when it exists; without any, it is not checked]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
}

/// Why nothing was dropped.
#[derive(Debug, thiserror::Error)]
pub enum DropError {
    #[error(transparent)]
    Other(#[from] Error),
    #[error("no migrations in {out}: nothing to drop")]
    Empty { out: String },
    #[error("{out} holds migration {file} but has no meta/_journal.json, so which migration is the newest is unknown; restore the journal from version control; nothing was removed")]
    NoJournal { out: String, file: String },
    #[error("--tag {tag}: {journal} has no such migration; the newest is {newest}")]
    UnknownTag {
        tag: String,
        journal: String,
        newest: String,
    },
    #[error("refusing to drop {tag}: it is not the newest migration ({newer} came after it), and the snapshots after it name it as their parent; drop the newer ones first, or write a new migration that undoes it; nothing was removed")]
    NotNewest { tag: String, newer: String },
    #[error("refusing to drop {tag}: it is applied on {what} (since {at}), and without its file that database would hold changes no migration describes; write a new migration that undoes it instead (change the structs back and run generate); nothing was removed")]
    Applied {
        tag: String,
        what: String,
        at: String,
    },
    #[error("refusing to drop {tag}: it is {what}, which databases hold as applied without this tool having run it; write a new migration that changes the schema instead; nothing was removed")]
    Baseline { tag: String, what: &'static str },
    #[error("drop removes {tag}'s files and there is no terminal to confirm it: pass --yes; nothing was removed")]
    NeedsYes { tag: String },
    #[error("cannot ask on the terminal: {0}; pass --yes to drop without asking")]
    Prompt(io::Error),
    #[error("cancelled: nothing was removed")]
    Cancelled,
    #[error("{failure}; nothing was removed{restore}")]
    NotRemoved {
        failure: String,
        /// Files that could not be moved back, if any.
        restore: String,
    },
}

impl DropError {
    pub fn exit_code(&self) -> u8 {
        match self {
            DropError::Other(e) => e.exit_code(),
            DropError::UnknownTag { .. } | DropError::NeedsYes { .. } => EXIT_USAGE,
            _ => EXIT_FAILED,
        }
    }
}

/// What `drop` removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub tag: String,
    /// The SQL file, the down file and the snapshot that were there (a missing one is not
    /// listed).
    pub removed: Vec<PathBuf>,
    pub journal: PathBuf,
}

/// Runs `drop` and gives the exit code, printing the error.
pub fn run(args: &DropArgs, ctx: &mut Context<'_>) -> u8 {
    match drop_newest(args, ctx) {
        Ok(_) => EXIT_OK,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {e}");
            e.exit_code()
        }
    }
}

/// Drops the newest migration (or `--tag`, which must be it).
pub fn drop_newest(args: &DropArgs, ctx: &mut Context<'_>) -> Result<Dropped, DropError> {
    let config = config::load(&ctx.cwd, args.config.as_deref()).map_err(Error::from)?;
    let folder = Folder::new(&config.out, &ctx.cwd);
    // Held until the journal is replaced: a concurrent command writing the folder waits for it.
    let _lock = folder.lock_telling(ctx.stderr).map_err(Error::from)?;
    let mut journal = read_journal(&folder, &config)?;
    let tag = pick(&journal, args.tag.as_deref(), &folder)?;
    if let Some(what) = journal.last().and_then(|e| match (e.adopted, e.baseline) {
        (true, _) => Some("an adopted sqlx-cli migration"),
        (_, true) => Some("the baseline"),
        _ => None,
    }) {
        return Err(DropError::Baseline { tag, what });
    }
    if ctx.prompt.is_none() && !args.yes {
        return Err(DropError::NeedsYes { tag });
    }
    let failed = applied::check(
        &config,
        (args.url.as_deref(), args.target.as_deref()),
        &folder,
        &tag,
        ctx,
    )?;
    let (sql, snapshot) = (folder.sql_path(&tag), folder.snapshot_path(&tag));
    let down = folder.down_path(&tag);
    // The down file goes too, listed or not: left behind, it would be a stray file.
    let listed_down = journal.last().is_some_and(|e| e.down);
    let shown_down = (listed_down || down.symlink_metadata().is_ok()).then_some(&down);
    if !args.yes {
        confirm(ctx, &folder, &tag, &sql, shown_down, &snapshot)?;
    }
    journal.entries.pop();
    let files = [sql.clone(), down.clone(), snapshot.clone()];
    let removed = remove(&folder, &files, &journal, ctx)?;
    for path in [Some(&sql), shown_down, Some(&snapshot)]
        .into_iter()
        .flatten()
    {
        let gone = if removed.contains(path) {
            ""
        } else {
            " (it was already missing)"
        };
        let _ = writeln!(ctx.stdout, "removed {}{gone}", folder.show(path));
    }
    let journal_path = folder.journal_path();
    let _ = writeln!(
        ctx.stdout,
        "removed the entry {tag} from {}",
        folder.show(&journal_path)
    );
    if let Some(row) = failed {
        let _ = writeln!(
            ctx.stdout,
            "note: {tag} is recorded as failed in _sqlx_migrations on {}: undo what it ran (its failure named the statements that ran), then remove its row, or migrate refuses to go past it:\n  migrate-cli repair --failed {}",
            row.what, row.version
        );
    }
    let _ = writeln!(ctx.stdout, "fix the schema structs and run generate again");
    Ok(Dropped {
        tag,
        removed,
        journal: journal_path,
    })
}

fn read_journal(folder: &Folder, config: &Config) -> Result<Journal, DropError> {
    let path = folder.journal_path();
    let out = folder.show(&folder.out);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let first = std::fs::read_dir(&folder.out).ok().and_then(|entries| {
                let mut names: Vec<String> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".sql") && !n.starts_with('.'))
                    .collect();
                names.sort();
                // An up file names the migration better than its down file, which sorts first.
                let up = names.iter().position(|n| crate::folder::is_up_file(n));
                up.map(|i| names.swap_remove(i))
                    .or_else(|| names.into_iter().next())
            });
            return Err(match first {
                Some(file) => DropError::NoJournal { out, file },
                None => DropError::Empty { out },
            });
        }
        Err(source) => {
            let path = folder.show(&path);
            return Err(Error::from(FolderError::Io { path, source }).into());
        }
    };
    let corrupt = |source| FolderError::Corrupt {
        path: folder.show(&path),
        source,
    };
    let journal = Journal::parse(&text).map_err(|e| Error::from(corrupt(e)))?;
    let expected = config.dialect.as_str();
    if journal.dialect != expected {
        return Err(Error::from(FolderError::Dialect {
            path: folder.show(&path),
            found: journal.dialect,
            expected: expected.to_string(),
        })
        .into());
    }
    if journal.entries.is_empty() {
        return Err(DropError::Empty { out });
    }
    Ok(journal)
}

/// The tag to drop: `--tag` (a trailing `.sql` is allowed), which must be the newest entry.
fn pick(journal: &Journal, tag: Option<&str>, folder: &Folder) -> Result<String, DropError> {
    let newest = journal.last().map(|e| e.tag.clone()).unwrap_or_default();
    let Some(tag) = tag else {
        return Ok(newest);
    };
    let tag = tag.trim().trim_end_matches(".sql");
    let Some(at) = journal.entries.iter().position(|e| e.tag == tag) else {
        return Err(DropError::UnknownTag {
            tag: tag.to_string(),
            journal: folder.show(&folder.journal_path()),
            newest,
        });
    };
    let newer: Vec<&str> = journal.entries[at + 1..]
        .iter()
        .map(|e| e.tag.as_str())
        .collect();
    if newer.is_empty() {
        return Ok(newest);
    }
    Err(DropError::NotNewest {
        tag: tag.to_string(),
        newer: newer.join(", "),
    })
}

fn confirm(
    ctx: &mut Context<'_>,
    folder: &Folder,
    tag: &str,
    sql: &Path,
    down: Option<&PathBuf>,
    snapshot: &Path,
) -> Result<(), DropError> {
    let Some(prompt) = ctx.prompt.as_deref_mut() else {
        return Err(DropError::NeedsYes {
            tag: tag.to_string(),
        });
    };
    let down = down
        .map(|d| format!(", {}", folder.show(d)))
        .unwrap_or_default();
    let question = format!(
        "drop migration {tag} ({}{down}, {} and its journal entry)?",
        folder.show(sql),
        folder.show(snapshot)
    );
    let options = ["no, keep it".to_string(), format!("yes, drop {tag}")];
    match prompt
        .choose(&question, &options, 0)
        .map_err(DropError::Prompt)?
    {
        Some(1) => Ok(()),
        _ => Err(DropError::Cancelled),
    }
}

/// Moves the existing `files` aside, commits `journal`, then deletes them; gives the files
/// removed. A failure before the journal is replaced puts every file back.
fn remove(
    folder: &Folder,
    files: &[PathBuf],
    journal: &Journal,
    ctx: &mut Context<'_>,
) -> Result<Vec<PathBuf>, DropError> {
    let mut aside: Vec<(PathBuf, PathBuf)> = Vec::new();
    for path in files.iter().filter(|p| p.symlink_metadata().is_ok()) {
        let temp = aside_path(path);
        if let Err(source) = std::fs::rename(path, &temp) {
            return Err(DropError::NotRemoved {
                failure: format!("cannot move {} aside: {source}", folder.show(path)),
                restore: put_back(folder, &aside),
            });
        }
        aside.push((path.clone(), temp));
    }
    let mut set = WriteSet::new();
    set.replace(folder.journal_path(), journal.to_json());
    if let Err(e) = set.commit() {
        return Err(DropError::NotRemoved {
            failure: e.to_string(),
            restore: put_back(folder, &aside),
        });
    }
    for (_, temp) in &aside {
        if let Err(e) = std::fs::remove_file(temp) {
            let temp = folder.show(temp);
            let _ = writeln!(ctx.stderr, "warning: cannot delete {temp}: {e}; the migration is dropped, delete that file by hand");
        }
    }
    Ok(aside.into_iter().map(|(path, _)| path).collect())
}

/// Moves set-aside files back; the ones that could not be, as a message tail.
fn put_back(folder: &Folder, aside: &[(PathBuf, PathBuf)]) -> String {
    let mut failed = String::new();
    for (path, temp) in aside.iter().rev() {
        if let Err(e) = std::fs::rename(temp, path) {
            let (path, temp) = (folder.show(path), folder.show(temp));
            failed.push_str(&format!(
                "; and {temp} could not be moved back to {path} ({e}): rename it by hand"
            ));
        }
    }
    failed
}

/// `dir/.<name>.<pid>.drop`: hidden, and not a `.sql` file for sqlx.
fn aside_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = format!(".{}.{}.drop", name.unwrap_or_default(), std::process::id());
    path.with_file_name(name)
}
