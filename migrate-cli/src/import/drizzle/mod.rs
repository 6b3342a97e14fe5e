//! A drizzle-kit 0.31 migrations folder read into the schema model: `meta/_journal.json`, the
//! snapshot of its last entry (`meta/<idx>_snapshot.json`: PostgreSQL version 7, SQLite
//! version 6, MySQL version 5) and the SQL files, whose SHA-256 is what drizzle's own
//! migrations table holds for each applied one.
//!
//! The schema is the last snapshot in the form this tool's introspection reads the database
//! drizzle-kit migrated ([`postgres`], [`sqlite`], [`mysql`]): names drizzle-kit writes into
//! its SQL are kept, names it leaves to the database (SQLite's foreign keys) are the ones the
//! database derives. What the attribute language cannot say is left out and listed in
//! [`Imported::left_out`].

mod expressions;
mod flat;
mod mysql;
mod ordered;
mod pg_snapshot;
mod postgres;
mod sqlite;

use crate::config::Dialect;
use crate::pull::LeftOut;
use schema_core::model::{Column, ColumnType, FkAction, Index, Schema, Table};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// drizzle-kit's migrations table (in schema `drizzle` on PostgreSQL).
pub const DRIZZLE_TABLE: &str = "__drizzle_migrations";

/// Why a folder cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum DrizzleError {
    #[error("cannot read {path}: {source}; give the folder drizzle-kit writes its migrations to (its `out`)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a drizzle-kit {what}: {message}")]
    Parse {
        path: PathBuf,
        what: &'static str,
        message: String,
    },
    #[error("{path}: drizzle-kit dialect `{dialect}` cannot be imported; import reads postgresql, sqlite and mysql folders")]
    Dialect { path: PathBuf, dialect: String },
    #[error("{path} lists no migrations: there is nothing to import; run `drizzle-kit generate` first, or give the folder that holds the migrations")]
    Empty { path: PathBuf },
    #[error("{journal} lists migration {tag}, but {path} cannot be read ({source}); restore it from version control (drizzle-kit's folder must be complete to import)")]
    MissingSql {
        journal: PathBuf,
        tag: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is a version {found} snapshot, but drizzle-kit 0.31 writes version {expected} for {dialect}; run `drizzle-kit up` on the folder first")]
    Version {
        path: PathBuf,
        dialect: &'static str,
        found: String,
        expected: &'static str,
    },
    #[error("{path}: {message}; fix the snapshot (or generate it again with drizzle-kit)")]
    Invalid { path: PathBuf, message: String },
}

/// One migration of drizzle-kit's journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub idx: u32,
    /// `0000_init`: the SQL file is `<tag>.sql`.
    pub tag: String,
    /// Milliseconds since the epoch: drizzle's `created_at` for the migration.
    pub when: i64,
    pub sql: PathBuf,
    /// The lowercase hex SHA-256 of the SQL file: drizzle's `hash` for the migration.
    pub hash: String,
}

/// A drizzle-kit folder as this tool models it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub dialect: Dialect,
    pub entries: Vec<Entry>,
    /// The last snapshot's schema.
    pub schema: Schema,
    /// What the attribute language cannot say.
    pub left_out: Vec<LeftOut>,
}

#[derive(Deserialize)]
struct Journal {
    dialect: String,
    #[serde(default)]
    entries: Vec<JournalEntry>,
}

#[derive(Deserialize)]
struct JournalEntry {
    idx: u32,
    when: i64,
    tag: String,
}

