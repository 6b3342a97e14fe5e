//! drizzle-kit's SQLite snapshot (version 6) in the form SQLite introspection reads: type
//! affinities as declared, an integer primary key as the rowid alias (no identity), defaults
//! without their wrapping parentheses, and the names drizzle-kit's SQL leaves to the database
//! (primary and foreign keys are written without `CONSTRAINT`) derived as introspection
//! derives them. Unique constraints are unique indexes, as drizzle-kit writes them there.
//! Checks and predicates keep drizzle-kit's text: SQLite stores them as written.

use super::expressions::unwrapped;
use super::flat::{self, Snapshot};
use super::{action, default_text, expect_version, from_text, new_column, new_index, new_table};
use super::{left, DrizzleError};
use crate::config::Dialect;
use crate::pull::LeftOut;
use schema_core::model::{Check, ForeignKey, Generated, PrimaryKey, Schema, Table, DEFAULT_SCHEMA};
use schema_core::naming;
use schema_core::render::sqlite::declared_type;
use std::path::Path;

/// The schema of the snapshot at `path` (its text `text`), and what was left out.
pub fn schema(path: &Path, text: &str) -> Result<(Schema, Vec<LeftOut>), DrizzleError> {
    let snapshot: Snapshot = from_text(path, text, "SQLite snapshot")?;
    expect_version(path, "sqlite", &snapshot.version, "6")?;
    let mut schema = Schema::default();
    let mut left_out = Vec::new();
    for t in snapshot.tables.values() {
        let table = table(path, t, &mut left_out)?;
        schema.tables.insert(table.key(), table);
    }
    flat::add_views(&snapshot.views, declared_type, &mut schema, &mut left_out);
    Ok((schema, left_out))
}

fn table(path: &Path, t: &flat::Table, left_out: &mut Vec<LeftOut>) -> Result<Table, DrizzleError> {
    let mut table = new_table(DEFAULT_SCHEMA, &t.name);
    for c in t.columns.values() {
        if c.autoincrement {
            left_out.push(left(
                format!("AUTOINCREMENT of column `{}.{}`", t.name, c.name),
                "read as a plain INTEGER PRIMARY KEY (the rowid alias), which numbers rows one past the largest id instead of never reusing one",
                Some(Schema::key(DEFAULT_SCHEMA, &t.name)),
            ));
        }
        let mut column = new_column(&c.name, declared_type(&c.ty), !c.not_null && !c.primary_key);
        column.default = c
            .default
            .as_ref()
            .and_then(default_text)
            .map(|d| unwrapped(&d, Dialect::Sqlite));
        column.generated = c.generated.as_ref().map(|g| Generated {
            expr: unwrapped(&g.expr, Dialect::Sqlite),
            is_virtual: g.kind == "virtual",
        });
        table.columns.push(column);
    }
    let single: Vec<String> = t
        .columns
        .values()
        .filter(|c| c.primary_key)
        .map(|c| c.name.clone())
        .collect();
    let composite = t.composite_primary_keys.values().next();
    let pk_columns = match composite {
        Some(pk) => pk.columns.clone(),
        None => single,
    };
    if !pk_columns.is_empty() {
        table.primary_key = Some(PrimaryKey {
            name: naming::primary_key(&t.name),
            columns: pk_columns,
        });
    }
    for u in t.unique_constraints.values() {
        table.indexes.push(new_index(&u.name, &u.columns, true));
    }
    for i in t.indexes.values() {
        let mut index = new_index(&i.name, &i.columns, i.is_unique);
        index.predicate = i.predicate.clone();
        table.indexes.push(index);
    }
    for fk in t.foreign_keys.values() {
        table.foreign_keys.push(ForeignKey {
            name: naming::foreign_key(&t.name, &fk.columns_from),
            columns: fk.columns_from.clone(),
            ref_schema: DEFAULT_SCHEMA.to_string(),
            ref_table: fk.table_to.clone(),
            ref_columns: fk.columns_to.clone(),
            on_delete: action(path, fk.on_delete.as_deref())?,
            on_update: action(path, fk.on_update.as_deref())?,
        });
    }
    for c in t.check_constraints.values() {
        table.checks.push(Check {
            name: c.name.clone(),
            expr: c.value.clone(),
        });
    }
    Ok(table)
}
