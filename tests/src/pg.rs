//! PostgreSQL for tests: each test gets its own database, dropped when the test ends.
//!
//! The server comes from `PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! Without a server a test says loudly that it was skipped; with `CI=true` it fails instead.

use crate::server;
use sqlx::postgres::PgRow;
use sqlx::{Executor, Postgres, Row};

/// A database created for one test and dropped when this value goes away.
pub type TestDb = server::TestDb<Postgres>;

impl TestDb {
    /// Runs a migration file's SQL (statements separated by breakpoints) in one transaction.
    pub async fn apply(&self, sql: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        tx.execute(sql).await?;
        tx.commit().await
    }
}

impl server::Catalog for Postgres {
    /// A canonical, sorted text dump of the user objects in a database: schemas, enum types with
    /// their labels in order, tables, columns (type, nullability, default, identity),
    /// constraints (by definition) and indexes (by definition). Two databases with the same
    /// schema give the same dump.
    const QUERIES: &'static [&'static str] = &[
            "SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema') ORDER BY 1",
            "SELECT 'enum ' || n.nspname || '.' || t.typname || ' (' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) || ')' \
             FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace \
             GROUP BY n.nspname, t.typname ORDER BY 1",
            "SELECT 'column ' || c.table_schema || '.' || c.table_name || '.' || c.column_name || ' ' || \
             format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || \
             coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || \
             CASE a.attidentity WHEN 'd' THEN ' identity by default' WHEN 'a' THEN ' identity always' ELSE '' END \
             FROM information_schema.columns c \
             JOIN pg_class cl ON cl.relname = c.table_name JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = c.table_schema \
             JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attname = c.column_name \
             LEFT JOIN pg_attrdef d ON d.adrelid = cl.oid AND d.adnum = a.attnum \
             WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            "SELECT 'constraint ' || n.nspname || '.' || cl.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid) \
             FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace \
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            "SELECT 'index ' || schemaname || '.' || tablename || ' ' || indexdef FROM pg_indexes \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    ];

    fn line(row: &PgRow) -> String {
        row.get(0)
    }
}
