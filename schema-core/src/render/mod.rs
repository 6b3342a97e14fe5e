//! SQL rendering: the [`Dialect`] trait and the functions that turn [`Change`]s into
//! statements and statements into a migration file.
//!
//! The trait's default methods render standard SQL (see [`standard`]); a dialect overrides what
//! it does differently and answers capability questions, the way sea-query's backends do.
//! Nothing outside this module matches on a dialect.

mod batch;
pub mod column_kinds;
pub mod mysql;
mod policies;
mod postgres;
mod sequences;
pub mod sqlite;
pub mod standard;
mod views;

pub use mysql::Mysql;
pub use postgres::Postgres;
pub use sqlite::Sqlite;

use crate::def::{SequenceDef, TableDef, ViewDef};
use crate::diff::{Change, EnumColumn, EnumValuePosition, QualifiedName};
use crate::model::{
    Column, ColumnType, Generated, Index, Schema, Sequence, SequenceOptions, Table, View,
};
use crate::resolve::ResolveError;

/// The dialect of a config's `dialect = "..."` name (`postgres`, `sqlite` or `mysql`, the
/// spelling the config, the journal and snapshots use), when it has a renderer.
pub fn dialect(name: &str) -> Option<&'static dyn Dialect> {
    match name {
        "postgres" => Some(&Postgres),
        "sqlite" => Some(&Sqlite),
        "mysql" => Some(&Mysql),
        _ => None,
    }
}

/// The SQL of one migration file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// Statements, each ending with `;`, in order.
    pub statements: Vec<String>,
    /// The file must start with `-- no-transaction`: it runs outside the runner's transaction
    /// (and opens its own where it needs one).
    pub no_transaction: bool,
}

/// A change the dialect cannot express.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The dialect lacks a feature the change needs.
    #[error("{dialect} cannot {what}; {hint}")]
    Unsupported {
        dialect: &'static str,
        /// What was asked, naming the table, column or type.
        what: String,
        /// What to do instead.
        hint: String,
    },
    /// A name longer than the dialect allows (the database would silently cut it).
    #[error(
        "{dialect} names are at most {max} bytes, but `{name}` has {len}; give it a shorter name"
    )]
    NameTooLong {
        dialect: &'static str,
        name: String,
        len: usize,
        max: usize,
    },
}

/// One SQL dialect. Default methods render standard SQL; capability methods say what the
/// dialect can do, each with the SQL it stands for.
pub trait Dialect {
    /// The dialect's name in messages (`postgres`).
    fn name(&self) -> &'static str;

    /// The resolved source schema as this dialect stores it (types, enums, keys); what it
    /// cannot hold is an error naming the struct and field. `tables` are the definitions the
    /// schema was resolved from.
    fn adapt(&self, schema: Schema, tables: &[TableDef]) -> Result<Schema, Vec<ResolveError>> {
        let _ = tables;
        Ok(schema)
    }

    /// The schema with the source's `#[derive(Sequence)]` definitions; a dialect without
    /// sequences ([`supports_sequences`](Dialect::supports_sequences)) refuses each, naming
    /// its struct and attribute.
    fn adapt_sequences(
        &self,
        schema: Schema,
        sequences: &[SequenceDef],
    ) -> Result<Schema, Vec<ResolveError>> {
        sequences::adapt(self, schema, sequences)
    }

    /// The schema with the source's `#[derive(View)]` definitions; a dialect without
    /// materialized views ([`supports_materialized_views`](Dialect::supports_materialized_views))
    /// refuses each `#[view(materialized)]`, naming its struct and attribute; one without schemas
    /// ([`supports_schemas`](Dialect::supports_schemas)) each `#[view(schema = "..")]`.
    fn adapt_views(&self, schema: Schema, views: &[ViewDef]) -> Result<Schema, Vec<ResolveError>> {
        views::adapt(self, schema, views)
    }

