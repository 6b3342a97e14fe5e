//! `migrate --atomic`: every pending migration in one transaction ([`crate::backend::End`]),
//! so a batch lands whole or not at all; refused before anything runs where it cannot be
//! (a pending `-- no-transaction` file, a database whose DDL commits implicitly), and the
//! default on a protected target where it can be (`--no-atomic` turns it off).

use super::failure::{line_in, numbered};
use super::{millis, sqlx_error, Failure, MigrateArgs, MigrateError, Remains, Summary, Watch};
use crate::backend::{self, BatchError, Connected, End, Ran};
use crate::config::Config;
use crate::database::{ServerError, Target};
use crate::error::Error;
use crate::history::{show, Entry, Local, State};
use crate::statements::split_statements;
use crate::Context;
use std::time::Duration;

/// Why a batch in one transaction (`--atomic`, `--rehearse`) was refused before anything ran.
#[derive(Debug, thiserror::Error)]
pub enum BatchRefused {
    #[error("refusing --atomic on {what}: pending migration {file} is -- no-transaction, which cannot run inside the one transaction of the batch; nothing was applied; run migrate without --atomic (each migration in its own transaction)")]
    NoTransaction { what: String, file: String },
    #[error("refusing {flag} on {what}: {title} commits every DDL statement implicitly, so a batch of migrations cannot be rolled back whole; {done}; {what_to_do}")]
    NotTransactional {
        flag: &'static str,
        what: String,
        title: &'static str,
        done: &'static str,
        what_to_do: &'static str,
    },
}

/// How a migration runs when its batch runs in one transaction, as `--dry-run`, a protected
/// target's listing and `plan` say.
pub(crate) const RUNS_IN_THE_BATCH: &str = "in the one transaction of the whole batch (--atomic)";

/// Whether `migrate` without `--atomic` or `--no-atomic` runs `pending` in one transaction:
/// on a protected target whose database can (DDL in transactions, no `-- no-transaction` file).
pub(crate) fn by_default(
    protected: bool,
    database: &dyn backend::Database,
    pending: &[&Local],
) -> bool {
    protected
        && !pending.is_empty()
        && database.transactional_ddl()
        && pending.iter().all(|l| !l.migration.no_tx)
}

/// The pending migrations of `entries`, in order.
pub(crate) fn pending<'a>(local: &'a [Local], entries: &[Entry]) -> Vec<&'a Local> {
    entries
        .iter()
        .filter(|e| e.state == State::Pending)
        .filter_map(|e| local.iter().find(|l| l.migration.version == e.version))
        .collect()
}

/// Whether this run applies its batch in one transaction: `--atomic` (refused where it cannot
/// be), else on a protected target where it can be (a printed note says so, or why not),
/// unless `--no-atomic`.
pub(super) fn decide(
    args: &MigrateArgs,
    config: &Config,
    target: &Target,
    (local, entries): (&[Local], &[Entry]),
    what: &str,
    ctx: &mut Context<'_>,
) -> Result<bool, MigrateError> {
    let pending = pending(local, entries);
    if args.no_atomic || args.rehearse || pending.is_empty() {
        return Ok(false);
    }
    let database = backend::of(config.dialect);
    let no_tx = pending.iter().find(|l| l.migration.no_tx);
    let no_tx = no_tx.map(|l| show(&ctx.cwd, &l.file));
    if args.atomic {
        if !database.transactional_ddl() {
            return Err(not_transactional(database, what, "--atomic"));
        }
        if let Some(file) = no_tx {
            let what = what.to_string();
            return Err(BatchRefused::NoTransaction { what, file }.into());
        }
        return Ok(true);
    }
    let Some((name, _)) = crate::protected::protected(config, target) else {
        return Ok(false);
    };
    let why_not = match (database.transactional_ddl(), no_tx) {
        (false, _) => format!(
            "{} commits every DDL statement implicitly",
            database.names().title
        ),
        (true, Some(file)) => format!("{file} is -- no-transaction"),
        (true, None) => {
            let _ = writeln!(ctx.stdout, "target {name} is protected: the {} pending migration(s) run in one transaction (--atomic), so they land whole or not at all; --no-atomic runs each in its own", pending.len());
            return Ok(true);
        }
    };
    // Each runs as `migrate` runs it there: in its own transaction, or (MySQL) statement by
    // statement, each committing on its own.
    let how = match database.transactional_ddl() {
        true => "in its own transaction",
        false => database.how_it_runs(&pending[0].migration),
    };
    let _ = writeln!(ctx.stdout, "note: target {name} is protected, but its pending migrations cannot run in one transaction ({why_not}): each runs {how}");
    Ok(false)
}

