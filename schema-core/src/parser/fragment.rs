//! SQL fragments in attributes (`predicate`, a check's `expr`, `default_sql`, `generated`, `sql_type`,
//! `using`), checked at compile time without knowing the dialect: the fragment must tokenize
//! (sqlparser's tokenizer, the generic dialect, MySQL's when only its backslash escapes
//! read it) to tokens with no `;` outside quotes, no comment and balanced parentheses, so it
//! cannot end its statement or hide the rest of it. `generate` then reads each fragment with
//! the dialect's own parser (migrate-cli's `fragments`).

use super::{key_of, non_empty_value, Errors};
use sqlparser::dialect::{GenericDialect, MySqlDialect};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};
use syn::meta::ParseNestedMeta;
use syn::LitStr;

/// What a fragment must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One SQL expression: `predicate`, `expr`, `default_sql`.
    Expression,
    /// One type name with optional `(...)` arguments and `[]`: `sql_type`.
    Type,
    /// One index method name: `using`.
    IndexMethod,
    /// One query (`SELECT`, `WITH`, `VALUES`, `TABLE`, or one in parentheses): a view's `sql`.
    Query,
}

/// The value of `key = "..."` on `owner` (field `age` of struct `Item`), which must not be
/// blank and must be one fragment of `kind`; a fragment that is not is recorded (spanned on
/// the value, with `example`) and still given, so no further errors follow.
pub(crate) fn value(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    kind: Kind,
    example: &str,
    owner: &str,
) -> Option<LitStr> {
    let lit = non_empty_value(meta, errors, example)?;
    if let Err(problem) = problem(&lit.value(), kind) {
        errors.push(
            lit.span(),
            format!(
                "`{}` of {owner} must be {}, but {problem}; for example: {example}",
                key_of(meta),
                what(kind)
            ),
        );
    }
    Some(lit)
}

fn what(kind: Kind) -> &'static str {
    match kind {
        Kind::Expression => "exactly one SQL expression",
        Kind::Type => "exactly one SQL type",
        Kind::IndexMethod => "exactly one index method name",
        Kind::Query => "exactly one query (SELECT ...)",
    }
}

/// Why `sql` is not one fragment of `kind`, as far as its tokens tell.
fn problem(sql: &str, kind: Kind) -> Result<(), String> {
    let tokens: Vec<Token> = checked_tokens(sql)?.into_iter().map(|(t, _)| t).collect();
    match kind {
        Kind::Expression => Ok(()),
        Kind::Type => type_shape(&tokens),
        Kind::IndexMethod => match tokens.as_slice() {
            [Token::Word(w)] if w.quote_style.is_none() => Ok(()),
            _ => Err("it is not one bare name".into()),
        },
        Kind::Query => query_shape(&tokens),
    }
}

/// The tokens of `sql` without whitespace, each with its byte offset in `sql`, when it has
/// what no fragment may have: no `;`, no comment, parentheses and brackets balanced.
pub(crate) fn checked_tokens(sql: &str) -> Result<Vec<(Token, usize)>, String> {
    let located = tokens(sql)?;
    let offsets = line_offsets(sql);
    for token in located.iter().map(|t| &t.token) {
        match token {
            Token::SemiColon => {
                return Err(
                    "it holds a `;`, which would end the statement and run what follows as another"
                        .into(),
                )
            }
            Token::Whitespace(Whitespace::SingleLineComment { .. })
            | Token::Whitespace(Whitespace::MultiLineComment(_)) => {
                return Err("it holds a comment, which would hide the rest of the statement".into())
            }
            _ => {}
        }
    }
    let significant: Vec<(Token, usize)> = located
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map(|t| {
            let at = offset(sql, &offsets, t.span.start.line, t.span.start.column);
            (t.token, at)
        })
        .collect();
    let bare: Vec<Token> = significant.iter().map(|(t, _)| t.clone()).collect();
    balanced(&bare)?;
    Ok(significant)
}

