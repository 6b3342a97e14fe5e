//! `migrate --dry-run`: the verdict's findings and each pending migration's SQL, as it
//! would run; nothing is touched.

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
    what: &str,
    ctx: &mut Context<'_>,
) -> Result<Summary, Error> {
    for line in verdict::lines(verdict) {
        let _ = writeln!(ctx.stdout, "{line}");
    }
    let database = backend::of(config.dialect);
    let mut pending = Vec::new();
    for entry in entries.iter().filter(|e| e.state == State::Pending) {
        let Some(m) = local.iter().find(|l| l.migration.version == entry.version) else {
            continue;
        };
        let how = database.how_it_runs(&m.migration);
        let file = show(&ctx.cwd, &m.file);
        let _ = writeln!(ctx.stdout, "-- {file} (would run {how})");
        let _ = writeln!(ctx.stdout, "{}\n", m.migration.sql.trim_end());
        pending.push(m.migration.version);
    }
    let _ = writeln!(
        ctx.stdout,
        "dry run: {} migration(s) would be applied to {what}; nothing was applied",
        pending.len()
    );
    Ok(Summary { applied: pending })
}
