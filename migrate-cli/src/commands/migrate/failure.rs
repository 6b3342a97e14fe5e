//! A failed migration: finding the failing statement (a replay in a transaction that is rolled
//! back, PostgreSQL's error position where the file cannot be replayed) and saying truly what
//! of it remains.

use crate::backend::{ApplyError, Connected, Replayed, Waited};
use crate::database::{self, ServerError};
use crate::history::Local;
use crate::statements::{split_statements, Statement};
use sqlx::migrate::MigrateError;

/// A migration that failed to apply, located as precisely as the database allows.
#[derive(Debug)]
pub struct Failure {
    pub file: String,
    /// 1-based statement number, its line in the file and its text.
    pub statement: Option<(usize, usize, String)>,
    /// What the failure is, before the database's error: `cannot record it in
    /// _sqlx_migrations before its COMMIT: `, or empty.
    pub context: &'static str,
    /// The database's error, shown as its own message.
    pub error: ServerError,
    /// What this tool found beyond the database's error (a failed rollback, triggers the
    /// file loses, broken foreign keys), shown right after it.
    pub notes: String,
    /// What of it remains in the database.
    pub remains: Remains,
    /// Migrations applied by this run before it failed.
    pub applied_before: usize,
}

impl Failure {
    /// A failure of `file` with the database's `error`, nothing located yet.
    pub fn new(file: String, error: ServerError, remains: Remains, applied_before: usize) -> Self {
        Failure {
            file,
            statement: None,
            context: "",
            error,
            notes: String::new(),
            remains,
            applied_before,
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let error = format!("{}{}{}", self.context, self.error, self.notes);
        match &self.statement {
            Some((n, line, text)) => write!(
                f,
                "migration {}:{line} failed at statement {n}: {error}\n\n{}\n\n",
                self.file,
                excerpt(text)
            )?,
            None => write!(f, "migration {} failed: {error}\n\n", self.file)?,
        }
        match &self.remains {
            Remains::Nothing => write!(f, "nothing of this migration remains and nothing was recorded; fix the file and run migrate again (or, when the mistake is in the schema source, run `migrate-cli drop` to remove this migration, fix the struct and run generate again: a fixed file whose snapshot still says otherwise makes verify and check fail)")?,
            Remains::StatementsBefore => write!(f, "this migration ran without a transaction (-- no-transaction), so the statements before the failing one remain; repair the database by hand, fix the file and run migrate again")?,
            Remains::RolledBack(told) | Remains::Told(told) => f.write_str(told)?,
            Remains::InvalidIndex => write!(f, "a concurrent index build that fails leaves at most an invalid index, which the next migrate drops and builds again; nothing was recorded; fix the cause and run migrate again")?,
            Remains::Committed => write!(f, "this migration's own transaction was no longer open when it failed, so what it committed remains though nothing was recorded; check the database by hand, fix the file and run migrate again")?,
        }
        if self.applied_before > 0 {
            write!(
                f,
                " ({} migration(s) before it were applied by this run)",
                self.applied_before
            )?;
        }
        Ok(())
    }
}

/// A migration whose last try timed out waiting for a lock. It is not replayed to find the
/// statement (the replay would wait for the same lock, without a timeout): a file run in a
/// transaction was rolled back whole, a file run statement by statement names its statement.
/// The notes name the sessions that held the lock.
pub(crate) async fn timed_out(
    conn: &mut Connected,
    m: &Local,
    (file, applied_before): (String, usize),
    error: ApplyError,
    waited: &Waited,
) -> Failure {
    let note = waited.note(&conn.policy, conn.database().blockers_unseen());
    let mut failure = match error {
        ApplyError::Stopped(stopped) => {
            let error = ServerError::Server(Box::new(stopped.error));
            // Stopped at its first statement (MySQL, statement by statement): nothing of the
            // file ran and nothing was recorded, so the file needs no change either.
            let remains = match stopped.statement {
                Some((1, _, _)) => Remains::Told(LOCK_TIMEOUT_NOTHING_RAN.to_string()),
                _ => stopped.remains,
            };
            let mut failure = Failure::new(file, error, remains, applied_before);
            failure.statement = stopped.statement;
            failure
        }
        ApplyError::Migrate(MigrateError::ExecuteMigration(e, _)) => {
            let recovered = conn.recover(&m.migration).await;
            let sql = &*m.migration.sql;
            let remains = match !m.migration.no_tx && conn.transactional_ddl() {
                true => Remains::Nothing,
                false => match conn.database().no_transaction_remains(sql) {
                    Some(remains) => remains,
                    None if matches!(recovered, Some(Ok(true))) => Remains::Nothing,
                    None => Remains::StatementsBefore,
                },
            };
            Failure::new(
                file,
                ServerError::Server(Box::new(e)),
                remains,
                applied_before,
            )
        }
        other => {
            // Not reached: only a failed file or statement is tried again.
            let error = ServerError::Found(format!("timed out waiting for a lock ({other:?})"));
            Failure::new(file, error, Remains::Nothing, applied_before)
        }
    };
    if failure.remains == Remains::Nothing {
        failure.remains = Remains::RolledBack(LOCK_TIMEOUT_ROLLED_BACK.to_string());
    }
    failure.notes = note;
    failure
}

/// What remains of a migration whose first statement timed out waiting for a lock, run
/// statement by statement: nothing, and nothing to fix.
const LOCK_TIMEOUT_NOTHING_RAN: &str = "its first statement never got the lock, so nothing of this migration ran and nothing was recorded; the file needs no change: run migrate again once the blocking transaction has ended";

/// What remains of a migration rolled back after a lock timeout: nothing, and nothing to fix.
const LOCK_TIMEOUT_ROLLED_BACK: &str = "its transaction was rolled back: nothing of this migration remains and nothing was recorded; the file needs no change: run migrate again once the blocking transaction has ended";

/// What a failed migration left in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remains {
    /// It ran in a transaction that was rolled back: in migrate's own, or in the one the file
    /// opens itself (a SQLite rebuild: `PRAGMA foreign_keys=OFF; BEGIN; ...; COMMIT;`).
    Nothing,
    /// It ran without a transaction (`-- no-transaction` on SQLite, where each statement
    /// commits on its own): the statements before the failing one.
    StatementsBefore,
    /// The database rolled all of the file back by itself (PostgreSQL runs a `-- no-transaction`
    /// file sent as one query string in one implicit transaction), so a replay finds the
    /// failing statement; the backend words what remains.
    RolledBack(String),
    /// What remains as the backend words it (a `-- no-transaction` file whose own transaction
    /// command ends PostgreSQL's implicit transaction early; MySQL, which commits each
    /// statement, and records the failed file with `success = false`).
    Told(String),
    /// Its own transaction had committed (or was gone) when it failed.
    Committed,
    /// A concurrent index build or drop (one statement, no transaction): at most an invalid
    /// index, which the next run drops and builds again.
    InvalidIndex,
}

