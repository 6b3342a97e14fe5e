//! The column keys that make a column computed or numbered by the database: `generated`
//! with `virtual`, and `identity(..)` with its options; each mistake spanned on its token.

use super::{check_duplicate, flag, key_of, skip_value, unknown_key, value_expr, Errors, SpanOf};
use crate::model::IdentityOptions;
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
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
    let mut seen = Vec::new();
    let mut spans = Bounds::default();
    meta.parse_nested_meta(|inner| {
        let key = key_of(&inner);
        if check_duplicate(&mut seen, &inner, &key, errors, IDENTITY_EXAMPLE) {
            return skip_value(&inner).map(drop);
        }
        let span = inner.path.span_of();
        match key.as_str() {
            "always" => options.always = flag(&inner, errors, "column(identity"),
            "cycle" => options.cycle = flag(&inner, errors, "column(identity"),
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
