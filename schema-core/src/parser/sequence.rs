//! `#[derive(Sequence)]`: a unit struct whose `#[sequence(..)]` attribute declares a sequence
//! and its options, checked against each other as PostgreSQL checks them.

use super::{
    check_duplicate, flag, key_of, misplaced, non_empty_value, skip_value, snake_case, unknown_key,
    value_expr, Errors, SpanOf,
};
use crate::def::SequenceDef;
use crate::model::{SequenceOptions, DEFAULT_SCHEMA};
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Data, DeriveInput, Expr, Fields, Lit, UnOp};

const SEQUENCE_KEYS: &[&str] = &[
    "name",
    "schema",
    "start",
    "increment",
    "min",
    "max",
    "cache",
    "cycle",
    "renamed_from",
];

const EXAMPLE: &str = "#[sequence(name = \"order_numbers\", start = 1000, increment = 1)]";

/// Parses a `#[derive(Sequence)]` unit struct into its definition.
pub fn parse_sequence(input: &DeriveInput) -> syn::Result<SequenceDef> {
    let mut errors = Errors::default();
    let unit = matches!(&input.data, Data::Struct(s) if matches!(s.fields, Fields::Unit));
    if !unit {
        errors.push(
            input.ident.span(),
            format!(
                "#[derive(Sequence)] needs a unit struct, for example: {EXAMPLE} pub struct {};",
                input.ident
            ),
        );
    }
    if let Some(param) = input.generics.params.first() {
        errors.push(
            syn::spanned::Spanned::span(param),
            "a #[derive(Sequence)] struct cannot be generic; declare one struct per sequence",
        );
    }
    let mut attrs = SequenceAttrs::default();
    for attr in &input.attrs {
        if attr.path().is_ident("sequence") {
            let result = attr.parse_nested_meta(|meta| attrs.parse_key(&meta, &mut errors));
            errors.ok(result);
        } else if let Some(e) = misplaced(attr, "a #[derive(Sequence)] struct") {
            errors.add(e);
        }
    }
    attrs.check(&mut errors);
    let rust_name = input.ident.to_string();
    errors.finish(SequenceDef {
        name: attrs.name.unwrap_or_else(|| snake_case(&rust_name)),
        schema: attrs.schema.unwrap_or_else(|| DEFAULT_SCHEMA.to_string()),
        rust_name,
        options: attrs.options,
        renamed_from: attrs.renamed_from,
    })
}

#[derive(Default)]
struct SequenceAttrs {
    name: Option<String>,
    schema: Option<String>,
    renamed_from: Option<String>,
    options: SequenceOptions,
    /// Where each numeric option was written, for the checks across options.
    spans: Vec<(&'static str, Span)>,
    seen: Vec<String>,
}

impl SequenceAttrs {
    fn parse_key(&mut self, meta: &ParseNestedMeta, errors: &mut Errors) -> syn::Result<()> {
        let key = key_of(meta);
        let example = match key.as_str() {
            "schema" => "#[sequence(schema = \"billing\")]",
            "renamed_from" => "#[sequence(renamed_from = \"invoice_numbers\")]",
            "cycle" => "#[sequence(max = 9999, cycle)]",
            "name" => "#[sequence(name = \"order_numbers\")]",
            _ => EXAMPLE,
        };
        if check_duplicate(&mut self.seen, meta, &key, errors, example) {
            return skip_value(meta).map(drop);
        }
        let text = |slot: &mut Option<String>, errors: &mut Errors| {
            *slot = non_empty_value(meta, errors, example).map(|lit| lit.value());
        };
        match key.as_str() {
            "name" => text(&mut self.name, errors),
            "schema" => text(&mut self.schema, errors),
            "renamed_from" => text(&mut self.renamed_from, errors),
            "cycle" => self.options.cycle = flag(meta, errors, "sequence"),
            "start" | "increment" | "min" | "max" | "cache" => {
                let (key, slot) = match key.as_str() {
                    "start" => ("start", &mut self.options.start),
                    "increment" => ("increment", &mut self.options.increment),
                    "min" => ("min", &mut self.options.min),
                    "max" => ("max", &mut self.options.max),
                    _ => ("cache", &mut self.options.cache),
                };
                if let Some((value, span)) = integer_value(meta, errors, key) {
                    *slot = Some(value);
                    self.spans.push((key, span));
                }
            }
            _ => {
                errors.push(
                    meta.path.span_of(),
                    unknown_key(&key, "sequence", SEQUENCE_KEYS, EXAMPLE),
                );
                return skip_value(meta).map(drop);
            }
        }
        Ok(())
    }

