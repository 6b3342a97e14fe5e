//! Running a [`super::plan::Plan`]: `--dry-run`'s listing, the question, then under sqlx's
//! migration lock each down with the deletion of its row (`Connected::revert_one`), and what a
//! failure left, said truly.

use super::plan::{finding_line, plan, Ask, Plan, Step};
use super::{RevertError, Summary};
use crate::backend::{self, AppliedRow, ApplyError, Connected, Database, Direction};
use crate::commands::migrate::{diagnose, timed_out, Failure, Remains};
use crate::config::Config;
use crate::database::{ServerError, Target};
use crate::history::Local;
use crate::lock_policy::LockPolicy;
use crate::Context;
use sqlx::migrate::{MigrateError as SqlxMigrateError, Migration};
use std::time::Duration;

/// The rows of `_sqlx_migrations` and what to call the database.
pub(super) async fn read_applied(
    config: &Config,
    target: &Target,
) -> Result<(Vec<AppliedRow>, String), RevertError> {
    let mut conn = backend::connect(target, config.dialect).await?;
    let applied = conn.applied().await;
    let what = conn.what.clone();
    conn.close().await;
    Ok((applied?, what))
}

/// Connects, takes the migration lock, reverts what was asked, and releases it.
pub(super) async fn run(
    config: &Config,
    (target, policy): (&Target, LockPolicy),
    local: &[Local],
    (ask, allow_lint_errors): (Ask, bool),
    asked: &Plan,
    ctx: &mut Context<'_>,
) -> Result<Summary, RevertError> {
    let mut conn = backend::connect(target, config.dialect).await?;
    if let Err(e) = conn.set_policy(policy).await {
        let what = conn.what.clone();
        conn.close().await;
        let context = "cannot set the lock and statement timeouts";
        let error = ServerError::Sqlx(Box::new(e));
        return Err(RevertError::Sqlx {
            context,
            what,
            error,
            reverted: 0,
        });
    }
    let mut watch = backend::watcher(&mut conn, target, config.dialect).await;
    let result = match conn.lock().await {
        Ok(()) => {
            let judged = (ask, allow_lint_errors);
            let result = locked(&mut conn, config, local, judged, asked, (&mut watch, ctx)).await;
            let unlock = conn.unlock().await;
            match (result, unlock) {
                (Ok(summary), Err(e)) => {
                    let n = summary.reverted.len();
                    Err(sqlx_error(&conn, "cannot release the migration lock", e, n))
                }
                (result, _) => result,
            }
        }
        Err(e) => Err(sqlx_error(&conn, "cannot take the migration lock", e, 0)),
    };
    if let Some((watcher, _)) = watch {
        watcher.close().await;
    }
    conn.close().await;
    result
}

/// The watcher connection and the session id it asks about ([`backend::watcher`]).
type Watch = Option<(Connected, i64)>;

