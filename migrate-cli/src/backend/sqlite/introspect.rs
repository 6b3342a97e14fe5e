//! Reads a SQLite database into the [`Schema`] model that `generate` writes into SQLite
//! snapshots (see `schema_core::sqlite`): every table in the `public` schema, no enums.
//!
//! The pragmas (`pragma_table_xinfo`, `pragma_index_list`, `pragma_index_info`,
//! `pragma_foreign_key_list`) say which columns, keys and indexes exist; the `CREATE` text in
//! `sqlite_schema` ([`parse`]) gives what they do not: constraint names, CHECK expressions,
//! expression keys and the `WHERE` of partial indexes. A constraint the text gives no name
//! gets the derived one (`accounts_pkey`). Types are the SQLite types the declared ones map
//! to, as the model holds them (`VARCHAR(255)` is `text`, `INT` is `integer`); defaults
//! are the expressions as written (SQLite drops the parentheses around `DEFAULT (expr)`).
//! `sqlite_%` tables, sqlx's `_sqlx_migrations` and the indexes SQLite makes for primary key
//! and unique constraints are skipped.

mod parse;
mod views;

use crate::backend::bare_table;
use crate::database::HISTORY_TABLE;
use parse::{Constraint, ConstraintKind};
use schema_core::model::{
    Check, Column, FkAction, ForeignKey, Generated, Index, PrimaryKey, Schema, Table, Unique,
    DEFAULT_SCHEMA,
};
use schema_core::naming;
use sqlx::{Row, SqliteConnection};

/// The whole user schema of the database `conn` is connected to (its `main` schema).
pub async fn introspect(conn: &mut SqliteConnection) -> Result<Schema, sqlx::Error> {
    // Ordinary tables only: not virtual tables nor their shadow tables (full-text search).
    let rows = sqlx::query(
        "SELECT l.name, coalesce(m.sql, '') FROM pragma_table_list l \
         JOIN sqlite_master m ON m.type = 'table' AND m.name = l.name \
         WHERE l.schema = 'main' AND l.type = 'table' \
         AND l.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND l.name <> ?1 ORDER BY l.name",
    )
    .bind(HISTORY_TABLE)
    .fetch_all(&mut *conn)
    .await?;
    let mut schema = Schema::default();
    for row in rows {
        let name: String = row.try_get(0)?;
        let sql: String = row.try_get(1)?;
        let table = table(conn, name, &sql).await?;
        schema.tables.insert(table.key(), table);
    }
    views::views(conn, &mut schema).await?;
    Ok(schema)
}

async fn table(conn: &mut SqliteConnection, name: String, sql: &str) -> Result<Table, sqlx::Error> {
    let parsed = parse::table_constraints(sql);
    let mut table = bare_table(DEFAULT_SCHEMA.to_string(), name);
    let pk = columns(conn, &mut table, sql).await?;
    if !pk.is_empty() {
        let (name, _) = declared(&parsed, Keyed::PrimaryKey, &pk);
        table.primary_key = Some(PrimaryKey {
            name: name.unwrap_or_else(|| naming::primary_key(&table.name)),
            columns: pk,
        });
    }
    indexes(conn, &mut table, &parsed).await?;
    foreign_keys(conn, &mut table, &parsed).await?;
    let mut unnamed = 0;
    for c in &parsed {
        let ConstraintKind::Check(expr) = &c.kind else {
            continue;
        };
        let name = c.name.clone().unwrap_or_else(|| {
            unnamed += 1;
            naming::check(&table.name, unnamed - 1)
        });
        table.checks.push(Check {
            name,
            expr: expr.clone(),
        });
    }
    Ok(table)
}

/// The kinds of constraint matched by their columns.
#[derive(Debug, Clone, Copy)]
enum Keyed {
    PrimaryKey,
    Unique,
    ForeignKey,
}

/// The constraint of kind `keyed` on `columns` in the table's text (column names compared as
/// SQLite compares them, ignoring ASCII case): its name if it has one, and its position, to
/// keep constraints in the order they were declared (last when it is not in the text).
fn declared(parsed: &[Constraint], keyed: Keyed, columns: &[String]) -> (Option<String>, usize) {
    let on = |c: &[String]| {
        c.len() == columns.len()
            && c.iter()
                .zip(columns)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let found = parsed.iter().position(|c| match (&c.kind, keyed) {
        (ConstraintKind::PrimaryKey(c), Keyed::PrimaryKey)
        | (ConstraintKind::Unique(c), Keyed::Unique)
        | (ConstraintKind::ForeignKey(c), Keyed::ForeignKey) => on(c),
        _ => false,
    });
    match found {
        Some(i) => (parsed[i].name.clone(), i),
        None => (None, usize::MAX),
    }
}

/// Fills the columns in declaration order; gives the primary key's columns in key order.
async fn columns(
    conn: &mut SqliteConnection,
    table: &mut Table,
    sql: &str,
) -> Result<Vec<String>, sqlx::Error> {
    // `hidden` 2 and 3: VIRTUAL and STORED generated columns, whose expressions only the
    // table's `CREATE` text holds.
    let rows = sqlx::query(
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) \
         WHERE hidden IN (0, 2, 3) ORDER BY cid",
    )
    .bind(&table.name)
    .fetch_all(&mut *conn)
    .await?;
    let mut pk = Vec::new();
    let mut declared_types = Vec::new();
    let mut expressions = None;
    for row in rows {
        let hidden: i64 = row.try_get(5)?;
        let generated = match hidden {
            2 | 3 => {
                let name: String = row.try_get(0)?;
                let expr = expressions
                    .get_or_insert_with(|| parse::generated_expressions(sql))
                    .iter()
                    .find(|(column, _)| column.eq_ignore_ascii_case(&name))
                    .map(|(_, expr)| expr.clone())
                    .unwrap_or_default();
                Some(Generated {
                    expr,
                    is_virtual: hidden == 2,
                })
            }
            _ => None,
        };
        let name: String = row.try_get(0)?;
        let declared = declared_type(&row.try_get::<String, _>(1)?);
        let position: i64 = row.try_get(4)?;
        if position > 0 {
            pk.push((position, name.clone()));
        }
        let ty = schema_core::render::sqlite::declared_type(&declared);
        declared_types.push(declared);
        table.columns.push(Column {
            name,
            ty,
            nullable: !row.try_get::<bool, _>(2)?,
            default: row.try_get(3)?,
            identity: false,
            identity_options: Default::default(),
            generated,
            renamed_from: None,
        });
    }
    pk.sort();
    rowid_alias(table, &pk, &declared_types);
    Ok(pk.into_iter().map(|(_, name)| name).collect())
}

