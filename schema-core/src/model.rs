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
    /// Views and materialized views keyed by `schema.name` (`#[derive(View)]`); absent from
    /// snapshots without one, so older snapshots read and print unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub views: BTreeMap<String, View>,
}

/// A view (`CREATE VIEW`) or, with `materialized`, a materialized view (PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub schema: String,
    pub name: String,
    /// The columns the struct's fields declare, in order: the view's column list.
    pub columns: Vec<ViewColumn>,
    /// The query, verbatim as written in `sql = "..."`.
    pub sql: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub materialized: bool,
    /// A rename hint from the source: `schema.name` or `name` of the view it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// One column of a view: its name and the type the application reads it as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
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

impl SequenceOptions {
    /// The options as PostgreSQL stores them for a `bigint` sequence ([`Self::settings_within`]
    /// its range).
    pub fn effective(&self) -> SequenceSettings {
        self.settings_within(i64::MIN, i64::MAX)
    }

    /// The options as PostgreSQL stores them for a sequence whose type ranges from `type_min`
    /// to `type_max` (`CREATE SEQUENCE`'s defaults): an ascending sequence runs from 1 to the
    /// type's maximum, a descending one from the type's minimum to -1, and starts at its
    /// minimum (ascending) or maximum (descending).
    pub fn settings_within(&self, type_min: i64, type_max: i64) -> SequenceSettings {
        let increment = self.increment.unwrap_or(1);
        let ascending = increment > 0;
        let min = self.min.unwrap_or(if ascending { 1 } else { type_min });
        let max = self.max.unwrap_or(if ascending { type_max } else { -1 });
        SequenceSettings {
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
    /// The identity's options beyond a bare `identity` (`ALWAYS`, sequence options); all
    /// absent for a bare one, and then not written, so older snapshots read unchanged.
    #[serde(default, skip_serializing_if = "IdentityOptions::is_empty")]
    pub identity_options: IdentityOptions,
    /// `GENERATED ALWAYS AS (expr) STORED` (or `VIRTUAL`): a column the database computes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    /// A rename hint from the source; not part of the compared state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// A generated column's expression and whether it is computed on read (`VIRTUAL`) rather
/// than stored with the row (`STORED`, the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// The expression, verbatim.
    pub expr: String,
    #[serde(default, rename = "virtual", skip_serializing_if = "is_false")]
    pub is_virtual: bool,
}

impl Generated {
    /// `STORED` or `VIRTUAL`.
    pub fn kind(&self) -> &'static str {
        match self.is_virtual {
            true => "VIRTUAL",
            false => "STORED",
        }
    }
}

/// `#[column(identity(always, start = 100, increment = 10, min = 1, max = 1000, cache = 20,
/// cycle))]`: every part optional; an absent one is the database's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IdentityOptions {
    /// `GENERATED ALWAYS` rather than `BY DEFAULT`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub always: bool,
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

/// A sequence's settings with every default filled in, as PostgreSQL stores them in
/// `pg_sequence`: a free-standing sequence's ([`SequenceOptions::effective`]) or an identity's
/// ([`IdentityOptions::settings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceSettings {
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl IdentityOptions {
    /// A bare `identity`: `BY DEFAULT`, every sequence option the database's default.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether any sequence option (anything but `always`) is given.
    pub fn has_sequence_options(&self) -> bool {
        Self {
            always: false,
            ..*self
        } != Self::default()
    }

    /// The settings PostgreSQL gives a sequence of a column of type `ty` with these options
    /// (`CREATE SEQUENCE`'s defaults: an ascending sequence runs from 1 to the type's maximum,
    /// a descending one from the type's minimum to -1, and starts at its min or max).
    pub fn settings(&self, ty: &ColumnType) -> SequenceSettings {
        let (type_min, type_max) = match ty {
            ColumnType::Builtin(name) if name == "smallint" => (i16::MIN as i64, i16::MAX as i64),
            ColumnType::Builtin(name) if name == "integer" => (i32::MIN as i64, i32::MAX as i64),
            _ => (i64::MIN, i64::MAX),
        };
        let options = SequenceOptions {
            start: self.start,
            increment: self.increment,
            min: self.min,
            max: self.max,
            cache: self.cache,
            cycle: self.cycle,
        };
        options.settings_within(type_min, type_max)
    }

    /// The options that give `settings` on a column of type `ty`: each one left out where it
    /// is the default (what introspection reads back from the catalog).
    pub fn from_settings(always: bool, s: SequenceSettings, ty: &ColumnType) -> Self {
        let defaults = IdentityOptions {
            increment: Some(s.increment),
            ..IdentityOptions::default()
        }
        .settings(ty);
        let min = (s.min != defaults.min).then_some(s.min);
        let max = (s.max != defaults.max).then_some(s.max);
        let with_bounds = IdentityOptions {
            increment: Some(s.increment),
            min,
            max,
            ..IdentityOptions::default()
        }
        .settings(ty);
        IdentityOptions {
            always,
            start: (s.start != with_bounds.start).then_some(s.start),
            increment: (s.increment != 1).then_some(s.increment),
            min,
            max,
            cache: (s.cache != 1).then_some(s.cache),
            cycle: s.cycle,
        }
    }
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
///
/// A plain index lists its columns in `columns`; an index with a key that is an expression or
/// has an operator class, `DESC` or `NULLS FIRST`/`LAST` lists every key in `keys` instead,
/// and its `columns` is empty (so older snapshots read unchanged). [`Index::keys`] gives the
/// keys of either form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub columns: Vec<String>,
    /// The keys, when any is more than a plain column (`columns` is then empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<IndexKey>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// The `WHERE` of a partial index, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// The access method (`btree` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// Storage parameters (`WITH (fillfactor = 70)`, PostgreSQL): lowercase names, values as
    /// SQL tokens (`70`, `off`, `'x'`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub with: BTreeMap<String, String>,
    /// Build and drop without blocking writes (PostgreSQL).
    #[serde(default, skip_serializing_if = "is_false")]
    pub concurrently: bool,
    /// A unique index whose NULLs count as equal: `NULLS NOT DISTINCT` (PostgreSQL 15+).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
}

/// One key of an index: a column or an expression, with its operator class and ordering.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IndexKey {
    /// `{"column": "created_at"}` or `{"expression": "lower(email)"}`.
    #[serde(flatten)]
    pub target: KeyTarget,
    /// The operator class (`text_pattern_ops`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    /// `DESC`; `ASC` is the default and not stored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub desc: bool,
    /// `NULLS FIRST` / `NULLS LAST` as written (PostgreSQL's adaptation keeps it only where it
    /// differs from the direction's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls: Option<Nulls>,
}

