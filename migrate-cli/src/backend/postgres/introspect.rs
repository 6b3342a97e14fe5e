//! Reads a PostgreSQL database's catalog (`pg_class`, `pg_attribute`, `pg_constraint`,
//! `pg_index`, `pg_enum`, `pg_sequence` in [`sequences`], views in [`views`], `pg_policy` in [`policies`]) into the [`Schema`] model that `generate` writes into snapshots.
//!
//! Types come from `format_type`, defaults, checks and index predicates from `pg_get_expr`,
//! verbatim: comparing them with what `generate` wrote goes through
//! [`super::normalize_expr`]. Indexes that back a primary key or unique constraint are not
//! reported as indexes, and sqlx's `_sqlx_migrations` is skipped. A unique constraint's and a
//! unique index's `NULLS NOT DISTINCT` come from `pg_index.indnullsnotdistinct`.

use crate::backend::bare_table;
use crate::database::HISTORY_TABLE;
use schema_core::model::{
    Check, Column, ColumnType, Enum, FkAction, ForeignKey, Generated, IdentityOptions, Index,
    IndexKey, KeyTarget, Nulls, PrimaryKey, Schema, SequenceSettings, Unique, DEFAULT_SCHEMA,
};
use sqlx::{PgConnection, Row};

mod policies;
mod sequences;
mod views;

/// Namespaces that never hold user objects.
const SYSTEM_SCHEMAS: &str = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

/// `pg_index.indnullsnotdistinct` of the index `i`, false before PostgreSQL 15 (which has no
/// such column; read through `to_jsonb`, so one query serves every version).
const NULLS_NOT_DISTINCT: &str =
    "coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false)";

/// The whole user schema of the database `conn` is connected to.
pub async fn introspect(conn: &mut PgConnection) -> Result<Schema, sqlx::Error> {
    let mut schema = Schema {
        schemas: schemas(conn).await?,
        enums: enums(conn).await?,
        ..Schema::default()
    };
    tables(conn, &mut schema).await?;
    columns(conn, &mut schema).await?;
    constraints(conn, &mut schema).await?;
    indexes(conn, &mut schema).await?;
    sequences::sequences(conn, &mut schema).await?;
    views::views(conn, &mut schema).await?;
    policies::policies(conn, &mut schema).await?;
    Ok(schema)
}

async fn schemas(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!(
        "SELECT n.nspname FROM pg_namespace n WHERE {SYSTEM_SCHEMAS} AND n.nspname <> '{DEFAULT_SCHEMA}' \
         ORDER BY 1"
    );
    sqlx::query_scalar(&sql).fetch_all(conn).await
}

async fn enums(
    conn: &mut PgConnection,
) -> Result<std::collections::BTreeMap<String, Enum>, sqlx::Error> {
    let sql = format!(
        "SELECT n.nspname, t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_enum e ON e.enumtypid = t.oid WHERE {SYSTEM_SCHEMAS} \
         GROUP BY n.nspname, t.typname"
    );
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    let mut enums = std::collections::BTreeMap::new();
    for row in rows {
        let e = Enum {
            schema: row.try_get(0)?,
            name: row.try_get(1)?,
            values: row.try_get(2)?,
            renamed_from: None,
        };
        enums.insert(e.key(), e);
    }
    Ok(enums)
}

async fn tables(conn: &mut PgConnection, schema: &mut Schema) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {SYSTEM_SCHEMAS} \
         AND c.relname <> '{HISTORY_TABLE}'"
    );
    for row in sqlx::query(&sql).fetch_all(conn).await? {
        let table = bare_table(row.try_get(0)?, row.try_get(1)?);
        schema.tables.insert(table.key(), table);
    }
    Ok(())
}