/// A lone `INTEGER PRIMARY KEY` (declared so, not `INT`) is the rowid (an insert without it,
/// or with NULL, gets the next one): never NULL, though the pragma says nullable unless
/// `NOT NULL` was written. `declared` holds the columns' declared types, in column order.
fn rowid_alias(table: &mut Table, pk: &[(i64, String)], declared: &[String]) {
    if let [(_, name)] = pk {
        let found = table
            .columns
            .iter_mut()
            .zip(declared)
            .find(|(c, _)| &c.name == name);
        if let Some((c, declared)) = found {
            if declared == "integer" && c.generated.is_none() {
                c.nullable = false;
            }
        }
    }
}

/// A declared type as the model spells it: lowercase, single spaces (`INTEGER` → `integer`).
fn declared_type(ty: &str) -> String {
    ty.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Unique constraints (from their automatic indexes) and the indexes of `CREATE INDEX`.
async fn indexes(
    conn: &mut SqliteConnection,
    table: &mut Table,
    parsed: &[Constraint],
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.name, l.\"unique\", l.origin, coalesce(m.sql, '') FROM pragma_index_list(?1) l \
         LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name ORDER BY l.name",
    )
    .bind(&table.name)
    .fetch_all(&mut *conn)
    .await?;
    let mut uniques = Vec::new();
    for row in rows {
        let name: String = row.try_get(0)?;
        let origin: String = row.try_get(2)?;
        match origin.as_str() {
            "u" => {
                let columns = index_columns(conn, &name).await?;
                let (name, at) = declared(parsed, Keyed::Unique, &columns);
                let name = name.unwrap_or_else(|| naming::unique(&table.name, &columns));
                uniques.push((
                    at,
                    Unique {
                        name,
                        columns,
                        nulls_not_distinct: false,
                    },
                ));
            }
            "c" => {
                let sql: String = row.try_get(3)?;
                let text = parse::index(&sql);
                let mut index = Index {
                    keys: Vec::new(),
                    with: Default::default(),
                    name,
                    columns: Vec::new(),
                    unique: row.try_get(1)?,
                    predicate: text.predicate,
                    using: None,
                    concurrently: false,
                    nulls_not_distinct: false,
                };
                index.set_keys(text.keys);
                table.indexes.push(index);
            }
            _ => {}
        }
    }
    uniques.sort_by_key(|(at, _)| *at);
    table.uniques = uniques.into_iter().map(|(_, u)| u).collect();
    Ok(())
}

async fn index_columns(
    conn: &mut SqliteConnection,
    index: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT coalesce(name, '') FROM pragma_index_info(?1) ORDER BY seqno")
        .bind(index)
        .fetch_all(conn)
        .await
}

async fn foreign_keys(
    conn: &mut SqliteConnection,
    table: &mut Table,
    parsed: &[Constraint],
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
         FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )
    .bind(&table.name)
    .fetch_all(&mut *conn)
    .await?;
    let mut keys: Vec<(i64, ForeignKey)> = Vec::new();
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let to: Option<String> = row.try_get(3)?;
        if keys.last().is_none_or(|(last, _)| *last != id) {
            let fk = ForeignKey {
                name: String::new(),
                columns: Vec::new(),
                ref_schema: DEFAULT_SCHEMA.to_string(),
                ref_table: row.try_get(1)?,
                ref_columns: Vec::new(),
                on_delete: action(&row.try_get::<String, _>(5)?),
                on_update: action(&row.try_get::<String, _>(4)?),
            };
            keys.push((id, fk));
        }
        if let Some((_, fk)) = keys.last_mut() {
            fk.columns.push(row.try_get(2)?);
            fk.ref_columns.extend(to);
        }
    }
    let mut ordered = Vec::new();
    for (_, mut fk) in keys {
        if fk.ref_columns.is_empty() {
            // `REFERENCES "parent"` without columns: the parent's primary key.
            fk.ref_columns = primary_key_of(conn, &fk.ref_table).await?;
        }
        let (name, at) = declared(parsed, Keyed::ForeignKey, &fk.columns);
        fk.name = name.unwrap_or_else(|| naming::foreign_key(&table.name, &fk.columns));
        ordered.push((at, fk));
    }
    ordered.sort_by_key(|(at, _)| *at);
    table.foreign_keys = ordered.into_iter().map(|(_, fk)| fk).collect();
    Ok(())
}

async fn primary_key_of(
    conn: &mut SqliteConnection,
    table: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")
        .bind(table)
        .fetch_all(conn)
        .await
}

/// `pragma_foreign_key_list`'s `on_delete` / `on_update` (`NO ACTION`, `SET NULL`, ...).
fn action(text: &str) -> FkAction {
    FkAction::parse(text).unwrap_or_default()
}

#[cfg(test)]
mod tests;
