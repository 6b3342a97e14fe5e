//! What a statement of a migration costs while it runs, as `plan` reports it: the lock it takes
//! and on what, and whether it reads (scans) or rewrites the table. Each backend says what its
//! database does ([`super::Database::statement_costs`]); the default knows no locks and only
//! cuts the file at its breakpoint lines.

use serde::Serialize;

/// One statement of a migration file and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementCost {
    /// The file lines (1-based) of its first and last SQL.
    pub line: usize,
    pub last_line: usize,
    /// The statement as written, comments and surrounding blank lines left out.
    pub sql: String,
    /// The lock it takes, when the database's backend can tell (`None` on MySQL, and for a
    /// statement that takes no lock worth naming).
    pub lock: Option<Lock>,
    /// What it does to the table's rows.
    pub work: Work,
    /// The existing table whose size matters (scanned, rewritten or locked), as
    /// `schema.table`; `None` for a table the same file creates, which is empty.
    pub table: Option<String>,
    /// What the reader should know beyond the lock and the work (`unless the types are binary
    /// compatible`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A lock: its mode (`ACCESS EXCLUSIVE`) and what it is on (`public.orders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lock {
    pub mode: String,
    pub on: String,
}

impl std::fmt::Display for Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} on {}", self.mode, self.on)
    }
}

/// What a statement does to the rows of its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Work {
    /// Neither reads nor writes the rows (a catalog change).
    None,
    /// Reads every row (a validation, an index build).
    Scan,
    /// Writes every row again (a type change, a volatile default, a table rebuild).
    Rewrite,
}

impl Work {
    pub fn as_str(self) -> &'static str {
        match self {
            Work::None => "none",
            Work::Scan => "scan",
            Work::Rewrite => "rewrite",
        }
    }
}

/// The statements of `sql` without locks: what a backend that cannot tell its locks reliably
/// gives. Each chunk between breakpoint lines is cut at its `;`s by the splitter that runs
/// MySQL files (quotes, comments and `BEGIN ... END` bodies respected); a chunk it cannot cut
/// is listed whole.
pub fn unknown(sql: &str) -> Vec<StatementCost> {
    let mut out = Vec::new();
    for chunk in crate::statements::split_statements(sql) {
        let pieces = match crate::backend::mysql::statements::split(chunk.text, chunk.first_line) {
            Ok(pieces) => pieces.into_iter().map(|p| (p.line, p.text)).collect(),
            Err(_) => vec![(chunk.first_line, chunk.text)],
        };
        for (first_line, text) in pieces {
            let skipped = text
                .lines()
                .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with("--"))
                .count();
            let text = sql_text(text);
            if text.is_empty() {
                continue;
            }
            let line = first_line + skipped;
            out.push(StatementCost {
                line,
                last_line: line + text.lines().count().saturating_sub(1),
                sql: text,
                lock: None,
                work: Work::None,
                table: None,
                note: None,
            });
        }
    }
    out
}

/// A chunk's SQL: its leading comment lines and the blank lines around it left out.
pub(crate) fn sql_text(chunk: &str) -> String {
    let lines: Vec<&str> = chunk
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.trim_start().starts_with("--"))
        .collect();
    lines.join("\n").trim_end().to_string()
}
