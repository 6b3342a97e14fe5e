//! Recording a baseline in `_sqlx_migrations` without running it: the row sqlx writes for a
//! migration it ran, with the checksum of the file as sqlx reads it ([`record_new`]); on
//! another database after comparing its schema with the baseline's snapshot as `check --url`
//! compares for drift ([`record_only`]); and the check that a database applied every adopted
//! sqlx-cli migration ([`check_applied`]).

use super::{BaselineArgs, BaselineError, Outcome};
use crate::backend::{self, AppliedRow, Connected};
use crate::config::Config;
use crate::database::{self, Target};
use crate::folder::{history, Folder};
use crate::history::{failed_advice, load_local, show, Local};
use crate::introspect::drift;
use crate::Context;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Records the migration tagged `tag` (the baseline just written, read from the folder as
/// sqlx's `Migrator` reads it) as applied on `target` without running it, creating
/// `_sqlx_migrations` as sqlx does when it is absent; gives its version.
pub fn record_new(
    config: &Config,
    target: &Target,
    tag: &str,
    cwd: &Path,
) -> Result<i64, BaselineError> {
    let run = async {
        let local = load_local(config, cwd).await?;
        let version = history::version_of(tag);
        let Some(m) = local.iter().find(|l| Some(l.migration.version) == version) else {
            return Err(BaselineError::Other(crate::Error::Usage(format!(
                "sqlx does not read {tag} as a migration of {}",
                show(cwd, &config.out)
            ))));
        };
        let mut conn = backend::connect(target, config.dialect).await?;
        let done = record_all(&mut conn, &[m]).await;
        conn.close().await;
        done.map(|()| m.migration.version)
    };
    database::block_on(run)?
}

/// Under sqlx's migration lock (as `migrate` and `repair` take it), creates `_sqlx_migrations`
/// when absent and records each of `locals`.
async fn record_all(conn: &mut Connected, locals: &[&Local]) -> Result<(), BaselineError> {
    if locals.is_empty() {
        return Ok(());
    }
    if let Err(e) = conn.lock().await {
        return Err(migrate_error(conn, "cannot take the migration lock", e));
    }
    let result = match conn.ensure_history().await {
        Ok(()) => record_each(conn, locals).await,
        Err(e) => Err(migrate_error(conn, "cannot create _sqlx_migrations", e)),
    };
    let _ = conn.unlock().await;
    result
}

async fn record_each(conn: &mut Connected, locals: &[&Local]) -> Result<(), BaselineError> {
    for l in locals {
        conn.record(&l.migration).await?;
    }
    Ok(())
}

fn migrate_error(
    conn: &Connected,
    context: &str,
    error: sqlx::migrate::MigrateError,
) -> BaselineError {
    crate::database::DatabaseError::Query {
        context: context.into(),
        what: conn.what.clone(),
        error: database::ServerError::Sqlx(Box::new(sqlx::Error::Migrate(Box::new(error)))),
    }
    .into()
}

/// `baseline --record-only`: records the folder's baseline (its leading adopted and baseline
/// entries) on the database, unless its schema differs from the baseline's last snapshot.
pub(super) fn record_only(
    args: &BaselineArgs,
    config: &Config,
    folder: &Folder,
    ctx: &mut Context<'_>,
) -> Result<Outcome, BaselineError> {
    // One read of the folder: the baseline's length and its migrations come from the same one.
    let history = history::read(folder, config.dialect.as_str());
    if !history.problems.is_empty() {
        let report: Vec<String> = history
            .problems
            .iter()
            .map(|p| format!("  {}", p.message))
            .collect();
        return Err(BaselineError::FolderProblems {
            out: folder.show(&folder.out),
            report: report.join("\n"),
        });
    }
    let count = history
        .migrations
        .iter()
        .take_while(|m| m.adopted || m.baseline)
        .count();
    if count == 0 {
        return Err(BaselineError::NoBaseline {
            journal: folder.show(&folder.journal_path()),
        });
    }
    let choice = (args.url.as_deref(), args.target.as_deref());
    let target = database::resolve_one(config, choice, &ctx.env, &ctx.cwd, "baseline")?;
    let cwd = ctx.cwd.clone();
    let run = async {
        let local = load_local(config, &cwd).await?;
        let by_version: BTreeMap<i64, &Local> =
            local.iter().map(|l| (l.migration.version, l)).collect();
        let mut baseline = Vec::with_capacity(count);
        for m in &history.migrations[..count] {
            match m.version().and_then(|v| by_version.get(&v)) {
                Some(local) => baseline.push(*local),
                None => {
                    let file = folder.show(&m.sql_path);
                    return Err(BaselineError::NoFileRead { file });
                }
            }
        }
        let mut conn = backend::connect(&target, config.dialect).await?;
        let result = record_checked(&mut conn, (config, folder), &history, &baseline).await;
        conn.close().await;
        result
    };
    let recorded = database::block_on(run)??;
    let tag = &history.migrations[count - 1].tag;
    let what = target.source.to_string();
    match recorded.is_empty() {
        true => {
            let _ = writeln!(
                ctx.stdout,
                "nothing to record: the baseline ({tag}) is already recorded on {what}"
            );
        }
        false => {
            let list: Vec<String> = recorded.iter().map(i64::to_string).collect();
            let _ = writeln!(
                ctx.stdout,
                "recorded the baseline ({tag}; version(s) {}) as applied on {what} (not run: its schema matches the baseline's snapshot)",
                list.join(", ")
            );
        }
    }
    Ok(Outcome::Recorded { versions: recorded })
}

/// Compares, then records the migrations of `baseline` not recorded yet; gives their versions.
async fn record_checked(
    conn: &mut Connected,
    (config, folder): (&Config, &Folder),
    history: &history::History,
    baseline: &[&Local],
) -> Result<Vec<i64>, BaselineError> {
    let what = conn.what.clone();
    let rows = conn.applied().await?;
    let rows: BTreeMap<i64, &AppliedRow> = rows.iter().map(|r| (r.version, r)).collect();
    let mut missing = Vec::new();
    for local in baseline {
        match rows.get(&local.migration.version) {
            None => missing.push(*local),
            Some(row) => judge_row(row, local, (&what, folder), "recorded")?,
        }
    }
    let versions: Vec<i64> = baseline.iter().map(|l| l.migration.version).collect();
    let applied: BTreeSet<i64> = versions.iter().copied().collect();
    let last = versions.last().and_then(|v| {
        let m = history
            .migrations
            .iter()
            .find(|m| m.version() == Some(*v))?;
        Some(folder.show(&m.snapshot_path))
    });
    let snapshot = last.unwrap_or_default();
    // `None`: the snapshot could not be read (a folder problem `check` names).
    let Some(found) = drift::find(conn, config, history, (&applied, &[])).await? else {
        return Err(BaselineError::Uncompared { snapshot });
    };
    if !found.differences.is_empty() {
        return Err(BaselineError::Differs {
            what,
            snapshot,
            tag: found.tag,
            report: found
                .differences
                .iter()
                .map(|d| format!("  {d}"))
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    record_all(conn, &missing).await?;
    Ok(missing.iter().map(|l| l.migration.version).collect())
}

/// Refuses a row of `local` recorded as failed or with another checksum.
fn judge_row(
    row: &AppliedRow,
    local: &Local,
    (what, folder): (&str, &Folder),
    nothing: &'static str,
) -> Result<(), BaselineError> {
    if !row.success {
        return Err(BaselineError::Failed {
            what: what.to_string(),
            version: row.version,
            advice: failed_advice(row.version),
            nothing,
        });
    }
    if *row.checksum != *local.migration.checksum {
        return Err(BaselineError::Checksum {
            what: what.to_string(),
            version: row.version,
            file: folder.show(&local.file),
            nothing,
        });
    }
    Ok(())
}

/// Checks that the database `target` applied every one of `locals` with its file's checksum
/// (adoption writes no row for them); gives its name.
pub(super) async fn check_applied(
    config: &Config,
    target: &Target,
    locals: &[Local],
    folder: &Folder,
) -> Result<String, BaselineError> {
    let mut conn = backend::connect(target, config.dialect).await?;
    let what = conn.what.clone();
    let rows = conn.applied().await;
    conn.close().await;
    let rows: BTreeMap<i64, AppliedRow> = rows?.into_iter().map(|r| (r.version, r)).collect();
    let mut missing = Vec::new();
    for local in locals {
        match rows.get(&local.migration.version) {
            None => missing.push(local.file.file_name().map_or_else(
                || local.migration.version.to_string(),
                |n| n.to_string_lossy().into_owned(),
            )),
            Some(row) => judge_row(row, local, (&what, folder), "written")?,
        }
    }
    if !missing.is_empty() {
        return Err(BaselineError::NotApplied {
            what,
            out: folder.show(&folder.out),
            missing: missing.join(", "),
        });
    }
    Ok(what)
}