/// Under the lock: the plan again (another run may have changed the history since the
/// question), then each down.
async fn locked(
    conn: &mut Connected,
    config: &Config,
    local: &[Local],
    (ask, allow_lint_errors): (Ask, bool),
    asked: &Plan,
    (watch, ctx): (&mut Watch, &mut Context<'_>),
) -> Result<Summary, RevertError> {
    let what = conn.what.clone();
    let applied = conn.applied().await?;
    // The lint verdict stands from before the question (with table sizes, which take their own
    // connection); this one only makes sure the files still pass it.
    let mut planned = plan(config, &ctx.cwd, (local, &applied), ask, &what);
    planned.judge_lint(allow_lint_errors);
    let versions = |p: &Plan| p.steps.iter().map(|s| s.version).collect::<Vec<_>>();
    if versions(&planned) != versions(asked) {
        return Err(RevertError::Changed { what });
    }
    refuse(&planned, &what, false)?;
    let mut reverted = Vec::new();
    let mut total = Duration::ZERO;
    for step in &planned.steps {
        let Some(down) = &step.down else { continue };
        let watcher = watch.as_mut().map(|(w, id)| (w, *id));
        let elapsed = revert_step(conn, (step, down), reverted.len(), (watcher, ctx)).await?;
        total += elapsed;
        reverted.push(step.version);
        let _ = writeln!(
            ctx.stdout,
            "reverted {} with {} ({:.1} ms)",
            step.up,
            step.down_file,
            elapsed.as_secs_f64() * 1000.0
        );
    }
    let _ = writeln!(
        ctx.stdout,
        "reverted {} migration(s) on {what} in {:.1} ms; status shows them as pending, and migrate applies them again",
        reverted.len(),
        total.as_secs_f64() * 1000.0
    );
    Ok(Summary { reverted })
}

/// The refusal for `plan`'s reasons, if it has any.
pub(super) fn refuse(plan: &Plan, what: &str, dry_run: bool) -> Result<(), RevertError> {
    match plan.reasons.is_empty() {
        true => Ok(()),
        false => Err(RevertError::Refused {
            what: what.to_string(),
            reasons: plan.reasons.clone(),
            lint: plan.lint,
            dry_run,
        }),
    }
}

pub(super) fn nothing(ask: Ask, what: &str, ctx: &mut Context<'_>) -> Summary {
    let text = match ask {
        Ask::Newest | Ask::To(0) => format!("nothing to revert: no migration is applied on {what}"),
        Ask::To(v) => {
            format!("nothing to revert: no migration newer than {v} is applied on {what}")
        }
    };
    let _ = writeln!(ctx.stdout, "{text}");
    Summary {
        reverted: Vec::new(),
    }
}

/// What will run, newest first: each down and how it runs.
pub(super) fn listing(database: &dyn Database, what: &str, plan: &Plan) -> String {
    let mut lines = vec![format!("to revert on {what}, newest first:")];
    for step in &plan.steps {
        let how = step.down.as_ref().map_or("", |d| database.how_it_runs(d));
        lines.push(format!("  {} with {} ({how})", step.up, step.down_file));
    }
    lines.join("\n")
}

/// `--dry-run`: each down's SQL and findings, then the verdict; changes nothing.
pub(super) fn dry_run(
    database: &dyn Database,
    what: &str,
    plan: &Plan,
    ctx: &mut Context<'_>,
) -> Result<Summary, RevertError> {
    for step in &plan.steps {
        let Some(down) = &step.down else {
            let _ = writeln!(ctx.stdout, "-- {}: no down file\n", step.up);
            continue;
        };
        let how = database.how_it_runs(down);
        let _ = writeln!(
            ctx.stdout,
            "-- {} reverts {} (would run {how}, then delete version {} from _sqlx_migrations)",
            step.down_file, step.up, step.version
        );
        let _ = writeln!(ctx.stdout, "{}\n", down.sql.trim_end());
        for f in &step.findings {
            let _ = writeln!(ctx.stdout, "{}", finding_line(&step.down_file, f));
            if !f.finding.suggestion.is_empty() {
                let _ = writeln!(ctx.stdout, "  suggestion: {}", f.finding.suggestion);
            }
        }
    }
    refuse(plan, what, true)?;
    let _ = writeln!(
        ctx.stdout,
        "dry run: {} migration(s) would be reverted on {what}; nothing was reverted",
        plan.steps.len(),
    );
    Ok(Summary {
        reverted: plan.steps.iter().map(|s| s.version).collect(),
    })
}

/// Asks on the terminal unless `yes`.
pub(super) fn confirm(ctx: &mut Context<'_>, yes: bool, question: &str) -> Result<(), RevertError> {
    if yes {
        return Ok(());
    }
    let Some(prompt) = ctx.prompt.as_deref_mut() else {
        return Err(RevertError::NeedsYes);
    };
    let options = ["no, revert nothing".to_string(), "yes, revert".to_string()];
    match prompt
        .choose(question, &options, 0)
        .map_err(RevertError::Prompt)?
    {
        Some(1) => Ok(()),
        _ => Err(RevertError::Cancelled),
    }
}

fn sqlx_error(
    conn: &Connected,
    context: &'static str,
    e: SqlxMigrateError,
    reverted: usize,
) -> RevertError {
    RevertError::Sqlx {
        context,
        what: conn.what.clone(),
        error: ServerError::Sqlx(Box::new(sqlx::Error::Migrate(Box::new(e)))),
        reverted,
    }
}

/// Runs one down with the deletion of its row; a failure is rolled back where the database
/// allows, then located and told.
async fn revert_step(
    conn: &mut Connected,
    (step, down): (&Step, &Migration),
    reverted: usize,
    (watcher, ctx): (Option<(&mut Connected, i64)>, &mut Context<'_>),
) -> Result<Duration, RevertError> {
    let file = step.down_file.clone();
    let (version, what) = (step.version, conn.what.clone());
    let mut say = |line: String| {
        let _ = writeln!(ctx.stdout, "{file}: {line}");
    };
    let (result, waited) = conn
        .apply_patiently((down, Direction::Down), watcher, &mut say)
        .await;
    let as_local = |file: &str| Local {
        migration: down.clone(),
        file: ctx.cwd.join(file),
        name: step.up.clone(),
    };
    if waited.timed_out {
        if let Err(error) = result {
            let local = as_local(&file);
            let mut failure = timed_out(conn, &local, (file, 0), error, &waited).await;
            failure.remains = match &failure.remains {
                Remains::RolledBack(_) => Remains::Told(format!("the down was rolled back: nothing of it remains, and migration {version} is still recorded as applied; the down file needs no change: run revert again once the blocking transaction has ended")),
                other => reworded(other, version),
            };
            return Err(RevertError::Failed {
                failure: Box::new(failure),
                reverted,
            });
        }
    }
    let error = match result {
        Ok(elapsed) => return Ok(elapsed),
        Err(ApplyError::Migrate(error)) => error,
        Err(ApplyError::Unsplittable(error)) => {
            let line = error.line();
            return Err(RevertError::Unsplittable { file, line, version, error, reverted });
        }
        Err(ApplyError::Stopped(stopped)) => {
            let error = ServerError::Server(Box::new(stopped.error));
            let mut failure = Failure::new(file, error, stopped.remains, 0);
            failure.statement = stopped.statement;
            return Err(RevertError::Failed { failure: Box::new(failure), reverted });
        }
        Err(ApplyError::Record { error, ran: false }) => {
            return Err(RevertError::Sqlx {
                context: "cannot mark the migration as being reverted in _sqlx_migrations (nothing of its down ran)",
                what,
                error: ServerError::Server(Box::new(error)),
                reverted,
            })
        }
        Err(ApplyError::Record { error, ran: true }) => {
            let error = ServerError::Server(Box::new(error));
            return Err(RevertError::Unforgotten { file, version, what, error, reverted });
        }
    };
    // The row goes in the down's transaction unless the down runs without one of its own.
    let inside = !down.no_tx || conn.database().records_inside(down);
    let recovered = conn.recover(down).await;
    match error {
        SqlxMigrateError::ExecuteMigration(e, _) => {
            let local = as_local(&file);
            let mut failure = diagnose(conn, &local, file, e, 0, recovered).await;
            failure.remains = reworded(&failure.remains, version);
            Err(RevertError::Failed { failure: Box::new(failure), reverted })
        }
        e if inside => Err(sqlx_error(
            conn,
            "cannot delete the migration's row from _sqlx_migrations; its down was rolled back with it, so nothing changed",
            e,
            reverted,
        )),
        e => Err(RevertError::Unforgotten {
            file,
            version,
            what,
            error: ServerError::Sqlx(Box::new(sqlx::Error::Migrate(Box::new(e)))),
            reverted,
        }),
    }
}

/// What a failed down left, in revert's words (the failure's analysis says it for an up file).
fn reworded(remains: &Remains, version: i64) -> Remains {
    let kept = format!("migration {version} is still recorded as applied");
    Remains::Told(match remains {
        Remains::Nothing | Remains::RolledBack(_) => format!("the down was rolled back: nothing of it remains, and {kept}; fix the down file or the rows it fails on, and run revert again"),
        Remains::StatementsBefore => format!("the down ran without a transaction (-- no-transaction), so the statements before the failing one remain, and {kept}; finish or undo them by hand, fix the down file or the rows it fails on, and run revert again"),
        Remains::InvalidIndex => format!("a concurrent index statement that fails leaves at most an invalid index; {kept}; fix the cause and run revert again"),
        Remains::Committed | Remains::Told(_) => format!("the down ran without a transaction of revert's, and what it committed before the failing statement remains, while {kept}; check the database by hand (check --url lists how it differs from the last applied snapshot), fix the down file or the rows it fails on, and run revert again"),
    })
}
