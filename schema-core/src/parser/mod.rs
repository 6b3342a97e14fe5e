//! The one attribute parser: `syn::DeriveInput` → validated definitions.
//!
//! The derive macros and the CLI's source scanner both call [`parse_table`] / [`parse_enum`],
//! so what compiles is exactly what the CLI sees. Parsing collects every error of an item
//! (each spanned on the offending token, with an example of the right syntax) before failing.

mod column;
mod column_kinds;
mod db_enum;
mod foreign_key;
mod fragment;
mod index_keys;
mod policy;
mod rust_type;
mod sequence;
mod table;
mod table_checks;
mod view;

pub use db_enum::parse_enum;
pub use index_keys::{parse_with, split_key};
pub use sequence::parse_sequence;
pub use table::{parse_table, parse_table_full, parse_table_partial, ParsedTable, TypeCheck};
pub use view::parse_view;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Expr, Lit, LitStr, Token};

/// Accumulates spanned errors so that one compile shows all of them.
#[derive(Default)]
pub(crate) struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    pub(crate) fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// An error underlining all of `tokens` (a type, an expression), not only the first one.
    pub(crate) fn push_spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn add(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Records the error of a fallible parse and gives its value, if any.
    pub(crate) fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|e| self.add(e)).ok()
    }

    pub(crate) fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.into_error() {
            None => Ok(value),
            Some(error) => Err(error),
        }
    }

    /// All the errors as one, if there are any.
    pub(crate) fn into_error(self) -> Option<syn::Error> {
        let mut iter = self.errors.into_iter();
        let mut first = iter.next()?;
        first.extend(iter);
        Some(first)
    }
}

/// Where each attribute of the language belongs, as errors say it.
const LANGUAGE_ATTRIBUTES: &[(&str, &str)] = &[
    ("table", "a #[derive(Table)] struct"),
    ("index", "a #[derive(Table)] struct"),
    ("unique", "a #[derive(Table)] struct"),
    ("check", "a #[derive(Table)] struct"),
    ("primary_key", "a #[derive(Table)] struct"),
    ("foreign_key", "a #[derive(Table)] struct"),
    ("policy", "a #[derive(Table)] struct"),
    ("column", "a field of a #[derive(Table)] struct"),
    ("db_enum", "a #[derive(DbEnum)] enum or its variants"),
    ("sequence", "a #[derive(Sequence)] unit struct"),
    ("view", "a #[derive(View)] struct"),
];

/// The attributes and derives of the language that are not built yet: an item that uses one
/// is refused, never read without it.
const NOT_YET: &[&str] = &[];

/// An error for an attribute of the language where the item being parsed (`item`, such as
/// "a #[derive(Table)] struct") does not take it, or one not built yet; `None` for an
/// attribute of another crate (`derive`, `serde`, `doc`, ...). Parsers call this for every
/// attribute they do not read, so nothing of the language is silently skipped.
pub(crate) fn misplaced(attr: &syn::Attribute, item: &str) -> Option<syn::Error> {
    let name = attr.path().get_ident()?.to_string();
    if NOT_YET.contains(&name.as_str()) {
        return Some(syn::Error::new_spanned(
            attr.path(),
            not_yet(&format!("#[{name}(...)]")),
        ));
    }
    let (_, place) = LANGUAGE_ATTRIBUTES.iter().find(|(n, _)| *n == name)?;
    Some(syn::Error::new_spanned(
        attr.path(),
        format!("#[{name}(...)] goes on {place}, not on {item}; move it there or remove it"),
    ))
}

fn not_yet(what: &str) -> String {
    format!(
        "{what} is not supported yet: migrate-cli would write migrations without it; \
         remove it and write its SQL by hand in a custom migration (generate --custom)"
    )
}

/// The derives the scanner reads: a struct or enum deriving one of these is part of the schema.
pub const DERIVES: &[&str] = &["Table", "DbEnum", "Sequence", "View"];

