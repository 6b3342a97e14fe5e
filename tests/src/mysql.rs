//! MySQL / MariaDB for tests: each test gets its own database, dropped when the test ends.
//!
//! The server comes from `MYSQL_URL` (default `mysql://root@127.0.0.1:3306/mysql`).
//! Without a server a test says loudly that it was skipped; with `CI=true` it fails instead.

use crate::server;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{Connection, Executor, MySqlConnection, MySqlPool, Row};
use std::str::FromStr;

/// The admin URL of the test server.
pub fn server_url() -> String {
    std::env::var("MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/mysql".into())
}

/// A database created for one test and dropped when this value goes away.
pub struct TestDb {
    pub name: String,
    /// The URL of this database, for `--url` or `DATABASE_URL`.
    pub url: String,
    pub pool: MySqlPool,
    admin_url: String,
}

impl TestDb {
    /// Creates a fresh database, or `None` (after saying so) when no server is reachable
    /// outside CI. Under `CI=true` an unreachable server panics: a skip is a failure there.
    pub async fn create(label: &str) -> Option<TestDb> {
        let admin_url = server_url();
        let mut admin = match MySqlConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => {
                server::unreachable("MySQL", &admin_url, &e, label, "MYSQL_URL");
                return None;
            }
        };
        let name = server::database_name(label);
        admin
            .execute(format!("DROP DATABASE IF EXISTS `{name}`").as_str())
            .await
            .expect("drop stale test database");
        admin
            .execute(format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4").as_str())
            .await
            .expect("create test database");
        let opts = MySqlConnectOptions::from_str(&admin_url)
            .expect("MYSQL_URL parses")
            .database(&name);
        let pool = MySqlPoolOptions::new()
            .max_connections(2)
            .connect_with(opts)
            .await
            .expect("connect to test database");
        let url = server::with_database(&admin_url, &name);
        Some(TestDb {
            name,
            url,
            pool,
            admin_url,
        })
    }

    /// Runs SQL text (one or more statements) on this database. MySQL commits each DDL
    /// statement on its own, so there is no transaction around it.
    pub async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        conn.execute(sql).await?;
        Ok(())
    }

    /// The catalog dump of this database (see [`catalog`]).
    pub async fn catalog(&self) -> String {
        catalog(&self.pool).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        server::block_on_own_thread(async move {
            if let Ok(mut admin) = MySqlConnection::connect(&admin_url).await {
                let sql = format!("DROP DATABASE IF EXISTS `{name}`");
                let _ = admin.execute(sql.as_str()).await;
            }
        });
    }
}

/// A canonical, sorted text dump of the tables of the pool's current database: columns (type,
/// nullability, default, extra such as `auto_increment`), indexes with their columns in order,
/// foreign keys with their actions, and check constraints. Two databases with the same schema
/// give the same dump. `_sqlx_migrations` is left out.
pub async fn catalog(pool: &MySqlPool) -> String {
    let queries = [
        "SELECT CONCAT('column ', table_name, '.', column_name, ' ', column_type, \
         IF(is_nullable = 'NO', ' not null', ''), \
         IFNULL(CONCAT(' default ', column_default), ''), \
         IF(extra = '', '', CONCAT(' ', extra))) \
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
    ];
    let mut out = String::new();
    for q in queries {
        for row in sqlx::query(q).fetch_all(pool).await.expect("catalog query") {
            let line: String = row.try_get(0).unwrap_or_else(|_| {
                let bytes: Vec<u8> = row.get(0);
                String::from_utf8_lossy(&bytes).into_owned()
            });
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}
