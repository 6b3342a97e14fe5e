//! `#[derive(View)]` definitions into the schema: each field's type (a `DbEnum` by its Rust
//! name), and the names a view shares with tables, indexes and sequences.

use super::{err, index_by_rust, written, ResolveError};
use crate::def::{EnumDef, FieldType, ViewDef};
use crate::model::{ColumnType, Schema, View, ViewColumn, DEFAULT_SCHEMA};
use std::collections::BTreeSet;

/// Adds the views to a resolved schema (and their namespaces to its `schemas`). A view shares
/// its schema's namespace with tables, indexes and sequences, so a name taken there, or by
/// another view, is an error naming the struct.
pub fn add_views(
    schema: &mut Schema,
    defs: &[ViewDef],
    enums: &[EnumDef],
) -> Result<(), Vec<ResolveError>> {
    let mut errors = Vec::new();
    index_by_rust(
        defs.iter().map(|d| (&d.rust_name, d)),
        "struct",
        &mut errors,
    );
    for def in defs {
        let columns = def
            .columns
            .iter()
            .map(|c| ViewColumn {
                name: c.name.clone(),
                ty: column_type(def, &c.field, &c.ty, enums, &mut errors),
            })
            .collect();
        let view = View {
            schema: def.schema.clone(),
            name: def.name.clone(),
            columns,
            sql: def.sql.clone(),
            materialized: def.materialized,
            renamed_from: def.renamed_from.clone(),
        };
        let shown = written(&def.schema, &def.name);
        if let Some(taken) = taken_by(schema, &def.schema, &def.name) {
            errors.push(err(&def.rust_name, None, format!(
                "view {shown} takes a name {taken} already uses (tables, indexes, sequences and views share one namespace); give the view another #[view(name = \"...\")]"
            )));
        }
        if schema.views.insert(view.key(), view).is_some() {
            errors.push(err(
                &def.rust_name,
                None,
                format!(
                "view {shown} is declared twice; give one of them another #[view(name = \"...\")]"
            ),
            ));
        }
    }
    let mut namespaces: BTreeSet<String> = schema.schemas.iter().cloned().collect();
    namespaces.extend(
        schema
            .views
            .values()
            .map(|v| v.schema.clone())
            .filter(|s| s != DEFAULT_SCHEMA),
    );
    schema.schemas = namespaces.into_iter().collect();
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors),
    }
}

/// What else in `namespace` is called `name`: `table \`accounts\``, `sequence \`order_numbers\``.
fn taken_by(schema: &Schema, namespace: &str, name: &str) -> Option<String> {
    let table = schema.tables.values().find(|t| {
        t.schema == namespace
            && (t.name == name
                || t.primary_key.iter().any(|p| p.name == name)
                || t.uniques.iter().any(|u| u.name == name)
                || t.indexes.iter().any(|i| i.name == name))
    });
    if let Some(t) = table {
        return Some(format!("table `{}`", t.name));
    }
    let sequence = schema.sequences.get(&Schema::key(namespace, name));
    sequence.map(|s| format!("sequence `{}`", s.name))
}

fn column_type(
    def: &ViewDef,
    field: &str,
    ty: &FieldType,
    enums: &[EnumDef],
    errors: &mut Vec<ResolveError>,
) -> ColumnType {
    match ty {
        FieldType::Sql(ty) => ty.clone(),
        FieldType::User { rust, array } => match enums.iter().find(|e| &e.rust_name == rust) {
            Some(e) => {
                let ty = ColumnType::Enum {
                    schema: e.schema.clone(),
                    name: e.name.clone(),
                };
                match array {
                    true => ColumnType::Array(Box::new(ty)),
                    false => ty,
                }
            }
            None => {
                errors.push(err(&def.rust_name, Some(field), format!(
                    "field `{field}` has type `{rust}`, which has no SQL mapping and is no #[derive(DbEnum)] enum in the schema files; derive DbEnum for it or give the column its SQL type: #[column(sql_type = \"...\")]"
                )));
                ColumnType::Builtin("text".into())
            }
        },
    }
}
