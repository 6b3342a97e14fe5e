//! An index's `keys("lower(email)", "created_at DESC NULLS LAST", "title text_pattern_ops")`
//! and `with = "fillfactor = 70"`: each key read into its column or expression, operator
//! class, direction and NULLs order, the storage parameters into names and values. Both are
//! read with sqlparser's tokenizer after the checks every fragment passes
//! ([`super::fragment::checked_tokens`]); `generate` then parses each expression with the
//! dialect's parser.

use super::fragment::checked_tokens;
use super::{key_of, non_empty_value, Errors};
use crate::model::{IndexKey, KeyTarget, Nulls};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Word};
use std::collections::BTreeMap;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{LitStr, Token as SynToken};

/// `keys("..", "..")`: each string literal with its key, or `None` when the list or one of its
/// keys is broken (recorded, a key on its literal).
pub(super) fn key_list(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    example: &str,
    owner: &str,
) -> Option<Vec<(LitStr, IndexKey)>> {
    let takes =
        format!("`keys` takes a list of string literals, one SQL key each, for example: {example}");
    if !meta.input.peek(syn::token::Paren) {
        let rest = super::skip_value(meta).unwrap_or_default();
        let path = &meta.path;
        errors.push_spanned(quote::quote!(#path #rest), takes);
        return None;
    }
    let parsed = (|| {
        let content;
        syn::parenthesized!(content in meta.input);
        let list = Punctuated::<LitStr, SynToken![,]>::parse_terminated(&content);
        if list.is_err() {
            content.parse::<proc_macro2::TokenStream>()?;
        }
        list
    })();
    let list = match parsed {
        Ok(list) => list,
        Err(e) => {
            errors.push(e.span(), takes);
            return None;
        }
    };
    let mut keys = Vec::new();
    let mut broken = false;
    for lit in list {
        match split_key(&lit.value()) {
            Ok(key) => keys.push((lit, key)),
            Err(problem) => {
                broken = true;
                errors.push(
                lit.span(),
                format!(
                    "a key in `keys` of {owner} must be one column or SQL expression, optionally followed by an operator class, ASC or DESC, and NULLS FIRST or NULLS LAST, but {problem}; for example: {example}"
                ),
            );
            }
        }
    }
    (!broken).then_some(keys)
}

/// The value of `with = "fillfactor = 70, deduplicate_items = off"`; `None` when it does not
/// read (recorded).
pub(super) fn with_value(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    example: &str,
    owner: &str,
) -> Option<BTreeMap<String, String>> {
    let lit = non_empty_value(meta, errors, example)?;
    match parse_with(&lit.value()) {
        Ok(with) => Some(with),
        Err(problem) => {
            errors.push(lit.span(), format!(
                "`{}` of {owner} must be storage parameters as `name = value` separated by commas, but {problem}; for example: {example}",
                key_of(meta)
            ));
            None
        }
    }
}

/// One key: `lower(email)`, `created_at DESC NULLS LAST`, `title text_pattern_ops`.
pub fn split_key(sql: &str) -> Result<IndexKey, String> {
    let tokens = checked_tokens(sql)?;
    let mut end = tokens.len();
    let word = |i: usize| match tokens.get(i) {
        Some((Token::Word(w), _)) => Some(w),
        _ => None,
    };
    let keyword = |i: usize| {
        word(i)
            .filter(|w| w.quote_style.is_none())
            .map(|w| w.keyword)
    };
    let mut nulls = None;
    if end >= 1 && keyword(end - 1) == Some(Keyword::NULLS) {
        return Err("`NULLS` is followed by neither FIRST nor LAST".into());
    }
    if end >= 2 && keyword(end - 2) == Some(Keyword::NULLS) {
        nulls = match keyword(end - 1) {
            Some(Keyword::FIRST) => Some(Nulls::First),
            Some(Keyword::LAST) => Some(Nulls::Last),
            _ => return Err("`NULLS` is followed by neither FIRST nor LAST".into()),
        };
        end -= 2;
    }
    let mut desc = false;
    if end >= 1 {
        match keyword(end - 1) {
            Some(Keyword::DESC) => (desc, end) = (true, end - 1),
            Some(Keyword::ASC) => end -= 1,
            _ => {}
        }
    }
    let opclass = opclass_at(&tokens[..end]);
    if let Some((_, taken)) = &opclass {
        end -= taken;
    }
    if end == 0 {
        return Err("it names no column or expression before its options".into());
    }
    let mut depth = 0usize;
    for (token, _) in &tokens[..end] {
        match token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                return Err("it holds a `,`; give each key its own string".into())
            }
            _ => {}
        }
    }
    let target = match &tokens[..end] {
        [(Token::Word(w), _)] => KeyTarget::Column(w.value.clone()),
        _ => {
            let cut = tokens.get(end).map_or(sql.len(), |(_, at)| *at);
            KeyTarget::Expression(sql[..cut].trim().to_string())
        }
    };
    Ok(IndexKey {
        target,
        opclass: opclass.map(|(name, _)| name),
        desc,
        nulls,
    })
}

