//! The resolved schema model: SQL-level tables, columns, constraints and enums.
//!
//! This is what snapshots store, what `diff` compares and what the renderers turn into SQL.
//! Names here are SQL names (never Rust identifiers) and types are normalized, so two
//! spellings of one type compare equal.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The name of the default PostgreSQL schema.
pub const DEFAULT_SCHEMA: &str = "public";

/// A whole database schema: every schema (namespace), enum and table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// Namespaces other than `public` that the tables or enums live in.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Enums keyed by `schema.name`.
    #[serde(default)]
    pub enums: BTreeMap<String, Enum>,
    /// Tables keyed by `schema.name`.
    #[serde(default)]
    pub tables: BTreeMap<String, Table>,
    /// Sequences keyed by `schema.name` (`#[derive(Sequence)]`); absent from snapshots
    /// without one, so older snapshots read and print unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sequences: BTreeMap<String, Sequence>,
}

/// A sequence (PostgreSQL's `CREATE SEQUENCE`), of type `bigint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub schema: String,
    pub name: String,
    /// The options as declared; an absent one is the database's default.
    #[serde(flatten)]
    pub options: SequenceOptions,
    /// A rename hint from the source: `schema.name` or `name` of the sequence it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// The options of a sequence as declared: `None` (and `cycle` false) is PostgreSQL's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SequenceOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub cycle: bool,
}

/// A sequence's options with every default filled in, as PostgreSQL stores them in
/// `pg_sequence` for a `bigint` sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveSequence {
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl SequenceOptions {
    /// The options as PostgreSQL stores them: an ascending sequence runs from 1 to
    /// `i64::MAX`, a descending one from `i64::MIN` to -1, and starts at its minimum
    /// (ascending) or maximum (descending).
    pub fn effective(&self) -> EffectiveSequence {
        let increment = self.increment.unwrap_or(1);
        let ascending = increment > 0;
        let min = self.min.unwrap_or(if ascending { 1 } else { i64::MIN });
        let max = self.max.unwrap_or(if ascending { i64::MAX } else { -1 });
        EffectiveSequence {
            start: self.start.unwrap_or(if ascending { min } else { max }),
            increment,
            min,
            max,
            cache: self.cache.unwrap_or(1),
            cycle: self.cycle,
        }
    }
}

/// A PostgreSQL enum type (a CHECK on dialects without enums).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    pub schema: String,
    pub name: String,
    /// Labels in declaration order.
    pub values: Vec<String>,
    /// A rename hint from the source (`renamed_from`); not part of the compared state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// One table with its columns and constraints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub schema: String,
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<Unique>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// `#[table(rls)]`: row-level security enabled (PostgreSQL).
    #[serde(default, skip_serializing_if = "is_false")]
    pub rls: bool,
    /// `#[policy(..)]`s, sorted by name (PostgreSQL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Policy>,
    /// A rename hint from the source: `schema.name` or `name` of the table it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// A row-level security policy of a table (`CREATE POLICY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    /// `AS RESTRICTIVE`; `false` is `AS PERMISSIVE`, the default.
    #[serde(default, skip_serializing_if = "is_false")]
    pub restrictive: bool,
    /// `FOR ...`.
    #[serde(default, rename = "for")]
    pub command: PolicyCommand,
    /// `TO ...`: role names, sorted; empty is `PUBLIC`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// `USING (...)`, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// `WITH CHECK (...)`, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
    /// A rename hint from the source: the policy's old name on the same table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// The command a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyCommand {
    #[default]
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    /// Every command as `for = "..."` spells it.
    pub const ALL: &'static [(&'static str, PolicyCommand)] = &[
        ("all", PolicyCommand::All),
        ("select", PolicyCommand::Select),
        ("insert", PolicyCommand::Insert),
        ("update", PolicyCommand::Update),
        ("delete", PolicyCommand::Delete),
    ];

    /// The SQL keyword: `SELECT`.
    pub fn keyword(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }

    /// Whether the command takes `USING` (all but `INSERT`).
    pub fn takes_using(self) -> bool {
        self != PolicyCommand::Insert
    }

    /// Whether the command takes `WITH CHECK` (`ALL`, `INSERT`, `UPDATE`).
    pub fn takes_with_check(self) -> bool {
        matches!(
            self,
            PolicyCommand::All | PolicyCommand::Insert | PolicyCommand::Update
        )
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// `false` means `NOT NULL`.
    pub nullable: bool,
    /// The default as an SQL expression, verbatim (`42`, `'open'`, `now()`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `GENERATED BY DEFAULT AS IDENTITY` (PostgreSQL), a rowid alias on SQLite.
    #[serde(default, skip_serializing_if = "is_false")]
    pub identity: bool,
    /// A rename hint from the source; not part of the compared state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A column type, normalized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// A built-in type by its canonical PostgreSQL name, such as `integer` or
    /// `character varying(320)` (see [`crate::types::normalize`]).
    Builtin(String),
    /// A user enum type.
    Enum { schema: String, name: String },
    /// A one-dimensional array of another type.
    Array(Box<ColumnType>),
}

/// A primary key, single or composite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
}

/// A unique constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    /// `UNIQUE NULLS NOT DISTINCT`: rows whose columns are NULL count as equal (PostgreSQL 15+).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
}

/// An index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// The `WHERE` of a partial index, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// The access method (`btree` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// Build and drop without blocking writes (PostgreSQL).
    #[serde(default, skip_serializing_if = "is_false")]
    pub concurrently: bool,
    /// A unique index whose NULLs count as equal: `NULLS NOT DISTINCT` (PostgreSQL 15+).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
}

/// What a foreign key does when the referenced row changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    /// Parses the attribute spelling (`"set null"`, in any case: `"SET NULL"`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_lowercase().as_str() {
            "cascade" => Self::Cascade,
            "set null" => Self::SetNull,
            "set default" => Self::SetDefault,
            "restrict" => Self::Restrict,
            "no action" => Self::NoAction,
            _ => return None,
        })
    }

    /// The SQL spelling (`SET NULL`).
    pub fn sql(self) -> &'static str {
        match self {
            Self::NoAction => "NO ACTION",
            Self::Restrict => "RESTRICT",
            Self::Cascade => "CASCADE",
            Self::SetNull => "SET NULL",
            Self::SetDefault => "SET DEFAULT",
        }
    }

    pub fn is_default(&self) -> bool {
        *self == Self::NoAction
    }
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_schema: String,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    #[serde(default, skip_serializing_if = "FkAction::is_default")]
    pub on_delete: FkAction,
    #[serde(default, skip_serializing_if = "FkAction::is_default")]
    pub on_update: FkAction,
}

/// A check constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub expr: String,
}

impl Schema {
    /// The key of a table or enum in [`Schema::tables`] / [`Schema::enums`].
    pub fn key(schema: &str, name: &str) -> String {
        format!("{schema}.{name}")
    }
}

impl Table {
    pub fn key(&self) -> String {
        Schema::key(&self.schema, &self.name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

impl Enum {
    pub fn key(&self) -> String {
        Schema::key(&self.schema, &self.name)
    }
}

impl Sequence {
    pub fn key(&self) -> String {
        Schema::key(&self.schema, &self.name)
    }
}
