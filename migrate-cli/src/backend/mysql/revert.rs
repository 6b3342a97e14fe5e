//! `revert` on MySQL and MariaDB, which commit each DDL statement on their own: a down runs
//! statement by statement as [`super::migrate`] runs an up file, and its version's
//! `_sqlx_migrations` row says the truth at every step, as sqlx's own MySQL `revert` writes it:
//! `success = false` before the first statement, deleted after the last. When the very first
//! statement fails nothing ran, and the row is set back to `success = true`.

use super::migrate::{run, span, statements};
use crate::backend::{ApplyError, Stopped};
use crate::commands::migrate::Remains;
use sqlx::migrate::Migration;
use sqlx::{Executor, MySqlConnection};
use std::time::{Duration, Instant};

/// Runs `down` statement by statement and deletes its version's row, as the module says.
pub async fn revert(conn: &mut MySqlConnection, down: &Migration) -> Result<Duration, ApplyError> {
    let record = |ran: bool| move |error| ApplyError::Record { error, ran };
    // Split before anything runs or is marked: a file that cannot be split is refused whole.
    let statements = statements(&down.sql).map_err(ApplyError::Unsplittable)?;
    let start = Instant::now();
    conn.execute("SET SESSION autocommit = 1")
        .await
        .map_err(record(false))?;
    mark(conn, down.version, false)
        .await
        .map_err(record(false))?;
    if let Err(stopped) = run(conn, &statements).await {
        if stopped.index == 0 {
            // Nothing ran: the migration is still applied.
            let _ = mark(conn, down.version, true).await;
        }
        let statement = statements.get(stopped.index).map(|s| {
            let line = s.sql_line().unwrap_or(s.first_line);
            (stopped.index + 1, line, s.text.to_string())
        });
        let told = remains(stopped.index + 1, statements.len(), down.version);
        return Err(ApplyError::Stopped(Stopped {
            statement,
            error: stopped.error,
            remains: Remains::Told(told),
        }));
    }
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ?")
        .bind(down.version)
        .execute(&mut *conn)
        .await
        .map_err(record(true))?;
    Ok(start.elapsed())
}

/// Sets `success` of the row of `version`.
async fn mark(conn: &mut MySqlConnection, version: i64, success: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE _sqlx_migrations SET success = ? WHERE version = ?")
        .bind(success)
        .bind(version)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// What remains of the down of `version` after its statement `failed` (1-based, of `total`)
/// failed: nothing when it was the first, else the statements before it, with the row marked
/// failed.
pub fn remains(failed: usize, total: usize, version: i64) -> String {
    let not_run = match failed < total {
        true => format!("; {} did not run", span(failed + 1, total)),
        false => String::new(),
    };
    if failed == 1 {
        return format!(
            "MySQL commits each statement on its own; statement 1 of the down failed, so nothing of it ran{not_run}, and migration {version} is still recorded as applied in _sqlx_migrations; fix the down file or the rows it fails on, and run revert again"
        );
    }
    let ran = match failed {
        2 => "statement 1 of the down ran and remains".to_string(),
        _ => format!("{} of the down ran and remain", span(1, failed - 1)),
    };
    format!(
        "MySQL commits each statement on its own, so {ran}; statement {failed} failed{not_run}. Migration {version} is half reverted: _sqlx_migrations keeps version {version} with success = false, and migrate refuses to run until that row is gone. Either finish the down by hand (run what did not run, fixed), then run `migrate-cli repair --failed {version}` (it removes that row, so the migration shows as pending and migrate applies it again); or undo by hand what ran (check --url lists how the database differs from the last applied snapshot), then mark it applied again with `UPDATE _sqlx_migrations SET success = TRUE WHERE version = {version}`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_ran_of_a_down_is_said_exactly() {
        let text = remains(3, 4, 7);
        assert!(
            text.contains("statements 1 to 2 of the down ran and remain"),
            "{text}"
        );
        assert!(
            text.contains("statement 3 failed; statement 4 did not run"),
            "{text}"
        );
        assert!(text.contains("repair --failed 7"), "{text}");
        let text = remains(1, 2, 7);
        assert!(
            text.contains("nothing of it ran; statement 2 did not run"),
            "{text}"
        );
        assert!(text.contains("still recorded as applied"), "{text}");
    }
}
