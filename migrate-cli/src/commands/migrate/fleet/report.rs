//! The summary of a fleet run, one entry per database: applied n, up to date, failed (with
//! the first line of its error) or not started (`--fail-fast`); as text or as JSON.

use serde::Serialize;
use std::io::Write;

/// How one database of a fleet ended.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Its URL, password and query redacted.
    pub database: String,
    /// `applied`, `up_to_date`, `failed` or `not_started`.
    pub state: &'static str,
    /// The versions applied (with `--dry-run`: that would be).
    pub applied: Vec<i64>,
    /// The first line of its error, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Outcome {
    pub fn new(database: String, result: Result<Vec<i64>, String>) -> Outcome {
        let (state, applied, error) = match result {
            Ok(applied) if applied.is_empty() => ("up_to_date", applied, None),
            Ok(applied) => ("applied", applied, None),
            Err(e) => {
                let first = e.lines().next().unwrap_or_default().to_string();
                ("failed", Vec::new(), Some(first))
            }
        };
        Outcome {
            database,
            state,
            applied,
            error,
        }
    }

    pub fn not_started(database: String) -> Outcome {
        Outcome {
            database,
            state: "not_started",
            applied: Vec::new(),
            error: None,
        }
    }

    /// `applied 3`, `up to date`, `failed: <first line>`, `not started`.
    pub fn said(&self, dry_run: bool) -> String {
        match (self.state, &self.error) {
            ("applied", _) if dry_run => format!("would apply {}", self.applied.len()),
            ("applied", _) => format!("applied {}", self.applied.len()),
            ("up_to_date", _) => "up to date".to_string(),
            ("failed", Some(e)) => format!("failed: {e}"),
            ("not_started", _) => "not started (--fail-fast)".to_string(),
            (state, _) => state.to_string(),
        }
    }
}

/// How many ended in `state`.
pub fn count(outcomes: &[Outcome], state: &str) -> usize {
    outcomes.iter().filter(|o| o.state == state).count()
}

/// `target tenants: 20 databases: 19 applied, 1 failed` and a line per database.
pub fn text(name: &str, outcomes: &[Outcome], dry_run: bool, out: &mut dyn Write) {
    let states = [
        ("applied", if dry_run { "would apply" } else { "applied" }),
        ("up_to_date", "up to date"),
        ("failed", "failed"),
        ("not_started", "not started"),
    ];
    let parts: Vec<String> = states
        .iter()
        .filter(|(s, _)| count(outcomes, s) > 0)
        .map(|(s, said)| format!("{} {said}", count(outcomes, s)))
        .collect();
    let _ = writeln!(
        out,
        "{name}: {} databases: {}",
        outcomes.len(),
        parts.join(", ")
    );
    for o in outcomes {
        let _ = writeln!(out, "  {}: {}", o.database, o.said(dry_run));
    }
}

/// The same as JSON: `{"target", "databases": [...], "applied", "up_to_date", "failed",
/// "not_started"}` (the counts of each state).
pub fn json(target: Option<&str>, outcomes: &[Outcome], dry_run: bool, out: &mut dyn Write) {
    #[derive(Serialize)]
    struct Out<'a> {
        target: Option<&'a str>,
        dry_run: bool,
        databases: &'a [Outcome],
        applied: usize,
        up_to_date: usize,
        failed: usize,
        not_started: usize,
    }
    let json = serde_json::to_string_pretty(&Out {
        target,
        dry_run,
        databases: outcomes,
        applied: count(outcomes, "applied"),
        up_to_date: count(outcomes, "up_to_date"),
        failed: count(outcomes, "failed"),
        not_started: count(outcomes, "not_started"),
    })
    .unwrap_or_default();
    let _ = writeln!(out, "{json}");
}