/// Keywords after which a last word is part of the expression, not an operator class
/// (`x IS NULL`, `a COLLATE "C"`, `NOT x`).
const OPERATOR_WORDS: &[Keyword] = &[
    Keyword::IS,
    Keyword::NOT,
    Keyword::AND,
    Keyword::OR,
    Keyword::COLLATE,
    Keyword::LIKE,
    Keyword::ILIKE,
    Keyword::AS,
    Keyword::IN,
    Keyword::BETWEEN,
    Keyword::SIMILAR,
    Keyword::DISTINCT,
    Keyword::FROM,
    Keyword::AT,
    Keyword::ZONE,
];

/// Words an operator class is never called, since they end expressions.
const NOT_OPCLASS: &[Keyword] = &[
    Keyword::NULL,
    Keyword::TRUE,
    Keyword::FALSE,
    Keyword::UNKNOWN,
    Keyword::END,
    Keyword::NULLS,
    Keyword::ASC,
    Keyword::DESC,
];

/// The operator class that ends `tokens` (`text_pattern_ops`, `public.my_ops`), with the
/// number of tokens it takes: a name after a column, a `)` or another name.
fn opclass_at(tokens: &[(Token, usize)]) -> Option<(String, usize)> {
    let name_at = |i: usize| match tokens.get(i) {
        Some((Token::Word(w), _)) if !is_keyword_in(w, NOT_OPCLASS) => Some(ident(w)),
        _ => None,
    };
    let n = tokens.len();
    let last = name_at(n.checked_sub(1)?)?;
    let (name, taken) = match n.checked_sub(2).map(|i| &tokens[i].0) {
        Some(Token::Period) => (format!("{}.{last}", name_at(n.checked_sub(3)?)?), 3),
        _ => (last, 1),
    };
    match tokens.get(n.checked_sub(taken + 1)?).map(|(t, _)| t) {
        Some(Token::RParen) => Some((name, taken)),
        Some(Token::Word(w)) if !is_keyword_in(w, OPERATOR_WORDS) => Some((name, taken)),
        _ => None,
    }
}

fn is_keyword_in(word: &Word, list: &[Keyword]) -> bool {
    word.quote_style.is_none() && list.contains(&word.keyword)
}

/// An identifier as PostgreSQL reads it: a bare one in lower case, a quoted one as written.
fn ident(word: &Word) -> String {
    match word.quote_style {
        Some(_) => word.value.clone(),
        None => word.value.to_lowercase(),
    }
}

/// `fillfactor = 70, deduplicate_items = off`: lowercase names, each value one number, name or
/// string (a string that is a plain number or name is stored bare, as PostgreSQL's
/// `reloptions` print it).
pub fn parse_with(sql: &str) -> Result<BTreeMap<String, String>, String> {
    let tokens = checked_tokens(sql)?;
    let mut out = BTreeMap::new();
    for part in tokens.split(|(t, _)| *t == Token::Comma) {
        let parts: Vec<&Token> = part.iter().map(|(t, _)| t).collect();
        let (name, value) = match parts.as_slice() {
            [Token::Word(n), Token::Eq, value] => (ident(n), value_text(value)?),
            [Token::Word(n), Token::Eq, Token::Minus, Token::Number(v, _)] => {
                (ident(n), format!("-{v}"))
            }
            [] => return Err("a parameter is missing between commas".into()),
            _ => return Err("a parameter is not one `name = value`".into()),
        };
        if out.insert(name.clone(), value).is_some() {
            return Err(format!("`{name}` is given twice"));
        }
    }
    Ok(out)
}

