//! `verify`'s replay on the scratch database: each migration's up, compared with its snapshot;
//! then, when it has a down, the down, compared with the previous snapshot (the empty schema
//! for the first migration), and the up again, compared with its snapshot again.

use super::{Down, Step, VerifyError};
use crate::backend::{Connected, ScratchError};
use crate::database::ServerError;
use crate::error::Error;
use crate::introspect;
use crate::Context;
use schema_core::model::Schema;

/// Applies each step (with its down and the up again) and compares; gives the report (a header
/// line per file with differences, then one indented line per difference), empty when
/// everything matched. A down that does not restore the schema ends the replay: what follows
/// would start from a schema no snapshot describes. `downs` is false under `--no-down`.
pub(super) async fn replay(
    conn: &mut Connected,
    steps: &[Step],
    downs: bool,
    ctx: &mut Context<'_>,
) -> Result<Vec<String>, Error> {
    let mut report = Vec::new();
    let empty = Schema::default();
    for (n, step) in steps.iter().enumerate() {
        let previous = match n.checked_sub(1).and_then(|p| steps.get(p)) {
            Some(p) => Previous {
                schema: &p.expected,
                what: format!("the schema of {}", p.file),
            },
            None => Previous {
                schema: &empty,
                what: "the empty schema".to_string(),
            },
        };
        let head = format!("  {} {}", step.local.migration.version, step.local.name);
        conn.replay_step(&step.local.migration)
            .await
            .map_err(|(line, error)| VerifyError::Apply {
                file: step.file.clone(),
                at: at(line),
                error,
                before: n,
            })?;
        let differences = compare(conn, &step.expected, ctx).await?;
        if !differences.is_empty() {
            let unchecked = match step.down.is_some() {
                true => "; its down was not run",
                false => "",
            };
            let count = differences.len();
            let _ = writeln!(ctx.stdout, "{head}  {count} difference(s){unchecked}");
            report.push(format!("after {}:", step.file));
            report.extend(differences.into_iter().map(|d| format!("  {d}")));
            continue;
        }
        let Some(down) = &step.down else {
            let none = if downs { " (no down)" } else { "" };
            let _ = writeln!(ctx.stdout, "{head}  ok{none}");
            continue;
        };
        let restored = down_and_again(conn, step, down, &previous, n, ctx, &mut report).await?;
        let rest = steps.len() - n - 1;
        if !restored {
            if rest > 0 {
                report.push(format!(
                    "verify stopped at {}: the {rest} migration(s) after it were not replayed",
                    down.file
                ));
            }
            break;
        }
    }
    Ok(report)
}

/// The schema a down must restore, and how to name it.
struct Previous<'a> {
    schema: &'a Schema,
    what: String,
}

/// Runs the down of `step` (the `n`th) after its up and compares with `previous`, then
/// applies the up again and compares with its snapshot; adds the differences to `report`.
/// False when the down did not restore the schema (the up is then not applied again).
async fn down_and_again(
    conn: &mut Connected,
    step: &Step,
    down: &Down,
    previous: &Previous<'_>,
    n: usize,
    ctx: &mut Context<'_>,
    report: &mut Vec<String>,
) -> Result<bool, Error> {
    let head = format!("  {} {}", step.local.migration.version, step.local.name);
    conn.replay_down(&down.migration)
        .await
        .map_err(|(line, error)| VerifyError::Down {
            file: down.file.clone(),
            at: at(line),
            error,
            before: n,
        })?;
    let differences = compare(conn, previous.schema, ctx).await?;
    if !differences.is_empty() {
        let count = differences.len();
        let _ = writeln!(ctx.stdout, "{head}  up ok, down {count} difference(s)");
        report.push(format!(
            "after {}, which must restore {}:",
            down.file, previous.what
        ));
        report.extend(differences.into_iter().map(|d| format!("  {d}")));
        return Ok(false);
    }
    conn.replay_step(&step.local.migration)
        .await
        .map_err(|(line, error)| VerifyError::Again {
            file: step.file.clone(),
            at: at(line),
            down: down.file.clone(),
            error,
        })?;
    let differences = compare(conn, &step.expected, ctx).await?;
    if differences.is_empty() {
        let _ = writeln!(ctx.stdout, "{head}  up ok, down ok, up again ok");
        return Ok(true);
    }
    let count = differences.len();
    let _ = writeln!(
        ctx.stdout,
        "{head}  up ok, down ok, up again {count} difference(s)"
    );
    report.push(format!("after {} applied again after its down:", step.file));
    report.extend(differences.into_iter().map(|d| format!("  {d}")));
    Ok(true)
}

/// `:LINE` of a failing statement, when known.
fn at(line: Option<usize>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}

/// How the scratch database differs from `expected`, judged by the database.
async fn compare(
    conn: &mut Connected,
    expected: &Schema,
    ctx: &mut Context<'_>,
) -> Result<Vec<String>, Error> {
    let actual = conn.introspect().await.map_err(|e| ScratchError::Use {
        context: "cannot read the schema back".into(),
        name: conn.what.clone(),
        error: ServerError::Server(Box::new(e)),
    });
    let actual = actual.map_err(VerifyError::from)?;
    let judged = introspect::judge::compare(conn, expected, &actual).await;
    if let Some(why) = &judged.unjudged {
        let _ = writeln!(ctx.stderr, "note: {why}");
    }
    Ok(judged.differences)
}
