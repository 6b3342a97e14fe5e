//! What the per-test database helpers of every server share: the skip-or-fail rule for an
//! unreachable server, a fresh database name, and the test database itself ([`TestDb`]), made
//! and dropped by migrate-cli's scratch databases.

use migrate_cli::backend::{Scratch, ScratchError};
use migrate_cli::config::Dialect;
use migrate_cli::database::{Target, UrlSource};
use sqlx::pool::PoolOptions;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Says loudly that the test `label` was skipped because `server` at `url` is unreachable;
/// under `CI=true` panics instead, since a skip is a failure there.
pub fn unreachable(server: &str, url: &str, error: &dyn std::fmt::Display, label: &str, env: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{server} at {url} is unreachable under CI=true: {error}");
    }
    eprintln!(
        "SKIPPED {label}: {server} at {url} is unreachable ({error}); set {env} or start the server"
    );
}

/// A database name no other test of any process uses: `t_<label>_<pid>_<n>`.
pub fn database_name(label: &str) -> String {
    format!(
        "t_{}_{}_{}",
        label
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(20)
            .collect::<String>()
            .to_lowercase(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A test server: its kind, and the environment variable that overrides its default URL.
pub struct Server {
    pub dialect: Dialect,
    /// As messages name it: `PostgreSQL`.
    pub name: &'static str,
    pub env: &'static str,
    pub default_url: &'static str,
}

impl Server {
    /// Its admin URL: the environment variable's, else the default.
    pub fn url(&self) -> String {
        std::env::var(self.env).unwrap_or_else(|_| self.default_url.to_string())
    }
}

/// A database that has a test server.
pub trait Kind: sqlx::Database {
    const SERVER: Server;
}

impl Kind for sqlx::Postgres {
    const SERVER: Server = Server {
        dialect: Dialect::Postgres,
        name: "PostgreSQL",
        env: "PG_URL",
        default_url: "postgres://postgres@127.0.0.1:5432/postgres",
    };
}

impl Kind for sqlx::MySql {
    const SERVER: Server = Server {
        dialect: Dialect::Mysql,
        name: "MySQL",
        env: "MYSQL_URL",
        default_url: "mysql://root@127.0.0.1:3306/mysql",
    };
}

/// A database whose catalog a test can dump: queries that each give one text column of
/// sorted lines.
pub trait Catalog: Kind {
    const QUERIES: &'static [&'static str];
    /// The line of one row of a query.
    fn line(row: &Self::Row) -> String;
}

impl<DB: Catalog> TestDb<DB>
where
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    /// The catalog dump of this database (see [`Catalog`]): two databases with the same
    /// schema give the same dump.
    pub async fn catalog(&self) -> String {
        let mut out = String::new();
        for q in DB::QUERIES {
            let rows = sqlx::query(q).fetch_all(&self.pool).await;
            for row in rows.expect("catalog query") {
                out.push_str(&DB::line(&row));
                out.push('\n');
            }
        }
        out
    }
}

/// A database created for one test, on migrate-cli's own scratch databases
/// ([`migrate_cli::backend::Scratch`]), and dropped when this value goes away.
pub struct TestDb<DB: sqlx::Database> {
    pub name: String,
    /// The URL of this database, for `--url` or `DATABASE_URL`.
    pub url: String,
    pub pool: sqlx::Pool<DB>,
    /// Dropped after the pool (fields drop in order): its `Drop` drops the database.
    _scratch: Scratch,
}

impl<DB: Kind> TestDb<DB> {
    /// The admin URL of the test server.
    pub fn server_url() -> String {
        DB::SERVER.url()
    }

    /// Creates a fresh database, or `None` (after saying so) when no server is reachable
    /// outside CI. Under `CI=true` an unreachable server panics: a skip is a failure there.
    pub async fn create(label: &str) -> Option<TestDb<DB>> {
        let server = &DB::SERVER;
        let admin_url = server.url();
        let target = Target {
            url: admin_url.clone(),
            source: UrlSource::Env,
            base: PathBuf::from("."),
        };
        let name = database_name(label);
        let scratch = match Scratch::create(server.dialect, Some(&target), &name).await {
            Ok(scratch) => scratch,
            Err(ScratchError::Database(e)) => {
                unreachable(server.name, &admin_url, &e, label, server.env);
                return None;
            }
            Err(e) => panic!("cannot create the test database {name}: {e}"),
        };
        let pool = PoolOptions::<DB>::new()
            .max_connections(2)
            .connect(&scratch.url)
            .await
            .expect("connect to test database");
        Some(TestDb {
            name,
            url: scratch.url.clone(),
            pool,
            _scratch: scratch,
        })
    }
}