/// A statement's first lines, indented.
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.trim().lines().collect();
    let mut shown: Vec<String> = lines.iter().take(6).map(|l| format!("    {l}")).collect();
    if lines.len() > 6 {
        shown.push("    ...".to_string());
    }
    shown.join("\n")
}

/// Finds the failing statement: by replaying the statements one by one in a transaction that
/// is rolled back when the file ran in one, else from PostgreSQL's error position (which can
/// point into what the statement triggered, an index it rebuilt, rather than into the file). `recovered` is
/// the outcome of the backend's `recover` after a file that records itself failed.
pub(crate) async fn diagnose(
    conn: &mut Connected,
    m: &Local,
    file: String,
    error: sqlx::Error,
    applied_before: usize,
    recovered: Option<Result<bool, sqlx::Error>>,
) -> Failure {
    let sql = &*m.migration.sql;
    let statements = split_statements(sql);
    let transactional = !m.migration.no_tx && conn.transactional_ddl();
    let remains = match transactional {
        true => Remains::Nothing,
        false => match conn.database().no_transaction_remains(sql) {
            Some(remains) => remains,
            None if !super::concurrent_builds(sql).is_empty() => Remains::InvalidIndex,
            None => Remains::StatementsBefore,
        },
    };
    let position = conn.database().error_position(&error);
    let server = ServerError::Server(Box::new(error));
    let mut failure = Failure::new(file, server, remains, applied_before);
    let numbered = |index: usize| numbered(&statements, index);
    // PostgreSQL's position is not always in the file: an error in what a statement triggers
    // (an index it rebuilds, parsed again from its definition) carries a position in that
    // text. So a file that can be replayed is, and the position only says the line when it
    // falls in the statement the replay found.
    let by_position = position.and_then(|position| {
        let line = line_of_char(sql, position);
        let i = statements.iter().rposition(|s| s.first_line <= line)?;
        Some((i, line))
    });
    let located = |failure: &mut Failure, (i, line): (usize, usize)| {
        failure.statement = Some((numbered(i), line, statements[i].text.to_string()));
    };
    if let Some(Err(e)) = &recovered {
        let e = database::error_message(e);
        failure.notes = format!("; then rolling it back failed: {e}");
    }
    let own = match &recovered {
        Some(rolled_back) => {
            let own = conn.database().own_transaction(&statements);
            own.map(|o| (o, matches!(rolled_back, Ok(true))))
        }
        None => None,
    };
    // A file that ran in one transaction that was rolled back can be replayed in another.
    let rolled_back = transactional || matches!(failure.remains, Remains::RolledBack(_));
    if !rolled_back && own.is_none() {
        if let Some(at) = by_position {
            located(&mut failure, at);
        }
        return failure;
    }
    let replayed = replay(conn, &statements, own.is_some()).await;
    if let Some(((_, commit), rolled_back)) = own {
        // Nothing remains when the file's transaction was rolled back, or when the file
        // failed before its COMMIT (SQLite may have rolled it back by itself).
        let before_commit = replayed.as_ref().is_some_and(|(i, _)| *i < commit);
        failure.remains = match rolled_back || before_commit {
            true => Remains::Nothing,
            false => Remains::Committed,
        };
    }
    let Some((i, replayed)) = replayed else {
        if let Some(at) = by_position {
            located(&mut failure, at);
        }
        return failure;
    };
    let line = match by_position {
        Some((at, line)) if at == i => line,
        _ => line_in(
            &statements[i],
            conn.database().error_position(&replayed.error),
        ),
    };
    located(&mut failure, (i, line));
    notes_of_replay(conn, sql, &replayed, &mut failure).await;
    failure
}

