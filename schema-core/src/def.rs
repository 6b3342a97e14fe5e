//! Rust-level definitions: what the attribute parser reads from one struct or enum.
//!
//! A definition still names Rust things (fields, the structs a foreign key points at, enum
//! types by their Rust name). [`crate::resolve`] turns a set of definitions into the SQL-level
//! [`crate::model::Schema`]. The derive macros embed definitions as JSON, and the CLI's
//! scanner builds the very same values from source, so both resolve identically.

use crate::model::{ColumnType, FkAction, Generated, IdentityOptions, SequenceOptions};
use serde::{Deserialize, Serialize};

/// A `#[derive(Table)]` struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDef {
    /// The struct's identifier.
    pub rust_name: String,
    pub name: String,
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// Every field that is a column (`skip` fields are left out), in declaration order.
    pub fields: Vec<FieldDef>,
    /// The primary key as field names: from `#[primary_key(..)]` or the `primary_key` flags.
    pub primary_key: Vec<String>,
    /// `#[primary_key(.., name = "orders_pk")]`; the derived `<table>_pkey` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<IndexDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckDef>,
    /// The struct's `#[foreign_key(..)]`s (a field's `references` is on the field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// `#[table(rls)]`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rls: bool,
    /// The struct's `#[policy(..)]`s, as declared (roles sorted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<crate::model::Policy>,
}

/// One column field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// The Rust field name.
    pub field: String,
    /// The SQL column name.
    pub name: String,
    pub ty: FieldType,
    /// `sql_type = "..."` as written, when given: a dialect whose types are not PostgreSQL's
    /// takes it as its own type (MySQL's `text` is not what a `String` maps to there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_type: Option<String>,
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultDef>,
    #[serde(default)]
    pub identity: bool,
    /// `identity(always, start = .., ..)`: the options of the identity, empty for a bare one.
    #[serde(default, skip_serializing_if = "IdentityOptions::is_empty")]
    pub identity_options: IdentityOptions,
    /// `generated = "..."` (with `virtual`): a computed column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub index: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<ReferenceDef>,
}

/// A field's type as far as the parser can tell without seeing other items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Known from the Rust type or from `sql_type`.
    Sql(ColumnType),
    /// A type the mapping does not know: it must be a `DbEnum` (checked when resolving, and by
    /// the compiler through a trait bound). `array` is true for `Vec<ThatEnum>`.
    User { rust: String, array: bool },
}

/// A `default = <literal>` or `default_sql = "..."`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultDef {
    /// `default_sql`, verbatim.
    Sql(String),
    /// An integer literal, as written without suffix.
    Int(String),
    /// A float literal, as written without suffix.
    Float(String),
    Bool(bool),
    Str(String),
}

/// `references = Account::id` with its actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceDef {
    /// The referenced struct's identifier (the last segment of the path).
    pub table: String,
    /// The referenced field.
    pub field: String,
    #[serde(default)]
    pub on_delete: FkAction,
    #[serde(default)]
    pub on_update: FkAction,
}

/// `#[index(columns(..), ..)]`, or a field's `index` flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDef {
    /// Field names (empty when `keys` are given).
    pub columns: Vec<String>,
    /// `keys("lower(email)", "created_at DESC")`: columns by their SQL names, or expressions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<crate::model::IndexKey>,
    /// `with = "fillfactor = 70"`: storage parameters by name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub with: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub unique: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    #[serde(default)]
    pub concurrently: bool,
    /// `nulls_not_distinct`: NULLs count as equal (a unique index only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
}

/// `#[unique(columns(..), name = "..")]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueDef {
    /// Field names.
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `nulls_not_distinct`: NULLs count as equal.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
}

/// `#[foreign_key(columns(a, b), references = Other, ref_columns(x, y), ..)]` on the struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKeyDef {
    /// Field names of this struct.
    pub columns: Vec<String>,
    /// The referenced struct's identifier (the last segment of the path).
    pub table: String,
    /// Field names of the referenced struct, pairwise with `columns`.
    pub ref_columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub on_delete: FkAction,
    #[serde(default)]
    pub on_update: FkAction,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `#[check(name = "..", expr = "..")]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub expr: String,
}

/// A `#[derive(DbEnum)]` enum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumDef {
    pub rust_name: String,
    pub name: String,
    pub schema: String,
    /// Labels in declaration order.
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// A `#[derive(Sequence)]` unit struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceDef {
    pub rust_name: String,
    pub name: String,
    pub schema: String,
    #[serde(flatten)]
    pub options: SequenceOptions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// A `#[derive(View)]` struct: `#[view(..)]` and its fields, the view's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewDef {
    pub rust_name: String,
    pub name: String,
    pub schema: String,
    /// The query, verbatim.
    pub sql: String,
    #[serde(default)]
    pub materialized: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The fields, in declaration order.
    pub columns: Vec<ViewColumnDef>,
}

/// One field of a `#[derive(View)]` struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewColumnDef {
    /// The Rust field name.
    pub field: String,
    /// The SQL column name (`#[column(name = "..")]`, else the field's name).
    pub name: String,
    pub ty: FieldType,
}
