//! How `plan` prints: text with the severities coloured on a terminal (`NO_COLOR` respected,
//! no colour when stdout is not a terminal), or the [`Plan`] as JSON.

use super::{Plan, PlannedStatement};
use crate::backend::costs::Work;
use crate::commands::check::Format;
use crate::{Context, Env};
use console::Style;
use std::io::IsTerminal;

/// Prints `plan` in `format`.
pub(super) fn print(format: Format, plan: &Plan, ctx: &mut Context<'_>) {
    if format == Format::Json {
        let json = serde_json::to_string_pretty(plan).unwrap_or_default();
        let _ = writeln!(ctx.stdout, "{json}");
        return;
    }
    let paint = Paint::new(coloured(ctx));
    let mut out = String::new();
    text(plan, &paint, &mut out);
    let _ = write!(ctx.stdout, "{out}");
}

/// Colour only for a run that prints to the process's own stdout (its own environment, as
/// `run` gives it) when that is a terminal and `NO_COLOR` is not set (<https://no-color.org>).
fn coloured(ctx: &Context<'_>) -> bool {
    matches!(ctx.env, Env::Process)
        && std::io::stdout().is_terminal()
        && ctx.env.var("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The styles of the text, all plain without colour.
struct Paint {
    error: Style,
    warning: Style,
    info: Style,
    good: Style,
    bold: Style,
}

impl Paint {
    fn new(colour: bool) -> Paint {
        let style = |s: Style| s.force_styling(colour);
        Paint {
            error: style(Style::new().red().bold()),
            warning: style(Style::new().yellow().bold()),
            info: style(Style::new().cyan()),
            good: style(Style::new().green().bold()),
            bold: style(Style::new().bold()),
        }
    }

    fn severity(&self, severity: &str) -> String {
        match severity {
            "error" => self.error.apply_to(severity).to_string(),
            "warning" => self.warning.apply_to(severity).to_string(),
            _ => self.info.apply_to(severity).to_string(),
        }
    }
}

fn text(plan: &Plan, paint: &Paint, out: &mut String) {
    use std::fmt::Write;
    let target = match &plan.target {
        Some(name) => format!(" (target {name})"),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "plan for {}{target}",
        paint.bold.apply_to(&plan.database)
    );
    if plan.pending.is_empty() {
        let _ = writeln!(out, "nothing to apply: no pending migration");
    }
    for m in &plan.pending {
        let _ = writeln!(out, "\n{} (runs {})", paint.bold.apply_to(&m.file), m.runs);
        for s in &m.statements {
            statement(s, paint, out);
        }
    }
    if !plan.findings.is_empty() {
        let _ = writeln!(out, "\nlint:");
    }
    for f in &plan.findings {
        let at = f.line.map_or(String::new(), |l| format!(":{l}"));
        let name = f.file.as_deref().unwrap_or(&f.migration);
        let severity = paint.severity(&f.severity);
        let _ = writeln!(
            out,
            "  {name}{at}: {severity} {} {}: {}",
            f.code, f.object, f.message
        );
        if !f.suggestion.is_empty() {
            let _ = writeln!(out, "    suggestion: {}", f.suggestion);
        }
    }
    for p in &plan.problems {
        let _ = writeln!(
            out,
            "{}: {}: {}",
            paint.error.apply_to("problem"),
            p.kind,
            p.message
        );
    }
    drift(plan, paint, out);
    let _ = writeln!(out);
    match plan.passed {
        true => {
            let n = plan.pending.len();
            let _ = writeln!(
                out,
                "{}: migrate would apply {n} migration(s)",
                paint.good.apply_to("verdict")
            );
        }
        false => {
            let why = plan.reasons.join("; ");
            let _ = writeln!(
                out,
                "{}: migrate would refuse: {why}",
                paint.error.apply_to("verdict")
            );
        }
    }
    if plan.protected && plan.passed && !plan.pending.is_empty() {
        let name = plan.target.as_deref().unwrap_or_default();
        let _ = writeln!(out, "target {name} is protected: migrate will ask for its name (or --yes without a terminal)");
        if plan.atomic {
            let _ = writeln!(out, "it will apply the {} migration(s) in one transaction, so they land whole or not at all (--no-atomic: each in its own)", plan.pending.len());
        }
    }
}

/// A statement's lines: its lines in the file and SQL, then its lock, work and rows.
fn statement(s: &PlannedStatement, paint: &Paint, out: &mut String) {
    use std::fmt::Write;
    let c = &s.cost;
    let lines = match c.line == c.last_line {
        true => format!("{}", c.line),
        false => format!("{}-{}", c.line, c.last_line),
    };
    let _ = writeln!(out, "  line {lines}:");
    for l in c.sql.lines() {
        let _ = writeln!(out, "    {l}");
    }
    let mut what = Vec::new();
    if let Some(lock) = &c.lock {
        what.push(format!("lock {lock}"));
    }
    match c.work {
        Work::None => {}
        Work::Scan => what.push(paint.warning.apply_to("scans the table").to_string()),
        Work::Rewrite => what.push(paint.error.apply_to("rewrites the table").to_string()),
    }
    if let Some(rows) = s.rows {
        what.push(format!("~{rows} rows"));
    }
    if let Some(note) = &c.note {
        what.push(note.clone());
    }
    if !what.is_empty() {
        let _ = writeln!(out, "    -> {}", what.join(", "));
    }
}

/// The drift status line and each difference.
fn drift(plan: &Plan, paint: &Paint, out: &mut String) {
    use std::fmt::Write;
    let d = &plan.drift;
    let with = d.compared_with.as_deref().unwrap_or_default();
    let line = match d.status {
        "none" => format!("drift: none (compared with the snapshot of {with})"),
        "drift" => format!("{}: the schema differs from the snapshot of {with}, the newest applied migration; migrate would refuse without --allow-drift", paint.error.apply_to("drift")),
        "allowed" => format!("{}: the schema differs from the snapshot of {with} (allowed by --allow-drift)", paint.warning.apply_to("drift")),
        _ => "drift: not compared (nothing applied yet, or nothing pending)".to_string(),
    };
    let _ = writeln!(out, "\n{line}");
    for difference in &d.differences {
        let _ = writeln!(out, "  drift: {difference}");
    }
}
