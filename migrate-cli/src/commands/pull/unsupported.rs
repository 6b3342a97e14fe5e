//! What a database holds that introspection does not read into the model and the attribute
//! language cannot declare: triggers, partitions, inheritance, unlogged tables and exclusion
//! constraints, `INCLUDE` columns of indexes, collations other than a type's default,
//! `DEFERRABLE` and `NOT VALID` constraints, comments (PostgreSQL), triggers, virtual,
//! `WITHOUT ROWID` and `STRICT` tables (SQLite), triggers, partitions, comments and collations
//! other than the table's (MySQL); columns of a domain type (PostgreSQL), which `baseline`
//! refuses. `pull` writes each as a comment and lists it, and `baseline` lists what its
//! folder does not recreate, so nothing is dropped silently.

use crate::backend::{Conn, Connected};
use crate::database::HISTORY_TABLE;
use crate::pull::LeftOut;
use schema_core::model::{Schema, DEFAULT_SCHEMA};
use sqlx::Row;

/// Everything of the database that `pull` leaves out, sorted.
pub async fn find(conn: &mut Connected) -> Result<Vec<LeftOut>, sqlx::Error> {
    let queries: &[(&str, &str)] = match &conn.conn {
        Conn::Postgres(_) => POSTGRES,
        Conn::Sqlite(_) => SQLITE,
        Conn::Mysql(_) => MYSQL,
    };
    let mut out = Vec::new();
    for (sql, why) in queries {
        let rows = match &mut conn.conn {
            Conn::Postgres(c) => rows(sqlx::query(sql).fetch_all(c).await?)?,
            Conn::Sqlite(c) => rows(sqlx::query(sql).fetch_all(c).await?)?,
            Conn::Mysql(c) => rows(sqlx::query(sql).fetch_all(c).await?)?,
        };
        for (schema, table, object) in rows {
            if table == HISTORY_TABLE {
                continue;
            }
            let schema = schema.unwrap_or_else(|| DEFAULT_SCHEMA.to_string());
            out.push(LeftOut {
                object,
                why: why.to_string(),
                table: Some(Schema::key(&schema, &table)),
            });
        }
    }
    out.sort_by(|a, b| (&a.table, &a.object).cmp(&(&b.table, &b.object)));
    Ok(out)
}

