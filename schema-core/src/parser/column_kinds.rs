//! The column keys that make a column computed or numbered by the database: `generated`
//! with `virtual`, and `identity(..)` with its options; each mistake spanned on its token.

use super::{check_duplicate, flag, key_of, skip_value, unknown_key, value_expr, Errors, SpanOf};
use crate::model::IdentityOptions;
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::discouraged::Speculative;
use syn::{Expr, Lit};

pub(super) const GENERATED_EXAMPLE: &str = "#[column(generated = \"price * quantity\")]";
pub(super) const VIRTUAL_EXAMPLE: &str = "#[column(generated = \"price * quantity\", virtual)]";
const IDENTITY_KEYS: &[&str] = &[
    "always",
    "start",
    "increment",
    "min",
    "max",
    "cache",
    "cycle",
];
const IDENTITY_EXAMPLE: &str =
    "#[column(identity(always, start = 100, increment = 10, min = 1, max = 1000000, cache = 20, cycle))]";

/// `identity` or `identity(..)`: the options read, each mistake recorded.
pub(super) fn parse_identity(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
) -> syn::Result<IdentityOptions> {
    let mut options = IdentityOptions::default();
    if meta.input.peek(syn::Token![=]) {
        flag(meta, errors, "column");
        return Ok(options);
    }
    if !meta.input.peek(syn::token::Paren) {
        return Ok(options);
    }
    // `identity()`: no options, as a bare `identity`.
    let fork = meta.input.fork();
    let content;
    syn::parenthesized!(content in fork);
    if content.is_empty() {
        meta.input.advance_to(&fork);
        return Ok(options);
    }
    let mut seen = Vec::new();
    let mut spans = Bounds::default();
    meta.parse_nested_meta(|inner| {
        let key = key_of(&inner);
        if check_duplicate(&mut seen, &inner, &key, errors, IDENTITY_EXAMPLE) {
            return skip_value(&inner).map(drop);
        }
        let span = inner.path.span_of();
        match key.as_str() {
            "always" => options.always = option_flag(&inner, errors),
            "cycle" => options.cycle = option_flag(&inner, errors),
            "start" => {
                options.start = int_value(&inner, errors);
                spans.start = Some(span);
            }
            "increment" => {
                options.increment = int_value(&inner, errors);
                spans.increment = Some(span);
            }
            "min" => options.min = int_value(&inner, errors),
            "max" => {
                options.max = int_value(&inner, errors);
                spans.max = Some(span);
            }
            "cache" => {
                options.cache = int_value(&inner, errors);
                spans.cache = Some(span);
            }
            _ => {
                errors.push(
                    span,
                    unknown_key(&key, "identity", IDENTITY_KEYS, IDENTITY_EXAMPLE)
                        .replace("#[identity(...)]", "#[column(identity(...))]"),
                );
                return skip_value(&inner).map(drop);
            }
        }
        Ok(())
    })?;
    check_identity_options(&options, &spans, errors);
    Ok(options)
}

/// Where the options that later checks point at were written.
#[derive(Default)]
struct Bounds {
    start: Option<Span>,
    increment: Option<Span>,
    max: Option<Span>,
    cache: Option<Span>,
}

fn check_identity_options(o: &IdentityOptions, spans: &Bounds, errors: &mut Errors) {
    if let (Some(0), Some(span)) = (o.increment, spans.increment) {
        errors.push(
            span,
            format!("`increment` cannot be 0; for example: {IDENTITY_EXAMPLE}"),
        );
    }
    if let (Some(cache), Some(span)) = (o.cache, spans.cache) {
        if cache < 1 {
            errors.push(
                span,
                format!("`cache` must be at least 1; for example: {IDENTITY_EXAMPLE}"),
            );
        }
    }
    if let (Some(min), Some(max), Some(span)) = (o.min, o.max, spans.max) {
        if min >= max {
            errors.push(span, format!("`max` ({max}) must be greater than `min` ({min}); for example: {IDENTITY_EXAMPLE}"));
        }
    }
    if let (Some(start), Some(span)) = (o.start, spans.start) {
        let (min, max) = (o.min.unwrap_or(i64::MIN), o.max.unwrap_or(i64::MAX));
        if start < min || start > max {
            errors.push(
                span,
                format!(
                    "`start` ({start}) lies outside `min`..`max`; for example: {IDENTITY_EXAMPLE}"
                ),
            );
        }
    }
}

