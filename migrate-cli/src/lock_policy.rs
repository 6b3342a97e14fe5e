//! How long a migration may wait for a lock, how long a statement may run, and how often a
//! migration that timed out waiting for a lock is tried again ([`LockPolicy`]); each backend
//! turns it into its settings (PostgreSQL's `lock_timeout`, MySQL's `lock_wait_timeout`,
//! SQLite's `busy_timeout`).

use std::time::Duration;

/// The lock and statement timeouts of a run and its retries after a lock timeout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LockPolicy {
    /// How long one statement may wait for a lock; `None` waits as the server is configured.
    pub lock_timeout: Option<Duration>,
    /// How long one statement may run; `None` as the server is configured.
    pub statement_timeout: Option<Duration>,
    /// How many times a migration that hit the lock timeout is tried again.
    pub retries: u32,
}

/// The flags `migrate` and `revert` take for a [`LockPolicy`].
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LockArgs {
    /// How long a statement may wait for a lock before its migration is rolled back and tried
    /// again (500ms, 3s, 1min); overrides the target's lock_timeout
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: Option<Duration>,
    /// How long a statement may run (PostgreSQL's statement_timeout, MariaDB's
    /// max_statement_time); overrides the target's statement_timeout
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub statement_timeout: Option<Duration>,
    /// How many times a migration that timed out waiting for a lock is tried again, with
    /// backoff (1s, 2s, 4s, ... at most 30s); overrides the target's retries [default: the target's, else 0]
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
}

impl LockArgs {
    /// The run's policy from the flags alone (the target's values, where the flags say
    /// nothing, are the caller's to fill in).
    pub fn policy(&self) -> LockPolicy {
        LockPolicy {
            lock_timeout: self.lock_timeout,
            statement_timeout: self.statement_timeout,
            retries: self.retries.unwrap_or(0),
        }
    }
}

/// The run's policy on `target`: each flag given, else the value of the target's
/// `[targets.<name>]` table when the URL came from `--target` (a protected target waits at most
/// 5 s for a lock unless it says otherwise), else nothing set.
pub fn for_target(
    args: &LockArgs,
    config: &crate::config::Config,
    target: &crate::database::Target,
) -> LockPolicy {
    let table = target
        .source
        .target_name()
        .and_then(|name| config.targets.get(name));
    LockPolicy {
        lock_timeout: args
            .lock_timeout
            .or_else(|| table.and_then(|t| t.effective_lock_timeout())),
        statement_timeout: args
            .statement_timeout
            .or_else(|| table.and_then(|t| t.statement_timeout)),
        retries: args
            .retries
            .or_else(|| table.map(|t| t.retries))
            .unwrap_or(0),
    }
}

/// The longest pause between two tries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl LockPolicy {
    /// The pause before try `retry` (1-based): 1 s, 2 s, 4 s, ... at most [`MAX_BACKOFF`].
    pub fn backoff(retry: u32) -> Duration {
        let secs = 1u64 << retry.saturating_sub(1).min(16);
        Duration::from_secs(secs).min(MAX_BACKOFF)
    }

    /// Whether the run sets anything at all.
    pub fn is_set(&self) -> bool {
        self.lock_timeout.is_some() || self.statement_timeout.is_some()
    }
}

/// Reads a duration as the flags and `migrate.toml` write it: a whole number and a unit,
/// `500ms`, `1s`, `15min`, `2h` (`3 s` and `3sec` too); a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let bad = || {
        format!("`{text}` is not a duration; write a whole number and a unit: 500ms, 3s, 15min, 2h")
    };
    let n: u64 = number.parse().map_err(|_| bad())?;
    let millis = match unit.trim() {
        "ms" | "msec" => 1,
        "" | "s" | "sec" | "secs" => 1_000,
        "m" | "min" | "mins" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        _ => return Err(bad()),
    };
    n.checked_mul(millis)
        .map(Duration::from_millis)
        .ok_or_else(bad)
}

/// `1500ms`, `3s`, `15min`: a duration as the flags read it back.
pub fn show(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        _ if ms.is_multiple_of(60_000) && ms > 0 => format!("{}min", ms / 60_000),
        _ if ms.is_multiple_of(1_000) => format!("{}s", ms / 1_000),
        _ => format!("{ms}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        let ok = |t: &str| parse_duration(t).expect(t);
        assert_eq!(ok("500ms"), Duration::from_millis(500));
        assert_eq!(ok("1s"), Duration::from_secs(1));
        assert_eq!(ok("3 s"), Duration::from_secs(3));
        assert_eq!(ok("15min"), Duration::from_secs(900));
        assert_eq!(ok("2h"), Duration::from_secs(7200));
        assert_eq!(ok("7"), Duration::from_secs(7));
        for bad in ["", "s", "1.5s", "-1s", "3 days", "1sx"] {
            let e = parse_duration(bad).expect_err(bad);
            assert!(e.contains("500ms, 3s, 15min"), "{e}");
        }
        assert_eq!(show(ok("15min")), "15min");
        assert_eq!(show(ok("3s")), "3s");
        assert_eq!(show(ok("1500ms")), "1500ms");
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let secs: Vec<u64> = (1..=7).map(|r| LockPolicy::backoff(r).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30]);
    }
}
