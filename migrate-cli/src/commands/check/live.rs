//! What `check` reads from a live database: every migration's state there (the comparison
//! `status` makes, which [`crate::verdict`] judges), and drift between the live schema and the
//! snapshot of the last applied migration (what `migrate`'s drift gate refuses).

use super::Problem;
use crate::backend::{self, Connected};
use crate::config::Config;
use crate::database::{self, Target};
use crate::error::Error;
use crate::folder::history::History;
use crate::history::{self as status, Entry, State};
use crate::introspect;
use crate::Context;
use std::collections::BTreeSet;
use std::path::Path;

/// The database's name in messages, every migration's state there, and the drift found.
#[derive(Debug, Default)]
pub struct Live {
    pub what: String,
    pub entries: Vec<Entry>,
    pub drift: Vec<Problem>,
    /// Why some expressions were compared as text (the server could not judge them).
    pub unjudged: Option<String>,
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
    let entries = status::compare(&local, &rows);
    let applied: BTreeSet<i64> = entries
        .iter()
        .filter(|e| e.state == State::Applied)
        .map(|e| e.version)
        .collect();
    let drift = drift(&mut conn, config, history, &applied, &what).await;
    conn.close().await;
    let (drift, unjudged) = drift?;
    Ok(Live {
        drift,
        what,
        entries,
        unjudged,
    })
}

/// The live schema against the snapshot of the last applied migration, as `migrate`'s drift
/// gate compares them ([`introspect::drift`]).
async fn drift(
    conn: &mut Connected,
    config: &Config,
    history: &History,
    applied: &BTreeSet<i64>,
    what: &str,
) -> Result<(Vec<Problem>, Option<String>), Error> {
    let Some(found) = introspect::drift::find(conn, config, history, (applied, &[])).await? else {
        return Ok((Vec::new(), None));
    };
    let problems = found
        .differences
        .into_iter()
        .map(|d| {
            Problem::new(
                "drift",
                format!(
                    "{d} (on {what}, compared with the snapshot of {}, the last applied migration); change the database back, or change the source and generate a migration",
                    found.tag
                ),
            )
        })
        .collect();
    Ok((problems, found.unjudged))
}
