//! `#[derive(View)]`: a struct whose `#[view(..)]` attribute declares a view (or a
//! materialized view) and its query, and whose fields name and type the view's columns.

use super::fragment::{self, Kind};
use super::rust_type::map_type;
use super::{
    check_duplicate, flag, key_of, misplaced, non_empty_value, skip_value, snake_case, unknown_key,
    Errors, SpanOf,
};
use crate::def::{FieldType, ViewColumnDef, ViewDef};
use crate::model::{ColumnType, DEFAULT_SCHEMA};
use crate::types;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{Data, DeriveInput, Fields};

const VIEW_KEYS: &[&str] = &["name", "schema", "sql", "materialized", "renamed_from"];

const EXAMPLE: &str =
    "#[view(name = \"open_issues\", sql = \"SELECT id, title FROM issues WHERE state = 'open'\")]";

/// The keys of `#[column(..)]` a view's field takes.
const FIELD_KEYS: &[&str] = &["name", "sql_type"];

/// Keys of `#[column(..)]` that only a table's column takes.
const TABLE_ONLY_KEYS: &[&str] = &[
    "primary_key",
    "unique",
    "index",
    "identity",
    "skip",
    "default",
    "default_sql",
    "references",
    "on_delete",
    "on_update",
    "renamed_from",
];

/// Parses a `#[derive(View)]` struct into its definition.
pub fn parse_view(input: &DeriveInput) -> syn::Result<ViewDef> {
    let mut errors = Errors::default();
    let rust_name = input.ident.to_string();
    if let Some(param) = input.generics.params.first() {
        errors.push(
            syn::spanned::Spanned::span(param),
            "a #[derive(View)] struct cannot be generic; declare one struct per view",
        );
    }
    let mut attrs = ViewAttrs::default();
    for attr in &input.attrs {
        if attr.path().is_ident("view") {
            let result = attr.parse_nested_meta(|meta| attrs.parse_key(&meta, &mut errors));
            errors.ok(result);
        } else if let Some(e) = misplaced(attr, "a #[derive(View)] struct") {
            errors.add(e);
        }
    }
    let columns = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named
                .named
                .iter()
                .filter_map(|f| parse_view_field(f, &rust_name, &mut errors))
                .collect(),
            _ => {
                errors.push(input.ident.span(), format!(
                    "#[derive(View)] needs a struct with named fields, one per column of the view, for example: {EXAMPLE} pub struct {rust_name} {{ id: i64, title: String }}"
                ));
                Vec::new()
            }
        },
        _ => {
            errors.push(input.ident.span(), format!(
                "#[derive(View)] goes on a struct with named fields, one per column of the view, for example: {EXAMPLE} pub struct {rust_name} {{ id: i64, title: String }}"
            ));
            Vec::new()
        }
    };
    if columns.is_empty() && errors.is_empty() {
        errors.push(input.ident.span(), format!(
            "a view has at least one column: give struct `{rust_name}` a field per column of the query, for example: pub struct {rust_name} {{ id: i64, title: String }}"
        ));
    }
    check_names(&columns, &mut errors);
    if attrs.sql.is_none() && errors.is_empty() {
        errors.push(
            input.ident.span(),
            format!("#[derive(View)] struct `{rust_name}` needs its query, for example: {EXAMPLE}"),
        );
    }
    errors.finish(ViewDef {
        name: attrs.name.unwrap_or_else(|| snake_case(&rust_name)),
        schema: attrs.schema.unwrap_or_else(|| DEFAULT_SCHEMA.to_string()),
        rust_name,
        sql: attrs.sql.unwrap_or_default(),
        materialized: attrs.materialized,
        renamed_from: attrs.renamed_from,
        columns: columns.into_iter().map(|(def, _)| def).collect(),
    })
}

/// Two fields naming one column.
fn check_names(columns: &[(ViewColumnDef, proc_macro2::Span)], errors: &mut Errors) {
    for (i, (c, span)) in columns.iter().enumerate() {
        if columns[..i].iter().any(|(o, _)| o.name == c.name) {
            errors.push(*span, format!(
                "column `{}` of the view is declared twice; give one of the fields another #[column(name = \"...\")]",
                c.name
            ));
        }
    }
}

