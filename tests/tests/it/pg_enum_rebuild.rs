//! An enum rebuild on a real PostgreSQL, up and down, where a partial index's predicate and a
//! check compare the converted column with a literal: both must be dropped before the column
//! changes type and created again after it, or PostgreSQL, re-parsing them, finds no operator
//! between the new type and the old one (`ticket_state <> ticket_state__old`).

use schema_core::diff;
use schema_core::model::Schema;
use schema_core::render::{self, Postgres};
use tests::pg::TestDb;
use tests::source::{create, migration, schema};

/// The tickets table with `values` as the enum's variants, a partial index and a check that
/// compare `state` with `'closed'`.
fn tickets(values: &str) -> Schema {
    schema(&format!(
        r#"
        #[derive(DbEnum)] #[db_enum(name = "ticket_state")] enum TicketState {{ {values} }}
        #[derive(Table)] #[table(name = "tickets")]
        #[index(columns(project_id), predicate = "state <> 'closed'")]
        #[check(name = "tickets_open_project_check", expr = "state = 'closed' OR project_id > 0")]
        struct Ticket {{ #[column(primary_key)] id: i64, project_id: i64,
            #[column(default = "open")] state: TicketState, history: Vec<TicketState> }}
        "#
    ))
}

/// The down file `generate` writes for `a → b`: the diff back, renames reversed.
fn down(a: &Schema, b: &Schema) -> String {
    let changes = diff::down(a, b, &diff::hinted_renames(a, b));
    match render::render(&Postgres, &changes) {
        Ok(statements) => render::migration_sql(&statements),
        Err(e) => panic!("render failed: {e}"),
    }
}

/// Builds `create(a)` with two rows, applies the up and compares the catalog with `create(b)`,
/// then applies the down and compares it with `create(a)`; the rows survive both.
async fn up_and_down(name: &str, a: &Schema, b: &Schema) {
    let (up, down) = (migration(a, b), down(a, b));
    assert!(
        format!("{up}{down}").contains("RENAME TO \"ticket_state__old\""),
        "{name}: no rebuild in either direction\n{up}\n{down}"
    );
    let Some(db) = TestDb::create(name).await else {
        return;
    };
    let catalog_of = |s: &Schema| {
        let sql = create(s);
        async move {
            let direct = TestDb::create(name).await.expect("server answered once");
            direct.apply(&sql).await.expect("create");
            direct.catalog().await
        }
    };
    db.apply(&create(a)).await.expect("create(A)");
    let rows = "INSERT INTO tickets VALUES (1, 0, 'closed', '{open,closed}'), (2, 7, 'open', '{}')";
    db.apply(rows).await.expect("rows");
    let query = "SELECT string_agg(id || ':' || state || ':' || history::text, ',' ORDER BY id) FROM tickets";
    let want_rows = "1:closed:{open,closed},2:open:{}";
    for (step, sql, target) in [("up", &up, b), ("down", &down, a)] {
        db.apply(sql)
            .await
            .unwrap_or_else(|e| panic!("{name}: {step} failed: {e}\n{sql}"));
        assert_eq!(
            db.catalog().await,
            catalog_of(target).await,
            "{name}: catalog after the {step} differs from creating its schema\n{sql}"
        );
        let got: String = sqlx::query_scalar(query)
            .fetch_one(&db.pool)
            .await
            .expect("query");
        assert_eq!(got, want_rows, "{name}: rows after the {step}");
    }
}

/// Up rebuilds the type (a value removed); down adds the value back in place.
#[tokio::test]
async fn removing_a_value_used_by_a_predicate_and_a_check_rebuilds_and_reverts() {
    let (a, b) = (tickets("Open, Stale, Closed"), tickets("Open, Closed"));
    up_and_down("removing_a_value_used_by_a_predicate", &a, &b).await;
}

/// Up adds a value in place; down removes it by a rebuild (what `verify` proves of each down).
#[tokio::test]
async fn adding_a_value_reverts_by_a_rebuild_past_a_predicate_and_a_check() {
    let (a, b) = (tickets("Open, Closed"), tickets("Open, Stale, Closed"));
    up_and_down("adding_a_value_reverts_by_a_rebuild", &a, &b).await;
}
