//! The views and materialized views of a PostgreSQL database: `pg_class` (relkind `v`, `m`),
//! their columns from `pg_attribute` with `format_type` (an enum by its schema and name), and their queries as the server
//! prints them back (`pg_get_viewdef`).

use super::SYSTEM_SCHEMAS;
use schema_core::model::{ColumnType, Schema, View, ViewColumn};
use schema_core::types;
use sqlx::{PgConnection, Row};

/// Adds every view to `schema`.
pub(super) async fn views(conn: &mut PgConnection, schema: &mut Schema) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT c.oid::bigint, n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND {SYSTEM_SCHEMAS} ORDER BY n.nspname, c.relname"
    );
    for row in sqlx::query(&sql).fetch_all(&mut *conn).await? {
        let oid: i64 = row.try_get(0)?;
        let columns = sqlx::query(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), t.typtype::text, \
                    tn.nspname::text, t.typname::text \
             FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             JOIN pg_namespace tn ON tn.oid = t.typnamespace \
             WHERE a.attrelid = $1::bigint::oid AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
        )
        .bind(oid)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|c| {
            // An enum by its schema and name, as a table's column.
            let ty = match c.try_get::<String, _>(2)?.as_str() {
                "e" => ColumnType::Enum {
                    schema: c.try_get(3)?,
                    name: c.try_get(4)?,
                },
                _ => types::normalize(&c.try_get::<String, _>(1)?),
            };
            Ok(ViewColumn {
                name: c.try_get(0)?,
                ty,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let view = View {
            schema: row.try_get(1)?,
            name: row.try_get(2)?,
            materialized: row.try_get(3)?,
            sql: row.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
            columns,
            renamed_from: None,
        };
        schema.views.insert(view.key(), view);
    }
    Ok(())
}
