//! PostgreSQL: schemas, enum types, `::` casts, moves across schemas, concurrent index drops
//! and identity sequences that continue after the existing rows.

use super::batch::AlterBatch;
use super::column_kinds;
use super::standard::{self, check_name};
use super::{Dialect, RenderError};
use crate::def::TableDef;
use crate::diff::{EnumColumn, EnumValuePosition, QualifiedName};
use crate::model::{ColumnType, Nulls, Schema};
use crate::resolve::ResolveError;

/// PostgreSQL (tested against 15).
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

/// The type an enum-typed value passes through on its way to another type: `text` for the
/// enum, `text[]` for an array of it; `None` when `ty` holds no enum.
fn via_text(ty: &ColumnType) -> Option<ColumnType> {
    match ty {
        ColumnType::Builtin(_) => None,
        ColumnType::Enum { .. } => Some(ColumnType::Builtin("text".to_string())),
        ColumnType::Array(inner) => via_text(inner).map(|t| ColumnType::Array(Box::new(t))),
    }
}

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    /// The model as resolved: a `virtual` generated column is an error (PostgreSQL has them
    /// only from version 18); an index key's `NULLS FIRST` / `NULLS LAST` is kept only where it
    /// is not its direction's default (`NULLS LAST` ascending, `NULLS FIRST` descending), as the
    /// catalog holds it, and a key left with nothing but its column is a plain column again.
    fn adapt(&self, mut schema: Schema, tables: &[TableDef]) -> Result<Schema, Vec<ResolveError>> {
        let errors = column_kinds::refused_columns(&schema, tables, |table, column| {
            column.generated.as_ref().filter(|g| g.is_virtual).map(|_| format!(
                "column `{}.{}` is a `virtual` generated column, which PostgreSQL has only from version 18 (this tool targets PostgreSQL 15); drop `virtual` to store it: #[column(generated = \"...\")]",
                table.name, column.name
            ))
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        for index in schema
            .tables
            .values_mut()
            .flat_map(|t| t.indexes.iter_mut())
        {
            let mut keys = index.keys();
            for key in &mut keys {
                let default = if key.desc { Nulls::First } else { Nulls::Last };
                if key.nulls == Some(default) {
                    key.nulls = None;
                }
            }
            index.set_keys(keys);
        }
        Ok(schema)
    }

    fn supports_schemas(&self) -> bool {
        true
    }

    fn supports_enum_types(&self) -> bool {
        true
    }

    fn supports_nulls_not_distinct(&self) -> bool {
        true
    }

    fn supports_concurrent_indexes(&self) -> bool {
        true
    }

    /// Subcommands separated by commas; PostgreSQL runs them in passes (drops, then type
    /// changes, then additions), in one rewrite of the table at most.
    ///
    /// ```sql
    /// ALTER TABLE "public"."order_items"
    ///     ALTER COLUMN "price" SET DATA TYPE numeric(12,2) USING "price"::numeric(12,2),
    ///     ALTER COLUMN "quantity" SET DATA TYPE bigint USING "quantity"::bigint;
    /// ```
    fn combines_alter_actions(&self) -> bool {
        true
    }

    fn max_identifier_length(&self) -> usize {
        63
    }

    /// `"c"::bigint`; from an enum through text, `"c"::text::"public"."state"`, since
    /// PostgreSQL has no direct cast from an enum to another type.
    fn cast(&self, column: &str, from: &ColumnType, to: &ColumnType) -> String {
        let column = self.quote(column);
        match via_text(from) {
            Some(text) if text != *to => format!(
                "{column}::{}::{}",
                self.column_type(&text),
                self.column_type(to)
            ),
            _ => format!("{column}::{}", self.column_type(to)),
        }
    }

    /// A `DO` block: the sequence is found with `pg_get_serial_sequence` (PostgreSQL names it),
    /// and `name` is numbered until no relation of either schema has it, as PostgreSQL
    /// numbers the names it chooses.
    fn rename_identity_sequence(
        &self,
        table: &QualifiedName,
        column: &str,
        to_schema: &str,
        name: &str,
    ) -> Result<Vec<String>, RenderError> {
        check_name(self, name)?;
        let table_sql = self.literal(&self.qualified(table));
        let (column, name) = (self.literal(column), self.literal(name));
        let (here, there) = (self.literal(&table.schema), self.literal(to_schema));
        Ok(vec![format!(
            "DO $$\nDECLARE\n\tseq regclass := pg_get_serial_sequence({table_sql}, {column})::regclass;\n\
             \tfree text := {name};\n\tn int := 0;\nBEGIN\n\
             \tWHILE NOT (coalesce(to_regclass(format('%I.%I', {here}, free)) = seq, true)\n\
             \t\tAND to_regclass(format('%I.%I', {there}, free)) IS NULL) LOOP\n\
             \t\tn := n + 1;\n\t\tfree := {name} || n;\n\tEND LOOP;\n\
             \tIF to_regclass(format('%I.%I', {here}, free)) IS DISTINCT FROM seq THEN\n\
             \t\tEXECUTE format('ALTER SEQUENCE %s RENAME TO %I', seq, free);\n\tEND IF;\nEND\n$$;"
        )])
    }

    fn supports_sequences(&self) -> bool {
        true
    }

    fn supports_materialized_views(&self) -> bool {
        true
    }

    /// `ALTER VIEW .. RENAME TO ..` (`ALTER MATERIALIZED VIEW`), `SET SCHEMA` for a move.
    fn rename_view(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
        view: &crate::model::View,
    ) -> Result<Vec<String>, RenderError> {
        let kind = match view.materialized {
            true => "MATERIALIZED VIEW",
            false => "VIEW",
        };
        move_and_rename(self, kind, from, to)
    }

    /// `CREATE OR REPLACE VIEW` when the columns stay in order (new ones at the end), a drop and
    /// a create otherwise.
    fn replace_view(
        &self,
        from: &crate::model::View,
        to: &crate::model::View,
    ) -> Result<Vec<String>, RenderError> {
        match super::views::keeps_columns(from, to) {
            true => super::views::create(self, to, true),
            false => super::views::drop_and_create(self, from, to),
        }
    }

    fn supports_row_level_security(&self) -> bool {
        true
    }

    /// `ALTER SEQUENCE .. SET SCHEMA ..` for a move, `RENAME TO` for a new name.
    fn rename_sequence(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
    ) -> Result<Vec<String>, RenderError> {
        move_and_rename(self, "SEQUENCE", from, to)
    }

    /// `ALTER TABLE .. SET SCHEMA ..` for a move, `RENAME TO` for a new name.
    fn rename_table(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
    ) -> Result<Vec<String>, RenderError> {
        move_and_rename(self, "TABLE", from, to)
    }

    /// A concurrent drop is `DROP INDEX CONCURRENTLY IF EXISTS`: it runs outside a transaction,
    /// after a migration that may already have dropped the index with its column.
    fn drop_index(
        &self,
        table: &QualifiedName,
        name: &str,
        concurrently: bool,
    ) -> Result<Vec<String>, RenderError> {
        let index = QualifiedName::new(&table.schema, name);
        let concurrently = if concurrently {
            "CONCURRENTLY IF EXISTS "
        } else {
            ""
        };
        Ok(vec![format!(
            "DROP INDEX {concurrently}{};",
            self.qualified(&index)
        )])
    }

    /// The identity, then its sequence moved past the rows already there.
    fn add_identity(
        &self,
        table: &QualifiedName,
        column: &str,
    ) -> Result<Vec<String>, RenderError> {
        let mut out = standard::add_identity(self, table, column)?;
        let table_sql = self.qualified(table);
        out.push(format!(
            "SELECT setval(pg_get_serial_sequence({}, {}), coalesce(max({}), 0) + 1, false) FROM {table_sql};",
            self.literal(&table_sql),
            self.literal(column),
            self.quote(column),
        ));
        Ok(out)
    }

    fn create_enum(
        &self,
        name: &QualifiedName,
        values: &[String],
    ) -> Result<Vec<String>, RenderError> {
        check_name(self, &name.name)?;
        let values: Vec<String> = values.iter().map(|v| self.literal(v)).collect();
        Ok(vec![format!(
            "CREATE TYPE {} AS ENUM ({});",
            self.qualified(name),
            values.join(", ")
        )])
    }

    fn drop_enum(&self, name: &QualifiedName) -> Result<Vec<String>, RenderError> {
        Ok(vec![format!("DROP TYPE {};", self.qualified(name))])
    }

    fn rename_enum(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
    ) -> Result<Vec<String>, RenderError> {
        move_and_rename(self, "TYPE", from, to)
    }

    fn add_enum_value(
        &self,
        name: &QualifiedName,
        value: &str,
        position: &EnumValuePosition,
    ) -> Result<Vec<String>, RenderError> {
        let at = match position {
            EnumValuePosition::Before(v) => format!(" BEFORE {}", self.literal(v)),
            EnumValuePosition::After(v) => format!(" AFTER {}", self.literal(v)),
            EnumValuePosition::End => String::new(),
        };
        Ok(vec![format!(
            "ALTER TYPE {} ADD VALUE {}{at};",
            self.qualified(name),
            self.literal(value)
        )])
    }

    /// Renames the old type out of the way, creates the new one and converts every column
    /// through text (a row whose value no longer exists makes the conversion fail, so nothing
    /// is lost silently), the columns of one table in one `ALTER TABLE`. The old type is
    /// dropped by a later change.
    fn rebuild_enum(
        &self,
        name: &QualifiedName,
        temp_name: &str,
        values: &[String],
        columns: &[EnumColumn],
    ) -> Result<Vec<String>, RenderError> {
        let mut out = vec![format!(
            "ALTER TYPE {} RENAME TO {};",
            self.qualified(name),
            self.quote(temp_name)
        )];
        out.extend(self.create_enum(name, values)?);
        let mut batch = AlterBatch::new(self.combines_alter_actions());
        for c in columns {
            let table = self.qualified(&c.table);
            let column = self.quote(&c.column);
            let mut action = |action: String| {
                batch.action(
                    table.clone(),
                    None,
                    format!("ALTER COLUMN {column} {action}"),
                );
            };
            action("DROP DEFAULT".to_string());
            action(format!(
                "SET DATA TYPE {} USING {}",
                self.column_type(&c.ty),
                self.cast(&c.column, &c.ty, &c.ty)
            ));
            if let Some(default) = &c.default {
                action(format!("SET DEFAULT {default}"));
            }
        }
        out.extend(batch.finish());
        Ok(out)
    }
}

/// Moves and/or renames a table, type or sequence (`kind` is `TABLE`, `TYPE` or `SEQUENCE`). When both the schema
/// and the name change, the object goes through a temporary name, so neither an object with the
/// old name in the new schema nor one with the new name in the old schema is in the way.
fn move_and_rename(
    d: &Postgres,
    kind: &str,
    from: &QualifiedName,
    to: &QualifiedName,
) -> Result<Vec<String>, RenderError> {
    if from.name != to.name {
        check_name(d, &to.name)?;
    }
    let rename = |at: &QualifiedName, name: &str| {
        format!(
            "ALTER {kind} {} RENAME TO {};",
            d.qualified(at),
            d.quote(name)
        )
    };
    let set_schema = |at: &QualifiedName| {
        format!(
            "ALTER {kind} {} SET SCHEMA {};",
            d.qualified(at),
            d.quote(&to.schema)
        )
    };
    Ok(match (from.schema != to.schema, from.name != to.name) {
        (true, true) => {
            let temp = crate::naming::fit(format!("{}__move", from.name));
            vec![
                rename(from, &temp),
                set_schema(&QualifiedName::new(&from.schema, &temp)),
                rename(&QualifiedName::new(&to.schema, &temp), &to.name),
            ]
        }
        (true, false) => vec![set_schema(from)],
        (false, true) => vec![rename(from, &to.name)],
        (false, false) => Vec::new(),
    })
}