    /// One migration file's statements for `changes`, which take `old` to `new`.
    fn script(
        &self,
        changes: &[Change],
        old: &Schema,
        new: &Schema,
    ) -> Result<Script, RenderError> {
        let _ = (old, new);
        Ok(Script {
            statements: batch::statements(self, changes)?,
            no_transaction: false,
        })
    }

    /// Namespaces other than the default one.
    ///
    /// ```sql
    /// CREATE SCHEMA "audit";
    /// ```
    fn supports_schemas(&self) -> bool {
        false
    }

    /// Named enum types.
    ///
    /// ```sql
    /// CREATE TYPE "public"."issue_state" AS ENUM ('open', 'closed');
    /// ```
    fn supports_enum_types(&self) -> bool {
        false
    }

    /// Sequences as objects of their own.
    ///
    /// ```sql
    /// CREATE SEQUENCE "public"."order_numbers" START WITH 1000;
    /// ```
    fn supports_sequences(&self) -> bool {
        false
    }

    /// Materialized views.
    ///
    /// ```sql
    /// CREATE MATERIALIZED VIEW "public"."totals" ("n") AS SELECT count(*) FROM orders;
    /// ```
    fn supports_materialized_views(&self) -> bool {
        false
    }

    /// Row-level security and its policies (PostgreSQL).
    ///
    /// ```sql
    /// ALTER TABLE "public"."notes" ENABLE ROW LEVEL SECURITY;
    /// CREATE POLICY "own_rows" ON "public"."notes" AS PERMISSIVE FOR SELECT TO "app_user" USING (owner = current_user);
    /// ```
    fn supports_row_level_security(&self) -> bool {
        false
    }

    /// Changing a column's type in place.
    ///
    /// ```sql
    /// ALTER TABLE "public"."accounts" ALTER COLUMN "age" SET DATA TYPE bigint USING "age"::bigint;
    /// ```
    fn supports_alter_column_type(&self) -> bool {
        true
    }

    /// Adding and dropping constraints of an existing table.
    ///
    /// ```sql
    /// ALTER TABLE "public"."accounts" ADD CONSTRAINT "accounts_email_key" UNIQUE ("email");
    /// ```
    fn supports_alter_constraints(&self) -> bool {
        true
    }

    /// Several actions on one table in one `ALTER TABLE`, separated by commas, so that the
    /// table is rewritten at most once; consecutive [`alter_action`](Dialect::alter_action)s
    /// on one table are combined. Renames stay statements of their own.
    ///
    /// ```sql
    /// ALTER TABLE "public"."order_items"
    ///     ALTER COLUMN "price" SET DATA TYPE numeric(12,2) USING "price"::numeric(12,2),
    ///     ALTER COLUMN "quantity" SET DATA TYPE bigint USING "quantity"::bigint;
    /// ```
    fn combines_alter_actions(&self) -> bool {
        false
    }

    /// The table and the action of a change that is one `ALTER TABLE` action which may share
    /// its statement with others: `ALTER COLUMN "age" SET NOT NULL` on `"public"."accounts"`.
    /// `None` for every other change, which [`statements`](Dialect::statements) renders.
    fn alter_action(
        &self,
        change: &Change,
    ) -> Option<Result<(QualifiedName, String), RenderError>> {
        standard::alter_action(self, change)
    }

    /// Index builds and drops that do not block writes.
    ///
    /// ```sql
    /// CREATE INDEX CONCURRENTLY IF NOT EXISTS "accounts_email_idx" ON "public"."accounts" ("email");
    /// ```
    fn supports_concurrent_indexes(&self) -> bool {
        false
    }

    /// Statements in a file are separated by `--> statement-breakpoint` lines (drizzle-kit's
    /// marker, which the journal's `breakpoints` records). Without it, a statement ends at its
    /// `;` and the next follows after a blank line, for servers that do not read `-->` as a
    /// comment (MySQL needs a space after `--`) when a runner sends the file whole.
    ///
    /// ```sql
    /// CREATE TABLE "a" ("id" integer);
    /// --> statement-breakpoint
    /// CREATE TABLE "b" ("id" integer);
    /// ```
    fn statement_breakpoints(&self) -> bool {
        true
    }