    fn span(&self, key: &str) -> Option<Span> {
        self.spans.iter().find(|(k, _)| *k == key).map(|(_, s)| *s)
    }

    /// The options against each other, as `CREATE SEQUENCE` would judge them.
    fn check(&self, errors: &mut Errors) {
        let o = self.options;
        if o.increment == Some(0) {
            if let Some(span) = self.span("increment") {
                errors.push(span, format!("`increment` cannot be 0; a sequence counts up (increment = 1) or down (increment = -1), for example: {EXAMPLE}"));
            }
            return;
        }
        let e = o.effective();
        if e.min >= e.max {
            let at = self.span("min").or(self.span("max"));
            if let Some(span) = at {
                errors.push(span, format!(
                    "`min` ({}) must be less than `max` ({}){}; for example: #[sequence(min = 1, max = 9999)]",
                    e.min, e.max, defaulted(&o)
                ));
            }
        } else if e.start < e.min || e.start > e.max {
            if let Some(span) = self.span("start") {
                errors.push(span, format!(
                    "`start` ({}) must lie between `min` ({}) and `max` ({}){}; for example: #[sequence(start = 1000, min = 1000)]",
                    e.start, e.min, e.max, defaulted(&o)
                ));
            }
        }
        if e.cache < 1 {
            if let Some(span) = self.span("cache") {
                errors.push(
                    span,
                    "`cache` must be at least 1 (no caching), for example: #[sequence(cache = 20)]",
                );
            }
        }
    }
}

/// Which bound took PostgreSQL's default, said in an error about bounds.
fn defaulted(o: &SequenceOptions) -> &'static str {
    match (o.min, o.max) {
        (None, None) => " (both defaults)",
        (None, Some(_)) => " (`min` by default)",
        (Some(_), None) => " (`max` by default)",
        (Some(_), Some(_)) => "",
    }
}

/// The value of `key = 42` or `key = -42` as an `i64`, with its span; anything else is recorded.
fn integer_value(meta: &ParseNestedMeta, errors: &mut Errors, key: &str) -> Option<(i64, Span)> {
    let takes = format!("`{key}` takes an integer, for example: #[sequence({key} = 100)]");
    let expr = value_expr(meta, errors, &takes)?;
    let (negative, lit) = match &expr {
        Expr::Lit(l) => (false, &l.lit),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match &*u.expr {
            Expr::Lit(l) => (true, &l.lit),
            _ => {
                errors.push_spanned(&expr, takes);
                return None;
            }
        },
        _ => {
            errors.push_spanned(&expr, takes);
            return None;
        }
    };
    let Lit::Int(int) = lit else {
        errors.push_spanned(&expr, takes);
        return None;
    };
    let magnitude = int.base10_parse::<i128>().ok();
    let value = magnitude
        .map(|m| if negative { -m } else { m })
        .and_then(|v| i64::try_from(v).ok());
    match value {
        Some(v) => Some((v, syn::spanned::Spanned::span(&expr))),
        None => {
            errors.push_spanned(
                &expr,
                format!("`{key}` is out of range: a sequence counts in bigint, from -9223372036854775808 to 9223372036854775807"),
            );
            None
        }
    }
}