#[derive(Default)]
struct ViewAttrs {
    name: Option<String>,
    schema: Option<String>,
    sql: Option<String>,
    materialized: bool,
    renamed_from: Option<String>,
    seen: Vec<String>,
}

impl ViewAttrs {
    fn parse_key(&mut self, meta: &ParseNestedMeta, errors: &mut Errors) -> syn::Result<()> {
        let key = key_of(meta);
        let example = match key.as_str() {
            "schema" => "#[view(schema = \"reporting\")]",
            "renamed_from" => "#[view(renamed_from = \"active_issues\")]",
            "materialized" => "#[view(materialized, sql = \"SELECT ...\")]",
            "name" => "#[view(name = \"open_issues\")]",
            _ => EXAMPLE,
        };
        if check_duplicate(&mut self.seen, meta, &key, errors, example) {
            return skip_value(meta).map(drop);
        }
        match key.as_str() {
            "name" => self.name = non_empty_value(meta, errors, example).map(|l| l.value()),
            "schema" => self.schema = non_empty_value(meta, errors, example).map(|l| l.value()),
            "renamed_from" => {
                self.renamed_from = non_empty_value(meta, errors, example).map(|l| l.value())
            }
            "sql" => {
                let owner = "#[view(..)]";
                self.sql =
                    fragment::value(meta, errors, Kind::Query, EXAMPLE, owner).map(|l| l.value())
            }
            "materialized" => self.materialized = flag(meta, errors, "view"),
            _ => {
                errors.push(
                    meta.path.span_of(),
                    unknown_key(&key, "view", VIEW_KEYS, EXAMPLE),
                );
                return skip_value(meta).map(drop);
            }
        }
        Ok(())
    }
}

/// One field: its column's name and type; `None` for one too broken to describe.
fn parse_view_field(
    field: &syn::Field,
    rust_name: &str,
    errors: &mut Errors,
) -> Option<(ViewColumnDef, proc_macro2::Span)> {
    let ident = field.ident.clone()?;
    let owner = format!("field `{ident}` of view struct `{rust_name}`");
    let (mut name, mut sql_type) = (None, None);
    let mut seen = Vec::new();
    for attr in &field.attrs {
        if !attr.path().is_ident("column") {
            if let Some(e) = misplaced(attr, "a field of a #[derive(View)] struct") {
                errors.add(e);
            }
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            let example = "#[column(name = \"issue_title\", sql_type = \"varchar(200)\")]";
            if check_duplicate(&mut seen, &meta, &key, errors, example) {
                return skip_value(&meta).map(drop);
            }
            match key.as_str() {
                "name" => name = non_empty_value(&meta, errors, example),
                "sql_type" => {
                    sql_type = fragment::value(&meta, errors, Kind::Type, example, &owner)
                }
                k if TABLE_ONLY_KEYS.contains(&k) => {
                    errors.push(meta.path.span_of(), format!(
                        "`{k}` makes no sense on a view's column: a view has no keys, defaults, identities or references, only what its query reads; remove it (a view's field takes only {example})"
                    ));
                    return skip_value(&meta).map(drop);
                }
                _ => {
                    errors.push(
                        meta.path.span_of(),
                        unknown_key(&key, "column", FIELD_KEYS, example),
                    );
                    return skip_value(&meta).map(drop);
                }
            }
            Ok(())
        });
        errors.ok(result);
    }
    let ty = match &sql_type {
        Some(lit) => FieldType::Sql(types::normalize(&lit.value())),
        None => match map_type(&field.ty) {
            Ok(mapped) => mapped.ty,
            Err(e) => {
                errors.add(e);
                FieldType::Sql(ColumnType::Builtin("text".into()))
            }
        },
    };
    let field_name = ident.unraw().to_string();
    let span = name
        .as_ref()
        .map_or(ident.span(), |l: &syn::LitStr| l.span());
    let def = ViewColumnDef {
        name: name.map_or_else(|| field_name.clone(), |l| l.value()),
        field: field_name,
        ty,
    };
    Some((def, span))
}
