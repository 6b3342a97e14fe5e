//! The files of a baseline: the migration that creates a whole schema from nothing (rendered as
//! `generate` renders, with its down), its snapshot and its journal entry (`"baseline": true`),
//! planned as one all-or-nothing [`WriteSet`]. `baseline` writes them for a live database;
//! an importer of another tool's history writes them for the schema it read.

use crate::config::Dialect;
use crate::error::Error;
use crate::folder::Folder;
use crate::timestamp;
use crate::write_set::WriteSet;
use schema_core::diff::{self, Renames};
use schema_core::model::Schema;
use schema_core::render;
use schema_core::snapshot::{snapshot_json, Journal, ROOT_ID};
use std::path::PathBuf;
use std::time::SystemTime;

/// The name in a baseline migration's tag: `<YYYYMMDDHHMMSS>_baseline`.
pub const BASELINE_NAME: &str = "baseline";

/// What a baseline writes, and where.
#[derive(Debug)]
pub struct BaselineFiles {
    pub tag: String,
    pub sql: PathBuf,
    pub down: PathBuf,
    pub snapshot: PathBuf,
    pub journal: PathBuf,
    /// The baseline migration's SQL, as written to `sql`.
    pub up_sql: String,
    /// The files, to [`WriteSet::commit`].
    pub files: WriteSet,
}

/// The baseline of `schema` in `folder`: `<tag>.sql` creating it from the empty schema,
/// `<tag>.down.sql` dropping it, its snapshot, and `journal` (a new one when `None`) with its
/// entry appended, `"baseline": true`. The tag is `<stamp>_baseline`, stamped `now`, or the
/// second after `after` (the newest stamp of the folder) when that is later.
pub fn plan(
    folder: &Folder,
    dialect: Dialect,
    schema: &Schema,
    journal: Option<Journal>,
    (now, after): (SystemTime, Option<u64>),
) -> Result<BaselineFiles, Error> {
    let renderer = dialect.renderer();
    let empty = Schema::default();
    let none = Renames::default();
    let up = diff::diff(&empty, schema, &none);
    let down = diff::down(&empty, schema, &none);
    let sql = file(renderer, renderer.script(&up, &empty, schema)?);
    let down_sql = file(renderer, renderer.script(&down, schema, &empty)?);
    let mut journal = journal.unwrap_or_else(|| Journal::new(dialect.as_str()));
    let prev_id = match journal.last() {
        Some(last) => read_id(folder, &last.tag)?,
        None => ROOT_ID.to_string(),
    };
    let now_ms = timestamp::unix_millis(now);
    let stamp = timestamp::next_free(now_ms / 1000, after);
    let when = if stamp == now_ms / 1000 {
        now_ms
    } else {
        stamp * 1000
    };
    let tag = format!("{}_{BASELINE_NAME}", timestamp::format(stamp));
    let entry = journal.push(&tag, when);
    entry.breakpoints = renderer.statement_breakpoints();
    entry.down = true;
    entry.baseline = true;
    let (sql_path, down_path) = (folder.sql_path(&tag), folder.down_path(&tag));
    let snapshot_path = folder.snapshot_path(&tag);
    let mut files = WriteSet::new();
    files.create(sql_path.clone(), sql.clone());
    files.create(down_path.clone(), down_sql);
    let snapshot = snapshot_json(dialect.as_str(), &prev_id, schema);
    files.create(snapshot_path.clone(), snapshot);
    files.replace(folder.journal_path(), journal.to_json());
    Ok(BaselineFiles {
        tag,
        sql: sql_path,
        down: down_path,
        snapshot: snapshot_path,
        journal: folder.journal_path(),
        up_sql: sql,
        files,
    })
}

/// A file's SQL, `-- no-transaction` first when the script needs it.
fn file(renderer: &dyn render::Dialect, script: render::Script) -> String {
    let body = render::file_sql(renderer, &script.statements);
    match script.no_transaction {
        true => format!("{}\n{body}", crate::commands::generate::NO_TRANSACTION),
        false => body,
    }
}

/// The id of migration `tag`'s snapshot, which the baseline's follows.
fn read_id(folder: &Folder, tag: &str) -> Result<String, Error> {
    let path = folder.snapshot_path(tag);
    let text = std::fs::read_to_string(&path).map_err(|source| crate::folder::FolderError::Io {
        path: folder.show(&path),
        source,
    })?;
    let snapshot = schema_core::snapshot::Snapshot::parse(&text).map_err(|source| {
        crate::folder::FolderError::Corrupt {
            path: folder.show(&path),
            source,
        }
    })?;
    Ok(snapshot.id)
}
