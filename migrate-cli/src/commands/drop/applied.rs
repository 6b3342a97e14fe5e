//! `drop`'s database check: the migration must not be recorded in `_sqlx_migrations` as applied;
//! a row recorded as failed (a MySQL migration that stopped half way) is allowed, and its repair
//! is printed. Without a database `drop` says what it could not check.

use super::DropError;
use crate::backend::{self, AppliedRow};
use crate::config::{Config, Dialect};
use crate::database::{self, DatabaseError, ServerError, Target};
use crate::error::Error;
use crate::folder::{Folder, FolderError};
use crate::sizes::TIMEOUT;
use crate::Context;

/// A failed row of `_sqlx_migrations` for the dropped migration.
pub(super) struct FailedRow {
    pub version: i64,
    pub what: String,
}

/// Refuses a migration the database has applied; gives its row when it is recorded as failed.
/// Without a database it says what it could not check.
pub(super) fn check(
    config: &Config,
    choice: (Option<&str>, Option<&str>),
    folder: &Folder,
    tag: &str,
    ctx: &mut Context<'_>,
) -> Result<Option<FailedRow>, DropError> {
    let unchecked = |ctx: &mut Context<'_>, why: &str| {
        let _ = writeln!(ctx.stderr, "note: could not check whether {tag} is applied: {why}; make sure no database has applied it (pass --url to check one)");
    };
    let target = match database::resolve_one(config, choice, &ctx.env, &ctx.cwd, "drop") {
        Ok(target) => target,
        Err(DatabaseError::NoUrl { .. }) => {
            unchecked(ctx, "no database url");
            return Ok(None);
        }
        Err(e) => return Err(Error::from(e).into()),
    };
    let db = backend::of(config.dialect);
    if db.file_missing(&target) {
        if target.source.is_explicit() {
            return Err(Error::from(DatabaseError::Connect {
                what: db.what_of(&target),
                from: target.source,
                error: ServerError::Found("the file does not exist".to_string()),
                hint: "check the path; drop reads the database and never creates one",
            })
            .into());
        }
        unchecked(ctx, &format!("{} does not exist", target.source));
        return Ok(None);
    }
    let version = tag
        .split_once('_')
        .and_then(|(v, _)| v.parse::<i64>().ok())
        .ok_or_else(|| {
            Error::from(FolderError::BadTag {
                journal: folder.show(&folder.journal_path()),
                tag: tag.to_string(),
            })
        })?;
    let (rows, what) = database::block_on(read_rows(&target, config.dialect))
        .and_then(|r| r)
        .map_err(Error::from)?;
    match rows.into_iter().find(|r| r.version == version) {
        Some(row) if row.success => Err(DropError::Applied {
            tag: tag.to_string(),
            what,
            at: row.installed_on,
        }),
        Some(_) => Ok(Some(FailedRow { version, what })),
        None => {
            let _ = writeln!(ctx.stdout, "checked {what}: {tag} is not applied there");
            Ok(None)
        }
    }
}

/// `_sqlx_migrations` of `target` and what to call the database, within [`TIMEOUT`].
async fn read_rows(
    target: &Target,
    dialect: Dialect,
) -> Result<(Vec<AppliedRow>, String), DatabaseError> {
    let read = async {
        let mut conn = backend::connect(target, dialect).await?;
        let rows = conn.applied().await;
        let what = conn.what.clone();
        conn.close().await;
        Ok((rows?, what))
    };
    tokio::time::timeout(TIMEOUT, read)
        .await
        .unwrap_or_else(|_| {
            Err(DatabaseError::Connect {
                what: database::redact(&target.url),
                from: target.source.clone(),
                error: ServerError::Found(format!("no answer within {} s", TIMEOUT.as_secs())),
                hint: "start the server or pass --url of one that answers; drop checks the migration is not applied",
            })
        })
}
