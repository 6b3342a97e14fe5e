//! The sequences of the source (`#[derive(Sequence)]`), added to a resolved schema.

use super::{err, index_by_rust, written, ResolveError};
use crate::def::SequenceDef;
use crate::model::{Schema, Sequence, DEFAULT_SCHEMA};
use std::collections::BTreeSet;

/// Adds the `#[derive(Sequence)]` definitions to a resolved schema (and their namespaces to
/// its `schemas`). A sequence shares its schema's namespace with tables and indexes, so a name
/// taken there, or by another sequence, is an error naming the struct.
pub fn add_sequences(schema: &mut Schema, defs: &[SequenceDef]) -> Result<(), Vec<ResolveError>> {
    let mut errors = Vec::new();
    index_by_rust(
        defs.iter().map(|d| (&d.rust_name, d)),
        "struct",
        &mut errors,
    );
    for def in defs {
        let sequence = Sequence {
            schema: def.schema.clone(),
            name: def.name.clone(),
            options: def.options,
            renamed_from: def.renamed_from.clone(),
        };
        let shown = written(&def.schema, &def.name);
        let table = schema.tables.values().find(|t| {
            t.schema == def.schema
                && (t.name == def.name
                    || t.primary_key.iter().any(|p| p.name == def.name)
                    || t.uniques.iter().any(|u| u.name == def.name)
                    || t.indexes.iter().any(|i| i.name == def.name))
        });
        if let Some(t) = table {
            errors.push(err(&def.rust_name, None, format!(
                "sequence {shown} takes a name table `{}` already uses (tables, indexes and sequences share one namespace); give the sequence another #[sequence(name = \"...\")]",
                t.name
            )));
        }
        if schema.sequences.insert(sequence.key(), sequence).is_some() {
            errors.push(err(&def.rust_name, None, format!(
                "sequence {shown} is declared twice; give one of them another #[sequence(name = \"...\")]"
            )));
        }
    }
    let mut namespaces: BTreeSet<String> = schema.schemas.iter().cloned().collect();
    namespaces.extend(
        schema
            .sequences
            .values()
            .map(|s| s.schema.clone())
            .filter(|s| s != DEFAULT_SCHEMA),
    );
    schema.schemas = namespaces.into_iter().collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
