//! The changes a diff produces: one variant per kind of schema change, with a readable summary.
//!
//! A change carries the names as they are at the moment its statement runs: drops that come
//! before the renames use the old names, everything after the renames uses the new ones.

use crate::model::{
    Check, Column, ColumnType, ForeignKey, Generated, IdentityOptions, Index, Policy, PrimaryKey,
    Sequence, SequenceOptions, Table, Unique, View,
};
use std::fmt;

/// A table or enum name with its schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// The `schema.name` key used in [`crate::model::Schema`].
    pub fn key(&self) -> String {
        crate::model::Schema::key(&self.schema, &self.name)
    }
}

impl fmt::Display for QualifiedName {
    /// `public.accounts`; `accounts` without a schema (see [`Change::unqualified`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.schema.is_empty() {
            true => f.write_str(&self.name),
            false => write!(f, "{}.{}", self.schema, self.name),
        }
    }
}

/// Where a new enum value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumValuePosition {
    /// Before an existing value: `ADD VALUE 'x' BEFORE 'y'`.
    Before(String),
    /// After an existing value: `ADD VALUE 'x' AFTER 'y'`.
    After(String),
    /// At the end: `ADD VALUE 'x'`.
    End,
}

/// A column whose type uses an enum being rebuilt (directly or as an array element).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumColumn {
    pub table: QualifiedName,
    pub column: String,
    /// The column's type, which names the enum.
    pub ty: ColumnType,
    /// The default to restore once the column has the new type.
    pub default: Option<String>,
}

