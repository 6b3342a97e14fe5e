//! Applying a migration on MySQL and MariaDB, which commit each DDL statement on their own: a
//! file cannot be rolled back, so it runs statement by statement and a failure says exactly
//! which statements ran.
//!
//! sqlx 0.8's MySQL `Migrate::apply` sends the whole file as one multi-statement query inside a
//! transaction that the first DDL statement commits. That cannot work for our files: MySQL
//! reads `--` as a comment only before a space, so the `--> statement-breakpoint` lines are a
//! syntax error there; and the server's error would not say which statement failed. So the
//! statements (the chunks between breakpoint lines, without those lines, each cut into its SQL
//! statements by sqlparser's tokenizer: [`super::statements`]) are sent one by one; the
//! `BEGIN ... END` body of a trigger, routine or event is sent whole with its statement, and an
//! executable comment (`/*!50001 ... */`) is sent as a statement, which the server runs. A file
//! that cannot be split is refused before anything runs or is recorded.
//! The `_sqlx_migrations` row is written as sqlx writes it: `success = false` before the first
//! statement, `true` with the execution time after the last, so a run that stops part way
//! leaves a row that `status` shows as failed and `migrate` (ours and sqlx's) refuses to go
//! past. When the very first statement fails nothing ran, and the row is deleted again.

use super::statements::{split, SplitError};
use crate::backend::{ApplyError, Stopped};
use crate::commands::migrate::Remains;
use crate::statements::{split_statements, Statement};
use sqlx::migrate::Migration;
use sqlx::{Executor, MySqlConnection};
use std::time::{Duration, Instant};

/// Where a file's statements stopped.
#[derive(Debug)]
pub struct StoppedAt {
    /// The failing statement's index into the file's statements with SQL.
    pub index: usize,
    pub error: sqlx::Error,
}

/// The statements of `sql`, in order: the chunks between breakpoint lines, each cut into its
/// statements by [`super::statements`], so that a generated file (which has no
/// breakpoint lines on MySQL) and a failure in it are told statement by statement. Each
/// statement's text starts at its first token, so its `first_line` is the line of its SQL.
pub fn statements(sql: &str) -> Result<Vec<Statement<'_>>, SplitError> {
    let mut out = Vec::new();
    for chunk in split_statements(sql) {
        for piece in split(chunk.text, chunk.first_line)? {
            out.push(Statement {
                first_line: piece.line,
                text: piece.text,
            });
        }
    }
    Ok(out)
}

/// Runs `statements` in order on the bare connection, each committing on its own (with
/// `autocommit` on, whatever the server's default: a statement left in an open transaction
/// would be rolled back when the connection closes).
pub async fn run(
    conn: &mut MySqlConnection,
    statements: &[Statement<'_>],
) -> Result<(), StoppedAt> {
    if let Err(error) = conn.execute("SET SESSION autocommit = 1").await {
        return Err(StoppedAt { index: 0, error });
    }
    for (index, statement) in statements.iter().enumerate() {
        if let Err(error) = conn.execute(statement.text).await {
            return Err(StoppedAt { index, error });
        }
    }
    Ok(())
}

/// Applies `m` statement by statement with its `_sqlx_migrations` row, as the module says.
pub async fn apply(conn: &mut MySqlConnection, m: &Migration) -> Result<Duration, ApplyError> {
    apply_from(conn, m, 0).await
}

/// Applies `m` from statement `from` (0-based): from the first, its row is written first;
/// from a later one (after a lock timeout stopped the file there, so that the statements before
/// it ran and committed), its row with `success = false` is already there.
pub async fn apply_from(
    conn: &mut MySqlConnection,
    m: &Migration,
    from: usize,
) -> Result<Duration, ApplyError> {
    let record = |ran: bool| move |error| ApplyError::Record { error, ran };
    // Split before anything runs or is recorded: a file that cannot be split is refused whole.
    let statements = statements(&m.sql).map_err(ApplyError::Unsplittable)?;
    let start = Instant::now();
    conn.execute("SET SESSION autocommit = 1")
        .await
        .map_err(record(from > 0))?;
    if from == 0 {
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (?, ?, FALSE, ?, -1)",
        )
        .bind(m.version)
        .bind(&*m.description)
        .bind(&*m.checksum)
        .execute(&mut *conn)
        .await
        .map_err(record(false))?;
    }
    let rest = statements.get(from..).unwrap_or_default();
    if let Err(mut stopped) = run(conn, rest).await {
        stopped.index += from;
        if stopped.index == 0 {
            // Nothing ran: nothing is recorded either.
            let _ =
                sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ? AND success = FALSE")
                    .bind(m.version)
                    .execute(&mut *conn)
                    .await;
        }
        return Err(ApplyError::Stopped(stopped_at(m, &statements, stopped)));
    }
    let elapsed = start.elapsed();
    let nanos = i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX);
    sqlx::query("UPDATE _sqlx_migrations SET success = TRUE, execution_time = ? WHERE version = ?")
        .bind(nanos)
        .bind(m.version)
        .execute(&mut *conn)
        .await
        .map_err(record(true))?;
    Ok(elapsed)
}

