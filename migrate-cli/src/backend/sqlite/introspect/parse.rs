//! Reads the `CREATE TABLE` and `CREATE INDEX` text SQLite keeps in `sqlite_schema` for what
//! its pragmas do not give: constraint names, CHECK expressions, index keys that are
//! expressions, and the `WHERE` of a partial index.
//!
//! A small tokenizer respects quotes (`"id"`, `[id]`, `` `id` ``, `'text'`), comments and
//! parentheses; the table body is split on top-level commas. Expressions are returned as the
//! exact text between their parentheses, so they compare with what `generate` wrote. Text it
//! cannot make sense of gives fewer constraints, never an error: the pragmas stay the truth
//! for which constraints exist, and names then fall back to the derived ones.

use schema_core::model::{IndexKey, KeyTarget};

/// What a token is; its text is a slice of the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// A keyword, bare identifier or number.
    Word,
    /// A quoted identifier.
    Quoted,
    /// A string literal.
    Str,
    Open,
    Close,
    Comma,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: TokenKind,
    text: &'a str,
    start: usize,
    end: usize,
}

impl Token<'_> {
    fn is(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }
}

/// What one constraint of a table constrains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    PrimaryKey(Vec<String>),
    Unique(Vec<String>),
    /// The expression between the CHECK's parentheses, verbatim.
    Check(String),
    ForeignKey(Vec<String>),
}

/// A table or column constraint, with its `CONSTRAINT "name"` when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub name: Option<String>,
    pub kind: ConstraintKind,
}

/// The parts of a `CREATE INDEX` statement the pragmas do not give.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexSql {
    /// Each key: a column name unquoted, or an expression verbatim (without the parentheses
    /// `generate` puts around one), and whether it is `DESC`.
    pub keys: Vec<IndexKey>,
    /// The `WHERE` predicate, verbatim.
    pub predicate: Option<String>,
}

fn tokenize(sql: &str) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'\'' | b'"' | b'`' => {
                i = quoted_end(bytes, i, c);
                if c == b'\'' {
                    TokenKind::Str
                } else {
                    TokenKind::Quoted
                }
            }
            b'[' => {
                i = sql[i..].find(']').map_or(bytes.len(), |n| i + n + 1);
                TokenKind::Quoted
            }
            b'(' => {
                i += 1;
                TokenKind::Open
            }
            b')' => {
                i += 1;
                TokenKind::Close
            }
            b',' => {
                i += 1;
                TokenKind::Comma
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'$' | b'.')
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                TokenKind::Word
            }
            _ => {
                i += 1;
                TokenKind::Other
            }
        };
        out.push(Token {
            kind,
            text: &sql[start..i],
            start,
            end: i,
        });
    }
    out
}

/// The end (exclusive) of a quoted run starting at `start`, where a doubled quote escapes.
fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// An identifier token's name: quotes removed, doubled quotes undone.
fn ident(token: &Token<'_>) -> String {
    let t = token.text;
    match token.kind {
        TokenKind::Quoted if t.starts_with('[') => t[1..].trim_end_matches(']').to_string(),
        TokenKind::Quoted => {
            let q = &t[..1];
            let inner = t[1..].strip_suffix(q).unwrap_or(&t[1..]);
            inner.replace(&format!("{q}{q}"), q)
        }
        _ => t.to_string(),
    }
}