    /// Unique keys and unique indexes whose NULLs count as equal (PostgreSQL 15 and later).
    ///
    /// ```sql
    /// ALTER TABLE "public"."accounts" ADD CONSTRAINT "accounts_email_key" UNIQUE NULLS NOT DISTINCT ("email");
    /// ```
    fn supports_nulls_not_distinct(&self) -> bool {
        false
    }

    /// Identity columns.
    ///
    /// ```sql
    /// "id" integer GENERATED BY DEFAULT AS IDENTITY NOT NULL
    /// ```
    fn supports_identity(&self) -> bool {
        true
    }

    /// The longest identifier in bytes (PostgreSQL: 63).
    fn max_identifier_length(&self) -> usize {
        128
    }

    /// A quoted identifier: `"accounts"`, with `"` doubled.
    fn quote(&self, ident: &str) -> String {
        standard::quoted(ident, '"')
    }

    /// A table or type name: `"public"."accounts"`.
    fn qualified(&self, name: &QualifiedName) -> String {
        let mut sql = self.quote(&name.schema);
        sql.push('.');
        sql.push_str(&self.quote(&name.name));
        sql
    }

    /// A string literal: `'it''s'`.
    fn literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    /// A column type: `integer`, `"public"."issue_state"[]`.
    fn column_type(&self, ty: &ColumnType) -> String {
        match ty {
            ColumnType::Builtin(name) => name.clone(),
            ColumnType::Enum { schema, name } => self.qualified(&QualifiedName::new(schema, name)),
            ColumnType::Array(inner) => format!("{}[]", self.column_type(inner)),
        }
    }

    /// The expression converting `column` from one type to another: `CAST("c" AS bigint)`.
    fn cast(&self, column: &str, _from: &ColumnType, to: &ColumnType) -> String {
        format!("CAST({} AS {})", self.quote(column), self.column_type(to))
    }

    /// A column in `CREATE TABLE` or `ADD COLUMN`: `"email" text DEFAULT '' NOT NULL`.
    fn column_definition(
        &self,
        table: &QualifiedName,
        column: &Column,
    ) -> Result<String, RenderError> {
        standard::column_definition(self, table, column)
    }

    /// Every statement of one change.
    fn statements(&self, change: &Change) -> Result<Vec<String>, RenderError> {
        standard::statements(self, change)
    }

    /// `CREATE TABLE` with the columns and the inline keys and checks.
    fn create_table(&self, table: &Table) -> Result<Vec<String>, RenderError> {
        standard::create_table(self, table)
    }

    /// A table renamed, and moved when the schema differs.
    fn rename_table(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
    ) -> Result<Vec<String>, RenderError> {
        standard::rename_table(self, from, to)
    }

    /// Before a move: the sequence of `table.column`'s identity takes `name`, or `name` with a
    /// number, whichever is free in both the table's schema and `to_schema`.
    fn rename_identity_sequence(
        &self,
        table: &QualifiedName,
        column: &str,
        to_schema: &str,
        name: &str,
    ) -> Result<Vec<String>, RenderError> {
        let _ = (column, to_schema, name);
        Err(RenderError::Unsupported {
            dialect: self.name(),
            what: format!("move table {table} to another schema"),
            hint: "keep the table in its schema".to_string(),
        })
    }

    /// `CREATE INDEX`.
    fn create_index(
        &self,
        table: &QualifiedName,
        index: &Index,
    ) -> Result<Vec<String>, RenderError> {
        standard::create_index(self, table, index)
    }

    /// `DROP INDEX "public"."accounts_created_at_idx";` (an index lives in its table's schema).
    fn drop_index(
        &self,
        table: &QualifiedName,
        name: &str,
        concurrently: bool,
    ) -> Result<Vec<String>, RenderError> {
        let _ = concurrently;
        let index = QualifiedName::new(&table.schema, name);
        Ok(vec![format!("DROP INDEX {};", self.qualified(&index))])
    }