/// `(schema, table, what)` of each row: three text columns.
fn rows<R: Row>(rows: Vec<R>) -> Result<Vec<(Option<String>, String, String)>, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database>,
{
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

const POSTGRES: &[(&str, &str)] = &[
    (
        "SELECT n.nspname::text, c.relname::text, 'trigger `' || t.tgname || '` on table `' || n.nspname || '.' || c.relname || '`' \
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT t.tgisinternal AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "triggers are not in the attribute language; keep its CREATE TRIGGER in a custom migration",
    ),
    (
        "SELECT n.nspname::text, c.relname::text, 'exclusion constraint `' || co.conname || '` on table `' || n.nspname || '.' || c.relname || '`' \
             FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE co.contype = 'x' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "exclusion constraints are not in the attribute language; keep its ALTER TABLE .. ADD CONSTRAINT .. EXCLUDE in a custom migration",
    ),
    (
        "SELECT n.nspname::text, c.relname::text, 'partitioning of table `' || n.nspname || '.' || c.relname || '` (' || pg_get_partkeydef(c.oid) || ')' \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'p' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "partitioned tables are not in the attribute language; the table is written as a plain one, which generate would create unpartitioned",
    ),
    (
        "SELECT pn.nspname::text, p.relname::text, 'partition `' || n.nspname || '.' || c.relname || '` of table `' || pn.nspname || '.' || p.relname || '`' \
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace \
             WHERE c.relispartition AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "partitions are not in the attribute language and are not read",
    ),
    (
        "SELECT pn.nspname::text, p.relname::text, 'table `' || n.nspname || '.' || c.relname || '`, which inherits from table `' || pn.nspname || '.' || p.relname || '`' \
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace \
         WHERE NOT c.relispartition AND c.relkind = 'r' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "inheritance is not in the attribute language; the child is written as a table of its own, with the parent's columns",
    ),
    (
        "SELECT n.nspname::text, c.relname::text, 'UNLOGGED of table `' || n.nspname || '.' || c.relname || '`' \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'u' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "UNLOGGED is not in the attribute language; the table is written as a logged one",
    ),
    (
        "SELECT n.nspname::text, c.relname::text, 'column `' || n.nspname || '.' || c.relname || '.' || a.attname || '` of domain type `' || tn.nspname || '.' || t.typname || '`' \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace \
         WHERE t.typtype = 'd' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
         AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        DOMAIN,
    ),
    (
        "SELECT n.nspname::text, c.relname::text, 'INCLUDE (' || \
         (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k) FROM generate_series(i.indnkeyatts, i.indnatts - 1) k \
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k]) \
         || ') of index `' || ic.relname || '` on table `' || n.nspname || '.' || c.relname || '`' \
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE i.indnkeyatts < i.indnatts AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "INCLUDE columns are not in the attribute language; the index is written with its key columns only; recreate it with its INCLUDE in a custom migration (generate --custom)",
    ),
    (
        "SELECT n.nspname::text, c.relname::text, 'collation ' || quote_ident(co.collname) || ' of column `' || n.nspname || '.' || c.relname || '.' || a.attname || '`' \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_type t ON t.oid = a.atttypid JOIN pg_collation co ON co.oid = a.attcollation \
         WHERE a.attcollation <> 0 AND a.attcollation <> t.typcollation AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
         AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "a collation other than the type's default is not in the attribute language; the column is written with its type's collation; keep its ALTER TABLE .. ALTER COLUMN .. TYPE .. COLLATE in a custom migration (generate --custom)",
    ),
    (
        "SELECT n.nspname::text, c.relname::text, \
         CASE WHEN co.condeferred THEN 'DEFERRABLE INITIALLY DEFERRED' ELSE 'DEFERRABLE' END || ' of ' || \
         CASE co.contype WHEN 'f' THEN 'foreign key' WHEN 'u' THEN 'unique constraint' ELSE 'primary key' END \
         || ' `' || co.conname || '` on table `' || n.nspname || '.' || c.relname || '`' \
         FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE co.condeferrable AND co.contype IN ('f', 'u', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "DEFERRABLE is not in the attribute language; the constraint is written as one checked at once (NOT DEFERRABLE); keep its ALTER TABLE .. ALTER CONSTRAINT .. DEFERRABLE in a custom migration (generate --custom)",
    ),
    (
        "SELECT n.nspname::text, c.relname::text, \
         'NOT VALID of ' || CASE co.contype WHEN 'f' THEN 'foreign key' ELSE 'check' END \
         || ' `' || co.conname || '` on table `' || n.nspname || '.' || c.relname || '`' \
         FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE NOT co.convalidated AND co.contype IN ('c', 'f') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        "NOT VALID is not in the attribute language; the constraint is written as a validated one, which rows the database holds may break; validate it (ALTER TABLE .. VALIDATE CONSTRAINT), or keep it NOT VALID in a custom migration (generate --custom)",
    ),
    (
        "SELECT n.nspname::text, c.relname::text, 'comment on ' || CASE WHEN d.objsubid = 0 \
         THEN CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END || ' `' || n.nspname || '.' || c.relname || '`' \
         ELSE 'column `' || n.nspname || '.' || c.relname || '.' || a.attname || '`' END \
         FROM pg_description d JOIN pg_class c ON c.oid = d.objoid JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0 \
         WHERE d.classoid = 'pg_class'::regclass AND c.relkind IN ('r', 'p', 'v') \
         AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 3",
        COMMENTS,
    ),
];

/// Why a comment on a table, view or column is left out.
const COMMENTS: &str = "comments are not in the attribute language; keep its COMMENT ON in a custom migration (generate --custom)";

/// Why a column of a domain type is left out: the model has no domains.
pub const DOMAIN: &str = "domain types (CREATE DOMAIN) are not in the model, so a database built from the sources cannot have the column as it is; change its type to the domain's base type (its CHECK as a check of the table), or list the table in ignore_tables";

const SQLITE: &[(&str, &str)] = &[
    (
        "SELECT NULL, name, 'WITHOUT ROWID of table `' || name || '`' FROM pragma_table_list \
         WHERE schema = 'main' AND type = 'table' AND wr = 1 ORDER BY 2",
        "WITHOUT ROWID is not in the attribute language; the table is written as a rowid table",
    ),
    (
        "SELECT NULL, name, 'STRICT of table `' || name || '`' FROM pragma_table_list \
         WHERE schema = 'main' AND type = 'table' AND strict = 1 ORDER BY 2",
        "STRICT tables are not in the attribute language; the table is written as a flexible one",
    ),
    (
        "SELECT NULL, tbl_name, 'trigger `' || name || '` on table `' || tbl_name || '`' \
         FROM sqlite_master WHERE type = 'trigger' ORDER BY 2, 3",
        "triggers are not in the attribute language; keep its CREATE TRIGGER in a custom migration",
    ),
    (
        "SELECT NULL, name, 'virtual table `' || name || '`' FROM sqlite_master \
         WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' ORDER BY 2",
        "virtual tables are not in the attribute language and are not read",
    ),
];

const MYSQL: &[(&str, &str)] = &[
    (
        "SELECT CAST(NULL AS CHAR), CAST(event_object_table AS CHAR), \
         CAST(CONCAT('trigger `', trigger_name, '` on table `', event_object_table, '`') AS CHAR) \
         FROM information_schema.triggers WHERE trigger_schema = DATABASE() ORDER BY 2, 3",
        "triggers are not in the attribute language; keep its CREATE TRIGGER in a custom migration",
    ),
    (
        "SELECT DISTINCT CAST(NULL AS CHAR), CAST(table_name AS CHAR), \
         CAST(CONCAT('partitioning of table `', table_name, '` (', partition_method, ')') AS CHAR) \
         FROM information_schema.partitions WHERE table_schema = DATABASE() \
         AND partition_name IS NOT NULL ORDER BY 2, 3",
        "partitioned tables are not in the attribute language; the table is written as a plain one, which generate would create unpartitioned",
    ),
    (
        "SELECT CAST(NULL AS CHAR), CAST(table_name AS CHAR), \
         CAST(CONCAT('comment on table `', table_name, '`') AS CHAR) \
         FROM information_schema.tables WHERE table_schema = DATABASE() \
         AND table_type = 'BASE TABLE' AND table_comment <> '' ORDER BY 2, 3",
        MYSQL_COMMENTS,
    ),
    (
        "SELECT CAST(NULL AS CHAR), CAST(table_name AS CHAR), \
         CAST(CONCAT('comment on column `', table_name, '.', column_name, '`') AS CHAR) \
         FROM information_schema.columns WHERE table_schema = DATABASE() \
         AND column_comment <> '' ORDER BY 2, 3",
        MYSQL_COMMENTS,
    ),
    (
        "SELECT CAST(NULL AS CHAR), CAST(c.table_name AS CHAR), \
         CAST(CONCAT('collation ', c.collation_name, ' of column `', c.table_name, '.', c.column_name, '`') AS CHAR) \
         FROM information_schema.columns c JOIN information_schema.tables t \
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE' \
         AND c.collation_name IS NOT NULL AND c.collation_name <> t.table_collation ORDER BY 2, 3",
        "a collation other than the table's is not in the attribute language; the column is written with the table's; keep its ALTER TABLE .. MODIFY .. COLLATE in a custom migration (generate --custom)",
    ),
];

/// Why a comment on a MySQL table or column is left out.
const MYSQL_COMMENTS: &str = "comments are not in the attribute language; keep its COMMENT clause (ALTER TABLE .. COMMENT, or .. MODIFY .. COMMENT) in a custom migration (generate --custom)";
