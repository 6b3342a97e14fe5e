//! The baseline's own proof, before anything is written: its migration, applied to a scratch
//! database, must rebuild the schema its snapshot holds (compared as `verify` compares), so
//! that `verify`, a fresh database and a new developer's machine get the database baselined.

use super::BaselineError;
use crate::backend::Scratch;
use crate::config::Dialect;
use crate::database::{DatabaseError, ServerError, Target};
use crate::introspect::judge;
use crate::Context;
use schema_core::model::Schema;
use sqlx::migrate::{Migration, MigrationType};

/// Applies `sql` (the migration `tag`) to a scratch database on `target`'s server (a temporary
/// file on SQLite) and compares what it built with `schema`; refuses a difference. A scratch
/// database that cannot be made (a login without the right to create databases) is a note,
/// not a refusal: `verify` then proves the baseline where it can run.
pub(super) async fn check(
    (dialect, target): (Dialect, &Target),
    (tag, sql): (&str, &str),
    schema: &Schema,
    ctx: &mut Context<'_>,
) -> Result<(), BaselineError> {
    let scratch = match Scratch::create_new(dialect, Some(target)).await {
        Ok(scratch) => scratch,
        Err(e) => {
            let _ = writeln!(
                ctx.stderr,
                "note: the baseline was not replayed on a scratch database ({e}); run verify where one can be made"
            );
            return Ok(());
        }
    };
    scratch
        .with_connection(async |conn| compare(conn, (tag, sql), schema).await)
        .await
}

async fn compare(
    conn: &mut crate::backend::Connected,
    (tag, sql): (&str, &str),
    schema: &Schema,
) -> Result<(), BaselineError> {
    let version = crate::folder::history::version_of(tag).unwrap_or_default();
    let no_tx = sql.starts_with(crate::commands::generate::NO_TRANSACTION);
    let kind = MigrationType::Simple;
    let migration = Migration::new(
        version,
        tag.to_string().into(),
        kind,
        sql.to_string().into(),
        no_tx,
    );
    conn.replay_step(&migration)
        .await
        .map_err(|(line, error)| BaselineError::NotReplayed {
            file: match line {
                Some(line) => format!("{tag}.sql:{line}"),
                None => format!("{tag}.sql"),
            },
            error,
        })?;
    let actual = conn.introspect().await.map_err(|e| DatabaseError::Query {
        context: "cannot read the schema back".into(),
        what: conn.what.clone(),
        error: ServerError::Server(Box::new(e)),
    })?;
    let judged = judge::compare(conn, schema, &actual).await;
    if judged.differences.is_empty() {
        return Ok(());
    }
    Err(BaselineError::NotRebuilt {
        tag: tag.to_string(),
        report: judged
            .differences
            .iter()
            .map(|d| format!("  {d}"))
            .collect::<Vec<_>>()
            .join("\n"),
    })
}
