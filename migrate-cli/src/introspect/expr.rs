//! Loose comparison of SQL expressions: a default, a check or an index predicate as
//! `generate` wrote it (`'open'`, `length(title) > 0`) against what PostgreSQL prints back
//! (`'open'::issue_state`, `(length(title) > 0)`).
//!
//! Both sides are tokenized and rewritten the same way, then compared token by token:
//! - casts (`::text`, `::public.issue_state`, `::character varying(20)[]`) are dropped;
//! - grouping parentheses are dropped (a call's parentheses, `f(x)`, are kept);
//! - unquoted identifiers and keywords are lowercased, quoted identifiers unquoted;
//! - a string literal that spells a number is that number (`'-1'::integer` is `-1`);
//! - `!=` is `<>`, `LIKE` is `~~`, `x IN (a, b)` is `x = ANY (ARRAY[a, b])`.
//!
//! It can call two different expressions equal when they differ only by grouping
//! (`(a + b) * c` and `a + b * c`) or by a cast; it never calls a spelling PostgreSQL
//! prints back for an expression different from that expression's source, for the forms
//! above.
//!
//! MySQL and MariaDB print back with backquoted identifiers (`` `state` ``, read as quoted
//! identifiers by every comparison) and, compared through [`same_mysql`], also with:
//! - string literals in MySQL's escapes (`'a\\b'`) and with charset introducers
//!   (`_utf8mb4'open'`), read as the plain literal;
//! - their own names for functions: `lcase` is `lower`, `ucase` is `upper`, `octet_length` is
//!   `length`, `substring` is `substr`, `character_length` is `char_length`, `now()` and
//!   `current_timestamp()` are `current_timestamp`;
//! - `x IN (a)` and `x NOT IN (a)` of one value as `x = a` and `x <> a` (MariaDB's rewrite).

/// One token of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Str(String),
    Ident(String),
    Num(String),
    Punct(String),
}

/// Whether two expressions are the same after normalization.
pub fn same(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}

/// Whether two expressions are the same after normalization, one of them as MySQL or MariaDB
/// prints it back.
pub fn same_mysql(a: &str, b: &str) -> bool {
    normalize_mysql(a) == normalize_mysql(b)
}

/// The normalized form of an expression, as text (for messages and tests).
pub fn normalize(expr: &str) -> String {
    text(&rewrite(&tokenize(expr, false)))
}

/// [`normalize`] with MySQL's spellings (see the module's documentation).
pub fn normalize_mysql(expr: &str) -> String {
    text(&rewrite(&rewrite_mysql(tokenize(expr, true))))
}

fn text(tokens: &[Tok]) -> String {
    let parts: Vec<String> = tokens
        .iter()
        .map(|t| match t {
            Tok::Str(s) => format!("'{}'", s.replace('\'', "''")),
            Tok::Ident(s) | Tok::Num(s) | Tok::Punct(s) => s.clone(),
        })
        .collect();
    parts.join(" ")
}

/// Tokens of `expr`; with `mysql`, backslashes escape in string literals.
fn tokenize(expr: &str, mysql: bool) -> Vec<Tok> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' || c == '`' {
            let (text, next) = quoted(&chars, i, c, mysql && c == '\'');
            out.push(if c == '\'' {
                Tok::Str(text)
            } else {
                Tok::Ident(text)
            });
            i = next;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push(Tok::Ident(word.to_lowercase()));
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Tok::Punct("::".into()));
            i += 2;
        } else if "+-*/<>=~!@#%^&|".contains(c) {
            let start = i;
            while i < chars.len() && "+-*/<>=~!@#%^&|".contains(chars[i]) {
                i += 1;
            }
            let op: String = chars[start..i].iter().collect();
            out.push(Tok::Punct(if op == "!=" { "<>".into() } else { op }));
        } else {
            out.push(Tok::Punct(c.to_string()));
            i += 1;
        }
    }
    out
}

/// The text of a literal or quoted identifier starting at `start`, and the index after it;
/// with `backslash`, MySQL's escapes (`\\'`, `\\\\`, `\\n`) are read too.
fn quoted(chars: &[char], start: usize, quote: char, backslash: bool) -> (String, usize) {
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        if backslash && chars[i] == '\\' && i + 1 < chars.len() {
            match chars[i + 1] {
                'n' => text.push('\n'),
                't' => text.push('\t'),
                'r' => text.push('\r'),
                '0' => text.push('\0'),
                // LIKE's escaped wildcards keep their backslash.
                c @ ('%' | '_') => {
                    text.push('\\');
                    text.push(c);
                }
                c => text.push(c),
            }
            i += 2;
            continue;
        }
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                text.push(quote);
                i += 2;
                continue;
            }
            return (text, i + 1);
        }
        text.push(chars[i]);
        i += 1;
    }
    (text, i)
}

/// Words that continue a type name after its first word (`character varying`).
const TYPE_WORDS: &[&str] = &["varying", "precision", "with", "without", "time", "zone"];

/// Keywords after which `(` groups rather than calls.
const NOT_CALLS: &[&str] = &[
    "and", "or", "not", "when", "then", "else", "case", "is", "between", "like", "where",
];

