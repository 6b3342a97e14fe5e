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

impl<DB: sqlx::Database> TestDb<DB> {
    /// A fresh database on the server at `admin_url` (`server` and `env` name it in messages),
    /// or `None` (after saying so) when it is unreachable outside CI.
    pub async fn on(
        dialect: Dialect,
        server: &str,
        admin_url: &str,
        label: &str,
        env: &str,
    ) -> Option<TestDb<DB>> {
        let target = Target {
            url: admin_url.to_string(),
            source: UrlSource::Env,
            base: PathBuf::from("."),
        };
        let name = database_name(label);
        let scratch = match Scratch::create(dialect, Some(&target), &name).await {
            Ok(scratch) => scratch,
            Err(ScratchError::Database(e)) => {
                unreachable(server, admin_url, &e, label, env);
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
