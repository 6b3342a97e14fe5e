//! What the per-test database helpers of every server share: the skip-or-fail rule for an
//! unreachable server, a fresh database name, a URL naming another database, and running
//! cleanup from `Drop` on a runtime of its own.

use std::future::Future;
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

/// `url` naming database `db` instead of its own (the query string kept).
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[host_start..].find('/') {
        Some(i) => &base[..host_start + i],
        None => base,
    };
    format!(
        "{root}/{db}{}",
        query.map(|q| format!("?{q}")).unwrap_or_default()
    )
}

/// Runs `cleanup` to its end on a thread and runtime of its own: a `Drop` cannot await, and the
/// test's runtime is blocked in that drop.
pub fn block_on_own_thread<F>(cleanup: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let _ = std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(cleanup);
        }
    })
    .join();
}
