//! Lock timeouts, written once for every database: a [`Connected`] takes its run's
//! [`LockPolicy`] ([`Connected::set_policy`]), applies a migration and tries it again with
//! backoff when it timed out waiting for a lock ([`Connected::apply_patiently`]), while a second
//! connection, the watcher, asks the server every [`POLL`] which sessions block this one
//! ([`Backend::blockers`]), so that the message names them.
//!
//! Why a watcher: once the lock timeout fires, the statement no longer waits, and nothing on
//! the server remembers who it waited for (`pg_blocking_pids` of a session that stopped
//! waiting is empty, and the error does not name the table). Looking afterwards for sessions
//! that hold locks on "the table" would need to know which table the failing statement wanted
//! and would name sessions that merely read it. Asked while the statement waits, the server
//! names exactly the sessions it waits for.

use super::{ApplyError, Backend, Conn, Connected};
use crate::config::Dialect;
use crate::database::Target;
use crate::lock_policy::{self, LockPolicy};
use sqlx::migrate::{MigrateError, Migration};
use std::future::Future;
use std::time::Duration;

/// How often the watcher asks who blocks the migration.
pub const POLL: Duration = Duration::from_millis(100);

/// A session that held a lock the migration waited for.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    /// How the server names it: `pid 4242` (PostgreSQL), `connection 17` (MySQL).
    pub session: String,
    /// How long its transaction had been open.
    pub open_for: Option<Duration>,
    /// What it was doing: `idle in transaction`.
    pub state: Option<String>,
    /// The start of its current or last query.
    pub query: Option<String>,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(d) = self.open_for {
            parts.push(format!("transaction open for {:.1}s", d.as_secs_f64()));
        }
        if let Some(state) = self.state.as_deref().filter(|s| !s.is_empty()) {
            parts.push(state.to_string());
        }
        if let Some(query) = self
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            let one_line: Vec<&str> = query.split_whitespace().collect();
            let mut text = one_line.join(" ");
            if text.chars().count() > 80 {
                text = text.chars().take(77).collect::<String>() + "...";
            }
            parts.push(format!("query `{text}`"));
        }
        match parts.is_empty() {
            true => f.write_str(&self.session),
            false => write!(f, "{} ({})", self.session, parts.join(", ")),
        }
    }
}

/// Which way a migration runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `migrate`: the up file.
    Up,
    /// `revert`: the down file, with the deletion of its row.
    Down,
}

/// The watcher of `conn`, a second connection to `target` with the session id it asks
/// about, when the run has a lock timeout and the database names blockers; `None` otherwise
/// (or when it cannot connect: the migration runs all the same, its message names no one).
pub async fn watcher(
    conn: &mut Connected,
    target: &Target,
    dialect: Dialect,
) -> Option<(Connected, i64)> {
    if conn.policy.lock_timeout.is_none() || !conn.database().names_blockers() {
        return None;
    }
    let id = conn.session_id().await?;
    let watcher = super::connect(target, dialect).await.ok()?;
    Some((watcher, id))
}

/// How a migration fared against lock timeouts.
#[derive(Debug, Clone, Default)]
pub struct Waited {
    /// How many times it was tried.
    pub tries: u32,
    /// Whether its last try timed out waiting for a lock.
    pub timed_out: bool,
    /// The sessions the watcher last saw blocking it.
    pub blockers: Vec<Blocker>,
}

impl Waited {
    /// What the failure message adds after the database's error, when the last try timed out;
    /// `unseen` says who blocked when no session was seen ([`super::Database::blockers_unseen`]).
    pub fn note(&self, policy: &LockPolicy, unseen: &str) -> String {
        let wait = policy
            .lock_timeout
            .map_or("the server's lock wait timeout".to_string(), |d| {
                lock_policy::show(d)
            });
        let mut note = format!(
            "; gave up after {} tr{} waiting at most {wait} each for a lock",
            self.tries,
            if self.tries == 1 { "y" } else { "ies" }
        );
        match self.blockers.as_slice() {
            [] => note.push_str(&format!("; {unseen}")),
            [one] => note.push_str(&format!("; blocked by {one}")),
            many => {
                let all: Vec<String> = many.iter().map(ToString::to_string).collect();
                note.push_str(&format!("; blocked by one of: {}", all.join("; ")));
            }
        }
        note.push_str(
            "; end that transaction or wait for it to end (or raise --lock-timeout or --retries)",
        );
        note
    }
}

