//! drizzle-kit's MySQL snapshot (version 5) in the form MySQL introspection reads: types as
//! `normalize_type` spells them (`int`, `varchar(255)`, `tinyint(1)` for a boolean), the
//! primary key named `PRIMARY`, `AUTO_INCREMENT` as an identity, defaults without their
//! wrapping parentheses and booleans as `0`/`1`, unique constraints as unique indexes.

use super::expressions::{unqualified, unwrapped};
use super::flat::{self, Snapshot};
use super::{action, default_text, expect_version, from_text, new_column, new_index, new_table};
use super::{left, DrizzleError};
use crate::config::Dialect;
use crate::pull::LeftOut;
use schema_core::model::{
    Check, ColumnType, FkAction, ForeignKey, Generated, PrimaryKey, Schema, Table, DEFAULT_SCHEMA,
};
use schema_core::render::mysql::{
    canonical_default, index_foreign_keys, normalize_type, PRIMARY_KEY_NAME,
};
use std::path::Path;

/// The schema of the snapshot at `path` (its text `text`), and what was left out.
pub fn schema(path: &Path, text: &str) -> Result<(Schema, Vec<LeftOut>), DrizzleError> {
    let snapshot: Snapshot = from_text(path, text, "MySQL snapshot")?;
    expect_version(path, "mysql", &snapshot.version, "5")?;
    let mut schema = Schema::default();
    let mut left_out = Vec::new();
    for t in snapshot.tables.values() {
        let table = table(path, t, &mut left_out)?;
        schema.tables.insert(table.key(), table);
    }
    flat::add_views(
        &snapshot.views,
        |t| ColumnType::Builtin(normalize_type(t)),
        &mut schema,
        &mut left_out,
    );
    Ok((schema, left_out))
}

fn table(path: &Path, t: &flat::Table, left_out: &mut Vec<LeftOut>) -> Result<Table, DrizzleError> {
    let mut table = new_table(DEFAULT_SCHEMA, &t.name);
    for c in t.columns.values() {
        let ty = normalize_type(&c.ty);
        let mut column = new_column(&c.name, ColumnType::Builtin(ty.clone()), !c.not_null);
        column.identity = c.autoincrement;
        // As the MySQL adaptation spells a default (`now()` is `CURRENT_TIMESTAMP`), so the
        // sources written from it give it back.
        column.default = c.default.as_ref().and_then(|d| match d {
            serde_json::Value::Bool(b) => Some(u8::from(*b).to_string()),
            other => default_text(other).map(|s| canonical_default(&s, &ty)),
        });
        column.generated = c.generated.as_ref().map(|g| Generated {
            expr: unwrapped(&g.expr, Dialect::Mysql),
            is_virtual: g.kind == "virtual",
        });
        if c.on_update
            .as_ref()
            .is_some_and(|v| v != &serde_json::Value::Bool(false))
        {
            left_out.push(left(
                format!("ON UPDATE CURRENT_TIMESTAMP of column `{}.{}`", t.name, c.name),
                "the attribute language has no ON UPDATE; set the value in the application, or keep the clause in a --custom migration",
                Some(Schema::key(DEFAULT_SCHEMA, &t.name)),
            ));
        }
        table.columns.push(column);
    }
    let single: Vec<String> = t
        .columns
        .values()
        .filter(|c| c.primary_key)
        .map(|c| c.name.clone())
        .collect();
    let pk_columns = match t.composite_primary_keys.values().next() {
        Some(pk) => pk.columns.clone(),
        None => single,
    };
    if !pk_columns.is_empty() {
        table.primary_key = Some(PrimaryKey {
            name: PRIMARY_KEY_NAME.to_string(),
            columns: pk_columns,
        });
    }
    for u in t.unique_constraints.values() {
        table.indexes.push(new_index(&u.name, &u.columns, true));
    }
    for i in t.indexes.values() {
        let mut index = new_index(&i.name, &i.columns, i.is_unique);
        index.using = i.using.clone().filter(|u| u != "btree");
        table.indexes.push(index);
    }
    for fk in t.foreign_keys.values() {
        table.foreign_keys.push(ForeignKey {
            name: fk.name.clone(),
            columns: fk.columns_from.clone(),
            ref_schema: DEFAULT_SCHEMA.to_string(),
            ref_table: fk.table_to.clone(),
            ref_columns: fk.columns_to.clone(),
            on_delete: innodb(action(path, fk.on_delete.as_deref())?),
            on_update: innodb(action(path, fk.on_update.as_deref())?),
        });
    }
    index_foreign_keys(&mut table);
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    for c in t.check_constraint.values() {
        table.checks.push(Check {
            name: c.name.clone(),
            expr: unqualified(&c.value, &t.name, Dialect::Mysql),
        });
    }
    Ok(table)
}

/// InnoDB checks `RESTRICT` and `NO ACTION` alike, at once; introspection reads both as the
/// default action.
fn innodb(action: FkAction) -> FkAction {
    match action {
        FkAction::Restrict => FkAction::NoAction,
        other => other,
    }
}
