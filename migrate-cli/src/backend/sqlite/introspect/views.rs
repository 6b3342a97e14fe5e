//! The views of a SQLite database: `sqlite_master` rows of type `view` (the `CREATE VIEW`
//! text as it was run) and their column names (`pragma_table_info`). SQLite gives a view's
//! columns no type of their own, so their types are left empty (compared by name only).

use schema_core::model::{ColumnType, Schema, View, ViewColumn, DEFAULT_SCHEMA};
use sqlx::{Row, SqliteConnection};

/// Adds every view to `schema`; its `sql` is the whole `CREATE VIEW` statement.
pub(super) async fn views(
    conn: &mut SqliteConnection,
    schema: &mut Schema,
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'view' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let name: String = row.try_get(0)?;
        let columns = sqlx::query("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|c| {
                Ok(ViewColumn {
                    name: c.try_get(0)?,
                    ty: ColumnType::Builtin(String::new()),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let view = View {
            schema: DEFAULT_SCHEMA.to_string(),
            name,
            columns,
            sql: row.try_get(1)?,
            materialized: false,
            renamed_from: None,
        };
        schema.views.insert(view.key(), view);
    }
    Ok(())
}
