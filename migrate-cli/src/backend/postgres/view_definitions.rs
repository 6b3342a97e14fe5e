//! PostgreSQL prints a view's query back: the snapshot's query is created as a temporary view
//! (`pg_temp`, with the declared column list) and read back with `pg_get_viewdef`, as
//! introspection reads the live ones, so a query PostgreSQL reformats compares by what it
//! means to the server. One transaction, always rolled back; each statement is sent alone
//! (extended protocol), so a query cannot carry a second statement.

use schema_core::model::View;
use sqlx::{Connection, PgConnection, Postgres, Transaction};

/// Each view's query as PostgreSQL prints it back (none: it does not apply here).
pub async fn definitions(
    conn: &mut PgConnection,
    views: &[View],
) -> Result<Vec<Option<String>>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let mut out = Vec::with_capacity(views.len());
    for view in views {
        out.push(one(&mut tx, view).await);
    }
    let _ = tx.rollback().await;
    Ok(out)
}

async fn one(tx: &mut Transaction<'_, Postgres>, view: &View) -> Option<String> {
    run(tx, "SAVEPOINT migrate_probe_view").await.ok()?;
    let columns: Vec<String> = view.columns.iter().map(|c| quote(&c.name)).collect();
    let create = format!(
        "CREATE TEMP VIEW migrate_probe_view ({}) AS {}",
        columns.join(", "),
        view.sql
    );
    let printed = match run(tx, &create).await {
        Ok(()) => sqlx::query_scalar::<_, String>(
            "SELECT pg_get_viewdef('pg_temp.migrate_probe_view'::regclass)",
        )
        .persistent(false)
        .fetch_one(&mut **tx)
        .await
        .ok(),
        Err(_) => None,
    };
    run(tx, "ROLLBACK TO SAVEPOINT migrate_probe_view")
        .await
        .ok()?;
    printed
}

async fn run(tx: &mut Transaction<'_, Postgres>, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .persistent(false)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