    /// `ALTER INDEX "public"."accounts_pkey" RENAME TO "users_pkey";`
    fn rename_index(
        &self,
        table: &QualifiedName,
        from: &str,
        to: &str,
    ) -> Result<Vec<String>, RenderError> {
        let index = QualifiedName::new(&table.schema, from);
        Ok(vec![format!(
            "ALTER INDEX {} RENAME TO {};",
            self.qualified(&index),
            self.quote(to)
        )])
    }

    /// A column gains an identity.
    fn add_identity(
        &self,
        table: &QualifiedName,
        column: &str,
    ) -> Result<Vec<String>, RenderError> {
        standard::add_identity(self, table, column)
    }

    /// A new sequence with its declared options.
    fn create_sequence(&self, sequence: &Sequence) -> Result<Vec<String>, RenderError> {
        match self.supports_sequences() {
            true => sequences::create(self, sequence),
            false => Err(sequences::unsupported(
                self,
                &QualifiedName::new(&sequence.schema, &sequence.name),
            )),
        }
    }

    /// `DROP SEQUENCE "public"."order_numbers";`
    fn drop_sequence(&self, name: &QualifiedName) -> Result<Vec<String>, RenderError> {
        match self.supports_sequences() {
            true => Ok(vec![format!("DROP SEQUENCE {};", self.qualified(name))]),
            false => Err(sequences::unsupported(self, name)),
        }
    }

    /// A sequence renamed (and moved when the schema differs).
    fn rename_sequence(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
    ) -> Result<Vec<String>, RenderError> {
        let _ = to;
        Err(sequences::unsupported(self, from))
    }

    /// A sequence's options changed in place.
    fn alter_sequence(
        &self,
        name: &QualifiedName,
        from: &SequenceOptions,
        to: &SequenceOptions,
    ) -> Result<Vec<String>, RenderError> {
        match self.supports_sequences() {
            true => Ok(sequences::alter(self, name, from, to)),
            false => Err(sequences::unsupported(self, name)),
        }
    }

    /// A generated column's expression or kind changes, or a column becomes or stops being
    /// generated (`from` is the old generation, `column` the whole new definition). By default
    /// the column is dropped and added again, its values computed anew; one that stops being
    /// generated keeps its values.
    ///
    /// ```sql
    /// ALTER TABLE "public"."orders"
    ///     DROP COLUMN "total",
    ///     ADD COLUMN "total" integer GENERATED ALWAYS AS (price * quantity) STORED;
    /// ALTER TABLE "public"."orders" ALTER COLUMN "total" DROP EXPRESSION;
    /// ```
    fn alter_generated(
        &self,
        table: &QualifiedName,
        column: &Column,
        from: Option<&Generated>,
    ) -> Result<Vec<String>, RenderError> {
        let _ = from;
        column_kinds::alter_generated_by_replacing(self, table, column)
    }

    /// A new view, `CREATE VIEW .. (columns) AS query;`.
    fn create_view(&self, view: &View) -> Result<Vec<String>, RenderError> {
        views::create(self, view, false)
    }

    /// `DROP VIEW "public"."open_issues";`
    fn drop_view(
        &self,
        name: &QualifiedName,
        materialized: bool,
    ) -> Result<Vec<String>, RenderError> {
        Ok(views::drop(self, name, materialized))
    }

    /// A view renamed; by default (SQLite, which has no view rename) dropped and created under
    /// its new name.
    fn rename_view(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
        view: &View,
    ) -> Result<Vec<String>, RenderError> {
        let _ = to;
        let mut out = views::drop(self, from, view.materialized);
        out.extend(views::create(self, view, false)?);
        Ok(out)
    }

    /// A plain view whose query or columns change; by default dropped and created again.
    fn replace_view(&self, from: &View, to: &View) -> Result<Vec<String>, RenderError> {
        views::drop_and_create(self, from, to)
    }

