//! `migrate --rehearse`: the pending migrations run on the target in one transaction that is
//! always rolled back ([`crate::backend::End::Rollback`]), under the target's lock and
//! statement timeouts, each statement timed; a failure names the file, line and the database's
//! error. Nothing is committed and `_sqlx_migrations` is not written. `-- no-transaction` files
//! cannot run inside the transaction: they are skipped with a line saying so, and the files
//! after them are rehearsed without them. PostgreSQL and SQLite; refused on MySQL, whose DDL
//! commits implicitly.

use super::atomic::{located, not_transactional, pending};
use super::drift_gate::DriftGate;
use super::{millis, sqlx_error, MigrateError, Remains, Summary, Watch};
use crate::backend::{self, BatchError, Connected, End, Ran};
use crate::config::Config;
use crate::database::{ServerError, Target};
use crate::error::Error;
use crate::history::{self as status, show, Local};
use crate::lock_policy::LockPolicy;
use crate::statements::split_statements;
use crate::Context;
use std::time::Duration;

/// What a failed rehearsal left: nothing.
const ROLLED_BACK: &str = "this was a rehearsal: everything it ran was rolled back, nothing was applied and _sqlx_migrations is unchanged; fix the file (or the data it meets) before migrate applies it";

/// Rehearses the pending migrations on `target`.
pub(super) async fn rehearse(
    config: &Config,
    target: &Target,
    local: &[Local],
    (gate, policy): (Option<&DriftGate<'_>>, LockPolicy),
    ctx: &mut Context<'_>,
) -> Result<Summary, Error> {
    let database = backend::of(config.dialect);
    if !database.transactional_ddl() {
        return Err(not_transactional(database, &database.what_of(target), "--rehearse").into());
    }
    let mut conn = backend::connect(target, config.dialect).await?;
    if let Err(e) = conn.set_policy(policy).await {
        let (what, error) = (conn.what.clone(), ServerError::Sqlx(Box::new(e)));
        conn.close().await;
        let context = "cannot set the lock and statement timeouts";
        return Err(MigrateError::Sqlx {
            context,
            what,
            error,
        }
        .into());
    }
    let mut watch = backend::watcher(&mut conn, target, config.dialect).await;
    let result = locked(&mut conn, config, local, gate, (&mut watch, ctx)).await;
    if let Some((watcher, _)) = watch {
        watcher.close().await;
    }
    conn.close().await;
    result
}

/// [`rehearse`] under the migration lock (so that no `migrate` runs meanwhile), released after.
async fn locked(
    conn: &mut Connected,
    config: &Config,
    local: &[Local],
    gate: Option<&DriftGate<'_>>,
    (watch, ctx): (&mut Watch, &mut Context<'_>),
) -> Result<Summary, Error> {
    let lock = conn.lock().await;
    lock.map_err(|e| sqlx_error(conn, "cannot take the migration lock", e))?;
    let result = run(conn, config, local, gate, (watch, ctx)).await;
    let _ = conn.unlock().await;
    result
}

async fn run(
    conn: &mut Connected,
    config: &Config,
    local: &[Local],
    gate: Option<&DriftGate<'_>>,
    (watch, ctx): (&mut Watch, &mut Context<'_>),
) -> Result<Summary, Error> {
    let applied = conn.applied().await?;
    let entries = status::compare(local, &applied);
    if let Some(gate) = gate {
        gate.check(conn, config, &entries, false, ctx).await?;
    }
    let mut batch = Vec::new();
    for l in pending(local, &entries) {
        let file = show(&ctx.cwd, &l.file);
        match l.migration.no_tx {
            true => {
                let _ = writeln!(ctx.stdout, "not rehearsable: {file} is -- no-transaction, so it cannot run inside the rehearsal's transaction; skipped (the files after it are rehearsed without it)");
            }
            false => batch.push((file, &l.migration)),
        }
    }
    if batch.is_empty() {
        let _ = writeln!(ctx.stdout, "nothing to rehearse on {}", conn.what);
        return Ok(Summary {
            applied: Vec::new(),
        });
    }
    let migrations: Vec<_> = batch.iter().map(|(_, m)| *m).collect();
    let watcher = watch.as_mut().map(|(w, id)| (w, *id));
    let mut ran = Vec::new();
    let mut say = |line: String| {
        let _ = writeln!(ctx.stdout, "rehearsal: {line}");
    };
    let (result, waited) = conn
        .run_batch_patiently((&migrations, End::Rollback), watcher, &mut ran, &mut say)
        .await;
    let mut total = Duration::ZERO;
    for (r, (file, m)) in ran.iter().zip(&batch) {
        total += r.elapsed;
        timings(r, (file, &m.sql), ctx);
    }
    match result {
        Ok(()) => {
            let _ = writeln!(ctx.stdout, "rehearsed {} migration(s) on {} in {}, then rolled back: nothing was applied and _sqlx_migrations is unchanged", ran.len(), conn.what, millis(total));
            Ok(Summary {
                applied: Vec::new(),
            })
        }
        Err(BatchError::Server { context, error }) => Err(MigrateError::Sqlx {
            context,
            what: conn.what.clone(),
            error: ServerError::Sqlx(Box::new(error)),
        }
        .into()),
        Err(BatchError::Stopped {
            file,
            statement,
            error,
        }) => {
            for (later, _) in &batch[file + 1..] {
                let _ = writeln!(ctx.stdout, "not rehearsed: {later} (after the failure)");
            }
            let (name, m) = &batch[file];
            let mut failure = located(conn, (name, &m.sql), statement, error);
            if waited.timed_out {
                failure.notes = waited.note(&conn.policy, conn.database().blockers_unseen());
            }
            failure.remains = Remains::Told(ROLLED_BACK.to_string());
            Err(MigrateError::Failed(Box::new(failure)).into())
        }
    }
}

/// Prints a rehearsed file's time and each statement's.
fn timings(r: &Ran, (file, sql): (&str, &str), ctx: &mut Context<'_>) {
    let _ = writeln!(ctx.stdout, "rehearsed {file} ({})", millis(r.elapsed));
    let statements = split_statements(sql);
    for (n, (i, elapsed)) in r.statements.iter().enumerate() {
        let s = &statements[*i];
        let line = s.sql_line().unwrap_or(s.first_line);
        let first = s
            .text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("--"))
            .unwrap_or("");
        let mut first = first.to_string();
        if first.chars().count() > 60 {
            first = first.chars().take(57).collect::<String>() + "...";
        }
        let _ = writeln!(
            ctx.stdout,
            "  statement {} (line {line}): {}  {first}",
            n + 1,
            millis(*elapsed)
        );
    }
}