/// The refusal of `flag` on a database whose DDL commits implicitly.
pub(super) fn not_transactional(
    database: &dyn backend::Database,
    what: &str,
    flag: &'static str,
) -> MigrateError {
    let (done, what_to_do) = match flag {
        "--atomic" => ("nothing was applied", "run migrate without --atomic (each migration then runs as far as it can, and a failure names what remains)"),
        _ => ("nothing was run", "try the migrations on a copy of the database instead (verify replays them on a scratch database)"),
    };
    BatchRefused::NotTransactional {
        flag,
        what: what.to_string(),
        title: database.names().title,
        done,
        what_to_do,
    }
    .into()
}

/// Applies every pending migration of `entries` in one transaction, under the migration lock,
/// which it releases when all went well.
pub(super) async fn apply(
    conn: &mut Connected,
    local: &[Local],
    entries: &[Entry],
    (watch, ctx): (&mut Watch, &mut Context<'_>),
) -> Result<Summary, Error> {
    let pending = pending(local, entries);
    let files: Vec<String> = pending.iter().map(|l| show(&ctx.cwd, &l.file)).collect();
    if let Some(i) = pending.iter().position(|l| l.migration.no_tx) {
        let (what, file) = (conn.what.clone(), files[i].clone());
        return Err(MigrateError::from(BatchRefused::NoTransaction { what, file }).into());
    }
    if pending.is_empty() {
        // Another run applied them meanwhile.
        let unlock = conn.unlock().await;
        unlock.map_err(|e| sqlx_error(conn, "cannot release the migration lock", e))?;
        let (what, n) = (&conn.what, entries.len());
        let _ = writeln!(
            ctx.stdout,
            "nothing to apply: {what} is up to date ({n} migration(s) applied)"
        );
        return Ok(Summary {
            applied: Vec::new(),
        });
    }
    let batch: Vec<_> = pending.iter().map(|l| &l.migration).collect();
    let watcher = watch.as_mut().map(|(w, id)| (w, *id));
    let mut ran = Vec::new();
    let mut say = |line: String| {
        let _ = writeln!(ctx.stdout, "batch of {} migration(s): {line}", files.len());
    };
    let (result, waited) = conn
        .run_batch_patiently((&batch, End::Commit), watcher, &mut ran, &mut say)
        .await;
    match result {
        Ok(()) => {}
        Err(BatchError::Server { context, error }) => {
            return Err(MigrateError::Sqlx {
                context,
                what: conn.what.clone(),
                error: ServerError::Sqlx(Box::new(error)),
            }
            .into())
        }
        Err(BatchError::Stopped {
            file,
            statement,
            error,
        }) => {
            let mut failure = located(conn, (&files[file], &batch[file].sql), statement, error);
            let before = match file {
                0 => "it was the first".to_string(),
                1 => "the 1 migration before it ran and was rolled back too".to_string(),
                n => format!("the {n} migrations before it ran and were rolled back too"),
            };
            let rolled = format!("--atomic ran the {} pending migration(s) in one transaction, which was rolled back: none of them was applied and nothing was recorded ({before})", files.len());
            failure.remains = Remains::Told(match waited.timed_out {
                true => {
                    failure.notes = waited.note(&conn.policy, conn.database().blockers_unseen());
                    format!("{rolled}; the files need no change: run migrate again once the blocking transaction has ended")
                }
                false => format!("{rolled}; fix the file and run migrate again"),
            });
            return Err(MigrateError::Failed(Box::new(failure)).into());
        }
    }
    let mut total = Duration::ZERO;
    for (r, file) in ran.iter().zip(&files) {
        total += r.elapsed;
        let _ = writeln!(ctx.stdout, "applied {file} ({})", millis(r.elapsed));
    }
    let unlock = conn.unlock().await;
    unlock.map_err(|e| sqlx_error(conn, "cannot release the migration lock", e))?;
    let _ = writeln!(
        ctx.stdout,
        "applied {} migration(s) to {} in one transaction in {}",
        ran.len(),
        conn.what,
        millis(total)
    );
    Ok(Summary {
        applied: ran.iter().map(|r: &Ran| r.version).collect(),
    })
}

/// A batch's failure at chunk `statement` of `file` (its shown name and its SQL), with the
/// line the database's error position points at when it lies in that chunk.
pub(super) fn located(
    conn: &Connected,
    (file, sql): (&str, &str),
    statement: usize,
    error: sqlx::Error,
) -> Failure {
    let statements = split_statements(sql);
    let s = &statements[statement];
    let line = line_in(s, conn.database().error_position(&error));
    let server = ServerError::Server(Box::new(error));
    let mut failure = Failure::new(file.to_string(), server, Remains::Nothing, 0);
    failure.statement = Some((numbered(&statements, statement), line, s.text.to_string()));
    failure
}
