//! `migrate --target <fleet>`: a target whose `url_file` lists several databases. For now they
//! are migrated one after the other, each as `migrate` alone would (its own verdict, question
//! and lock), with a line naming each database before its output and a summary line for each
//! at the end; a failure does not stop the others, and any failure exits 1.

use super::{migrate_one, MigrateArgs, MigrateError, Summary};
use crate::config::Config;
use crate::database::{redact, Target};
use crate::error::Error;
use crate::Context;

/// Runs `migrate` on each of `targets` in turn.
pub(super) fn migrate(
    args: &MigrateArgs,
    config: &Config,
    targets: &[Target],
    ctx: &mut Context<'_>,
) -> Result<Summary, Error> {
    let name = targets[0]
        .source
        .target_name()
        .unwrap_or_default()
        .to_string();
    let count = targets.len();
    let mut applied = Vec::new();
    let mut results = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let shown = redact(&target.url);
        let _ = writeln!(
            ctx.stdout,
            "== database {}/{count}: {shown} ({})",
            i + 1,
            target.source
        );
        match migrate_one(args, config, target, ctx) {
            Ok(summary) => {
                let verb = if args.dry_run {
                    "would apply"
                } else {
                    "applied"
                };
                results.push(format!("ok      {shown}: {verb} {}", summary.applied.len()));
                applied.extend(summary.applied);
            }
            Err(e) => {
                let _ = writeln!(ctx.stderr, "error: {shown}: {e}");
                let first = e.to_string();
                let first = first.lines().next().unwrap_or_default().to_string();
                results.push(format!("failed  {shown}: {first}"));
            }
        }
    }
    let _ = writeln!(ctx.stdout, "target {name}: {count} databases");
    for line in &results {
        let _ = writeln!(ctx.stdout, "  {line}");
    }
    let failed = results.iter().filter(|r| r.starts_with("failed")).count();
    match failed {
        0 => Ok(Summary { applied }),
        failed => Err(MigrateError::Fleet {
            name,
            failed,
            count,
        }
        .into()),
    }
}