impl Connected {
    /// Sets the run's timeouts on the session where the database keeps them per session
    /// (MySQL's `lock_wait_timeout`, SQLite's `busy_timeout`); PostgreSQL sets them in each
    /// migration's transaction.
    pub async fn set_policy(&mut self, policy: LockPolicy) -> Result<(), sqlx::Error> {
        self.policy = policy;
        each!(&mut self.conn, c => c.prepare(&policy).await)
    }

    /// This session's id as [`Backend::blockers`] takes it, when the database names sessions.
    pub async fn session_id(&mut self) -> Option<i64> {
        let id = each!(&mut self.conn, c => c.session_id().await);
        id.ok().flatten()
    }

    /// Applies `m` under the run's policy; a try that timed out waiting for a lock is rolled
    /// back (by the backend) and tried again after [`LockPolicy::backoff`], up to `retries`
    /// times. A file run statement by statement (MySQL) goes on from the statement that timed
    /// out: those before it committed. `say` tells each retry (the caller names the file);
    /// `watcher` names the blockers.
    pub async fn apply_patiently(
        &mut self,
        (m, direction): (&Migration, Direction),
        mut watcher: Option<(&mut Connected, i64)>,
        say: &mut dyn FnMut(String),
    ) -> (Result<Duration, ApplyError>, Waited) {
        let policy = self.policy;
        let mut waited = Waited::default();
        let mut from = 0;
        loop {
            waited.tries += 1;
            let watch = watcher.as_mut().map(|(w, id)| (&mut **w, *id));
            let work = each_apply(&mut self.conn, (m, direction), from, &policy);
            let (result, seen) = watched(work, watch).await;
            if !seen.is_empty() {
                waited.blockers = seen;
            }
            let Err(error) = &result else {
                return (result, waited);
            };
            let Some(at) = self.timed_out_at(error, direction) else {
                return (result, waited);
            };
            waited.timed_out = true;
            if waited.tries > policy.retries {
                return (result, waited);
            }
            if at == 0 {
                // The file's own transaction (SQLite `-- no-transaction`) is rolled back.
                let _ = self.recover(m).await;
            }
            from = at;
            let pause = LockPolicy::backoff(waited.tries);
            let by = match waited.blockers.first() {
                Some(b) => format!("; blocked by {b}"),
                None => String::new(),
            };
            say(format!(
                "timed out waiting for a lock{by}; trying again in {} (retry {} of {})",
                lock_policy::show(pause),
                waited.tries,
                policy.retries
            ));
            tokio::time::sleep(pause).await;
        }
    }

    /// Where a failed try timed out waiting for a lock: `Some(0)` to try the file again whole,
    /// `Some(i)` to go on from statement `i` (0-based) of a file run statement by statement
    /// (a down only from its first: resuming one part way is not supported).
    fn timed_out_at(&self, error: &ApplyError, direction: Direction) -> Option<usize> {
        let database = self.database();
        match error {
            ApplyError::Migrate(MigrateError::ExecuteMigration(e, _)) => {
                database.is_lock_timeout(e).then_some(0)
            }
            ApplyError::Stopped(stopped) if database.is_lock_timeout(&stopped.error) => {
                let (number, _, _) = stopped.statement.as_ref()?;
                (direction == Direction::Up || *number == 1).then_some(number - 1)
            }
            _ => None,
        }
    }
}

/// Applies `m` from statement `from` (reverts it) on whichever connection `conn` holds.
async fn each_apply(
    conn: &mut Conn,
    (m, direction): (&Migration, Direction),
    from: usize,
    policy: &LockPolicy,
) -> Result<Duration, ApplyError> {
    match (direction, from) {
        (Direction::Down, _) => each!(conn, c => c.revert_one(m, policy).await),
        (Direction::Up, 0) => each!(conn, c => Backend::apply(c, m, policy).await),
        (Direction::Up, _) => each!(conn, c => c.resume(m, from, policy).await),
    }
}

/// Runs `work` while `watcher` asks every [`POLL`] who blocks session `id`; gives the last
/// sessions it saw.
pub(super) async fn watched<R>(
    work: impl Future<Output = R>,
    watcher: Option<(&mut Connected, i64)>,
) -> (R, Vec<Blocker>) {
    let Some((w, id)) = watcher else {
        return (work.await, Vec::new());
    };
    tokio::pin!(work);
    let mut seen = Vec::new();
    loop {
        let ask = async {
            tokio::time::sleep(POLL).await;
            each!(&mut w.conn, c => c.blockers(id).await)
        };
        tokio::select! {
            biased;
            done = &mut work => return (done, seen),
            found = ask => {
                if let Ok(found) = found {
                    if !found.is_empty() {
                        seen = found;
                    }
                }
            }
        }
    }
}
