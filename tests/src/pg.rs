//! PostgreSQL for tests: each test gets its own database, dropped when the test ends.
//!
//! The server comes from `PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! Without a server a test says loudly that it was skipped; with `CI=true` it fails instead.

use crate::gen::down::{Dialect, Kept};
use crate::gen::rows::Rows;
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

    /// Drops every user schema (with its tables and types) and recreates an empty `public`.
    pub async fn reset(&self) -> Result<(), sqlx::Error> {
        let schemas: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut sql: String = schemas
            .iter()
            .map(|s| format!("DROP SCHEMA \"{}\" CASCADE;", s.replace('"', "\"\"")))
            .collect();
        sql.push_str("CREATE SCHEMA public;");
        self.pool.execute(sql.as_str()).await.map(|_| ())
    }

    /// Inserts the rows, each table in a savepoint and in passes until every table is in (a
    /// child waits for its parent); `false` and nothing inserted when some table never goes in.
    pub async fn insert_rows(&self, plan: &Rows) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut pending: Vec<String> = plan.inserts();
        for _pass in 0..=pending.len() {
            let mut failed = Vec::new();
            for statement in pending {
                tx.execute("SAVEPOINT row_insert").await?;
                if tx.execute(statement.as_str()).await.is_ok() {
                    tx.execute("RELEASE SAVEPOINT row_insert").await?;
                } else {
                    tx.execute("ROLLBACK TO SAVEPOINT row_insert").await?;
                    failed.push(statement);
                }
            }
            pending = failed;
            if pending.is_empty() {
                tx.commit().await?;
                return Ok(true);
            }
        }
        tx.rollback().await?;
        Ok(false)
    }

    /// Each table's rows in `kept` as sorted texts of its untouched values
    /// ([`crate::gen::down::untouched`]).
    pub async fn kept_values(&self, kept: &[Kept]) -> Result<Vec<Vec<String>>, sqlx::Error> {
        let mut out = Vec::new();
        for k in kept {
            let mut values: Vec<String> = sqlx::query_scalar(&k.select(Dialect::Postgres))
                .fetch_all(&self.pool)
                .await?;
            values.sort();
            out.push(values);
        }
        Ok(out)
    }
}

/// Lines of a catalog dump only in `got` (`+`) and only in `want` (`-`).
pub fn catalog_diff(got: &str, want: &str) -> String {
    let only = |a: &str, b: &str, mark: char| -> Vec<String> {
        a.lines()
            .filter(|l| !b.lines().any(|m| m == *l))
            .map(|l| format!("{mark} {l}"))
            .collect()
    };
    let mut lines = only(got, want, '+');
    lines.extend(only(want, got, '-'));
    lines.join("\n")
}

/// The drizzle-kit comparisons: applies `ours` and `theirs` to two fresh databases named
/// after `name` and asserts their catalogs are equal, naming the lines that differ and our SQL.
/// Without a server it returns, as [`TestDb::create`] says.
pub async fn assert_same_catalog(name: &str, ours: &str, theirs: &str) {
    let (Some(a), Some(b)) = (TestDb::create(name).await, TestDb::create(name).await) else {
        return;
    };
    a.apply(ours)
        .await
        .unwrap_or_else(|e| panic!("{name}: our SQL failed: {e}\n{ours}"));
    b.apply(theirs)
        .await
        .unwrap_or_else(|e| panic!("{name}: drizzle-kit's SQL failed: {e}"));
    let (got, want) = (a.catalog().await, b.catalog().await);
    assert!(
        got == want,
        "{name}: catalogs differ\n{}\nour SQL:\n{ours}",
        catalog_diff(&got, &want)
    );
}

impl server::Catalog for Postgres {
    /// A canonical, sorted text dump of the user objects in a database: schemas, enum types with
    /// their labels in order, tables, columns (type, nullability, default, identity),
    /// constraints (by definition), indexes (by definition), sequences with their options,
    /// views and materialized views (kind, `pg_get_viewdef`, columns with their types)
    /// (not those of identity or serial columns, which belong to their table; an identity's
    /// settings are a `column` line of their own), the tables with
    /// row-level security and their policies (`pg_policies`). Two databases with the same
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
            "SELECT 'sequence ' || n.nspname || '.' || c.relname || ' ' || format_type(s.seqtypid, NULL) || \
             ' start ' || s.seqstart || ' increment ' || s.seqincrement || ' min ' || s.seqmin || \
             ' max ' || s.seqmax || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END \
             FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
             AND d.objid = c.oid AND d.deptype IN ('i', 'a')) ORDER BY 1",
            "SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' identity sequence' || \
             ' start ' || s.seqstart || ' increment ' || s.seqincrement || ' min ' || s.seqmin || \
             ' max ' || s.seqmax || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END \
             FROM pg_sequence s JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid \
             AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i' \
             JOIN pg_class c ON c.oid = d.refobjid JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid ORDER BY 1",
            "SELECT 'view ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || \
             pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            "SELECT 'view column ' || n.nspname || '.' || c.relname || ' ' || a.attnum || ' ' || a.attname || ' ' || \
             format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND a.attnum > 0 \
             AND NOT a.attisdropped AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            "SELECT 'rls ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relrowsecurity ORDER BY 1",
            "SELECT 'policy ' || schemaname || '.' || tablename || ' ' || policyname || ' ' || permissive || ' ' || cmd || \
             ' to ' || array_to_string(ARRAY(SELECT unnest(roles) ORDER BY 1), ',') || \
             coalesce(' using (' || qual || ')', '') || coalesce(' with check (' || with_check || ')', '') \
             FROM pg_policies ORDER BY 1",
    ];

    fn line(row: &PgRow) -> String {
        row.get(0)
    }
}