/// What the replay found beyond the error (SQLite: triggers a rebuild loses, foreign keys it
/// would break), added to `failure`'s notes.
async fn notes_of_replay(
    conn: &mut Connected,
    sql: &str,
    replayed: &Replayed,
    failure: &mut Failure,
) {
    let message = format!("{}{}", failure.error, failure.notes);
    if message.contains("lost_triggers") {
        if let Some(triggers) = conn.failure_note(sql).await {
            failure.notes.push_str(&format!(
                ": a table this migration rebuilds has triggers the file does not create again; add them to the file after the rebuild, above the check (they are still in the database, since the migration was rolled back):\n{triggers}"
            ));
        }
    }
    if !replayed.violations.is_empty() {
        failure.notes.push_str(&format!(
            ": foreign keys would be broken: {} (PRAGMA foreign_key_check lists them, also rows that were broken before this migration); repair or delete those rows, or change the migration so that it keeps what they reference",
            replayed.violations.join(", ")
        ));
    }
}

/// Replays the file in a transaction that is rolled back and gives the index (into
/// `statements`) of the first that fails. A file with its own transaction (`own`) is replayed
/// without its transaction control and with foreign keys off, as it runs.
async fn replay(
    conn: &mut Connected,
    statements: &[Statement<'_>],
    own: bool,
) -> Option<(usize, Replayed)> {
    let real: Vec<usize> = statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.sql_line().is_some() && !(own && conn.database().is_control(s)))
        .map(|(i, _)| i)
        .collect();
    let texts: Vec<&str> = real.iter().map(|i| statements[*i].text).collect();
    let replayed = match own {
        true => conn.replay_own(&texts).await,
        false => match conn.first_failing(&texts).await {
            Ok(Some((index, error))) => Some(Replayed {
                index,
                error,
                violations: Vec::new(),
            }),
            _ => None,
        },
    };
    replayed.map(|r| (real[r.index], r))
}

/// The line of statement `s` at its error's 1-based character `position`, when that lies in
/// its text (else the position is in something the statement triggered): its first SQL line.
pub(super) fn line_in(s: &Statement<'_>, position: Option<usize>) -> usize {
    match position {
        Some(p) if p <= s.text.chars().count() => s.first_line + line_of_char(s.text, p) - 1,
        _ => s.sql_line().unwrap_or(s.first_line),
    }
}

/// The 1-based number of statement `index`, counting only statements with SQL.
pub(super) fn numbered(statements: &[Statement<'_>], index: usize) -> usize {
    statements
        .iter()
        .take(index + 1)
        .filter(|s| s.sql_line().is_some())
        .count()
}

/// The 1-based line of 1-based character `position` in `text`.
fn line_of_char(text: &str, position: usize) -> usize {
    let end = text
        .char_indices()
        .nth(position.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    text[..end].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_positions_become_lines() {
        assert_eq!(line_of_char("ab\ncd\né f", 1), 1);
        assert_eq!(line_of_char("ab\ncd\né f", 4), 2);
        assert_eq!(line_of_char("ab\ncd\né f", 9), 3);
        assert_eq!(line_of_char("ab", 99), 1);
    }
}