/// One schema change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CreateSchema {
        name: String,
    },
    DropSchema {
        name: String,
    },
    /// Every table and enum of `from` moved to `to`.
    RenameSchema {
        from: String,
        to: String,
    },
    CreateEnum {
        name: QualifiedName,
        values: Vec<String>,
    },
    DropEnum {
        name: QualifiedName,
    },
    RenameEnum {
        from: QualifiedName,
        to: QualifiedName,
    },
    AddEnumValue {
        name: QualifiedName,
        value: String,
        position: EnumValuePosition,
    },
    /// Values removed or reordered: the old type is renamed to `temp_name`, the new one created
    /// and every column converted; a later [`Change::DropEnum`] drops `temp_name`.
    RebuildEnum {
        name: QualifiedName,
        temp_name: String,
        old_values: Vec<String>,
        values: Vec<String>,
        columns: Vec<EnumColumn>,
    },
    /// A sequence with its declared options (its rename hint cleared).
    CreateSequence {
        sequence: Sequence,
    },
    DropSequence {
        name: QualifiedName,
    },
    /// A sequence renamed, and moved when the schema differs.
    RenameSequence {
        from: QualifiedName,
        to: QualifiedName,
    },
    /// The options of `name` go from `from` to `to` (whose effective values differ).
    AlterSequence {
        name: QualifiedName,
        from: SequenceOptions,
        to: SequenceOptions,
    },
    /// A view (or materialized view) as declared (its rename hint cleared).
    CreateView {
        view: View,
    },
    /// A view dropped; `recreated` when it is created again later in the same migration,
    /// around a change to what it reads or to its definition.
    DropView {
        name: QualifiedName,
        materialized: bool,
        recreated: bool,
    },
    /// A view renamed (and moved when the schema differs); `view` is its definition under the
    /// new name, for a database that renames by dropping and creating (SQLite).
    RenameView {
        from: QualifiedName,
        to: QualifiedName,
        view: View,
    },
    /// A plain view whose query or columns change: `CREATE OR REPLACE VIEW` where the database
    /// keeps it in place, a drop and a create otherwise.
    ReplaceView {
        from: View,
        to: View,
    },
    /// `ALTER TABLE ... ENABLE ROW LEVEL SECURITY`.
    EnableRls {
        table: QualifiedName,
    },
    /// `ALTER TABLE ... DISABLE ROW LEVEL SECURITY`.
    DisableRls {
        table: QualifiedName,
    },
    /// A policy of `table` (its rename hint cleared).
    CreatePolicy {
        table: QualifiedName,
        policy: Policy,
    },
    /// The policy `policy.name` of `table` dropped; the whole policy is kept for lint and
    /// for a down that creates it again. `recreated` when it is created again later in the same
    /// migration, around a change to a column it reads (PostgreSQL refuses to retype or drop a
    /// column a policy uses).
    DropPolicy {
        table: QualifiedName,
        policy: Policy,
        recreated: bool,
    },
    /// A policy's roles, `USING` or `WITH CHECK` changed in place (`ALTER POLICY`); `AS` and
    /// `FOR` are the same on both sides, and neither side drops a clause the other has.
    AlterPolicy {
        table: QualifiedName,
        from: Policy,
        to: Policy,
    },
    RenamePolicy {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// Columns with the inline primary key, unique and check constraints; the indexes and
    /// foreign keys come as their own changes (their `Vec`s here are empty).
    CreateTable {
        table: Table,
    },
    DropTable {
        table: QualifiedName,
    },
    RenameTable {
        from: QualifiedName,
        to: QualifiedName,
    },
    /// Before a table moves to `to_schema`: its identity column's sequence (named by
    /// PostgreSQL, and moving with the table) takes a name free in both schemas, the one
    /// PostgreSQL would give the moved table's column (`name`) or that name numbered.
    RenameIdentitySequence {
        table: QualifiedName,
        column: String,
        to_schema: String,
        name: String,
    },
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: String,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    AlterColumnType {
        table: QualifiedName,
        column: String,
        from: ColumnType,
        to: ColumnType,
    },
    /// Before a column with a default turns NOT NULL: its NULLs take the default
    /// (`UPDATE .. SET "c" = <value> WHERE "c" IS NULL`), as a rebuild's copy does on SQLite.
    FillNulls {
        table: QualifiedName,
        column: String,
        value: String,
    },
    SetNotNull {
        table: QualifiedName,
        column: String,
    },
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    SetDefault {
        table: QualifiedName,
        column: String,
        default: String,
    },
    DropDefault {
        table: QualifiedName,
        column: String,
    },
    AddIdentity {
        table: QualifiedName,
        column: String,
    },
    DropIdentity {
        table: QualifiedName,
        column: String,
    },
    /// The identity's options change (`ALTER COLUMN .. SET GENERATED ALWAYS SET START WITH ..`
    /// on PostgreSQL): the sequence and its rows stay. `ty` is the column's (new) type, which
    /// gives the defaults of the options left out.
    AlterIdentity {
        table: QualifiedName,
        column: String,
        ty: ColumnType,
        from: IdentityOptions,
        to: IdentityOptions,
    },
    /// A generated column's expression or kind changes, a plain column becomes generated
    /// (`from` is `None`) or a generated one plain (`column.generated` is `None`). `column` is
    /// the whole new definition, for the dialects that drop and add it again.
    AlterGenerated {
        table: QualifiedName,
        column: Column,
        from: Option<Generated>,
    },
    AddPrimaryKey {
        table: QualifiedName,
        key: PrimaryKey,
    },
    DropPrimaryKey {
        table: QualifiedName,
        name: String,
    },
    AddUnique {
        table: QualifiedName,
        unique: Unique,
    },
    DropUnique {
        table: QualifiedName,
        name: String,
    },
    CreateIndex {
        table: QualifiedName,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        name: String,
        concurrently: bool,
    },
    AddForeignKey {
        table: QualifiedName,
        key: ForeignKey,
    },
    DropForeignKey {
        table: QualifiedName,
        name: String,
    },
    AddCheck {
        table: QualifiedName,
        check: Check,
    },
    DropCheck {
        table: QualifiedName,
        name: String,
    },
    /// A constraint whose content is unchanged but whose derived name is not.
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// An index whose content is unchanged but whose name is not.
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
    },
}

/// A type for people: `integer`, `public.issue_state[]`.
pub fn type_label(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Builtin(name) => name.clone(),
        ColumnType::Enum { schema, name } => format!("{schema}.{name}"),
        ColumnType::Array(inner) => format!("{}[]", type_label(inner)),
    }
}

/// The options of a new sequence as declared, ` (start 1000, cycle)`; or those whose effective
/// value changes from `from`, ` start 1 -> 1000, cycle`.
fn sequence_options(from: Option<&SequenceOptions>, to: &SequenceOptions) -> String {
    let created = from.is_none();
    let (a, b) = (
        from.copied().unwrap_or_default().effective(),
        to.effective(),
    );
    let mut parts = Vec::new();
    let mut number = |label: &str, x: i64, y: i64, declared: Option<i64>| {
        let differs = if created { declared.is_some() } else { x != y };
        if differs {
            parts.push(match created {
                true => format!("{label} {y}"),
                false => format!("{label} {x} -> {y}"),
            });
        }
    };
    number("start", a.start, b.start, to.start);
    number("increment", a.increment, b.increment, to.increment);
    number("min", a.min, b.min, to.min);
    number("max", a.max, b.max, to.max);
    number("cache", a.cache, b.cache, to.cache);
    if a.cycle != b.cycle {
        parts.push(if b.cycle { "cycle" } else { "no cycle" }.to_string());
    }
    match (created, parts.is_empty()) {
        (_, true) => String::new(),
        (true, false) => format!(" ({})", parts.join(", ")),
        (false, false) => format!(" {}", parts.join(", ")),
    }
}

