//! Lint from the statements: every statement of a migration file, generated or hand-written,
//! read by a real SQL parser, and the findings derived from what the statements say (a
//! `DROP TABLE` is `drop-table` whether or not a `-- lint:` comment line says so).
//!
//! Each database's backend reads its files ([`crate::backend::Database::lint_statements`]):
//! PostgreSQL files with squawk's parser (`backend::postgres::lint`, the one squawk-cli runs),
//! SQLite and MySQL files with sqlparser ([`sqlparsed`], given the backend's statement parser),
//! cut into statements by `backend::mysql::statements::split` between
//! `--> statement-breakpoint` lines. Each finding is a [`schema_core::lint::Finding`]
//! with the same codes and severities as the findings of a change list, plus the file line of
//! its statement. A statement the parser cannot read is an `unparsed-statement` warning naming
//! its line: nothing passes unread.
//!
//! What one statement cannot say is left to the change list's findings: row counts, and what a
//! SQLite table rebuild or a MySQL `MODIFY COLUMN` changes (the old definition is not in the
//! file), or which enum values a type rebuild removes.

pub(crate) mod sqlparsed;
#[cfg(test)]
mod tests;

use crate::config::Dialect;
use schema_core::lint::{self, Finding, Severity};

/// A finding of one statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementFinding {
    /// The file line (1-based) of the statement's first token.
    pub line: usize,
    /// The file line of its last token (`line` for a one-line statement).
    pub last_line: usize,
    pub finding: Finding,
}

/// The findings of `sql`, a whole migration file of `dialect`, in the order of its statements
/// (a statement with several findings gives them in the order of its clauses).
pub fn lint_file(dialect: Dialect, sql: &str) -> Vec<StatementFinding> {
    // A byte-order mark (editors on Windows) is no statement; lines are unchanged without it.
    let sql = sql.strip_prefix('\u{feff}').unwrap_or(sql);
    crate::backend::of(dialect).lint_statements(sql)
}

/// The severity of a code: errors lose data or fail on a table with rows (or, `disable-rls`,
/// show every row), the rest warn; the same as the change list's findings of the code
/// (`drop-policy` as a permissive policy's: a statement does not say which kind it drops).
fn severity(code: &str) -> Severity {
    match code {
        lint::DROP_TABLE
        | lint::DROP_COLUMN
        | lint::DROP_SCHEMA
        | lint::DROP_ENUM_VALUE
        | lint::ADD_NOT_NULL_WITHOUT_DEFAULT
        | lint::DROP_DATABASE
        | lint::TRUNCATE_TABLE
        | lint::DROP_SEQUENCE
        | lint::DISABLE_RLS => Severity::Error,
        _ => Severity::Warning,
    }
}

/// A finding of `code` on `object`, for the statement on `lines`.
pub(crate) fn found(
    lines: Lines,
    code: &'static str,
    object: &str,
    message: String,
) -> StatementFinding {
    StatementFinding {
        line: lines.first,
        last_line: lines.last,
        finding: Finding {
            code,
            severity: severity(code),
            object: object.to_string(),
            message,
            suggestion: lint::suggestion_for(code).to_string(),
        },
    }
}

/// The first and last file line of a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lines {
    pub(crate) first: usize,
    pub(crate) last: usize,
}

/// The `unparsed-statement` finding of the statement on `lines`.
pub(crate) fn unparsed(lines: Lines, why: &str) -> StatementFinding {
    let line = lines.first;
    found(
        lines,
        lint::UNPARSED_STATEMENT,
        &format!("line {line}"),
        format!("the statement on line {line} cannot be read ({why}), so lint cannot judge it"),
    )
}

/// A name as written, without its quotes: `"public"."orders"` → `public.orders`.
pub(crate) fn unquoted(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '"' | '`'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last part of a name as written, without quotes: `"public"."orders"` → `orders`; the
/// key under which tables created in a file are remembered.
pub(crate) fn last_part(name: &str) -> String {
    let name = unquoted(name);
    match name.rsplit_once('.') {
        Some((_, last)) => last.to_string(),
        None => name,
    }
}

/// The object of a table rename, as the change list names it: the new name, in the old name's
/// schema when the new one names none (`public.a` renamed to `b` → `public.b`).
pub(crate) fn renamed_table(old: &str, new: &str) -> String {
    match (new.contains('.'), old.rsplit_once('.')) {
        (false, Some((schema, _))) => format!("{schema}.{new}"),
        _ => new.to_string(),
    }
}

/// The lines of a text: where each one starts, so a byte offset finds its line by binary
/// search (a file of thousands of statements is not counted again from its start each time).
pub(crate) struct LineIndex {
    /// The byte offset just after each `\n`.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let starts = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1)
            .collect();
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The line (1-based) of byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.len);
        self.starts.partition_point(|&start| start <= end) + 1
    }
}

#[cfg(test)]
mod line_index_tests {
    use super::LineIndex;

    #[test]
    fn an_offset_finds_its_line() {
        let text = "a;\n\nb;\nc";
        let index = LineIndex::new(text);
        let lines: Vec<usize> = (0..=text.len() + 2).map(|o| index.line(o)).collect();
        assert_eq!(lines, [1, 1, 1, 2, 3, 3, 3, 4, 4, 4, 4]);
    }
}