/// An error for a derive of the language that is not built yet (`View` or
/// `schema_macros::View`), at its path; the scanner refuses such an item, as the compiler does
/// (no such derive exists). `None` for any other derive.
pub fn unsupported_derive(path: &syn::Path) -> Option<syn::Error> {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let last = match segments.as_slice() {
        [last] => last,
        [krate, last] if krate == "schema_macros" => last,
        _ => return None,
    };
    NOT_YET
        .iter()
        .find(|n| n.starts_with(char::is_uppercase) && **n == last)
        .map(|n| syn::Error::new_spanned(path, not_yet(&format!("#[derive({n})]"))))
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
                Some('_') => false,
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
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// Consumes the value of a key (`= value` or `(...)`), whatever it is, and gives its tokens, so
/// parsing goes on after a key we reject and later errors show too.
pub(crate) fn skip_value(meta: &ParseNestedMeta) -> syn::Result<TokenStream> {
    if meta.input.peek(Token![=]) {
        let eq: Token![=] = meta.input.parse()?;
        let value = match take_expr(meta.input) {
            Ok(expr) => expr.into_token_stream(),
            Err(_) => TokenStream::new(),
        };
        return Ok(quote::quote!(#eq #value));
    }
    if meta.input.peek(syn::token::Paren) {
        let group: proc_macro2::Group = meta.input.parse()?;
        return Ok(group.into_token_stream());
    }
    Ok(TokenStream::new())
}

/// Parses the expression after `key =`; when it is not one, consumes the tokens up to the next
/// top-level `,` anyway, so the stream stays at the next key.
fn take_expr(input: ParseStream) -> syn::Result<Expr> {
    use syn::parse::discouraged::Speculative;
    let at_end = |s: ParseStream| s.is_empty() || s.peek(Token![,]);
    // Most values are one literal: read it without the general expression parser. (syn reads
    // `-1` as one literal spanned on the `-`; the expression parser keeps both tokens' spans.)
    if input.peek(Lit) && !input.peek(Token![-]) {
        let fork = input.fork();
        if let Ok(lit) = fork.parse::<Lit>() {
            if at_end(&fork) {
                input.advance_to(&fork);
                return Ok(Expr::Lit(syn::ExprLit {
                    attrs: Vec::new(),
                    lit,
                }));
            }
        }
    }
    let fork = input.fork();
    if let Ok(expr) = fork.parse::<Expr>() {
        if at_end(&fork) {
            input.advance_to(&fork);
            return Ok(expr);
        }
    }
    let error = input.error("expected a value");
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Err(error)
}

/// The value of `key = value` as an expression. When the `=` or the value is missing or broken,
/// records `takes` (what the key takes, with an example) and gives `None`; the stream is left at
/// the next key either way.
pub(crate) fn value_expr(meta: &ParseNestedMeta, errors: &mut Errors, takes: &str) -> Option<Expr> {
    if !meta.input.peek(Token![=]) {
        let rest = skip_value(meta).unwrap_or_default();
        let path = &meta.path;
        errors.push_spanned(quote::quote!(#path #rest), takes);
        return None;
    }
    let value = meta.value().and_then(take_expr);
    match value {
        Ok(expr) => Some(expr),
        Err(e) => {
            errors.push(e.span(), takes);
            None
        }
    }
}

/// The value of `key = "..."`; anything else is recorded with the key's `example`.
pub(crate) fn string_value(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    example: &str,
) -> Option<LitStr> {
    let takes = format!(
        "`{}` takes a string literal, for example: {example}",
        key_of(meta)
    );
    match value_expr(meta, errors, &takes)? {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit),
        other => {
            errors.push_spanned(&other, takes);
            None
        }
    }
}

/// The value of `key = "..."`, which must not be blank; `None` (recorded) when it is.
pub(crate) fn non_empty_value(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    example: &str,
) -> Option<LitStr> {
    let lit = string_value(meta, errors, example)?;
    if lit.value().trim().is_empty() {
        errors.push(
            lit.span(),
            format!("`{}` cannot be empty; for example: {example}", key_of(meta)),
        );
        return None;
    }
    Some(lit)
}

/// A bare flag such as `unique`. `unique = true` is recorded with the right spelling and read as
/// the flag, so it causes no further errors.
pub(crate) fn flag(meta: &ParseNestedMeta, errors: &mut Errors, attr: &str) -> bool {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = key_of(meta);
        let rest = skip_value(meta).unwrap_or_default();
        let path = &meta.path;
        errors.push_spanned(quote::quote!(#path #rest), format!(
            "`{key}` is a flag and takes no value; write just `{key}`, for example: #[{attr}({key})]"
        ));
    }
    true
}

/// A key used twice in one attribute list; its value is skipped.
pub(crate) fn check_duplicate(
    seen: &mut Vec<String>,
    meta: &ParseNestedMeta,
    key: &str,
    errors: &mut Errors,
    example: &str,
) -> bool {
    if seen.iter().any(|k| k == key) {
        errors.push(
            meta.path.span_of(),
            format!("duplicate key `{key}`; give each key once, for example: {example}"),
        );
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
        self.segments
            .first()
            .map(|s| s.ident.span())
            .unwrap_or_else(Span::call_site)
    }
}

/// The key of a nested meta item as a string.
pub(crate) fn key_of(meta: &ParseNestedMeta) -> String {
    let path = &meta.path;
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
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

    fn table_errors(input: syn::DeriveInput) -> Vec<String> {
        match parse_table(&input) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_broken_value_does_not_hide_the_later_keys() {
        let errors = table_errors(syn::parse_quote! {
            struct Account {
                #[column(primary_key = true, name = 5, default = now(), sql_type = , uniqe)]
                id: i64,
            }
        });
        let starts: Vec<&str> = errors
            .iter()
            .map(|e| &e[..e.find(' ').unwrap_or(e.len())])
            .collect();
        assert_eq!(
            starts,
            [
                "`primary_key`",
                "`name`",
                "`default`",
                "`sql_type`",
                "unknown"
            ],
            "{errors:#?}"
        );
    }

    #[test]
    fn actions_are_read_in_any_case() {
        let input: syn::DeriveInput = syn::parse_quote! {
            struct Project {
                #[column(primary_key)]
                id: i64,
                #[column(references = Account::id, on_delete = "CASCADE", on_update = "Set Null")]
                owner_id: i64,
            }
        };
        let def = parse_table(&input).map_err(|e| e.to_string());
        let reference = def
            .as_ref()
            .ok()
            .and_then(|d| d.fields[1].references.clone());
        let actions = reference.map(|r| (r.on_delete, r.on_update));
        assert_eq!(
            actions,
            Some((
                crate::model::FkAction::Cascade,
                crate::model::FkAction::SetNull
            )),
            "{def:?}"
        );
    }

    #[test]
    fn empty_names_and_identity_on_option_are_errors() {
        let errors = table_errors(syn::parse_quote! {
            struct Account {
                #[column(primary_key, name = "")]
                id: i64,
                #[column(identity, sql_type = " ")]
                seq: Option<i64>,
            }
        });
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(
            errors[2].starts_with("identity columns are NOT NULL; drop the Option"),
            "{errors:#?}"
        );
    }

    #[test]
    fn unknown_key_suggests_the_nearest() {
        let m = unknown_key(
            "nmae",
            "column",
            &["name", "skip"],
            "#[column(name = \"x\")]",
        );
        assert!(m.contains("did you mean `name`?"), "{m}");
    }
}