fn is(tok: Option<&Tok>, punct: &str) -> bool {
    matches!(tok, Some(Tok::Punct(p)) if p == punct)
}

/// Drops casts and grouping parentheses, and rewrites the spellings PostgreSQL changes.
fn rewrite(tokens: &[Tok]) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    // For each open parenthesis: what its `)` becomes (nothing for a dropped group).
    let mut closers: Vec<Vec<Tok>> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let tok = &tokens[i];
        let next = tokens.get(i + 1);
        match tok {
            Tok::Punct(p) if p == "::" => {
                i = skip_type(tokens, i + 1);
                continue;
            }
            Tok::Punct(p) if p == "(" => {
                let call = matches!(out.last(), Some(Tok::Ident(w)) if !NOT_CALLS.contains(&w.as_str()))
                    || is(out.last(), "]");
                if call {
                    out.push(tok.clone());
                    closers.push(vec![Tok::Punct(")".into())]);
                } else {
                    closers.push(Vec::new());
                }
            }
            Tok::Punct(p) if p == ")" => out.extend(closers.pop().unwrap_or_default()),
            Tok::Ident(w)
                if (w == "in"
                    || (w == "not" && matches!(next, Some(Tok::Ident(n)) if n == "in")))
                    && is(tokens.get(i + if w == "in" { 1 } else { 2 }), "(") =>
            {
                let (op, quantifier) = if w == "in" {
                    ("=", "any")
                } else {
                    ("<>", "all")
                };
                out.extend([
                    Tok::Punct(op.into()),
                    Tok::Ident(quantifier.into()),
                    Tok::Punct("(".into()),
                    Tok::Ident("array".into()),
                    Tok::Punct("[".into()),
                ]);
                closers.push(vec![Tok::Punct("]".into()), Tok::Punct(")".into())]);
                i += if w == "in" { 2 } else { 3 };
                continue;
            }
            Tok::Ident(w) if w == "like" || w == "ilike" => {
                let star = if w == "ilike" { "*" } else { "" };
                if matches!(out.last(), Some(Tok::Ident(n)) if n == "not") {
                    out.pop();
                    out.push(Tok::Punct(format!("!~~{star}")));
                } else {
                    out.push(Tok::Punct(format!("~~{star}")));
                }
            }
            Tok::Str(s) if !s.trim().is_empty() && s.trim().parse::<f64>().is_ok() => {
                out.push(Tok::Num(s.trim().to_string()));
            }
            Tok::Num(n) if is(out.last(), "-") && !value_before(&out[..out.len() - 1]) => {
                out.pop();
                out.push(Tok::Num(format!("-{n}")));
            }
            _ => out.push(tok.clone()),
        }
        i += 1;
    }
    out
}

/// MySQL's own function names and the spellings MariaDB rewrites to, as the common form.
const MYSQL_ALIASES: &[(&str, &str)] = &[
    ("lcase", "lower"),
    ("ucase", "upper"),
    ("octet_length", "length"),
    ("substring", "substr"),
    ("character_length", "char_length"),
    ("now", "current_timestamp"),
];

/// Rewrites MySQL's spellings into the forms [`rewrite`] then compares (module documentation).
fn rewrite_mysql(tokens: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let tok = &tokens[i];
        let next = tokens.get(i + 1);
        match tok {
            // A charset introducer: `_utf8mb4'open'`.
            Tok::Ident(w)
                if w.starts_with('_') && w.len() > 1 && matches!(next, Some(Tok::Str(_))) => {}
            // `x IN (a)` of one value is `x = a`, `x NOT IN (a)` is `x <> a`.
            Tok::Ident(w)
                if w == "in"
                    && is(next, "(")
                    && matches!(
                        tokens.get(i + 2),
                        Some(Tok::Str(_) | Tok::Num(_) | Tok::Ident(_))
                    )
                    && is(tokens.get(i + 3), ")") =>
            {
                let negated = matches!(out.last(), Some(Tok::Ident(n)) if n == "not");
                if negated {
                    out.pop();
                }
                out.push(Tok::Punct(if negated { "<>" } else { "=" }.into()));
                out.push(tokens[i + 2].clone());
                i += 4;
                continue;
            }
            Tok::Ident(w) if is(next, "(") => {
                let name = MYSQL_ALIASES
                    .iter()
                    .find(|(from, _)| from == w)
                    .map_or(w.as_str(), |(_, to)| to);
                out.push(Tok::Ident(name.to_string()));
                // `current_timestamp()` is `current_timestamp`.
                if name == "current_timestamp" && is(tokens.get(i + 2), ")") {
                    i += 3;
                    continue;
                }
            }
            _ => out.push(tok.clone()),
        }
        i += 1;
    }
    out
}

/// Whether `before` ends with a value (so a following `-` is binary).
fn value_before(before: &[Tok]) -> bool {
    match before.last() {
        None => false,
        Some(Tok::Punct(p)) => p == ")" || p == "]",
        Some(Tok::Ident(w)) => !NOT_CALLS.contains(&w.as_str()),
        Some(_) => true,
    }
}

