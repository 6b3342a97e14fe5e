//! The one attribute parser: `syn::DeriveInput` → validated definitions.
//!
//! The derive macros and the CLI's source scanner both call [`parse_table`] / [`parse_enum`],
//! so what compiles is exactly what the CLI sees. Parsing collects every error of an item
//! (each spanned on the offending token, with an example of the right syntax) before failing.

mod column;
mod db_enum;
mod table;

pub use db_enum::parse_enum;
pub use table::{parse_table, parse_table_full, ParsedTable, TypeCheck};

use proc_macro2::Span;

/// Accumulates spanned errors so that one compile shows all of them.
#[derive(Default)]
pub(crate) struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    pub(crate) fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    pub(crate) fn add(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Records the error of a fallible parse and gives its value, if any.
    pub(crate) fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|e| self.add(e)).ok()
    }

    pub(crate) fn finish<T>(self, value: T) -> syn::Result<T> {
        let mut iter = self.errors.into_iter();
        match iter.next() {
            None => Ok(value),
            Some(mut first) => {
                first.extend(iter);
                Err(first)
            }
        }
    }
}

/// `IssueState` → `issue_state`, `HTTPRequest` → `http_request`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p == '_' => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                _ => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// An "unknown key" message with a suggestion and an example of the right syntax.
pub(crate) fn unknown_key(key: &str, attr: &str, known: &[&str], example: &str) -> String {
    let hint = known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!("did you mean `{k}`? "))
        .unwrap_or_default();
    format!(
        "unknown key `{key}` in #[{attr}(...)]; {hint}expected one of: {}; for example: {example}",
        known.join(", ")
    )
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(row[j]).min(cur) };
            prev = cur;
        }
    }
    row[b.len()]
}

/// Skips the value of a key we reject, so parsing goes on and later errors show too.
pub(crate) fn skip_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

/// A key used twice in one attribute list.
pub(crate) fn check_duplicate(
    seen: &mut Vec<String>,
    meta: &syn::meta::ParseNestedMeta,
    key: &str,
    errors: &mut Errors,
) -> bool {
    if seen.iter().any(|k| k == key) {
        errors.push(meta.path.span_of(), format!("duplicate key `{key}`; give each key once"));
        true
    } else {
        seen.push(key.to_string());
        false
    }
}

/// The span of a path (its first token), for errors.
pub(crate) trait SpanOf {
    fn span_of(&self) -> Span;
}

impl SpanOf for syn::Path {
    fn span_of(&self) -> Span {
        self.segments.first().map(|s| s.ident.span()).unwrap_or_else(Span::call_site)
    }
}

/// The key of a nested meta item as a string.
pub(crate) fn key_of(meta: &syn::meta::ParseNestedMeta) -> String {
    let path = &meta.path;
    path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_acronyms_and_digits() {
        assert_eq!(snake_case("IssueState"), "issue_state");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("T0001"), "t0001");
        assert_eq!(snake_case("Account2Fa"), "account2_fa");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn unknown_key_suggests_the_nearest() {
        let m = unknown_key("nmae", "column", &["name", "skip"], "#[column(name = \"x\")]");
        assert!(m.contains("did you mean `name`?"), "{m}");
    }
}
