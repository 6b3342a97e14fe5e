//! What `migrate --dry-run` prints, and what a protected target shows before its question:
//! the verdict's findings, then each pending migration's SQL and how it would run.

use super::Summary;
use crate::backend;
use crate::config::Config;
use crate::error::Error;
use crate::history::{show, Entry, Local, State};
use crate::verdict::{self, Verdict};
use crate::Context;

/// `--dry-run` on a passing verdict: prints its findings, then each pending migration's SQL;
/// touches nothing (not even the history table).
pub(super) fn dry_run(
    config: &Config,
    local: &[Local],
    entries: &[Entry],
    verdict: &Verdict,
    (what, atomic): (&str, bool),
    ctx: &mut Context<'_>,
) -> Result<Summary, Error> {
    let pending = listing(config, local, entries, (verdict, atomic), ctx);
    let _ = writeln!(
        ctx.stdout,
        "dry run: {} migration(s) would be applied to {what}; nothing was applied",
        pending.len()
    );
    Ok(Summary { applied: pending })
}

/// What `--dry-run` shows, and a protected target before its question: the verdict's findings,
/// then each pending migration's SQL and how it would run (in the batch's one transaction when
/// `atomic`); gives their versions.
pub(super) fn listing(
    config: &Config,
    local: &[Local],
    entries: &[Entry],
    (verdict, atomic): (&Verdict, bool),
    ctx: &mut Context<'_>,
) -> Vec<i64> {
    for line in verdict::lines(verdict) {
        let _ = writeln!(ctx.stdout, "{line}");
    }
    let database = backend::of(config.dialect);
    let mut pending = Vec::new();
    for entry in entries.iter().filter(|e| e.state == State::Pending) {
        let Some(m) = local.iter().find(|l| l.migration.version == entry.version) else {
            continue;
        };
        let how = match atomic {
            true => super::atomic::RUNS_IN_THE_BATCH,
            false => database.how_it_runs(&m.migration),
        };
        let file = show(&ctx.cwd, &m.file);
        let _ = writeln!(ctx.stdout, "-- {file} (would run {how})");
        let _ = writeln!(ctx.stdout, "{}\n", m.migration.sql.trim_end());
        pending.push(m.migration.version);
    }
    pending
}