/// What an index key indexes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyTarget {
    /// A column by its SQL name, rendered quoted.
    Column(String),
    /// An SQL expression verbatim, rendered in parentheses.
    Expression(String),
}

/// Where NULLs sort in an index key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nulls {
    First,
    Last,
}

impl Nulls {
    /// `FIRST` / `LAST`.
    pub fn sql(self) -> &'static str {
        match self {
            Self::First => "FIRST",
            Self::Last => "LAST",
        }
    }
}

impl IndexKey {
    /// A plain column key: no operator class, ascending, NULLs where the database puts them.
    pub fn column(name: &str) -> Self {
        Self {
            target: KeyTarget::Column(name.to_string()),
            opclass: None,
            desc: false,
            nulls: None,
        }
    }

    /// The column's name when the key is a plain column with nothing else.
    pub fn plain_column(&self) -> Option<&str> {
        match &self.target {
            KeyTarget::Column(c)
                if self.opclass.is_none() && !self.desc && self.nulls.is_none() =>
            {
                Some(c)
            }
            _ => None,
        }
    }

    /// The expression, when the key is one.
    pub fn expression(&self) -> Option<&str> {
        match &self.target {
            KeyTarget::Expression(e) => Some(e),
            KeyTarget::Column(_) => None,
        }
    }
}

impl std::fmt::Display for IndexKey {
    /// For people: `created_at DESC NULLS LAST`, `lower(email)`, `title text_pattern_ops`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.target {
            KeyTarget::Column(c) | KeyTarget::Expression(c) => f.write_str(c)?,
        }
        if let Some(opclass) = &self.opclass {
            write!(f, " {opclass}")?;
        }
        if self.desc {
            f.write_str(" DESC")?;
        }
        if let Some(nulls) = self.nulls {
            write!(f, " NULLS {}", nulls.sql())?;
        }
        Ok(())
    }
}

impl Index {
    /// The keys for people, comma-separated: `a, b` or `lower(email), created_at DESC`.
    pub fn keys_text(&self) -> String {
        match self.keys.is_empty() {
            true => self.columns.join(", "),
            false => self
                .keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The keys of either form: `keys`, or a plain key per entry of `columns`.
    pub fn keys(&self) -> Vec<IndexKey> {
        match self.keys.is_empty() {
            true => self.columns.iter().map(|c| IndexKey::column(c)).collect(),
            false => self.keys.clone(),
        }
    }

    /// Stores `keys` in the form their kind asks for: plain columns in `columns` (the form
    /// older snapshots have), anything more in `keys`.
    pub fn set_keys(&mut self, keys: Vec<IndexKey>) {
        let plain: Option<Vec<String>> = keys
            .iter()
            .map(|k| k.plain_column().map(String::from))
            .collect();
        match plain {
            Some(columns) => {
                self.columns = columns;
                self.keys = Vec::new();
            }
            None => {
                self.columns = Vec::new();
                self.keys = keys;
            }
        }
    }
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

    /// It holds no table, enum, sequence or view (the namespaces it names are no objects).
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.enums.is_empty()
            && self.sequences.is_empty()
            && self.views.is_empty()
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

impl View {
    pub fn key(&self) -> String {
        Schema::key(&self.schema, &self.name)
    }

    /// The view as created, without its rename hint.
    pub fn without_hint(&self) -> View {
        View {
            renamed_from: None,
            ..self.clone()
        }
    }
}

impl Sequence {
    pub fn key(&self) -> String {
        Schema::key(&self.schema, &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_settings_fill_in_postgres_defaults_and_read_back() {
        let int = ColumnType::Builtin("integer".into());
        let bare = IdentityOptions::default().settings(&int);
        assert_eq!(
            (bare.start, bare.min, bare.max, bare.cache),
            (1, 1, i32::MAX as i64, 1)
        );
        let down = IdentityOptions {
            increment: Some(-1),
            ..IdentityOptions::default()
        };
        let s = down.settings(&int);
        assert_eq!((s.start, s.min, s.max), (-1, i32::MIN as i64, -1));
        let all = IdentityOptions {
            always: true,
            start: Some(100),
            increment: Some(10),
            min: Some(1),
            max: Some(1000),
            cache: Some(20),
            cycle: true,
        };
        let back = IdentityOptions::from_settings(true, all.settings(&int), &int);
        assert_eq!(back.settings(&int), all.settings(&int));
        assert_eq!(back.min, None, "min 1 is the default and is left out");
        let plain = IdentityOptions::from_settings(false, bare, &int);
        assert!(plain.is_empty(), "{plain:?}");
    }
}
