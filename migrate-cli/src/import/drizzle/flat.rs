//! The snapshot shapes drizzle-kit 0.31 writes for SQLite (version 6) and MySQL (version 5):
//! one schema, tables keyed by name, indexes over column names.

use super::ordered::Ordered;
use super::{left, EXISTING_VIEW};
use crate::pull::LeftOut;
use schema_core::model::{self, ColumnType, Schema, ViewColumn, DEFAULT_SCHEMA};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Snapshot {
    pub version: String,
    #[serde(default)]
    pub tables: Ordered<Table>,
    #[serde(default)]
    pub views: Ordered<View>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    pub name: String,
    #[serde(default)]
    pub columns: Ordered<Column>,
    #[serde(default)]
    pub indexes: Ordered<Index>,
    #[serde(default)]
    pub foreign_keys: Ordered<ForeignKey>,
    #[serde(default)]
    pub composite_primary_keys: Ordered<NamedColumns>,
    #[serde(default)]
    pub unique_constraints: Ordered<NamedColumns>,
    /// SQLite's name for the checks.
    #[serde(default)]
    pub check_constraints: Ordered<Check>,
    /// MySQL's name for the checks.
    #[serde(default)]
    pub check_constraint: Ordered<Check>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub primary_key: bool,
    #[serde(default)]
    pub not_null: bool,
    #[serde(default)]
    pub autoincrement: bool,
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// MySQL's `ON UPDATE CURRENT_TIMESTAMP`.
    #[serde(default)]
    pub on_update: Option<serde_json::Value>,
    #[serde(default)]
    pub generated: Option<Generated>,
}

#[derive(Deserialize)]
pub struct Generated {
    #[serde(rename = "as")]
    pub expr: String,
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub name: String,
    pub columns: Vec<String>,
    #[serde(default)]
    pub is_unique: bool,
    #[serde(rename = "where", default)]
    pub predicate: Option<String>,
    #[serde(default)]
    pub using: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignKey {
    pub name: String,
    pub table_to: String,
    pub columns_from: Vec<String>,
    pub columns_to: Vec<String>,
    #[serde(default)]
    pub on_delete: Option<String>,
    #[serde(default)]
    pub on_update: Option<String>,
}

#[derive(Deserialize)]
pub struct NamedColumns {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Deserialize)]
pub struct Check {
    pub name: String,
    pub value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct View {
    pub name: String,
    #[serde(default)]
    pub columns: Ordered<Column>,
    /// The query; absent for a view drizzle-kit does not manage (`isExisting`).
    #[serde(default)]
    pub definition: Option<String>,
    #[serde(default)]
    pub is_existing: bool,
}

/// The views of a one-schema snapshot into `schema`, each column typed by `ty`; a view
/// drizzle-kit does not manage is left out.
pub fn add_views(
    views: &Ordered<View>,
    ty: impl Fn(&str) -> ColumnType,
    schema: &mut Schema,
    left_out: &mut Vec<LeftOut>,
) {
    for v in views.values() {
        match &v.definition {
            Some(sql) if !v.is_existing => {
                let view = model::View {
                    schema: DEFAULT_SCHEMA.to_string(),
                    name: v.name.clone(),
                    columns: v
                        .columns
                        .values()
                        .map(|c| ViewColumn {
                            name: c.name.clone(),
                            ty: ty(&c.ty),
                        })
                        .collect(),
                    sql: sql.clone(),
                    materialized: false,
                    renamed_from: None,
                };
                schema.views.insert(view.key(), view);
            }
            _ => left_out.push(left(format!("view `{}`", v.name), EXISTING_VIEW, None)),
        }
    }
}