/// Reads the drizzle-kit folder `dir`.
pub fn read(dir: &Path) -> Result<Imported, DrizzleError> {
    let journal_path = dir.join("meta").join("_journal.json");
    let journal: Journal = parse(&journal_path, "journal")?;
    let dialect = match journal.dialect.as_str() {
        "postgresql" => Dialect::Postgres,
        "sqlite" => Dialect::Sqlite,
        "mysql" => Dialect::Mysql,
        other => {
            return Err(DrizzleError::Dialect {
                path: journal_path,
                dialect: other.to_string(),
            })
        }
    };
    let mut entries = Vec::new();
    for e in &journal.entries {
        let sql = dir.join(format!("{}.sql", e.tag));
        let text = std::fs::read_to_string(&sql).map_err(|source| DrizzleError::MissingSql {
            journal: journal_path.clone(),
            tag: e.tag.clone(),
            path: sql.clone(),
            source,
        })?;
        entries.push(Entry {
            idx: e.idx,
            tag: e.tag.clone(),
            when: e.when,
            hash: hex(&Sha256::digest(text.as_bytes())),
            sql,
        });
    }
    let last = entries.last().ok_or(DrizzleError::Empty {
        path: journal_path.clone(),
    })?;
    let snapshot = dir
        .join("meta")
        .join(format!("{:04}_snapshot.json", last.idx));
    let text = read_text(&snapshot)?;
    let (schema, left_out) = match dialect {
        Dialect::Postgres => postgres::schema(&snapshot, &text)?,
        Dialect::Sqlite => sqlite::schema(&snapshot, &text)?,
        Dialect::Mysql => mysql::schema(&snapshot, &text)?,
    };
    Ok(Imported {
        dialect,
        entries,
        schema,
        left_out,
    })
}

fn read_text(path: &Path) -> Result<String, DrizzleError> {
    std::fs::read_to_string(path).map_err(|source| DrizzleError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn parse<T: for<'de> Deserialize<'de>>(path: &Path, what: &'static str) -> Result<T, DrizzleError> {
    from_text(path, &read_text(path)?, what)
}

fn from_text<T: for<'de> Deserialize<'de>>(
    path: &Path,
    text: &str,
    what: &'static str,
) -> Result<T, DrizzleError> {
    serde_json::from_str(text).map_err(|e| DrizzleError::Parse {
        path: path.to_path_buf(),
        what,
        message: e.to_string(),
    })
}

/// The snapshot's `version` must be the one drizzle-kit 0.31 writes for the dialect.
fn expect_version(
    path: &Path,
    dialect: &'static str,
    found: &str,
    expected: &'static str,
) -> Result<(), DrizzleError> {
    match found == expected {
        true => Ok(()),
        false => Err(DrizzleError::Version {
            path: path.to_path_buf(),
            dialect,
            found: found.to_string(),
            expected,
        }),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A foreign key action as drizzle-kit spells it (`"set null"`); `no action` when absent.
fn action(path: &Path, spelled: Option<&str>) -> Result<FkAction, DrizzleError> {
    match spelled {
        None => Ok(FkAction::NoAction),
        Some(s) => FkAction::parse(s).ok_or_else(|| DrizzleError::Invalid {
            path: path.to_path_buf(),
            message: format!("unknown foreign key action `{s}`"),
        }),
    }
}

/// A column default as drizzle-kit stores it: SQL text, or a JSON number or boolean.
fn default_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests;

/// Why a view drizzle-kit does not manage is not imported.
const EXISTING_VIEW: &str =
    "drizzle-kit does not manage it (`.existing()`), so neither does this tool";

/// Something left out, and why; `table` is the key of the table whose file says so.
fn left(object: String, why: &str, table: Option<String>) -> LeftOut {
    LeftOut {
        object,
        why: why.to_string(),
        table,
    }
}

/// An empty table `schema.name`.
fn new_table(schema: &str, name: &str) -> Table {
    Table {
        schema: schema.to_string(),
        name: name.to_string(),
        columns: Vec::new(),
        primary_key: None,
        uniques: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        rls: false,
        policies: Vec::new(),
        renamed_from: None,
    }
}

/// A column with nothing but its type and nullability.
fn new_column(name: &str, ty: ColumnType, nullable: bool) -> Column {
    Column {
        name: name.to_string(),
        ty,
        nullable,
        default: None,
        identity: false,
        identity_options: Default::default(),
        generated: None,
        renamed_from: None,
    }
}

/// A plain index over `columns`.
fn new_index(name: &str, columns: &[String], unique: bool) -> Index {
    Index {
        name: name.to_string(),
        columns: columns.to_vec(),
        keys: Vec::new(),
        unique,
        predicate: None,
        using: None,
        with: Default::default(),
        concurrently: false,
        nulls_not_distinct: false,
    }
}
