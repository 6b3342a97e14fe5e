//! What `check` compares with a live database: applied migrations whose files changed or
//! vanished (the comparison `status` makes), and drift between the live schema and the snapshot
//! of the last applied migration.

use super::history::History;
use super::Problem;
use crate::backend::{self, Connected};
use crate::config::Config;
use crate::database::{self, ServerError, Target};
use crate::error::Error;
use crate::history::{self as status, State};
use crate::introspect;
use crate::Context;
use std::collections::BTreeSet;
use std::path::Path;

/// The versions applied successfully, and the problems found.
#[derive(Debug, Default)]
pub struct Live {
    pub applied: BTreeSet<i64>,
    pub problems: Vec<Problem>,
}

/// Connects to `target` and compares it with the folder.
pub fn check(
    config: &Config,
    target: &Target,
    history: &History,
    ctx: &Context<'_>,
) -> Result<Live, Error> {
    database::block_on(read(config, target, history, &ctx.cwd))?
}

async fn read(
    config: &Config,
    target: &Target,
    history: &History,
    cwd: &Path,
) -> Result<Live, Error> {
    let local = match config.out.is_dir() {
        true => status::load_local(config, cwd).await?,
        false => Vec::new(),
    };
    let mut conn = backend::connect(target, config.dialect).await?;
    let what = conn.what.clone();
    let rows = match conn.applied().await {
        Ok(rows) => rows,
        Err(e) => {
            conn.close().await;
            return Err(e.into());
        }
    };
    let mut live = Live::default();
    for entry in status::compare(&local, &rows) {
        let name = format!("{}_{}", entry.version, entry.name);
        let at = entry.applied_at.as_deref().unwrap_or("?");
        let message = match entry.state {
            State::Modified => format!(
                "{name} was applied on {what} at {at} but its file changed since; restore the file from version control and put the change in a new migration, or, when the database already holds what the file now says, run `migrate-cli repair --checksum {}`", entry.version
            ),
            State::Missing => format!(
                "{name} was applied on {what} at {at} but its file is gone from the folder; restore it from version control"
            ),
            State::Failed => format!(
                "{name} failed part way on {what}; finish or undo by hand what it ran (the drift below shows it), then run `migrate-cli repair --failed {}`",
                entry.version
            ),
            State::Applied => {
                live.applied.insert(entry.version);
                continue;
            }
            State::Pending => continue,
        };
        live.problems
            .push(Problem::new(entry.state.as_str(), message));
    }
    let drift = drift(&mut conn, history, &live.applied, &what).await;
    conn.close().await;
    live.problems.extend(drift?);
    Ok(live)
}

/// The live schema against the snapshot of the last applied migration, compared as the
/// config's dialect prints things back.
async fn drift(
    conn: &mut Connected,
    history: &History,
    applied: &BTreeSet<i64>,
    what: &str,
) -> Result<Vec<Problem>, Error> {
    let last = history
        .migrations
        .iter()
        .rev()
        .find(|m| m.version().is_some_and(|v| applied.contains(&v)));
    let Some(last) = last else {
        return Ok(Vec::new());
    };
    let Some(snapshot) = &last.snapshot else {
        return Ok(Vec::new());
    };
    let actual = conn
        .introspect()
        .await
        .map_err(|e| database::DatabaseError::Query {
            context: "cannot read the schema".to_string(),
            what: what.to_string(),
            error: ServerError::Server(Box::new(e)),
        })?;
    Ok(introspect::judge::compare(conn, &snapshot.schema, &actual)
        .await
        .into_iter()
        .map(|d| {
            Problem::new(
                "drift",
                format!(
                    "{d} (on {what}, compared with the snapshot of {}, the last applied migration); change the database back, or change the source and generate a migration",
                    last.tag
                ),
            )
        })
        .collect())
}
