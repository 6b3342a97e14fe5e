//! A migration file's statements: the chunks between `--> statement-breakpoint` lines, each
//! with the line it starts on. Every database's backend and the failure reports read files
//! through [`split_statements`].
//! The backends read statements further with a real SQL tokenizer (sqlparser's):
//! `backend::mysql::statements` cuts MySQL files at their `;`s, and
//! `backend::postgres::statements` reads PostgreSQL `-- no-transaction` files for what a
//! failure leaves.

pub mod lint;

/// The line that separates statements in a migration file.
pub const BREAKPOINT: &str = "--> statement-breakpoint";

/// One statement of a migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    /// The file line (1-based) where its chunk starts, right after the previous breakpoint.
    pub first_line: usize,
    pub text: &'a str,
}

impl Statement<'_> {
    /// The line of its first SQL (not blank, not a `--` comment), if any.
    pub fn sql_line(&self) -> Option<usize> {
        self.text
            .lines()
            .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
            .map(|i| self.first_line + i)
    }
}

/// A migration's statements, split on `--> statement-breakpoint` lines.
pub fn split_statements(sql: &str) -> Vec<Statement<'_>> {
    let mut statements = Vec::new();
    let (mut start, mut first_line, mut offset) = (0, 1, 0);
    for (i, line) in sql.split_inclusive('\n').enumerate() {
        if line.trim() == BREAKPOINT {
            statements.push(Statement {
                first_line,
                text: &sql[start..offset],
            });
            start = offset + line.len();
            first_line = i + 2;
        }
        offset += line.len();
    }
    statements.push(Statement {
        first_line,
        text: &sql[start..],
    });
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_on_breakpoint_lines_with_their_lines() {
        let sql = "-- header\nCREATE TABLE a (x int);\n--> statement-breakpoint\n\nCREATE TABLE b (\n  y int\n);\n--> statement-breakpoint\nDROP TABLE a;";
        let s = split_statements(sql);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].first_line, s[0].sql_line()), (1, Some(2)));
        assert_eq!((s[1].first_line, s[1].sql_line()), (4, Some(5)));
        assert_eq!(s[1].text, "\nCREATE TABLE b (\n  y int\n);\n");
        assert_eq!((s[2].first_line, s[2].sql_line()), (9, Some(9)));
        assert_eq!(split_statements("-- only a comment\n")[0].sql_line(), None);
    }
}
