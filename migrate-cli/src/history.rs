//! The migration history: the folder's migration files as sqlx reads them ([`load_local`]), and
//! their comparison with the rows of `_sqlx_migrations` ([`compare`]), which `status` lists,
//! `migrate` checks before applying anything and `check` reports.

use crate::backend::AppliedRow;
use crate::config::Config;
use serde::Serialize;
use sqlx::migrate::{Migration, Migrator};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A migration file of the folder, as sqlx reads it.
#[derive(Debug, Clone)]
pub struct Local {
    pub migration: Migration,
    pub file: PathBuf,
    /// The file name without its version and `.sql`: `create_accounts`.
    pub name: String,
}

/// Where a migration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Applied,
    Pending,
    /// Applied, but its file changed since (the checksums differ).
    Modified,
    /// Applied, but its file is gone from the folder.
    Missing,
    /// Recorded with `success = false`: partly applied by a database without transactional DDL.
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Modified => "modified",
            State::Missing => "missing",
            State::Failed => "failed",
        }
    }
}

/// What to do about migration `version` recorded as failed (`success = false`): the row does
/// not say whether its up stopped part way (`migrate`) or its down (`revert`, which marks the
/// row failed while the down runs), and the way out differs, so both are said.
pub fn failed_advice(version: i64) -> String {
    format!(
        "a run stopped part way through its up (migrate) or its down (revert), and what ran before the failure remains (MySQL commits each statement); if the up stopped, undo by hand what it ran, then run `migrate-cli repair --failed {version}` (the migration is then pending) and migrate again; if the down stopped, finish the down by hand, then run `migrate-cli repair --failed {version}` (pending, as after a whole revert), or undo by hand what the down ran and mark the migration applied again with `UPDATE _sqlx_migrations SET success = TRUE WHERE version = {version}`; check --url lists how the database differs from the last applied snapshot"
    )
}

/// One line of `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub version: i64,
    pub name: String,
    pub state: State,
    /// When it was recorded in `_sqlx_migrations` (UTC), if it was.
    pub applied_at: Option<String>,
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// The migrations folder cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FolderReadError {
    #[error("migrations folder {out} does not exist; run generate first, or point `out` in {config} at the folder")]
    NoFolder { out: String, config: String },
    #[error("cannot read the migrations in {out}: {error}; fix or rename the file named")]
    Resolve {
        out: String,
        #[source]
        error: sqlx::migrate::MigrateError,
    },
}

/// `path` as the user would type it: relative to `cwd` when inside it.
pub fn show(cwd: &Path, path: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

/// The folder's migrations in version order, read by sqlx's own [`Migrator`] (which skips
/// `meta/` and anything not named `<version>_<name>.sql`).
pub async fn load_local(config: &Config, cwd: &Path) -> Result<Vec<Local>, FolderReadError> {
    let out = show(cwd, &config.out);
    if !config.out.is_dir() {
        return Err(FolderReadError::NoFolder {
            out,
            config: show(cwd, &config.path),
        });
    }
    let migrator =
        Migrator::new(config.out.as_path())
            .await
            .map_err(|error| FolderReadError::Resolve {
                out: out.clone(),
                error,
            })?;
    let files = files_by_version(&config.out);
    Ok(migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| {
            let file = files.get(&m.version).cloned();
            let name = file
                .as_deref()
                .and_then(|f| f.file_name())
                .map(|f| name_of(&f.to_string_lossy()))
                .unwrap_or_else(|| m.description.replace(' ', "_"));
            let file = file.unwrap_or_else(|| config.out.join(format!("{}_{name}.sql", m.version)));
            Local {
                migration: m.clone(),
                file,
                name,
            }
        })
        .collect())
}

/// `20260101000000_create_accounts.sql` → `create_accounts`.
fn name_of(file_name: &str) -> String {
    let rest = file_name
        .split_once('_')
        .map_or(file_name, |(_, rest)| rest);
    let rest = rest.strip_suffix(".sql").unwrap_or(rest);
    rest.strip_suffix(".up").unwrap_or(rest).to_string()
}

/// The up-migration file of each version, named the way sqlx reads them.
fn files_by_version(out: &Path) -> BTreeMap<i64, PathBuf> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let (version, rest) = name.split_once('_')?;
            let up = rest.ends_with(".sql") && !rest.ends_with(".down.sql");
            Some((version.parse().ok().filter(|_| up)?, e.path()))
        })
        .collect()
}

/// The journal's entries that neither a file of the folder nor a row of `_sqlx_migrations`
/// stands for (`entries`, from [`compare`]): their SQL file is missing and no database applied
/// them, so sqlx's [`Migrator`] does not see them. State [`State::Missing`], no `applied_at`.
/// None when the journal cannot be read (`check` reports why).
pub fn unfiled(config: &Config, entries: &[Entry]) -> Vec<Entry> {
    let folder = crate::folder::Folder::new(&config.out, "");
    let Some(journal) = std::fs::read_to_string(folder.journal_path())
        .ok()
        .and_then(|text| schema_core::snapshot::Journal::parse(&text).ok())
    else {
        return Vec::new();
    };
    let known: std::collections::BTreeSet<i64> = entries.iter().map(|e| e.version).collect();
    journal
        .entries
        .iter()
        .filter_map(|j| {
            let (version, name) = j.tag.split_once('_')?;
            let version: i64 = version.parse().ok()?;
            let file = folder.up_path(j);
            (!known.contains(&version) && !file.exists()).then(|| Entry {
                version,
                name: name.to_string(),
                state: State::Missing,
                applied_at: None,
                file: Some(file),
            })
        })
        .collect()
}

/// Every migration of `local` and `applied`, by version, with its state.
pub fn compare(local: &[Local], applied: &[AppliedRow]) -> Vec<Entry> {
    let mut entries: BTreeMap<i64, Entry> = BTreeMap::new();
    for l in local {
        entries.insert(
            l.migration.version,
            Entry {
                version: l.migration.version,
                name: l.name.clone(),
                state: State::Pending,
                applied_at: None,
                file: Some(l.file.clone()),
            },
        );
    }
    let by_version: BTreeMap<i64, &Local> =
        local.iter().map(|l| (l.migration.version, l)).collect();
    for row in applied {
        let local = by_version.get(&row.version);
        let state = match local {
            _ if !row.success => State::Failed,
            None => State::Missing,
            Some(l) if *l.migration.checksum != *row.checksum => State::Modified,
            Some(_) => State::Applied,
        };
        let entry = entries.entry(row.version).or_insert_with(|| Entry {
            version: row.version,
            name: row.description.replace(' ', "_"),
            state,
            applied_at: None,
            file: None,
        });
        entry.state = state;
        entry.applied_at = Some(row.installed_on.clone());
    }
    entries.into_values().collect()
}
