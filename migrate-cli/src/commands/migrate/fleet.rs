//! `migrate` on a fleet: a target whose `url_file` lists several databases, or `--url` given
//! several times. Each database is migrated as `migrate` alone would (its own verdict, drift
//! gate, lock and run), at most `--parallel` at once ([`pool`]); the output of each is kept
//! and printed whole when it finishes, with a progress bar on a terminal ([`progress`]), then
//! a summary per database ([`report`], `--format json` for the same). A failure does not stop
//! the others unless `--fail-fast`; any failure exits 1, and running again continues where
//! each database stopped. A protected fleet is confirmed once, for all its databases.

pub(crate) mod pool;
mod progress;
mod report;

use super::{migrate_one, Format, MigrateArgs, MigrateError, Summary};
use crate::config::Config;
use crate::database::{self, redact, Target};
use crate::error::Error;
use crate::history::show;
use crate::{Context, Env};
use pool::Event;
use progress::Progress;
use report::Outcome;
use std::path::PathBuf;
use std::time::SystemTime;

/// What to call a fleet in messages: `target tenants`, or `the --url databases`.
pub(crate) fn fleet_name(targets: &[Target]) -> String {
    match targets.first().and_then(|t| t.source.target_name()) {
        Some(name) => format!("target {name}"),
        None => "the --url databases".to_string(),
    }
}

/// What each worker's own context is made of.
struct Base {
    cwd: PathBuf,
    now: SystemTime,
    env: Env,
}

/// What one database's run gives back: its outcome and its whole output.
struct Ran {
    result: Result<Vec<i64>, String>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `migrate` on every database of `targets`, `--parallel` at once.
pub(super) fn migrate(
    args: &MigrateArgs,
    config: &Config,
    targets: &[Target],
    ctx: &mut Context<'_>,
) -> Result<Summary, Error> {
    let count = targets.len();
    let json = args.format == Format::Json;
    // The folder's own problems are the same for every database: said once, before any.
    database::block_on(crate::history::load_local(config, &ctx.cwd))??;
    crate::folder::Folder::new(&config.out, &ctx.cwd)
        .refuse_unlisted_files("nothing was applied")?;
    confirm(args, config, targets, ctx)?;
    // Confirmed once for the whole fleet (or not protected): the databases do not ask again.
    let args = &MigrateArgs {
        yes: true,
        ..args.clone()
    };
    let base = Base {
        cwd: ctx.cwd.clone(),
        now: ctx.now,
        env: ctx.env.clone(),
    };
    let parallel = match args.parallel {
        0 => 4,
        n => usize::from(n),
    };
    let terminal = Progress::terminal(ctx.prompt.is_some(), ctx.env.var("CI"));
    let mut progress = Progress::new(count, terminal);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; count];
    let names: Vec<String> = targets.iter().map(|t| redact(&t.url)).collect();
    // The log of each database goes to stdout, or to stderr when stdout carries the JSON.
    let Context { stdout, stderr, .. } = ctx;
    let log: &mut dyn std::io::Write = if json { &mut **stderr } else { &mut **stdout };
    pool::run(
        (count, parallel, args.fail_fast),
        |i| run_one(args, config, &targets[i], &base),
        |ran: &Ran| ran.result.is_err(),
        |event| match event {
            Event::Started(i) => progress.started(i),
            Event::Done(i, ran) => {
                let mut text = format!("== {} ({})\n", names[i], targets[i].source).into_bytes();
                text.extend_from_slice(&ran.stdout);
                text.extend_from_slice(&ran.stderr);
                if let Err(e) = &ran.result {
                    text.extend_from_slice(format!("error: {}: {e}\n", names[i]).as_bytes());
                }
                progress.print(log, &text);
                let outcome = Outcome::new(names[i].clone(), ran.result);
                progress.finished(i, &names[i], &outcome.said(args.dry_run), log);
                outcomes[i] = Some(outcome);
            }
        },
    );
    progress.finish();
    // A database without an outcome was never started (`--fail-fast`).
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .zip(&names)
        .map(|(outcome, name)| outcome.unwrap_or_else(|| Outcome::not_started(name.clone())))
        .collect();
    conclude(args, targets, outcomes, &mut **stdout)
}

/// Prints the summary (text or JSON) and gives the run's result: an error if any database
/// failed or was not started.
fn conclude(
    args: &MigrateArgs,
    targets: &[Target],
    outcomes: Vec<Outcome>,
    stdout: &mut dyn std::io::Write,
) -> Result<Summary, Error> {
    let name = fleet_name(targets);
    match args.format {
        Format::Json => {
            let target = targets[0].source.target_name();
            report::json(target, &outcomes, args.dry_run, stdout);
        }
        Format::Text => report::text(&name, &outcomes, args.dry_run, stdout),
    }
    let failed = report::count(&outcomes, "failed");
    let not_started = report::count(&outcomes, "not_started");
    if failed + not_started > 0 {
        return Err(MigrateError::Fleet {
            name,
            failed,
            not_started,
            count: outcomes.len(),
        }
        .into());
    }
    let applied = outcomes.into_iter().flat_map(|o| o.applied).collect();
    Ok(Summary { applied })
}

/// A protected fleet is confirmed once, for all its databases, before any is touched.
fn confirm(
    args: &MigrateArgs,
    config: &Config,
    targets: &[Target],
    ctx: &mut Context<'_>,
) -> Result<(), Error> {
    let Some((name, _)) = crate::protected::protected(config, &targets[0]) else {
        return Ok(());
    };
    if args.dry_run {
        return Ok(());
    }
    let out = show(&ctx.cwd, &config.out);
    let said = format!(
        "target {name} is a fleet of {} databases: migrate applies the pending migrations of {out} to each (look first with migrate --dry-run or status --target {name})",
        targets.len()
    );
    let _ = match args.format {
        Format::Json => writeln!(ctx.stderr, "{said}"),
        Format::Text => writeln!(ctx.stdout, "{said}"),
    };
    let what = format!("{} databases", targets.len());
    let prompt = ctx.prompt.as_deref_mut();
    crate::protected::confirm(prompt, name, &what, args.yes, ("migrate", "applied"))
        .map_err(MigrateError::from)?;
    Ok(())
}

/// `migrate` on one database of the fleet, its output kept.
fn run_one(args: &MigrateArgs, config: &Config, target: &Target, base: &Base) -> Ran {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut ctx = Context {
        cwd: base.cwd.clone(),
        now: base.now,
        stdout: &mut stdout,
        stderr: &mut stderr,
        prompt: None,
        env: base.env.clone(),
    };
    let result = migrate_one(args, config, target, &mut ctx)
        .map(|summary| summary.applied)
        .map_err(|e| e.to_string());
    Ran {
        result,
        stdout,
        stderr,
    }
}
