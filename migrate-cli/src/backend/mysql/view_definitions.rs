//! MySQL and MariaDB print a view's query back rewritten (backticks, every column qualified
//! with its database and table, `AS` aliases): the snapshot's view is created as a probe view
//! in the same database, as `generate` renders it, read back from `information_schema.VIEWS`
//! as introspection reads the live ones, and dropped at once, so the two compare by what they
//! mean to the server. MySQL has no temporary views (a view cannot read a temporary table), so
//! the probe lives for the moment between its create and its drop; without the privilege to
//! create a view, or when an object already has the probe's name, no view is judged. Each
//! statement is sent alone (prepared), so a query cannot carry a second statement. The text
//! loses the current database's qualifiers as introspection's does.

use schema_core::model::View;
use schema_core::render::{Dialect, Mysql};
use sqlx::{MySqlConnection, Row};

/// The probe's name, never the name of the view it stands for.
fn probe_for(view: &View) -> &'static str {
    match view.name.eq_ignore_ascii_case("migrate_probe_view") {
        true => "migrate_probe_view_2",
        false => "migrate_probe_view",
    }
}

/// Each view's query as the server prints it back (none: it cannot be judged here).
pub async fn definitions(
    conn: &mut MySqlConnection,
    views: &[View],
) -> Result<Vec<Option<String>>, sqlx::Error> {
    let mut out = Vec::with_capacity(views.len());
    for view in views {
        out.push(one(conn, view).await);
    }
    Ok(out)
}

async fn one(conn: &mut MySqlConnection, view: &View) -> Option<String> {
    let probe = probe_for(view);
    let taken: Option<String> = sqlx::query_scalar(
        "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_name = ?",
    )
    .bind(probe)
    .fetch_optional(&mut *conn)
    .await
    .ok()?;
    if taken.is_some() {
        return None;
    }
    let probe_view = View {
        name: probe.to_string(),
        renamed_from: None,
        ..view.clone()
    };
    let create = Mysql.create_view(&probe_view).ok()?;
    let mut created = true;
    for statement in &create {
        let sql = statement.trim_end_matches(';');
        created &= run(conn, sql).await.is_ok();
    }
    let printed = match created {
        true => sqlx::query(
            "SELECT view_definition FROM information_schema.views \
             WHERE table_schema = DATABASE() AND table_name = ?",
        )
        .bind(probe)
        .fetch_one(&mut *conn)
        .await
        .ok()
        .and_then(|row| text(&row)),
        false => None,
    };
    let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut *conn)
        .await
        .ok()
        .flatten();
    let printed = printed.map(|p| super::introspect::views::portable(&p, database.as_deref()));
    let drop = format!("DROP VIEW IF EXISTS `{probe}`");
    let _ = run(conn, &drop).await;
    printed
}

/// One statement, prepared: a text cannot carry a second one.
async fn run(conn: &mut MySqlConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .persistent(false)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// The first column of `row` as text (the server may send it as binary).
fn text(row: &sqlx::mysql::MySqlRow) -> Option<String> {
    match row.try_get::<Option<String>, _>(0) {
        Ok(v) => v,
        Err(_) => row
            .try_get::<Option<Vec<u8>>, _>(0)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
    }
}