    /// A new enum type.
    fn create_enum(
        &self,
        name: &QualifiedName,
        values: &[String],
    ) -> Result<Vec<String>, RenderError> {
        let _ = values;
        Err(no_enums(self, name))
    }

    /// An enum type dropped.
    fn drop_enum(&self, name: &QualifiedName) -> Result<Vec<String>, RenderError> {
        Err(no_enums(self, name))
    }

    /// An enum type renamed (and moved when the schema differs).
    fn rename_enum(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
    ) -> Result<Vec<String>, RenderError> {
        let _ = to;
        Err(no_enums(self, from))
    }

    /// A value added to an enum type in its declared place.
    fn add_enum_value(
        &self,
        name: &QualifiedName,
        value: &str,
        position: &EnumValuePosition,
    ) -> Result<Vec<String>, RenderError> {
        let _ = (value, position);
        Err(no_enums(self, name))
    }

    /// An enum type rebuilt with other values; the old type is left under `temp_name`.
    fn rebuild_enum(
        &self,
        name: &QualifiedName,
        temp_name: &str,
        values: &[String],
        columns: &[EnumColumn],
    ) -> Result<Vec<String>, RenderError> {
        let _ = (temp_name, values, columns);
        Err(no_enums(self, name))
    }
}

/// The errors of `table`'s `nulls_not_distinct` keys and indexes where `dialect` has none,
/// naming the struct (from `def`, the table when unknown) and the attribute.
pub(crate) fn refuse_nulls_not_distinct<D: Dialect + ?Sized>(
    dialect: &D,
    table: &Table,
    def: Option<&TableDef>,
) -> Vec<ResolveError> {
    if dialect.supports_nulls_not_distinct() {
        return Vec::new();
    }
    let uniques = table
        .uniques
        .iter()
        .filter(|u| u.nulls_not_distinct)
        .map(|u| ("unique constraint", &u.name, "#[unique(..)]"));
    let indexes = table
        .indexes
        .iter()
        .filter(|i| i.nulls_not_distinct)
        .map(|i| ("unique index", &i.name, "#[index(..)]"));
    uniques
        .chain(indexes)
        .map(|(what, name, attr)| ResolveError {
            rust_name: def.map_or_else(|| table.name.clone(), |d| d.rust_name.clone()),
            field: None,
            message: format!(
                "{what} `{name}` of table `{}` has `nulls_not_distinct`, which {} does not have (UNIQUE NULLS NOT DISTINCT is PostgreSQL 15 and later); drop `nulls_not_distinct` from its {attr}",
                table.name,
                dialect.name()
            ),
        })
        .collect()
}

fn no_enums<D: Dialect + ?Sized>(dialect: &D, name: &QualifiedName) -> RenderError {
    RenderError::Unsupported {
        dialect: dialect.name(),
        what: format!("create or alter enum type {name}"),
        hint: "store the values as text with a check constraint".to_string(),
    }
}

/// Statements (each ending with `;`, no trailing newline) for the changes, in order;
/// consecutive actions on one table share an `ALTER TABLE` where the dialect
/// [combines](Dialect::combines_alter_actions) them.
pub fn render(dialect: &dyn Dialect, changes: &[Change]) -> Result<Vec<String>, RenderError> {
    batch::statements(dialect, changes)
}

/// A migration file's body in `dialect`: [`migration_sql`] where the dialect separates
/// statements with breakpoint lines, otherwise the statements separated by blank lines.
pub fn file_sql(dialect: &dyn Dialect, statements: &[String]) -> String {
    if dialect.statement_breakpoints() || statements.is_empty() {
        return migration_sql(statements);
    }
    let mut body = statements.join("\n\n");
    body.push('\n');
    body
}

/// The migration file body: statements joined by `--> statement-breakpoint` lines, ending with
/// a newline (empty for no statement).
pub fn migration_sql(statements: &[String]) -> String {
    if statements.is_empty() {
        return String::new();
    }
    let mut body = statements.join("\n--> statement-breakpoint\n");
    body.push('\n');
    body
}