fn value_text(token: &Token) -> Result<String, String> {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    match token {
        Token::Number(n, _) => Ok(n.clone()),
        Token::Word(w) if w.quote_style.is_none() => Ok(ident(w)),
        Token::Word(Word { value: s, .. }) | Token::SingleQuotedString(s) if plain(s) => {
            Ok(s.clone())
        }
        Token::Word(Word { value: s, .. }) | Token::SingleQuotedString(s) => {
            Ok(format!("'{}'", s.replace('\'', "''")))
        }
        other => Err(format!("`{other}` is no number, name or string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(target: KeyTarget, opclass: Option<&str>, desc: bool, nulls: Option<Nulls>) -> IndexKey {
        IndexKey {
            target,
            opclass: opclass.map(String::from),
            desc,
            nulls,
        }
    }

    fn column(c: &str) -> KeyTarget {
        KeyTarget::Column(c.into())
    }

    fn expr(e: &str) -> KeyTarget {
        KeyTarget::Expression(e.into())
    }

    #[test]
    fn keys_split_into_their_parts() {
        let cases = [
            ("created_at", key(column("created_at"), None, false, None)),
            ("\"Order\" desc", key(column("Order"), None, true, None)),
            ("lower(email)", key(expr("lower(email)"), None, false, None)),
            (
                "created_at DESC NULLS LAST",
                key(column("created_at"), None, true, Some(Nulls::Last)),
            ),
            (
                "id ASC nulls first",
                key(column("id"), None, false, Some(Nulls::First)),
            ),
            (
                "title text_pattern_ops",
                key(column("title"), Some("text_pattern_ops"), false, None),
            ),
            (
                "name text_ops DESC",
                key(column("name"), Some("text_ops"), true, None),
            ),
            (
                "lower(title) public.My_Ops",
                key(expr("lower(title)"), Some("public.my_ops"), false, None),
            ),
            ("(a + b) DESC", key(expr("(a + b)"), None, true, None)),
            ("a + b", key(expr("a + b"), None, false, None)),
            ("x IS NULL", key(expr("x IS NULL"), None, false, None)),
            (
                "a COLLATE \"C\"",
                key(expr("a COLLATE \"C\""), None, false, None),
            ),
            (
                "a::text text_pattern_ops",
                key(expr("a::text"), Some("text_pattern_ops"), false, None),
            ),
            ("'it''s' || x", key(expr("'it''s' || x"), None, false, None)),
        ];
        for (sql, want) in cases {
            assert_eq!(split_key(sql), Ok(want), "{sql}");
        }
    }

    #[test]
    fn broken_keys_fail() {
        let cases = [
            ("DESC", "no column"),
            ("a, b", "`,`"),
            ("a NULLS", "NULLS"),
            ("a NULLS middle", "neither"),
            ("lower(a); DROP TABLE t", "`;`"),
            ("a -- c", "comment"),
        ];
        for (sql, says) in cases {
            let got = split_key(sql);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(says)),
                "{sql}: {got:?}"
            );
        }
    }

    #[test]
    fn storage_parameters_read_into_a_map() {
        let with = parse_with("fillfactor = 70, Deduplicate_Items = OFF, x = 'a b', y = '5'");
        let want: BTreeMap<String, String> = [
            ("deduplicate_items", "off"),
            ("fillfactor", "70"),
            ("x", "'a b'"),
            ("y", "5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(with, Ok(want));
        for bad in [
            "fillfactor",
            "fillfactor = 70,",
            "a = 1, a = 2",
            "a = (1)",
            "a = 1; DROP",
        ] {
            assert!(parse_with(bad).is_err(), "{bad}");
        }
    }
}
