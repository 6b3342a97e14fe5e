//! The snapshot drizzle-kit 0.31 writes for PostgreSQL (version 7): tables keyed
//! `schema.name` (`""` for public), index keys as objects, enums, sequences, policies, roles
//! and views beside the tables.

use super::ordered::Ordered;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
pub struct Snapshot {
    pub version: String,
    #[serde(default)]
    pub tables: Ordered<PgTable>,
    #[serde(default)]
    pub enums: Ordered<PgEnum>,
    #[serde(default)]
    pub schemas: BTreeMap<String, String>,
    #[serde(default)]
    pub sequences: Ordered<PgSequence>,
    #[serde(default)]
    pub roles: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub views: Ordered<PgView>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgTable {
    pub name: String,
    #[serde(default)]
    pub schema: String,
    #[serde(default)]
    pub columns: Ordered<PgColumn>,
    #[serde(default)]
    pub indexes: Ordered<PgIndex>,
    #[serde(default)]
    pub foreign_keys: Ordered<PgForeignKey>,
    #[serde(default)]
    pub composite_primary_keys: Ordered<Named>,
    #[serde(default)]
    pub unique_constraints: Ordered<PgUnique>,
    #[serde(default)]
    pub check_constraints: Ordered<PgCheck>,
    #[serde(default)]
    pub policies: Ordered<PgPolicy>,
    #[serde(default, rename = "isRLSEnabled")]
    pub rls: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub type_schema: Option<String>,
    #[serde(default)]
    pub primary_key: bool,
    #[serde(default)]
    pub not_null: bool,
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    #[serde(default)]
    pub identity: Option<PgIdentity>,
    #[serde(default)]
    pub generated: Option<PgGenerated>,
    #[serde(default)]
    pub is_unique: bool,
    #[serde(default)]
    pub unique_name: Option<String>,
    #[serde(default)]
    pub nulls_not_distinct: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgIdentity {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    pub options: PgSequenceOptions,
}

/// A sequence's options as drizzle-kit writes them (numbers as strings), for a sequence and
/// an identity alike.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgSequenceOptions {
    #[serde(default)]
    pub increment: Option<String>,
    #[serde(default)]
    pub start_with: Option<String>,
    #[serde(default)]
    pub min_value: Option<String>,
    #[serde(default)]
    pub max_value: Option<String>,
    #[serde(default)]
    pub cache: Option<String>,
    #[serde(default)]
    pub cycle: bool,
}

#[derive(Deserialize)]
pub struct PgGenerated {
    #[serde(rename = "as")]
    pub expr: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgIndex {
    pub name: String,
    pub columns: Vec<PgIndexKey>,
    #[serde(default)]
    pub is_unique: bool,
    #[serde(rename = "where", default)]
    pub predicate: Option<String>,
    #[serde(default)]
    pub concurrently: bool,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub with: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgIndexKey {
    pub expression: String,
    #[serde(default)]
    pub is_expression: bool,
    #[serde(default = "yes")]
    pub asc: bool,
    #[serde(default)]
    pub nulls: Option<String>,
    #[serde(default)]
    pub opclass: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgForeignKey {
    pub name: String,
    pub table_to: String,
    #[serde(default)]
    pub schema_to: Option<String>,
    pub columns_from: Vec<String>,
    pub columns_to: Vec<String>,
    #[serde(default)]
    pub on_delete: Option<String>,
    #[serde(default)]
    pub on_update: Option<String>,
}

#[derive(Deserialize)]
pub struct Named {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgUnique {
    pub name: String,
    pub columns: Vec<String>,
    #[serde(default)]
    pub nulls_not_distinct: bool,
}

pub use super::flat::Check as PgCheck;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgPolicy {
    pub name: String,
    #[serde(rename = "as", default)]
    pub kind: Option<String>,
    #[serde(rename = "for", default)]
    pub command: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub using: Option<String>,
    #[serde(default)]
    pub with_check: Option<String>,
}

#[derive(Deserialize)]
pub struct PgEnum {
    pub name: String,
    #[serde(default)]
    pub schema: String,
    pub values: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgSequence {
    pub name: String,
    #[serde(default)]
    pub schema: String,
    #[serde(flatten)]
    pub options: PgSequenceOptions,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgView {
    pub name: String,
    #[serde(default)]
    pub schema: String,
    #[serde(default)]
    pub columns: Ordered<PgColumn>,
    #[serde(default)]
    pub definition: Option<String>,
    #[serde(default)]
    pub materialized: bool,
    #[serde(default)]
    pub is_existing: bool,
    #[serde(default)]
    pub with: Option<serde_json::Value>,
    #[serde(default)]
    pub tablespace: Option<String>,
    #[serde(default)]
    pub using: Option<String>,
    #[serde(default)]
    pub with_no_data: bool,
}