/// Columns in `attnum` order, with their types resolved to the model's [`ColumnType`].
async fn columns(conn: &mut PgConnection, schema: &mut Schema) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT n.nspname, c.relname, a.attname, a.attnotnull, a.attidentity::text, \
                pg_get_expr(d.adbin, d.adrelid), \
                t.typtype::text, tn.nspname, t.typname, format_type(a.atttypid, a.atttypmod), \
                et.typtype::text, etn.nspname, et.typname, format_type(et.oid, a.atttypmod), \
                a.attgenerated::text, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, \
                s.seqcache, s.seqcycle \
         FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace \
         LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' \
         LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refclassid = 'pg_class'::regclass \
              AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum \
              AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'i' \
         LEFT JOIN pg_sequence s ON s.seqrelid = dep.objid \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMAS} \
         ORDER BY n.nspname, c.relname, a.attnum"
    );
    for row in sqlx::query(&sql).fetch_all(conn).await? {
        let key = Schema::key(row.try_get(0)?, row.try_get(1)?);
        let Some(table) = schema.tables.get_mut(&key) else {
            continue;
        };
        let identity: String = row.try_get(4)?;
        let ty = match row.try_get::<Option<String>, _>(10)? {
            Some(elem_kind) => ColumnType::Array(Box::new(column_type(
                &elem_kind,
                row.try_get(11)?,
                row.try_get(12)?,
                row.try_get(13)?,
            ))),
            None => column_type(
                &row.try_get::<String, _>(6)?,
                row.try_get(7)?,
                row.try_get(8)?,
                row.try_get(9)?,
            ),
        };
        let expr: Option<String> = row.try_get(5)?;
        let generated_kind: String = row.try_get(14)?;
        // `s` stored, `v` virtual (PostgreSQL 18): the expression is the generation's.
        let (default, generated) = match (generated_kind.as_str(), expr) {
            ("s" | "v", Some(expr)) => (
                None,
                Some(Generated {
                    expr,
                    is_virtual: generated_kind == "v",
                }),
            ),
            (_, expr) => (expr, None),
        };
        let identity_options = match row.try_get::<Option<i64>, _>(15)? {
            Some(start) => IdentityOptions::from_settings(
                identity == "a",
                SequenceSettings {
                    start,
                    increment: row.try_get(16)?,
                    min: row.try_get(17)?,
                    max: row.try_get(18)?,
                    cache: row.try_get(19)?,
                    cycle: row.try_get(20)?,
                },
                &ty,
            ),
            None => IdentityOptions::default(),
        };
        table.columns.push(Column {
            name: row.try_get(2)?,
            ty,
            nullable: !row.try_get::<bool, _>(3)?,
            default,
            identity: !identity.is_empty(),
            identity_options,
            generated,
            renamed_from: None,
        });
    }
    Ok(())
}

/// An enum by its schema and name; anything else by what `format_type` prints.
fn column_type(kind: &str, schema: String, name: String, formatted: String) -> ColumnType {
    if kind == "e" {
        ColumnType::Enum { schema, name }
    } else {
        ColumnType::Builtin(formatted)
    }
}

async fn constraints(conn: &mut PgConnection, schema: &mut Schema) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT n.nspname, c.relname, co.conname, co.contype::text, \
                ARRAY(SELECT a.attname::text FROM unnest(co.conkey) WITH ORDINALITY k(num, ord) \
                      JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num ORDER BY k.ord), \
                rn.nspname, rc.relname, \
                ARRAY(SELECT a.attname::text FROM unnest(co.confkey) WITH ORDINALITY k(num, ord) \
                      JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.num ORDER BY k.ord), \
                co.confdeltype::text, co.confupdtype::text, \
                CASE WHEN co.contype = 'c' THEN pg_get_expr(co.conbin, co.conrelid) END, \
                coalesce((SELECT {NULLS_NOT_DISTINCT} FROM pg_index i \
                          WHERE i.indexrelid = co.conindid), false) \
         FROM pg_constraint co \
         JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_class rc ON rc.oid = co.confrelid \
         LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
         WHERE co.contype IN ('p', 'u', 'f', 'c') AND {SYSTEM_SCHEMAS} \
         ORDER BY n.nspname, c.relname, co.conname"
    );
    for row in sqlx::query(&sql).fetch_all(conn).await? {
        let key = Schema::key(row.try_get(0)?, row.try_get(1)?);
        let Some(table) = schema.tables.get_mut(&key) else {
            continue;
        };
        let name: String = row.try_get(2)?;
        let kind: String = row.try_get(3)?;
        let columns: Vec<String> = row.try_get(4)?;
        match kind.as_str() {
            "p" => table.primary_key = Some(PrimaryKey { name, columns }),
            "u" => table.uniques.push(Unique {
                name,
                columns,
                nulls_not_distinct: row.try_get(11)?,
            }),
            "f" => table.foreign_keys.push(ForeignKey {
                name,
                columns,
                ref_schema: row.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
                ref_table: row.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
                ref_columns: row.try_get(7)?,
                on_delete: fk_action(&row.try_get::<String, _>(8)?),
                on_update: fk_action(&row.try_get::<String, _>(9)?),
            }),
            _ => table.checks.push(Check {
                name,
                expr: row.try_get::<Option<String>, _>(10)?.unwrap_or_default(),
            }),
        }
    }
    Ok(())
}

