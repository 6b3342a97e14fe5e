//! The views of a MySQL/MariaDB database: `information_schema.VIEWS` (the definition as the
//! server rewrote it: MariaDB adds backticks and qualified names) and their column names from
//! `information_schema.COLUMNS`. Types are left empty (compared by name only).

use super::text;
use schema_core::model::{ColumnType, Schema, View, ViewColumn, DEFAULT_SCHEMA};
use sqlx::MySqlConnection;

/// Adds every view of the current database to `schema`.
pub(super) async fn views(
    conn: &mut MySqlConnection,
    schema: &mut Schema,
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT table_name, view_definition FROM information_schema.views \
         WHERE table_schema = DATABASE() ORDER BY table_name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let name = text(&row, 0)?;
        let columns = sqlx::query(
            "SELECT column_name FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|c| {
            Ok(ViewColumn {
                name: text(c, 0)?,
                ty: ColumnType::Builtin(String::new()),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let view = View {
            schema: DEFAULT_SCHEMA.to_string(),
            name,
            columns,
            sql: text(&row, 1)?,
            materialized: false,
            renamed_from: None,
        };
        schema.views.insert(view.key(), view);
    }
    Ok(())
}
