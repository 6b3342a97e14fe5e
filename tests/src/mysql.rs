//! MySQL / MariaDB for tests: each test gets its own database, dropped when the test ends.
//!
//! The server comes from `MYSQL_URL` (default `mysql://root@127.0.0.1:3306/mysql`).
//! Without a server a test says loudly that it was skipped; with `CI=true` it fails instead.

use crate::server;
use sqlx::mysql::MySqlRow;
use sqlx::{Executor, MySql, Row};

/// A database created for one test and dropped when this value goes away.
pub type TestDb = server::TestDb<MySql>;

impl TestDb {
    /// Runs SQL text (one or more statements) on this database. MySQL commits each DDL
    /// statement on its own, so there is no transaction around it.
    pub async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        conn.execute(sql).await?;
        Ok(())
    }
}

impl server::Catalog for MySql {
    /// A canonical, sorted text dump of the tables of the pool's current database: columns (type,
    /// nullability, default, extra such as `auto_increment`, generated expression), indexes with
    /// their columns in order, foreign keys with their actions, check constraints, and views
    /// (their query as the server prints it, the database's name left out; their columns are
    /// among the columns). Two databases with the same schema give the same dump.
    /// `_sqlx_migrations` is left out.
    const QUERIES: &'static [&'static str] = &[
            "SELECT CONCAT('column ', table_name, '.', column_name, ' ', column_type, \
             IF(is_nullable = 'NO', ' not null', ''), \
             IFNULL(CONCAT(' default ', column_default), ''), \
             IF(extra = '', '', CONCAT(' ', extra)), \
             IFNULL(CONCAT(' as (', generation_expression, ')'), '')) \
             FROM information_schema.columns WHERE table_schema = DATABASE() \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name, ordinal_position",
            "SELECT CONCAT('index ', table_name, ' ', index_name, IF(non_unique = 0, ' unique', ''), ' (', \
             GROUP_CONCAT(column_name ORDER BY seq_in_index SEPARATOR ', '), ')') \
             FROM information_schema.statistics WHERE table_schema = DATABASE() \
             AND table_name <> '_sqlx_migrations' \
             GROUP BY table_name, index_name, non_unique ORDER BY 1",
            "SELECT CONCAT('foreign key ', k.table_name, ' ', k.constraint_name, ' (', \
             GROUP_CONCAT(k.column_name ORDER BY k.ordinal_position SEPARATOR ', '), ') references ', \
             k.referenced_table_name, ' (', \
             GROUP_CONCAT(k.referenced_column_name ORDER BY k.ordinal_position SEPARATOR ', '), \
             ') on delete ', r.delete_rule, ' on update ', r.update_rule) \
             FROM information_schema.key_column_usage k \
             JOIN information_schema.referential_constraints r \
               ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name \
              AND r.table_name = k.table_name \
             WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL \
             GROUP BY k.table_name, k.constraint_name, k.referenced_table_name, r.delete_rule, r.update_rule \
             ORDER BY 1",
            "SELECT CONCAT('check ', c.table_name, ' ', c.constraint_name, ' ', c.check_clause) \
             FROM information_schema.check_constraints c \
             WHERE c.constraint_schema = DATABASE() ORDER BY 1",
            "SELECT CONCAT('view ', table_name, ' ', \
             REPLACE(view_definition, CONCAT('`', table_schema, '`.'), '')) \
             FROM information_schema.views WHERE table_schema = DATABASE() ORDER BY 1",
    ];

    /// A text column, which MySQL may send as bytes.
    fn line(row: &MySqlRow) -> String {
        row.try_get(0).unwrap_or_else(|_| {
            let bytes: Vec<u8> = row.get(0);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    }
}
