//! `status` on a fleet (`--target` whose `url_file` lists several databases, or `--url` given
//! several times): one line per database with its applied, pending and failed migrations and
//! its drift, the live schema compared with the snapshot of its newest applied migration as
//! `migrate`'s drift gate compares it ([`crate::introspect::drift`]). The databases are read
//! a few at a time; the folder is read once for all.

use super::{compare, load_local, Entry, Format, Local, State, StatusArgs};
use crate::backend;
use crate::commands::migrate::concurrent_builds;
use crate::commands::migrate::fleet::{fleet_name, pool};
use crate::config::Config;
use crate::database::{self, Target};
use crate::error::Error;
use crate::folder::history::{self, Depth, History};
use crate::folder::Folder;
use crate::introspect::drift;
use crate::Context;
use serde::Serialize;
use std::collections::BTreeSet;

/// How many databases are read at once.
const PARALLEL: usize = 4;

/// What one database holds.
#[derive(Debug, Serialize)]
struct One {
    database: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    migrations: Option<Vec<Entry>>,
    /// The snapshot compared and each difference; absent when nothing is applied (or the
    /// database could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    drift: Option<Drift>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Drift {
    tag: String,
    differences: Vec<String>,
}

/// One line per database (`--format json`: each database with its migrations and drift, or
/// its error); an error if any database could not be read.
pub(super) fn fleet(
    args: &StatusArgs,
    config: &Config,
    targets: &[Target],
    ctx: &mut Context<'_>,
) -> Result<Vec<Entry>, Error> {
    let local = database::block_on(load_local(config, &ctx.cwd))??;
    let folder = Folder::new(&config.out, &ctx.cwd);
    let history = history::read_with(&folder, config.dialect.as_str(), Depth::Heads);
    let mut out: Vec<Option<One>> = (0..targets.len()).map(|_| None).collect();
    let read = |i: usize| {
        let target = &targets[i];
        let database = database::redact(&target.url);
        match database::block_on(read(config, target, &local, &history)) {
            Ok(Ok((entries, drift))) => One {
                database,
                migrations: Some(entries),
                drift,
                error: None,
            },
            Ok(Err(e)) => failed(database, e.to_string()),
            Err(e) => failed(database, e.to_string()),
        }
    };
    let text = args.format == Format::Text;
    pool::run(
        (targets.len(), PARALLEL, false),
        read,
        |_| false,
        |event| {
            if let pool::Event::Done(i, one) = event {
                out[i] = Some(one);
            }
        },
    );
    let out: Vec<One> = out.into_iter().flatten().collect();
    if text {
        for one in &out {
            let _ = writeln!(ctx.stdout, "{}", line(one));
        }
    } else {
        #[derive(Serialize)]
        struct Out<'a> {
            databases: &'a [One],
        }
        let json = serde_json::to_string_pretty(&Out { databases: &out }).unwrap_or_default();
        let _ = writeln!(ctx.stdout, "{json}");
    }
    let failed = out.iter().filter(|o| o.error.is_some()).count();
    let all = out
        .into_iter()
        .flat_map(|o| o.migrations.unwrap_or_default());
    match failed {
        0 => Ok(all.collect()),
        _ if !text => Ok(all.collect()),
        failed => Err(database::DatabaseError::FleetUnread {
            name: fleet_name(targets),
            failed,
            count: targets.len(),
        }
        .into()),
    }
}

fn failed(database: String, error: String) -> One {
    One {
        database,
        migrations: None,
        drift: None,
        error: Some(error),
    }
}

/// `postgres://h/t1: 3 applied, 2 pending, 0 failed; drift: none`.
fn line(one: &One) -> String {
    let Some(entries) = &one.migrations else {
        let error = one.error.as_deref().unwrap_or_default();
        return format!("{}: error: {error}", one.database);
    };
    let count = |state: State| entries.iter().filter(|e| e.state == state).count();
    let mut parts = vec![
        format!("{} applied", count(State::Applied)),
        format!("{} pending", count(State::Pending)),
        format!("{} failed", count(State::Failed)),
    ];
    for state in [State::Modified, State::Missing] {
        if count(state) > 0 {
            parts.push(format!("{} {}", count(state), state.as_str()));
        }
    }
    let drift = match &one.drift {
        None => "drift: not checked (nothing applied)".to_string(),
        Some(d) if d.differences.is_empty() => "drift: none".to_string(),
        Some(d) => format!(
            "drift: {} difference(s) from the snapshot of {} (first: {})",
            d.differences.len(),
            d.tag,
            d.differences[0]
        ),
    };
    format!("{}: {}; {drift}", one.database, parts.join(", "))
}

/// The migrations of `target` and its drift (none when nothing is applied).
async fn read(
    config: &Config,
    target: &Target,
    local: &[Local],
    history: &History,
) -> Result<(Vec<Entry>, Option<Drift>), Error> {
    let dialect = backend::of(config.dialect);
    if dialect.file_missing(target) && dialect.creates_file(target) {
        return Ok((with_unfiled(config, compare(local, &[])), None));
    }
    let mut conn = backend::connect(target, config.dialect).await?;
    let result = async {
        let entries = compare(local, &conn.applied().await?);
        let applied: BTreeSet<i64> = entries
            .iter()
            .filter(|e| e.state == State::Applied)
            .map(|e| e.version)
            .collect();
        let pending: BTreeSet<i64> = entries
            .iter()
            .filter(|e| e.state == State::Pending)
            .map(|e| e.version)
            .collect();
        // Indexes a pending `-- no-transaction` migration builds concurrently are not drift:
        // an interrupted build left them, and migrate builds them again.
        let rebuilt: Vec<(String, String)> = local
            .iter()
            .filter(|l| l.migration.no_tx && pending.contains(&l.migration.version))
            .flat_map(|l| concurrent_builds(&l.migration.sql))
            .collect();
        let found = match applied.is_empty() {
            true => None,
            false => drift::find(&mut conn, config, history, (&applied, &rebuilt)).await?,
        };
        let drift = found.map(|d| Drift {
            tag: d.tag,
            differences: d.differences,
        });
        Ok::<_, Error>((with_unfiled(config, entries), drift))
    }
    .await;
    conn.close().await;
    result
}

/// `entries` with the journal entries whose file is missing, by version.
fn with_unfiled(config: &Config, mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.extend(crate::history::unfiled(config, &entries));
    entries.sort_by_key(|e| e.version);
    entries
}