fn view_kind(materialized: bool) -> &'static str {
    match materialized {
        true => "materialized view",
        false => "view",
    }
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

impl Change {
    /// One line for people, starting with `+ `, `- ` or `~ `.
    pub fn summary(&self) -> String {
        use Change::*;
        match self {
            CreateSchema { name } => format!("+ schema {name}"),
            DropSchema { name } => format!("- schema {name}"),
            RenameSchema { from, to } => format!("~ schema {from}: rename to {to}"),
            CreateEnum { name, values } => format!("+ enum {name} ({})", list(values)),
            DropEnum { name } => format!("- enum {name}"),
            RenameEnum { from, to } => format!("~ enum {from}: rename to {to}"),
            AddEnumValue {
                name,
                value,
                position,
            } => {
                let at = match position {
                    EnumValuePosition::Before(v) => format!(" before '{v}'"),
                    EnumValuePosition::After(v) => format!(" after '{v}'"),
                    EnumValuePosition::End => String::new(),
                };
                format!("~ enum {name}: add value '{value}'{at}")
            }
            RebuildEnum {
                name,
                old_values,
                values,
                ..
            } => {
                format!(
                    "~ enum {name}: values ({}) -> ({})",
                    list(old_values),
                    list(values)
                )
            }
            CreateSequence { sequence } => format!(
                "+ sequence {}{}",
                QualifiedName::new(&sequence.schema, &sequence.name),
                sequence_options(None, &sequence.options)
            ),
            DropSequence { name } => format!("- sequence {name}"),
            RenameSequence { from, to } => format!("~ sequence {from}: rename to {to}"),
            AlterSequence { name, from, to } => {
                format!("~ sequence {name}:{}", sequence_options(Some(from), to))
            }
            CreateView { view } => format!(
                "+ {} {}",
                view_kind(view.materialized),
                QualifiedName::new(&view.schema, &view.name)
            ),
            DropView {
                name,
                materialized,
                recreated,
            } => match recreated {
                false => format!("- {} {name}", view_kind(*materialized)),
                true => format!(
                    "~ {} {name}: dropped, created again below",
                    view_kind(*materialized)
                ),
            },
            RenameView { from, to, view } => {
                format!("~ {} {from}: rename to {to}", view_kind(view.materialized))
            }
            ReplaceView { to, .. } => format!(
                "~ view {}: query or columns changed",
                QualifiedName::new(&to.schema, &to.name)
            ),
            CreateTable { table } => {
                format!("+ table {}", QualifiedName::new(&table.schema, &table.name))
            }
            EnableRls { table } => format!("~ table {table}: enable row level security"),
            DisableRls { table } => format!("~ table {table}: disable row level security"),
            CreatePolicy { table, policy } => format!("+ policy {table}.{}", policy.name),
            DropPolicy {
                table,
                policy,
                recreated,
            } => match recreated {
                false => format!("- policy {table}.{}", policy.name),
                true => format!(
                    "~ policy {table}.{}: dropped, created again below",
                    policy.name
                ),
            },
            AlterPolicy { table, to, .. } => format!("~ policy {table}.{}", to.name),
            RenamePolicy { table, from, to } => {
                format!("~ policy {table}.{from}: rename to {to}")
            }
            DropTable { table } => format!("- table {table}"),
            RenameTable { from, to } => format!("~ table {from}: rename to {to}"),
            RenameIdentitySequence {
                table,
                column,
                name,
                ..
            } => {
                format!("~ identity sequence of {table}.{column}: rename to {name} before the move")
            }
            _ => self
                .column_summary()
                .or_else(|| self.constraint_summary())
                .unwrap_or_default(),
        }
    }

