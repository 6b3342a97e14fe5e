//! PostgreSQL prints expressions back: each one is applied to a probe, a temporary copy
//! (`CREATE TEMP TABLE .. (LIKE ..)`, in `pg_temp`) of the live table, and read back with
//! `pg_get_expr`, as introspection reads the live ones.
//! Everything happens in one transaction that is always rolled back; the user's tables are
//! only read.
//! Each statement is sent alone (extended protocol), so a text cannot carry a second statement.

use crate::backend::ExprKind as Kind;
use schema_core::model::{Index, IndexKey, Table};
use schema_core::render::Postgres as PgRender;
use sqlx::{Connection, PgConnection, Postgres, Transaction};

/// The probe's name, in `pg_temp`.
const PROBE: &str = "pg_temp.migrate_probe";

/// Each text of `items` as PostgreSQL prints it back once applied to a copy of `table` (none:
/// it does not apply); a default the server keeps none of (`NULL`) prints as the empty text.
/// An error when no probe could be built (no `TEMPORARY` privilege, a read-only transaction or
/// a standby).
pub async fn normalize(
    conn: &mut PgConnection,
    table: &Table,
    items: &[(Kind, String)],
) -> Result<Vec<Option<String>>, sqlx::Error> {
    let mut out = vec![None; items.len()];
    let mut tx = conn.begin().await?;
    let create = format!(
        "CREATE TEMP TABLE migrate_probe (LIKE {}.{})",
        quote(&table.schema),
        quote(&table.name)
    );
    if let Err(e) = run(&mut tx, &create).await {
        let _ = tx.rollback().await;
        return Err(e);
    }
    for (slot, (kind, text)) in out.iter_mut().zip(items) {
        *slot = one(&mut tx, kind, text).await;
    }
    let _ = tx.rollback().await;
    Ok(out)
}

/// One text, applied and read back under a savepoint that is then rolled back.
async fn one(tx: &mut Transaction<'_, Postgres>, kind: &Kind, text: &str) -> Option<String> {
    run(tx, "SAVEPOINT migrate_probe").await.ok()?;
    let printed = print(tx, kind, text).await;
    run(tx, "ROLLBACK TO SAVEPOINT migrate_probe").await.ok()?;
    printed
}

async fn print(tx: &mut Transaction<'_, Postgres>, kind: &Kind, text: &str) -> Option<String> {
    match kind {
        Kind::Default(column) => {
            let sql = format!(
                "ALTER TABLE {PROBE} ALTER COLUMN {} SET DEFAULT {text}",
                quote(column)
            );
            run(tx, &sql).await.ok()?;
            let read = "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a \
                        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                        WHERE a.attrelid = 'pg_temp.migrate_probe'::regclass AND a.attname = $1";
            let printed: Option<String> = sqlx::query_scalar(read)
                .bind(column)
                .fetch_one(&mut **tx)
                .await
                .ok()?;
            Some(printed.unwrap_or_default())
        }
        Kind::Check => {
            let sql = format!(
                "ALTER TABLE {PROBE} ADD CONSTRAINT migrate_probe_check CHECK ({text}) NOT VALID"
            );
            run(tx, &sql).await.ok()?;
            let read = "SELECT pg_get_expr(conbin, conrelid) FROM pg_constraint \
                        WHERE conrelid = 'pg_temp.migrate_probe'::regclass \
                        AND conname = 'migrate_probe_check'";
            sqlx::query_scalar(read).fetch_one(&mut **tx).await.ok()
        }
        Kind::Predicate => {
            // On a constant: any column's type might lack a btree operator class (json).
            let sql = format!("CREATE INDEX migrate_probe_idx ON {PROBE} ((1)) WHERE {text}");
            run(tx, &sql).await.ok()?;
            let read = "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i \
                        WHERE i.indexrelid = 'pg_temp.migrate_probe_idx'::regclass";
            // No predicate left: the server dropped one that is always true (`WHERE true`).
            let printed: Option<String> =
                sqlx::query_scalar(read).fetch_one(&mut **tx).await.ok()?;
            Some(printed.unwrap_or_default())
        }
        Kind::IndexKey => {
            let (using, key): (Option<String>, IndexKey) = serde_json::from_str(text).ok()?;
            let index = Index {
                name: "migrate_probe_idx".into(),
                columns: Vec::new(),
                keys: vec![key],
                unique: false,
                predicate: None,
                using: None,
                with: Default::default(),
                concurrently: false,
                nulls_not_distinct: false,
            };
            let using = using.unwrap_or_else(|| "btree".into());
            let keys = schema_core::render::standard::index_keys(&PgRender, &index);
            let sql = format!("CREATE INDEX migrate_probe_idx ON {PROBE} USING {using} ({keys})");
            run(tx, &sql).await.ok()?;
            let read = "SELECT pg_get_indexdef(i.indexrelid, 1, true) || ' ' || \
                               coalesce((SELECT CASE WHEN opc.opcdefault THEN '' ELSE opc.opcname::text END \
                                         FROM pg_opclass opc WHERE opc.oid = i.indclass[0]), '') || ' ' || \
                               i.indoption[0]::text \
                        FROM pg_index i WHERE i.indexrelid = 'pg_temp.migrate_probe_idx'::regclass";
            sqlx::query_scalar(read).fetch_one(&mut **tx).await.ok()
        }
    }
}

/// Runs one statement as a prepared statement (one statement only), not cached.
async fn run(tx: &mut Transaction<'_, Postgres>, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .persistent(false)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// `name` as a quoted identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
