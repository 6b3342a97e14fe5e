//! SQLite: one schema, type affinities, enums as checks, foreign keys inline in `CREATE
//! TABLE`, and table rebuilds for what `ALTER TABLE` cannot do (see [`script`]).

mod adapt;
mod script;

pub use adapt::{adapt, affinity, declared_type, enum_check, is_literal_default};

use super::standard::{self, check_name};
use super::{Dialect, RenderError, Script};
use crate::def::TableDef;
use crate::diff::{Change, QualifiedName};
use crate::model::{Column, Schema, Table};
use crate::resolve::ResolveError;

/// SQLite (3.35 or later; sqlx bundles a recent one).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn adapt(&self, schema: Schema, tables: &[TableDef]) -> Result<Schema, Vec<ResolveError>> {
        adapt::adapt(schema, tables)
    }

    fn script(
        &self,
        changes: &[Change],
        old: &Schema,
        new: &Schema,
    ) -> Result<Script, RenderError> {
        script::script(self, changes, old, new)
    }

    fn supports_alter_column_type(&self) -> bool {
        false
    }

    fn supports_alter_constraints(&self) -> bool {
        false
    }

    fn supports_identity(&self) -> bool {
        false
    }

    /// SQLite has no limit; this keeps names readable and equal to the other dialects'.
    fn max_identifier_length(&self) -> usize {
        1024
    }

    /// A database holds one schema: `"accounts"`.
    fn qualified(&self, name: &QualifiedName) -> String {
        self.quote(&name.name)
    }

    /// `"state" text DEFAULT 'open' NOT NULL`; a default that is an expression goes in
    /// parentheses, as SQLite requires.
    fn column_definition(
        &self,
        _table: &QualifiedName,
        column: &Column,
    ) -> Result<String, RenderError> {
        check_name(self, &column.name)?;
        let mut sql = format!(
            "{} {}",
            self.quote(&column.name),
            self.column_type(&column.ty)
        );
        if let Some(default) = &column.default {
            if is_literal_default(default) {
                sql.push_str(&format!(" DEFAULT {default}"));
            } else {
                sql.push_str(&format!(" DEFAULT ({default})"));
            }
        }
        if let Some(generated) = &column.generated {
            sql.push_str(&super::column_kinds::generated_clause(generated));
        }
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
        Ok(sql)
    }

    /// The standard `CREATE TABLE` with the foreign keys inline, since SQLite cannot add them
    /// later.
    fn create_table(&self, table: &Table) -> Result<Vec<String>, RenderError> {
        let mut sql = standard::create_table(self, table)?;
        if table.foreign_keys.is_empty() {
            return Ok(sql);
        }
        let mut keys = Vec::new();
        for fk in &table.foreign_keys {
            keys.push(standard::foreign_key(self, fk)?);
        }
        if let Some(last) = sql.last_mut() {
            if let Some(body) = last.strip_suffix("\n);") {
                *last = format!("{body},\n\t{}\n);", keys.join(",\n\t"));
            }
        }
        Ok(sql)
    }

    /// SQLite has no `ALTER INDEX`: the index is dropped and built again by [`script`].
    fn rename_index(
        &self,
        table: &QualifiedName,
        from: &str,
        to: &str,
    ) -> Result<Vec<String>, RenderError> {
        Err(RenderError::Unsupported {
            dialect: self.name(),
            what: format!("rename index {from} of table {table} to {to} in place"),
            hint: "drop and create the index".to_string(),
        })
    }
}