    fn column_summary(&self) -> Option<String> {
        use Change::*;
        Some(match self {
            AddColumn { table, column } => {
                let null = if column.nullable { "" } else { " not null" };
                let default = column
                    .default
                    .as_ref()
                    .map(|d| format!(" default {d}"))
                    .unwrap_or_default();
                format!(
                    "+ column {table}.{}: {}{null}{default}",
                    column.name,
                    type_label(&column.ty)
                )
            }
            DropColumn { table, column } => format!("- column {table}.{column}"),
            RenameColumn { table, from, to } => format!("~ column {table}.{from}: rename to {to}"),
            AlterColumnType {
                table,
                column,
                from,
                to,
            } => format!(
                "~ column {table}.{column}: type {} -> {}",
                type_label(from),
                type_label(to)
            ),
            FillNulls {
                table,
                column,
                value,
            } => format!("~ column {table}.{column}: NULLs set to {value}"),
            SetNotNull { table, column } => format!("~ column {table}.{column}: set not null"),
            DropNotNull { table, column } => format!("~ column {table}.{column}: drop not null"),
            SetDefault {
                table,
                column,
                default,
            } => {
                format!("~ column {table}.{column}: set default {default}")
            }
            DropDefault { table, column } => format!("~ column {table}.{column}: drop default"),
            AddIdentity { table, column } => format!("~ column {table}.{column}: add identity"),
            DropIdentity { table, column } => format!("~ column {table}.{column}: drop identity"),
            AlterIdentity { table, column, .. } => {
                format!("~ column {table}.{column}: identity options")
            }
            AlterGenerated { table, column, .. } => match &column.generated {
                Some(g) => format!(
                    "~ column {table}.{}: generated always as ({}) {}",
                    column.name,
                    g.expr,
                    g.kind().to_lowercase()
                ),
                None => format!(
                    "~ column {table}.{}: drop generated expression",
                    column.name
                ),
            },
            _ => return None,
        })
    }

    fn constraint_summary(&self) -> Option<String> {
        use Change::*;
        Some(match self {
            AddPrimaryKey { table, key } => {
                format!(
                    "+ primary key {table}.{} ({})",
                    key.name,
                    list(&key.columns)
                )
            }
            DropPrimaryKey { table, name } => format!("- primary key {table}.{name}"),
            AddUnique { table, unique } => {
                format!(
                    "+ unique {table}.{} ({})",
                    unique.name,
                    list(&unique.columns)
                )
            }
            DropUnique { table, name } => format!("- unique {table}.{name}"),
            CreateIndex { table, index } => {
                format!("+ index {table}.{} ({})", index.name, index.keys_text())
            }
            DropIndex { table, name, .. } => format!("- index {table}.{name}"),
            AddForeignKey { table, key } => format!(
                "+ foreign key {table}.{} ({}) -> {} ({})",
                key.name,
                list(&key.columns),
                QualifiedName::new(&key.ref_schema, &key.ref_table),
                list(&key.ref_columns)
            ),
            DropForeignKey { table, name } => format!("- foreign key {table}.{name}"),
            AddCheck { table, check } => format!("+ check {table}.{} ({})", check.name, check.expr),
            DropCheck { table, name } => format!("- check {table}.{name}"),
            RenameConstraint { table, from, to } => {
                format!("~ constraint {table}.{from}: rename to {to}")
            }
            RenameIndex { table, from, to } => format!("~ index {table}.{from}: rename to {to}"),
            _ => return None,
        })
    }

    /// The table this change is about, if any (the new name for renames).
    pub fn table(&self) -> Option<QualifiedName> {
        use Change::*;
        match self {
            CreateTable { table } => Some(QualifiedName::new(&table.schema, &table.name)),
            RenameTable { to, .. } => Some(to.clone()),
            DropTable { table }
            | AddColumn { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | AlterColumnType { table, .. }
            | FillNulls { table, .. }
            | SetNotNull { table, .. }
            | DropNotNull { table, .. }
            | SetDefault { table, .. }
            | DropDefault { table, .. }
            | AddIdentity { table, .. }
            | DropIdentity { table, .. }
            | AlterIdentity { table, .. }
            | AlterGenerated { table, .. }
            | AddPrimaryKey { table, .. }
            | DropPrimaryKey { table, .. }
            | AddUnique { table, .. }
            | DropUnique { table, .. }
            | CreateIndex { table, .. }
            | DropIndex { table, .. }
            | AddForeignKey { table, .. }
            | DropForeignKey { table, .. }
            | AddCheck { table, .. }
            | DropCheck { table, .. }
            | RenameConstraint { table, .. }
            | RenameIndex { table, .. }
            | EnableRls { table }
            | DisableRls { table }
            | CreatePolicy { table, .. }
            | DropPolicy { table, .. }
            | AlterPolicy { table, .. }
            | RenamePolicy { table, .. } => Some(table.clone()),
            _ => None,
        }
    }
}