/// The index of the token that closes the parenthesis opened at `open`.
fn closing(tokens: &[Token<'_>], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// `tokens` split on commas outside parentheses.
fn split_commas<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Comma if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

/// The text of `sql` that `tokens` cover, trimmed.
fn text<'a>(sql: &'a str, tokens: &[Token<'_>]) -> &'a str {
    match (tokens.first(), tokens.last()) {
        (Some(a), Some(b)) => sql[a.start..b.end].trim(),
        _ => "",
    }
}

/// The tokens inside the parentheses opened at `open`, and the index after the closing one.
fn group<'t, 'a>(tokens: &'t [Token<'a>], open: usize) -> (&'t [Token<'a>], usize) {
    if tokens.get(open).map(|t| t.kind) != Some(TokenKind::Open) {
        return (&[], open);
    }
    let close = closing(tokens, open);
    (&tokens[open + 1..close.min(tokens.len())], close + 1)
}

/// Column names of a parenthesized list: `("a", "b" DESC)` → `a`, `b`.
fn column_list(tokens: &[Token<'_>]) -> Vec<String> {
    split_commas(tokens)
        .into_iter()
        .filter_map(|part| part.first().map(ident))
        .collect()
}

/// Every constraint of a `CREATE TABLE` statement, table and column constraints, in the
/// order they appear.
pub fn table_constraints(sql: &str) -> Vec<Constraint> {
    let tokens = tokenize(sql);
    let Some(open) = tokens.iter().position(|t| t.kind == TokenKind::Open) else {
        return Vec::new();
    };
    let (body, _) = group(&tokens, open);
    let mut out = Vec::new();
    for item in split_commas(body) {
        let first = item[0];
        let is_constraint = ["constraint", "primary", "unique", "check", "foreign"]
            .iter()
            .any(|k| first.is(k));
        if is_constraint {
            constraints(sql, item, None, &mut out);
        } else {
            constraints(sql, &item[1..], Some(ident(&first)), &mut out);
        }
    }
    out
}

/// Each generated column of a `CREATE TABLE` statement with its expression, verbatim (the
/// text between the parentheses of `[GENERATED ALWAYS] AS (..)`, outside any other ones).
pub fn generated_expressions(sql: &str) -> Vec<(String, String)> {
    let tokens = tokenize(sql);
    let Some(open) = tokens.iter().position(|t| t.kind == TokenKind::Open) else {
        return Vec::new();
    };
    let (body, _) = group(&tokens, open);
    let mut out = Vec::new();
    for item in split_commas(body) {
        let mut i = 1;
        while i < item.len() {
            if item[i].is("as") && item.get(i + 1).is_some_and(|t| t.kind == TokenKind::Open) {
                let (expr, _) = group(item, i + 1);
                out.push((ident(&item[0]), text(sql, expr).to_string()));
                break;
            }
            i = match item[i].kind {
                TokenKind::Open => closing(item, i) + 1,
                _ => i + 1,
            };
        }
    }
    out
}

/// The constraints in `tokens`: one table constraint (`column` is `None`) or the constraints
/// after a column's name and type.
fn constraints(sql: &str, tokens: &[Token<'_>], column: Option<String>, out: &mut Vec<Constraint>) {
    let own = |cols: Vec<String>| column.clone().map_or(cols, |c| vec![c]);
    let mut name = None;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let kind = if t.is("constraint") {
            name = tokens.get(i + 1).map(ident);
            i += 2;
            continue;
        } else if t.is("primary") || t.is("unique") || t.is("foreign") {
            let skip = if t.is("unique") { 1 } else { 2 };
            let (cols, next) = group(tokens, i + skip);
            i = next.max(i + skip);
            let cols = own(column_list(cols));
            if t.is("primary") {
                ConstraintKind::PrimaryKey(cols)
            } else if t.is("unique") {
                ConstraintKind::Unique(cols)
            } else {
                ConstraintKind::ForeignKey(cols)
            }
        } else if t.is("check") {
            let (expr, next) = group(tokens, i + 1);
            i = next;
            ConstraintKind::Check(text(sql, expr).to_string())
        } else if t.is("references") && column.is_some() {
            i += 1;
            ConstraintKind::ForeignKey(own(Vec::new()))
        } else {
            // A type's arguments, a default, NOT NULL, ON DELETE ...: no constraint of ours;
            // a CONSTRAINT name before it was its name.
            if t.kind == TokenKind::Open {
                i = closing(tokens, i);
            } else {
                name = None;
            }
            i += 1;
            continue;
        };
        out.push(Constraint {
            name: name.take(),
            kind,
        });
        if column.is_none() {
            return;
        }
    }
}

/// The keys and predicate of a `CREATE [UNIQUE] INDEX "name" ON "table" (...) [WHERE ...]`.
pub fn index(sql: &str) -> IndexSql {
    let tokens = tokenize(sql);
    let Some(on) = tokens.iter().position(|t| t.is("on")) else {
        return IndexSql::default();
    };
    let Some(open) = tokens[on..].iter().position(|t| t.kind == TokenKind::Open) else {
        return IndexSql::default();
    };
    let (keys, next) = group(&tokens, on + open);
    let keys = split_commas(keys)
        .into_iter()
        .map(|part| {
            let mut part = part;
            let desc = part.last().is_some_and(|t| t.is("desc"));
            if part.last().is_some_and(|t| t.is("asc") || t.is("desc")) {
                part = &part[..part.len() - 1];
            }
            if part.len() >= 2 && part[part.len() - 2].is("collate") {
                part = &part[..part.len() - 2];
            }
            if part.len() >= 2
                && part[0].kind == TokenKind::Open
                && closing(part, 0) == part.len() - 1
            {
                part = &part[1..part.len() - 1];
            }
            let target = match part {
                [one] if matches!(one.kind, TokenKind::Word | TokenKind::Quoted) => {
                    KeyTarget::Column(ident(one))
                }
                _ => KeyTarget::Expression(text(sql, part).to_string()),
            };
            IndexKey {
                target,
                opclass: None,
                desc,
                nulls: None,
            }
        })
        .collect();
    let predicate = tokens.get(next).filter(|t| t.is("where")).map(|_| {
        text(sql, &tokens[next + 1..])
            .trim_end_matches(';')
            .trim()
            .to_string()
    });
    IndexSql { keys, predicate }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: Option<&str>, kind: ConstraintKind) -> Constraint {
        Constraint {
            name: name.map(str::to_string),
            kind,
        }
    }

    fn cols(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_contracts_create_table_gives_every_named_constraint_in_order() {
        let sql = "CREATE TABLE \"accounts\" (\n\t\"id\" integer NOT NULL,\n\t\"email\" text NOT NULL,\n\
                   \t\"note\" text DEFAULT (lower('a, b)')) NOT NULL,\n\
                   \tCONSTRAINT \"accounts_pkey\" PRIMARY KEY (\"id\", \"email\"),\n\
                   \tCONSTRAINT \"accounts_email_key\" UNIQUE (\"email\"),\n\
                   \tCONSTRAINT \"accounts_age_check\" CHECK (age >= 0 AND (age < 200)),\n\
                   \tCONSTRAINT \"accounts_state_check\" CHECK (\"state\" IN ('open', 'a \"(,'' b')),\n\
                   \tCONSTRAINT \"accounts_team_id_fkey\" FOREIGN KEY (\"team_id\") REFERENCES \"teams\"(\"id\") ON DELETE CASCADE\n, \"added\" integer DEFAULT 0 NOT NULL)";
        assert_eq!(
            table_constraints(sql),
            [
                named(
                    Some("accounts_pkey"),
                    ConstraintKind::PrimaryKey(cols(&["id", "email"]))
                ),
                named(
                    Some("accounts_email_key"),
                    ConstraintKind::Unique(cols(&["email"]))
                ),
                named(
                    Some("accounts_age_check"),
                    ConstraintKind::Check("age >= 0 AND (age < 200)".into())
                ),
                named(
                    Some("accounts_state_check"),
                    ConstraintKind::Check("\"state\" IN ('open', 'a \"(,'' b')".into())
                ),
                named(
                    Some("accounts_team_id_fkey"),
                    ConstraintKind::ForeignKey(cols(&["team_id"]))
                ),
            ]
        );
    }

    #[test]
    fn column_constraints_and_unnamed_ones_are_found() {
        let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, -- a comment, (\n\
                   [a b] varchar(10, 2) CONSTRAINT a_uq UNIQUE CHECK (length([a b]) > 0),\n\
                   `p` int CONSTRAINT \"p\"\"fk\" REFERENCES parent (id) ON DELETE SET NULL NOT NULL,\n\
                   q text CONSTRAINT q_nn NOT NULL CHECK (q <> ''), UNIQUE (q, p) /* x, y */, CHECK (1))";
        assert_eq!(
            table_constraints(sql),
            [
                named(None, ConstraintKind::PrimaryKey(cols(&["id"]))),
                named(Some("a_uq"), ConstraintKind::Unique(cols(&["a b"]))),
                named(None, ConstraintKind::Check("length([a b]) > 0".into())),
                named(Some("p\"fk"), ConstraintKind::ForeignKey(cols(&["p"]))),
                named(None, ConstraintKind::Check("q <> ''".into())),
                named(None, ConstraintKind::Unique(cols(&["q", "p"]))),
                named(None, ConstraintKind::Check("1".into())),
            ]
        );
    }

    #[test]
    fn index_keys_and_predicate() {
        let check = |sql: &str, keys: &[&str], predicate: Option<&str>| {
            let got = index(sql);
            assert_eq!(
                got.keys.iter().map(ToString::to_string).collect::<Vec<_>>(),
                cols(keys),
                "{sql}"
            );
            assert_eq!(got.predicate.as_deref(), predicate, "{sql}");
        };
        check(
            "CREATE INDEX \"t_a_b_idx\" ON \"t\" (\"a\", \"b\")",
            &["a", "b"],
            None,
        );
        check(
            "CREATE UNIQUE INDEX \"i\" ON \"t\" (\"a\" DESC, lower(\"b\")) WHERE \"state\" <> 'closed' AND (x IN (1, 2));",
            &["a DESC", "lower(\"b\")"],
            Some("\"state\" <> 'closed' AND (x IN (1, 2))"),
        );
        check(
            "CREATE INDEX IF NOT EXISTS i ON t(a COLLATE NOCASE ASC)",
            &["a"],
            None,
        );
        check(
            "CREATE INDEX \"i\" ON \"t\" ((lower(email)), (a + b) DESC, (c))",
            &["lower(email)", "a + b DESC", "c"],
            None,
        );
    }

    #[test]
    fn cut_or_broken_text_never_panics() {
        let sql = "CREATE TABLE \"a\"\"b\" ([x] int CONSTRAINT c CHECK (x > '(' ) /* c */ -- d\n, `y` text, \
                   CONSTRAINT \"k\" FOREIGN KEY (\"x\") REFERENCES t(\"id\") ON DELETE CASCADE, é text)";
        let index_sql = "CREATE UNIQUE INDEX \"i\" ON \"t\" (\"a\" COLLATE nocase DESC, lower(b)) WHERE a <> 'x'";
        for (end, _) in sql.char_indices() {
            let _ = table_constraints(&sql[..end]);
        }
        for (end, _) in index_sql.char_indices() {
            let _ = index(&index_sql[..end]);
        }
        for junk in [
            "",
            "(",
            ")",
            ",",
            "CONSTRAINT",
            "CREATE TABLE t (CONSTRAINT",
            "x (FOREIGN",
            "ON (",
            "ON () WHERE",
        ] {
            let _ = table_constraints(junk);
            let _ = index(junk);
        }
    }
}
