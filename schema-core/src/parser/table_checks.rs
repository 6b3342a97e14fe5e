//! The checks of a `#[derive(Table)]` struct that span several fields: its primary key, the
//! fields named in key and index lists, and column names used twice.

use super::column::ParsedField;
use super::table::{field_name, StructAttrs};
use super::Errors;
use syn::{DeriveInput, Ident};

/// The primary key's fields, from `#[primary_key(a, b)]` or the one `#[column(primary_key)]`.
pub(super) fn primary_key(
    input: &DeriveInput,
    attrs: &StructAttrs,
    fields: &[ParsedField],
    errors: &mut Errors,
) -> Vec<String> {
    let flagged: Vec<&ParsedField> = fields.iter().filter(|f| f.primary_key.is_some()).collect();
    match (&attrs.primary_key, flagged.as_slice()) {
        (Some((attr, _)), [_, ..]) => {
            errors.push(attr.span(), "the primary key is given twice: use either #[primary_key(a, b)] on the struct or #[column(primary_key)] on one field");
            Vec::new()
        }
        (Some((_, list)), []) => {
            for ident in list {
                if let Some(f) = fields.iter().find(|f| f.ident == *ident) {
                    if f.def.nullable {
                        errors.push(ident.span(), format!("primary key field `{ident}` is an Option; primary key columns are NOT NULL, so drop the Option"));
                    }
                }
            }
            list.iter().map(field_name).collect()
        }
        (None, []) => {
            errors.push(input.ident.span(), format!(
                "table `{}` has no primary key; mark a field #[column(primary_key)] or list several with #[primary_key(a, b)]",
                input.ident
            ));
            Vec::new()
        }
        (None, [one]) => vec![one.def.field.clone()],
        (None, many) => {
            for f in &many[1..] {
                if let Some(span) = f.primary_key {
                    errors.push(span, "only one field can be marked primary_key; for a composite key use #[primary_key(a, b)] on the struct");
                }
            }
            Vec::new()
        }
    }
}

/// Every field named in a key or index list exists and is a column.
pub(super) fn check_field_lists(
    attrs: &StructAttrs,
    fields: &[ParsedField],
    skipped: &[Ident],
    errors: &mut Errors,
) {
    let lists = attrs
        .indexes
        .iter()
        .map(|(i, _)| i)
        .chain(attrs.uniques.iter().map(|(i, _)| i))
        .chain(attrs.primary_key.iter().map(|(_, i)| i))
        .chain(attrs.foreign_keys.iter().map(|f| &f.columns));
    let known: Vec<String> = fields.iter().map(|f| f.ident.to_string()).collect();
    let known = if known.is_empty() {
        "(none)".to_string()
    } else {
        known.join(", ")
    };
    for ident in lists.flatten() {
        if fields.iter().any(|f| f.ident == *ident) {
            continue;
        }
        let what = if skipped.contains(ident) {
            format!("`{ident}` is a #[column(skip)] field, not a column")
        } else {
            format!("no column field `{ident}` in this struct")
        };
        errors.push(ident.span(), format!(
            "{what}; lists name column fields of the struct (not SQL names or skipped fields): {known}"
        ));
    }
}

/// Every column key of a `keys(..)` list names a column by its SQL name.
pub(super) fn check_key_columns(attrs: &StructAttrs, fields: &[ParsedField], errors: &mut Errors) {
    let names: Vec<&str> = fields.iter().map(|f| f.def.name.as_str()).collect();
    for (lit, column) in &attrs.key_columns {
        if names.contains(&column.as_str()) {
            continue;
        }
        let hint = match fields.iter().find(|f| f.ident == column.as_str()) {
            Some(f) => format!("field `{column}` is column `{}`; ", f.def.name),
            None => String::new(),
        };
        errors.push(lit.span(), format!(
            "key `{column}` names no column of this struct; {hint}keys are SQL, so they name columns by their SQL names: {}",
            names.join(", ")
        ));
    }
}

pub(super) fn check_column_names(fields: &[ParsedField], errors: &mut Errors) {
    for (i, f) in fields.iter().enumerate() {
        if let Some(first) = fields[..i].iter().find(|g| g.def.name == f.def.name) {
            errors.push(f.name_span, format!(
                "column name `{}` is already used by field `{}`; give one of them another #[column(name = \"...\")]",
                f.def.name, first.ident
            ));
        }
    }
}