/// The index after a type name starting at `i` (`public.t`, `character varying(20)[]`).
fn skip_type(tokens: &[Tok], mut i: usize) -> usize {
    if !matches!(tokens.get(i), Some(Tok::Ident(_))) {
        return i;
    }
    i += 1;
    loop {
        match tokens.get(i) {
            Some(Tok::Punct(p)) if p == "." && matches!(tokens.get(i + 1), Some(Tok::Ident(_))) => {
                i += 2
            }
            Some(Tok::Ident(w)) if TYPE_WORDS.contains(&w.as_str()) => i += 1,
            Some(Tok::Punct(p)) if p == "(" => {
                let mut j = i + 1;
                while matches!(tokens.get(j), Some(Tok::Num(_))) || is(tokens.get(j), ",") {
                    j += 1;
                }
                if !is(tokens.get(j), ")") {
                    return i;
                }
                i = j + 1;
            }
            Some(Tok::Punct(p)) if p == "[" && is(tokens.get(i + 1), "]") => i += 2,
            _ => return i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_postgresql_prints_back_matches_the_source() {
        let cases = [
            ("'open'", "'open'::issue_state"),
            ("'open'", "'open'::\"public\".\"issue_state\""),
            ("'{}'", "'{}'::text[]"),
            ("'x'", "'x'::character varying"),
            ("'a'", "'a'::character varying(20)[]"),
            ("now()", "now()"),
            ("-1", "'-1'::integer"),
            ("0.5", "0.5"),
            ("-2.5", "'-2.5'::numeric"),
            ("length(title) > 0", "(length(title) > 0)"),
            (
                "length(\"title\") > 0 AND x != 1",
                "((length(title) > 0) AND (x <> 1))",
            ),
            ("state <> 'closed'", "(state <> 'closed'::issue_state)"),
            (
                "state IN ('a', 'b')",
                "(state = ANY (ARRAY['a'::issue_state, 'b'::issue_state]))",
            ),
            (
                "state NOT IN ('a')",
                "(state <> ALL (ARRAY['a'::issue_state]))",
            ),
            ("name LIKE 'a%'", "(name ~~ 'a%'::text)"),
            ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
            (
                "'2020-01-01 00:00:00+00'",
                "'2020-01-01 00:00:00+00'::timestamp with time zone",
            ),
            ("a - 1 > 0", "((a - 1) > 0)"),
        ];
        for (source, printed) in cases {
            assert!(
                same(source, printed),
                "{source:?} vs {printed:?}: {} / {}",
                normalize(source),
                normalize(printed)
            );
        }
    }

    #[test]
    fn different_expressions_stay_different() {
        let cases = [
            ("'open'", "'closed'::issue_state"),
            ("now()", "CURRENT_TIMESTAMP"),
            ("length(title) > 0", "(length(title) > 1)"),
            ("1", "2"),
            ("a - 1", "a + 1"),
            ("'O''Brien'", "'OBrien'::text"),
        ];
        for (a, b) in cases {
            assert!(!same(a, b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn what_mysql_and_mariadb_print_back_matches_the_source() {
        let cases = [
            ("length(handle) > 0", "octet_length(`handle`) > 0"),
            ("lower(name) = name", "(lcase(`name`) = `name`)"),
            (
                "n >= 0 AND state IN ('open', 'closed')",
                "`n` >= 0 and `state` in ('open','closed')",
            ),
            (
                "state IN ('open', 'closed')",
                "(`state` in (_utf8mb4'open',_utf8mb4'closed'))",
            ),
            ("b NOT IN ('q')", "`b` <> 'q'"),
            ("kind IN ('a')", "`kind` = 'a'"),
            ("substring(b, 1, 1) != 'z'", "substr(`b`,1,1) <> 'z'"),
            ("'it''s'", "'it\\'s'"),
            ("CURRENT_TIMESTAMP", "current_timestamp()"),
            ("CURRENT_TIMESTAMP(6)", "current_timestamp(6)"),
            ("now()", "CURRENT_TIMESTAMP"),
            ("a + 1 > 2 * a - 3", "`a` + 1 > 2 * `a` - 3"),
        ];
        for (source, printed) in cases {
            assert!(
                same_mysql(source, printed),
                "{source:?} vs {printed:?}: {} / {}",
                normalize_mysql(source),
                normalize_mysql(printed)
            );
        }
    }

    #[test]
    fn mysql_spellings_stay_apart_on_other_dialects() {
        assert!(!same("length(x)", "octet_length(x)"));
        assert!(!same("'it''s'", "'it\\'s'"));
        assert!(same("\"state\" > 0", "`state` > 0"));
        let different = [
            ("'open'", "_utf8mb4'closed'"),
            ("length(a) > 0", "char_length(`a`) > 0"),
            ("b IN ('q')", "`b` <> 'q'"),
            ("b IN ('q', 'r')", "`b` = 'q'"),
        ];
        for (a, b) in different {
            assert!(!same_mysql(a, b), "{a:?} vs {b:?}");
        }
    }
}
