//! `#[derive(DbEnum)]`: a unit-only enum whose variants are the labels of an SQL enum type.

use super::{
    check_duplicate, key_of, non_empty_value, skip_value, snake_case, unknown_key, Errors, SpanOf,
};
use crate::def::EnumDef;
use crate::model::DEFAULT_SCHEMA;
use syn::{Data, DeriveInput, Fields};

const ENUM_KEYS: &[&str] = &["name", "schema", "renamed_from"];
const VARIANT_KEYS: &[&str] = &["rename"];

/// Parses a `#[derive(DbEnum)]` enum into its definition.
pub fn parse_enum(input: &DeriveInput) -> syn::Result<EnumDef> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "#[derive(DbEnum)] needs a unit-only enum, for example: enum IssueState { Open, Closed }",
        ));
    };
    let mut errors = Errors::default();
    let (mut name, mut schema, mut renamed_from) = (None, None, None);
    let mut seen = Vec::new();
    for attr in input.attrs.iter().filter(|a| !a.path().is_ident("db_enum")) {
        if let Some(e) = super::misplaced(attr, "a #[derive(DbEnum)] enum") {
            errors.add(e);
        }
    }
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("db_enum")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            let example = match key.as_str() {
                "schema" => "#[db_enum(schema = \"audit\")]",
                "renamed_from" => "#[db_enum(renamed_from = \"issue_status\")]",
                _ => "#[db_enum(name = \"issue_state\")]",
            };
            if check_duplicate(&mut seen, &meta, &key, &mut errors, example) {
                return skip_value(&meta).map(drop);
            }
            let slot = match key.as_str() {
                "name" => &mut name,
                "schema" => &mut schema,
                "renamed_from" => &mut renamed_from,
                _ => {
                    errors.push(
                        meta.path.span_of(),
                        unknown_key(
                            &key,
                            "db_enum",
                            ENUM_KEYS,
                            "#[db_enum(name = \"issue_state\")]",
                        ),
                    );
                    return skip_value(&meta).map(drop);
                }
            };
            *slot = non_empty_value(&meta, &mut errors, example).map(|lit| lit.value());
            Ok(())
        });
        errors.ok(result);
    }
    let mut values: Vec<String> = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            errors.push(variant.ident.span(), format!(
                "variant `{}` carries data; a DbEnum has unit variants only, for example: enum IssueState {{ Open, Closed }}",
                variant.ident
            ));
        }
        let label = variant_label(variant, &mut errors);
        if values.contains(&label) {
            errors.push(
                variant.ident.span(),
                format!(
                "label \"{label}\" is used by two variants; give one #[db_enum(rename = \"...\")]"
            ),
            );
        }
        values.push(label);
    }
    if values.is_empty() {
        errors.push(input.ident.span(), "a DbEnum needs at least one variant");
    }
    errors.finish(EnumDef {
        rust_name: input.ident.to_string(),
        name: name.unwrap_or_else(|| snake_case(&input.ident.to_string())),
        schema: schema.unwrap_or_else(|| DEFAULT_SCHEMA.to_string()),
        values,
        renamed_from,
    })
}

fn variant_label(variant: &syn::Variant, errors: &mut Errors) -> String {
    let mut label = None;
    let mut seen = Vec::new();
    for attr in variant
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("db_enum"))
    {
        let result = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            let example = "#[db_enum(rename = \"in-progress\")]";
            if check_duplicate(&mut seen, &meta, &key, errors, example) {
                return skip_value(&meta).map(drop);
            }
            if key != "rename" {
                errors.push(
                    meta.path.span_of(),
                    unknown_key(&key, "db_enum", VARIANT_KEYS, example),
                );
                return skip_value(&meta).map(drop);
            }
            label = non_empty_value(&meta, errors, example).map(|lit| lit.value());
            Ok(())
        });
        errors.ok(result);
    }
    label.unwrap_or_else(|| snake_case(&variant.ident.to_string()))
}