/// `pg_constraint.confdeltype` / `confupdtype` codes.
fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// Indexes that do not back a primary key, unique or exclusion constraint of their table.
/// A key that is an expression is given as PostgreSQL prints it; an operator class only when
/// it is not its type's default (`pg_get_indexdef` leaves that out too); `indoption`'s bits
/// are `DESC` (1) and `NULLS FIRST` (2), kept as `nulls` only where not the direction's
/// default; `reloptions` (`fillfactor=70`) are the storage parameters.
async fn indexes(conn: &mut PgConnection, schema: &mut Schema) -> Result<(), sqlx::Error> {
    let keys = |select: &str| {
        format!(
            "ARRAY(SELECT {select} FROM generate_series(0, i.indnkeyatts - 1) k \
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k] \
             LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k] ORDER BY k)"
        )
    };
    let sql = format!(
        "SELECT n.nspname, c.relname, ic.relname, i.indisunique, am.amname::text, \
                pg_get_expr(i.indpred, i.indrelid), {}, {}, {}, {}, \
                coalesce(ic.reloptions, '{{}}'::text[]), {NULLS_NOT_DISTINCT} \
         FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam \
         WHERE {SYSTEM_SCHEMAS} AND NOT EXISTS (SELECT 1 FROM pg_constraint co \
               WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid \
               AND co.contype IN ('p', 'u', 'x')) \
         ORDER BY n.nspname, c.relname, ic.relname",
        keys(
            "CASE WHEN i.indkey[k] <> 0 THEN a.attname::text \
                   ELSE pg_get_indexdef(i.indexrelid, k + 1, true) END"
        ),
        keys("i.indkey[k] <> 0"),
        keys("CASE WHEN opc.opcdefault THEN NULL ELSE opc.opcname::text END"),
        keys("i.indoption[k]::int4"),
    );
    for row in sqlx::query(&sql).fetch_all(conn).await? {
        let key = Schema::key(row.try_get(0)?, row.try_get(1)?);
        let Some(table) = schema.tables.get_mut(&key) else {
            continue;
        };
        let using: String = row.try_get(4)?;
        let texts: Vec<String> = row.try_get(6)?;
        let is_column: Vec<bool> = row.try_get(7)?;
        let opclasses: Vec<Option<String>> = row.try_get(8)?;
        let options: Vec<i32> = row.try_get(9)?;
        let reloptions: Vec<String> = row.try_get(10)?;
        let keys = texts
            .into_iter()
            .enumerate()
            .map(|(k, text)| {
                let option = options.get(k).copied().unwrap_or(0);
                let (desc, nulls_first) = (option & 1 != 0, option & 2 != 0);
                IndexKey {
                    target: match is_column.get(k).copied().unwrap_or(false) {
                        true => KeyTarget::Column(text),
                        false => KeyTarget::Expression(text),
                    },
                    opclass: opclasses.get(k).cloned().flatten(),
                    desc,
                    nulls: match (desc, nulls_first) {
                        (false, true) => Some(Nulls::First),
                        (true, false) => Some(Nulls::Last),
                        _ => None,
                    },
                }
            })
            .collect();
        let mut index = Index {
            keys: Vec::new(),
            with: reloptions
                .iter()
                .filter_map(|o| storage_parameter(o))
                .collect(),
            name: row.try_get(2)?,
            unique: row.try_get(3)?,
            using: (using != "btree").then_some(using),
            predicate: row.try_get(5)?,
            columns: Vec::new(),
            concurrently: false,
            nulls_not_distinct: row.try_get(11)?,
        };
        index.set_keys(keys);
        table.indexes.push(index);
    }
    Ok(())
}

/// `fillfactor=70` as the model holds it: the name, and the value bare when it is a number
/// or a name, else quoted.
fn storage_parameter(option: &str) -> Option<(String, String)> {
    let (name, value) = option.split_once('=')?;
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    let value = match plain {
        true => value.to_string(),
        false => format!("'{}'", value.replace('\'', "''")),
    };
    Some((name.to_string(), value))
}
