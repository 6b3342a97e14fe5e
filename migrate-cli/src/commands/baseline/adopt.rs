//! Adopting a folder of sqlx-cli migrations (`<version>_<description>.sql`, or
//! `.up.sql` / `.down.sql` pairs): their files are left as they are, so every
//! `_sqlx_migrations` keeps matching their checksums; the journal lists each as `"adopted"`,
//! and each gets the snapshot that replaying the migrations up to it on a scratch database
//! reads back, which `verify` compares with its own replay and `generate` diffs against.

use super::record::check_applied;
use super::{BaselineArgs, BaselineError, Outcome};
use crate::backend::Scratch;
use crate::config::Config;
use crate::database::{self, DatabaseError, ServerError, Target};
use crate::folder::{Folder, UP_SUFFIX};
use crate::history::{load_local, show, Local};
use crate::introspect::drift;
use crate::timestamp;
use crate::write_set::WriteSet;
use crate::Context;
use schema_core::model::Schema;
use schema_core::snapshot::{Journal, Snapshot, ROOT_ID};
use std::time::SystemTime;

/// Whether the folder holds `.sql` files (sqlx-cli migrations, when there is no journal).
pub(super) fn has_migrations(folder: &Folder) -> bool {
    std::fs::read_dir(&folder.out).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !name.starts_with('.') && name.ends_with(".sql")
        })
    })
}

/// One sqlx-cli migration to adopt.
struct Adopted {
    local: Local,
    /// Its file's stem: `<version>_<description>`.
    tag: String,
    /// A reversible pair (`<tag>.up.sql` and `<tag>.down.sql`).
    pair: bool,
}

/// Adopts the folder's sqlx-cli migrations: snapshots and journal written, all or nothing;
/// with `--url` or `--target`, only when that database applied them all.
pub(super) fn adopt(
    args: &BaselineArgs,
    config: &Config,
    folder: &Folder,
    ctx: &mut Context<'_>,
) -> Result<Outcome, BaselineError> {
    let cwd = ctx.cwd.clone();
    let locals = database::block_on(load_local(config, &cwd))??;
    let adopted = locals
        .into_iter()
        .map(|l| classify(folder, l))
        .collect::<Result<Vec<_>, _>>()?;
    refuse_late_versions(&adopted, ctx.now, folder)?;
    let explicit = args.url.is_some() || args.target.is_some();
    let target = match explicit || crate::backend::of(config.dialect).scratch_on_server() {
        true => {
            let choice = (args.url.as_deref(), args.target.as_deref());
            let env = &ctx.env;
            Some(database::resolve_one(
                config, choice, env, &cwd, "baseline",
            )?)
        }
        false => None,
    };
    let out = folder.show(&folder.out);
    let checked = match (&target, explicit) {
        (Some(target), true) => {
            let locals: Vec<Local> = adopted.iter().map(|a| a.local.clone()).collect();
            Some(database::block_on(check_applied(
                config, target, &locals, folder,
            ))??)
        }
        _ => None,
    };
    let schemas = database::block_on(replay(config, target.as_ref(), &adopted))??;
    let files = plan(folder, config, &adopted, &schemas, ctx.now);
    files.commit()?;
    let n = adopted.len();
    let journal = folder.show(&folder.journal_path());
    let _ = writeln!(
        ctx.stdout,
        "adopted {n} sqlx-cli migration(s) of {out}: their files are unchanged; wrote {journal} and {n} snapshot(s) of their schema, replayed on a scratch database"
    );
    if let Some(what) = &checked {
        let _ = writeln!(
            ctx.stdout,
            "{what} has applied all of them: it needs no new row"
        );
    }
    Ok(Outcome::Adopted {
        tags: adopted.into_iter().map(|a| a.tag).collect(),
        checked,
    })
}

/// Its tag and whether it is a reversible pair; a `.up.sql` needs its `.down.sql`.
fn classify(folder: &Folder, local: Local) -> Result<Adopted, BaselineError> {
    let name = local
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tag, pair) = match name.strip_suffix(UP_SUFFIX) {
        Some(tag) => (tag.to_string(), true),
        None => (name.trim_end_matches(".sql").to_string(), false),
    };
    if pair && !folder.down_path(&tag).is_file() {
        return Err(BaselineError::LoneUp {
            file: folder.show(&local.file),
            down: folder.show(&folder.down_path(&tag)),
            simple: folder.show(&folder.sql_path(&tag)),
        });
    }
    Ok(Adopted { local, tag, pair })
}

/// Refuses an integer version that a migration generated now (a `YYYYMMDDHHMMSS` version)
/// would not follow.
fn refuse_late_versions(
    adopted: &[Adopted],
    now: SystemTime,
    folder: &Folder,
) -> Result<(), BaselineError> {
    let next = timestamp::format(timestamp::unix_millis(now) / 1000);
    let next_version: i64 = next.parse().unwrap_or(i64::MAX);
    let late = adopted.iter().find(|a| {
        timestamp::parse_prefix(&a.tag).is_none() && a.local.migration.version >= next_version
    });
    match late {
        Some(a) => Err(BaselineError::VersionTooLate {
            file: folder.show(&a.local.file),
            version: a.local.migration.version,
            next,
        }),
        None => Ok(()),
    }
}

/// Applies each migration in turn on a new scratch database and reads the schema back after
/// each, as `verify` will.
async fn replay(
    config: &Config,
    target: Option<&Target>,
    adopted: &[Adopted],
) -> Result<Vec<Schema>, BaselineError> {
    Scratch::create_new(config.dialect, target)
        .await?
        .with_connection(async |conn| replay_on(conn, config, adopted).await)
        .await
}

async fn replay_on(
    conn: &mut crate::backend::Connected,
    config: &Config,
    adopted: &[Adopted],
) -> Result<Vec<Schema>, BaselineError> {
    let mut schemas = Vec::new();
    for a in adopted {
        let file = show(&config.out, &a.local.file);
        conn.replay_step(&a.local.migration)
            .await
            .map_err(|(line, error)| BaselineError::Replay {
                file: match line {
                    Some(line) => format!("{file}:{line}"),
                    None => file.clone(),
                },
                error,
            })?;
        let mut schema = conn.introspect().await.map_err(|e| DatabaseError::Query {
            context: "cannot read the schema back".into(),
            what: conn.what.clone(),
            error: ServerError::Server(Box::new(e)),
        })?;
        drift::ignore(&mut schema, &config.ignore_tables);
        super::as_pulled(&mut schema);
        schemas.push(schema);
    }
    Ok(schemas)
}

/// The snapshots, chained, and the journal listing every migration as adopted.
fn plan(
    folder: &Folder,
    config: &Config,
    adopted: &[Adopted],
    schemas: &[Schema],
    now: SystemTime,
) -> WriteSet {
    let dialect = config.dialect.as_str();
    let now_ms = timestamp::unix_millis(now);
    let mut journal = Journal::new(dialect);
    let mut files = WriteSet::new();
    let mut prev = ROOT_ID.to_string();
    for (a, schema) in adopted.iter().zip(schemas) {
        let when = timestamp::parse_prefix(&a.tag).map_or(now_ms, |s| s * 1000);
        let entry = journal.push(&a.tag, when);
        entry.breakpoints = false;
        entry.down = a.pair;
        entry.adopted = true;
        let snapshot = Snapshot::new(dialect, &prev, schema);
        prev.clone_from(&snapshot.id);
        files.create(folder.snapshot_path(&a.tag), snapshot.to_json());
    }
    files.replace(folder.journal_path(), journal.to_json());
    files
}