/// What `m`, cut into `statements`, left when it stopped at `stopped`.
fn stopped_at(m: &Migration, statements: &[Statement<'_>], stopped: StoppedAt) -> Stopped {
    let statement = statements.get(stopped.index).map(|s| {
        let line = s.sql_line().unwrap_or(s.first_line);
        (stopped.index + 1, line, s.text.to_string())
    });
    let file = format!("{}_{}", m.version, m.description);
    let told = remains(stopped.index + 1, statements.len(), &file);
    Stopped {
        statement,
        error: stopped.error,
        remains: Remains::Told(told),
    }
}

/// `statement 2`, `statements 2 to 4`, for 1-based `first..=last`.
pub fn span(first: usize, last: usize) -> String {
    match last.cmp(&first) {
        std::cmp::Ordering::Less => "no statement".to_string(),
        std::cmp::Ordering::Equal => format!("statement {first}"),
        std::cmp::Ordering::Greater => format!("statements {first} to {last}"),
    }
}

/// What remains of `file` (whose name starts with its version) after statement `failed`
/// (1-based, of `total`) failed: the statements before it, recorded with `success = false`
/// unless nothing ran.
pub fn remains(failed: usize, total: usize, file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    let version = match digits.is_empty() {
        true => "<its version>".to_string(),
        false => digits,
    };
    let not_run = match failed < total {
        true => format!("; {} did not run", span(failed + 1, total)),
        false => String::new(),
    };
    if failed == 1 {
        return format!(
            "MySQL commits each statement on its own; statement 1 failed, so nothing of this migration ran{not_run}, and nothing was recorded in _sqlx_migrations; fix the file and run migrate again"
        );
    }
    let ran = match failed {
        2 => "statement 1 ran and remains".to_string(),
        _ => format!("{} ran and remain", span(1, failed - 1)),
    };
    format!(
        "MySQL commits each statement on its own, so {ran}; statement {failed} failed{not_run}. The migration is not recorded as applied: _sqlx_migrations keeps version {version} with success = false, and migrate refuses to run until that row is gone. Finish or undo by hand what ran (check --url lists how the database differs from the last applied snapshot), fix the file, then run `migrate-cli repair --failed {version}` (it removes that row) and migrate again (when the mistake is in the schema source: undo what ran, run that repair, then `migrate-cli drop` to remove this migration, fix the struct and run generate again)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_cut_in_chunks_and_keep_their_file_lines() {
        let sql = "-- lint: warning x; y\nCREATE TABLE `a` (`s` varchar(3) DEFAULT ';');\n\nCREATE TABLE `b` (\n  `id` int\n);\n--> statement-breakpoint\nDROP TABLE `a`;\n--> statement-breakpoint\n# only a comment\n";
        let found: Vec<(usize, Option<usize>, &str)> = statements(sql)
            .expect("split")
            .iter()
            .map(|s| (s.first_line, s.sql_line(), s.text))
            .collect();
        assert_eq!(
            found,
            [
                (2, Some(2), "CREATE TABLE `a` (`s` varchar(3) DEFAULT ';');"),
                (4, Some(4), "CREATE TABLE `b` (\n  `id` int\n);"),
                (8, Some(8), "DROP TABLE `a`;"),
            ]
        );
    }

    #[test]
    fn a_chunk_that_cannot_be_split_is_refused_with_its_file_line() {
        let sql = "CREATE TABLE a (id int);\n--> statement-breakpoint\nSELECT 1;\nDELIMITER //\n";
        let error = statements(sql).expect_err("DELIMITER");
        assert_eq!(error.line(), 4);
    }

    #[test]
    fn what_ran_is_said_exactly() {
        let text = remains(3, 5, "migrations/7_x.sql");
        assert!(text.contains("statements 1 to 2 ran and remain"), "{text}");
        assert!(
            text.contains("statement 3 failed; statements 4 to 5 did not run"),
            "{text}"
        );
        assert!(text.contains("version 7 with success = false"), "{text}");
        assert!(!text.contains("rolled back"), "{text}");
        let text = remains(1, 2, "7_x.sql");
        assert!(
            text.contains("nothing of this migration ran; statement 2 did not run"),
            "{text}"
        );
        assert!(text.contains("nothing was recorded"), "{text}");
        let text = remains(2, 2, "7_x.sql");
        assert!(
            text.contains("statement 1 ran and remains; statement 2 failed."),
            "{text}"
        );
        assert!(!text.contains("did not run"), "{text}");
    }
}