/// A flag option (`always`, `cycle`); one given a value is recorded and read as the flag.
fn option_flag(meta: &ParseNestedMeta, errors: &mut Errors) -> bool {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = key_of(meta);
        let rest = skip_value(meta).unwrap_or_default();
        let path = &meta.path;
        errors.push_spanned(quote::quote!(#path #rest), format!(
            "`{key}` is a flag and takes no value; write just `{key}`, for example: #[column(identity({key}))]"
        ));
    }
    true
}

/// An integer literal, optionally negative: `start = 100`, `increment = -1`.
fn int_value(meta: &ParseNestedMeta, errors: &mut Errors) -> Option<i64> {
    let key = key_of(meta);
    let takes = format!("`{key}` takes an integer, for example: {IDENTITY_EXAMPLE}");
    let expr = value_expr(meta, errors, &takes)?;
    let (negative, lit) = match &expr {
        Expr::Lit(l) => (false, &l.lit),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match &*u.expr {
            Expr::Lit(l) => (true, &l.lit),
            _ => (
                false,
                &Lit::Verbatim(proc_macro2::Literal::u8_unsuffixed(0)),
            ),
        },
        _ => (
            false,
            &Lit::Verbatim(proc_macro2::Literal::u8_unsuffixed(0)),
        ),
    };
    let value = match lit {
        Lit::Int(i) => format!("{}{}", if negative { "-" } else { "" }, i.base10_digits())
            .parse::<i64>()
            .ok(),
        _ => None,
    };
    if value.is_none() {
        errors.push_spanned(&expr, takes);
    }
    value
}

#[cfg(test)]
mod tests {
    use crate::parser::parse_table;

    fn errors(input: syn::DeriveInput) -> Vec<String> {
        match parse_table(&input) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn generated_and_identity_options_are_read() {
        let def = parse_table(&syn::parse_quote! {
            struct Line {
                #[column(primary_key, identity(always, start = -5, increment = -1, min = -10, max = 0, cache = 3, cycle))]
                id: i64,
                #[column(generated = "id * 2", virtual)]
                twice: Option<i64>,
            }
        })
        .map_err(|e| e.to_string());
        let def = def
            .as_ref()
            .map(|d| (d.fields[0].identity_options, d.fields[1].generated.clone()));
        let (options, generated) = def.clone().unwrap_or_default();
        assert_eq!(
            (
                options.always,
                options.start,
                options.increment,
                options.min,
                options.max,
                options.cache,
                options.cycle
            ),
            (true, Some(-5), Some(-1), Some(-10), Some(0), Some(3), true),
            "{def:?}"
        );
        let generated = generated.map(|g| (g.expr, g.is_virtual));
        assert_eq!(generated, Some(("id * 2".to_string(), true)), "{def:?}");
    }

    #[test]
    fn each_mistake_is_an_error() {
        let found = errors(syn::parse_quote! {
            struct Line {
                #[column(primary_key, generated = "1")]
                id: i64,
                #[column(virtual)]
                a: i32,
                #[column(generated = "id", default = 1)]
                b: i64,
                #[column(identity(strat = 1))]
                c: i64,
            }
        });
        let starts: Vec<&str> = found.iter().map(|e| &e[..e.len().min(24)]).collect();
        assert_eq!(
            starts,
            [
                "a generated column canno",
                "`virtual` only applies t",
                "a generated column compu",
                "unknown key `strat` in #",
            ],
            "{found:#?}"
        );
        assert!(found[3].contains("did you mean `start`?"), "{found:#?}");
    }
}
