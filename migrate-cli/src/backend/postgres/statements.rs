//! What PostgreSQL does with a `-- no-transaction` file, which sqlx sends whole as one simple
//! query: PostgreSQL runs a query string of several statements in one implicit transaction,
//! which a transaction command of the file (`COMMIT`, `ROLLBACK`, `BEGIN`, ...) ends early; a
//! failure rolls back what ran since the last such command. Read with sqlparser's tokenizer and
//! its PostgreSQL dialect, so that `;` in literals, dollar quotes and comments does not count.
//! The `END` of a SQL-standard function body (`BEGIN ATOMIC ... END`) reads as a transaction
//! command here, which errs toward saying that something may remain.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenizerError};

/// What a file's statements are, as far as its transaction goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Script {
    /// Its statements (text up to a `;` that holds more than comments).
    pub statements: usize,
    /// The file line of its first transaction command, if it has one.
    pub control_line: Option<usize>,
    /// Whether it builds or drops something `CONCURRENTLY` (which cannot run in a transaction).
    pub concurrently: bool,
}

/// Statements that start, end or split a transaction.
const CONTROL: &[&str] = &[
    "BEGIN",
    "START",
    "COMMIT",
    "END",
    "ROLLBACK",
    "ABORT",
    "SAVEPOINT",
    "RELEASE",
    "PREPARE",
];

/// Reads `sql`, a whole file.
pub fn read(sql: &str) -> Result<Script, TokenizerError> {
    let tokens = sqlparser::tokenizer::Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()?;
    let mut script = Script {
        statements: 0,
        control_line: None,
        concurrently: false,
    };
    let mut in_statement = false;
    for t in &tokens {
        match &t.token {
            Token::EOF | Token::Whitespace(_) => {}
            Token::SemiColon => in_statement = false,
            Token::Word(w) if in_statement && w.quote_style.is_none() => {
                script.concurrently |= w.value.eq_ignore_ascii_case("CONCURRENTLY");
            }
            token if !in_statement => {
                in_statement = true;
                script.statements += 1;
                let control = match token {
                    Token::Word(w) if w.quote_style.is_none() => {
                        CONTROL.iter().any(|c| w.value.eq_ignore_ascii_case(c))
                    }
                    _ => false,
                };
                if control && script.control_line.is_none() {
                    script.control_line = usize::try_from(t.span.start.line).ok();
                }
            }
            _ => {}
        }
    }
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sql: &str, statements: usize, control_line: Option<usize>) {
        let script = read(sql).unwrap_or_else(|e| panic!("{sql:?}: {e}"));
        let found = (script.statements, script.control_line);
        assert_eq!(found, (statements, control_line), "{sql:?}");
    }

    #[test]
    fn concurrent_builds_are_seen_by_their_word() {
        let built = |sql| read(sql).map(|s| s.concurrently).ok();
        assert_eq!(built("CREATE INDEX CONCURRENTLY i ON t (a);"), Some(true));
        assert_eq!(built("drop index concurrently i;"), Some(true));
        assert_eq!(
            built("CREATE INDEX i ON t (\"concurrently\");"),
            Some(false)
        );
        assert_eq!(
            built("-- CONCURRENTLY\nSELECT 'CONCURRENTLY';"),
            Some(false)
        );
    }

    #[test]
    fn statements_and_transaction_commands_are_counted() {
        check("-- no-transaction\nCREATE TABLE a (id int);\n", 1, None);
        check(
            "-- no-transaction\nCREATE TABLE a (id int);\n--> statement-breakpoint\nINSERT INTO a VALUES (1);\n",
            2,
            None,
        );
        check(
            "CREATE TABLE a (id int);\nCOMMIT;\nDROP TABLE b;",
            3,
            Some(2),
        );
        check("SELECT 1;\n\nbegin;\nSELECT 2;\nend;", 4, Some(3));
        check(";;\n-- only comments;\n/* ; */", 0, None);
    }

    #[test]
    fn semicolons_and_words_in_literals_do_not_count() {
        check("SELECT 'a; COMMIT; b';", 1, None);
        check("SELECT E'a\\'; COMMIT';", 1, None);
        check(
            "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\nSELECT f();",
            2,
            None,
        );
        check("SELECT \"commit;\" FROM t; /* ; COMMIT; */", 1, None);
        check("SELECT 1 -- ; COMMIT;\n;", 1, None);
    }
}
