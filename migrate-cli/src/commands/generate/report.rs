//! What `generate` tells the user: the changes, the files written (with `--dry-run`, the files
//! it would write and their SQL), the notes (no-transaction files, ignored `concurrently`
//! flags) and the lint findings.

use super::{Outcome, Split, States, NO_TRANSACTION};
use crate::Context;
use schema_core::def::TableDef;
use schema_core::lint::Finding;
use schema_core::model::Schema;
use schema_core::naming;
use std::path::PathBuf;

/// The indexes of `tables` marked `concurrently` whose index in `new` (the schema as the dialect
/// stores it) is not: the dialect has no concurrent builds and ignores the flag.
pub(super) fn ignored_concurrently(tables: &[TableDef], new: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for def in tables {
        let table = new.tables.get(&Schema::key(&def.schema, &def.name));
        for index in def.indexes.iter().filter(|i| i.concurrently) {
            // The name resolve gives it: field names become column names.
            let column = |f: &String| match def.fields.iter().find(|d| d.field == *f) {
                Some(field) => field.name.clone(),
                None => f.clone(),
            };
            let columns: Vec<String> = index.columns.iter().map(column).collect();
            let name = match &index.name {
                Some(name) => name.clone(),
                None => naming::index(&def.name, &columns),
            };
            let kept = table
                .and_then(|t| t.indexes.iter().find(|i| i.name == name))
                .is_some_and(|i| i.concurrently);
            if !kept {
                out.push(name);
            }
        }
    }
    out.sort();
    out
}

/// What changed, which changes run without a transaction, and the files written.
pub(super) fn report(
    states: &States,
    left_out: usize,
    split: &Split,
    custom: bool,
    outcome: &Outcome,
    ctx: &mut Context<'_>,
) {
    let (migrations, journal, reviewed) = match outcome {
        Outcome::Written {
            migrations,
            journal,
        } => (migrations, journal, None),
        Outcome::Reviewed {
            migrations,
            journal,
            sql,
            down_sql,
        } => (migrations, journal, Some((sql, down_sql))),
        Outcome::NoChanges => return,
    };
    let (wrote, updated) = match reviewed {
        Some(_) => ("would write", "would update"),
        None => ("wrote", "updated"),
    };
    let show = |p: &PathBuf| states.folder.show(p);
    let mut lines = Vec::new();
    if custom {
        if left_out > 0 {
            lines.push(format!(
                "note: the schema sources have {left_out} change(s) this custom migration leaves out; run generate again for them"
            ));
        }
    } else {
        let schemas = states.dialect.supports_schemas();
        lines.extend(split.main.iter().map(|c| c.summary_for(schemas)));
        lines.extend(
            split
                .concurrent
                .iter()
                .map(|c| format!("{} [no transaction]", c.summary_for(schemas))),
        );
        let stale = schema_core::diff::stale_view_columns(&split.main);
        lines.extend(stale.into_iter().map(|w| format!("warning: {w}")));
    }
    for m in migrations
        .iter()
        .filter(|m| m.no_transaction && !m.concurrent)
    {
        lines.push(format!(
            "note: {} rebuilds or drops tables, so it starts with {NO_TRANSACTION} and runs its own transaction with foreign-key enforcement off, checking every reference before it commits",
            show(&m.sql)
        ));
    }
    for m in migrations.iter().filter(|m| m.concurrent) {
        lines.push(format!(
            "note: PostgreSQL cannot build or drop an index CONCURRENTLY inside a transaction, \
             so the [no transaction] change(s) are in {}, which starts with {NO_TRANSACTION}",
            show(&m.sql)
        ));
    }
    if !states.ignored_concurrently.is_empty() {
        lines.push(format!(
            "note: {} has no concurrent index builds, so `concurrently` is ignored on {}",
            states.dialect.name(),
            states.ignored_concurrently.join(", ")
        ));
    }
    for m in migrations {
        lines.push(format!("{wrote} {}", show(&m.sql)));
        lines.push(format!("{wrote} {}", show(&m.down)));
        lines.push(format!("{wrote} {}", show(&m.snapshot)));
    }
    lines.push(format!("{updated} {}", show(journal)));
    if let Some((sql, down_sql)) = reviewed {
        for ((m, sql), down) in migrations.iter().zip(sql).zip(down_sql) {
            lines.push(format!("\n-- {}\n{}", show(&m.sql), sql.trim_end()));
            lines.push(format!("\n-- {}\n{}", show(&m.down), down.trim_end()));
        }
    }
    if custom && reviewed.is_none() {
        for m in migrations {
            lines.push(format!(
                "write your SQL in {}, and the SQL that undoes it in {}",
                show(&m.sql),
                show(&m.down)
            ));
        }
    }
    say(ctx, &lines.join("\n"));
}

/// Each finding with its suggestion, after the summary; they are also at the top of the files.
pub(super) fn report_findings(findings: &[Finding], outcome: &Outcome, ctx: &mut Context<'_>) {
    if findings.is_empty() || *outcome == Outcome::NoChanges {
        return;
    }
    let mut lines = Vec::new();
    for f in findings {
        lines.push(format!("lint: {f}"));
        lines.push(format!("  suggestion: {}", f.suggestion));
    }
    lines.push(
        "review these findings, written at the top of the migration file(s); \
         acknowledge one with a line -- lint:allow <code> among those comment lines \
         (below -- no-transaction, which must stay the first line)"
            .to_string(),
    );
    say(ctx, &lines.join("\n"));
}

/// The errors of each down file (`irreversible`: what the down cannot bring back), which fail
/// `check` until acknowledged; the down's warnings are only in the file.
pub(super) fn report_down_errors(
    states: &States,
    downs: &[Vec<Finding>],
    outcome: &Outcome,
    ctx: &mut Context<'_>,
) {
    let migrations = match outcome {
        Outcome::Written { migrations, .. } | Outcome::Reviewed { migrations, .. } => migrations,
        Outcome::NoChanges => return,
    };
    let mut lines = Vec::new();
    for (m, findings) in migrations.iter().zip(downs) {
        let errors: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity == schema_core::lint::Severity::Error)
            .collect();
        if errors.is_empty() {
            continue;
        }
        lines.push(format!("down {}:", states.folder.show(&m.down)));
        lines.extend(errors.iter().map(|f| format!("  lint: {f}")));
    }
    if lines.is_empty() {
        return;
    }
    lines.push(
        "the down files cannot bring these back; check fails until a reviewer acknowledges each \
         with a line -- lint:allow <code> among the comment lines at the top of its down file"
            .to_string(),
    );
    say(ctx, &lines.join("\n"));
}

/// The last line of `--dry-run`.
pub(super) fn report_dry_run(outcome: &Outcome, ctx: &mut Context<'_>) {
    if let Outcome::Reviewed { migrations, .. } = outcome {
        say(
            ctx,
            &format!(
                "dry run: {} migration(s) would be written; nothing was written",
                migrations.len()
            ),
        );
    }
}

pub(super) fn say(ctx: &mut Context<'_>, text: &str) {
    // A closed stdout must not turn a written migration into a failure.
    let _ = writeln!(ctx.stdout, "{text}");
}