/// The byte offset of each line's start.
fn line_offsets(sql: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The byte offset of a tokenizer location (1-based line, 1-based column in characters).
fn offset(sql: &str, lines: &[usize], line: u64, column: u64) -> usize {
    let start = usize::try_from(line)
        .ok()
        .and_then(|l| lines.get(l.saturating_sub(1)))
        .copied()
        .unwrap_or(0);
    let chars = usize::try_from(column).unwrap_or(1).saturating_sub(1);
    sql[start..]
        .char_indices()
        .nth(chars)
        .map_or(sql.len(), |(i, _)| start + i)
}

/// The tokens of `sql` by the generic dialect, else by MySQL's (backslash escapes in strings).
fn tokens(sql: &str) -> Result<Vec<TokenWithSpan>, String> {
    Tokenizer::new(&GenericDialect {}, sql)
        .tokenize_with_location()
        .or_else(|generic| {
            Tokenizer::new(&MySqlDialect {}, sql)
                .tokenize_with_location()
                .map_err(|_| generic)
        })
        .map_err(|e| format!("it does not read as SQL ({e})"))
}

/// Parentheses and brackets close in order and never more than they open.
fn balanced(tokens: &[Token]) -> Result<(), String> {
    let mut open = Vec::new();
    for token in tokens {
        match token {
            Token::LParen => open.push(Token::RParen),
            Token::LBracket => open.push(Token::RBracket),
            Token::RParen | Token::RBracket if open.pop().as_ref() != Some(token) => {
                return Err(format!("its `{token}` closes nothing it opened"));
            }
            _ => {}
        }
    }
    match open.last() {
        Some(close) => Err(format!("a `{close}` is missing")),
        None => Ok(()),
    }
}

/// A query starts with `SELECT`, `WITH`, `VALUES` or `TABLE`, or is one in parentheses.
fn query_shape(tokens: &[Token]) -> Result<(), String> {
    let first = tokens.iter().find(|t| !matches!(t, Token::LParen));
    match first {
        Some(Token::Word(w))
            if w.quote_style.is_none()
                && ["select", "with", "values", "table"]
                    .contains(&w.value.to_ascii_lowercase().as_str()) =>
        {
            Ok(())
        }
        _ => Err("it does not start with SELECT, WITH, VALUES or TABLE".into()),
    }
}

/// Names (`double precision`, `"audit"."state"`), then optional `(...)` arguments, more names
/// (`with time zone`, `unsigned`) and `[]` suffixes; nothing else at the top level.
fn type_shape(tokens: &[Token]) -> Result<(), String> {
    if !matches!(tokens.first(), Some(Token::Word(_))) {
        return Err("it does not start with a type name".into());
    }
    let mut depth = 0usize;
    for token in tokens {
        match token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            Token::Word(_) | Token::Period => {}
            other => return Err(format!("`{other}` follows the type name")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{problem, Kind};

    #[test]
    fn one_fragment_passes() {
        let expressions = [
            "now()",
            "gen_random_uuid()",
            "state <> 'closed'",
            "length(title) > 0",
            "'x'::text",
            "interval '1 day'",
            "E'a\\nb'",
            "0x41",
            "'it\\'s'",
            "'a;b -- c'",
            "(datetime('now'))",
            "state = ANY (ARRAY['a', 'b'])",
            "`state` <> ''",
        ];
        for sql in expressions {
            assert_eq!(problem(sql, Kind::Expression), Ok(()), "{sql}");
        }
        let types = [
            "varchar(320)",
            "numeric(10, 2)",
            "text[]",
            "integer[3]",
            "int(11) unsigned",
            "timestamp(3) with time zone",
            "double precision",
            "\"audit\".\"state\"",
            "enum('a', 'b')",
            "geometry(Point, 4326)",
            "varchar(255) character set utf8mb4",
        ];
        for sql in types {
            assert_eq!(problem(sql, Kind::Type), Ok(()), "{sql}");
        }
        for sql in [
            "SELECT id FROM issues WHERE state = 'open'",
            "(select 1)",
            "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        ] {
            assert_eq!(problem(sql, Kind::Query), Ok(()), "{sql}");
        }
        for sql in ["gin", "btree", "BTREE"] {
            assert_eq!(problem(sql, Kind::IndexMethod), Ok(()), "{sql}");
        }
    }

    #[test]
    fn more_than_one_fragment_fails() {
        let cases = [
            ("id > 0; DROP TABLE victim; --", Kind::Expression, "`;`"),
            ("age >= 0 -- note", Kind::Expression, "comment"),
            ("age >= 0 /* note */", Kind::Expression, "comment"),
            ("x > 0), CHECK (y", Kind::Expression, "closes nothing"),
            ("(x > 0", Kind::Expression, "missing"),
            ("'open", Kind::Expression, "does not read"),
            ("int; DROP TABLE victim", Kind::Type, "`;`"),
            ("int DEFAULT 5", Kind::Type, "`5`"),
            ("int, x int", Kind::Type, "`,`"),
            ("btree; DROP TABLE victim", Kind::IndexMethod, "`;`"),
            ("btree (id)", Kind::IndexMethod, "one bare name"),
            ("\"gin\"", Kind::IndexMethod, "one bare name"),
            ("SELECT 1; DROP TABLE victim", Kind::Query, "`;`"),
            ("SELECT 1 -- note", Kind::Query, "comment"),
            ("id + 1", Kind::Query, "does not start with SELECT"),
        ];
        for (sql, kind, says) in cases {
            let problem = problem(sql, kind);
            assert!(
                problem.as_ref().is_err_and(|p| p.contains(says)),
                "{sql}: {problem:?}"
            );
        }
    }
}
