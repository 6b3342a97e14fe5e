//! Many migrations in one transaction, written once for the databases whose DDL is
//! transactional: `migrate --atomic` runs every pending file and writes each one's
//! `_sqlx_migrations` row as sqlx writes it (`(version, description, TRUE, checksum, -1)`,
//! the execution time after the commit) inside one transaction, so the batch lands whole or not
//! at all; `migrate --rehearse` runs the same files (no rows) and always rolls back. Each file runs chunk
//! by chunk (its `--> statement-breakpoint` chunks), each chunk timed; PostgreSQL gets the run's
//! `SET LOCAL lock_timeout` / `statement_timeout` first ([`Backend::begin_batch`]). A lock
//! timeout rolls the whole batch back; it is tried again after the policy's backoff, up to its
//! retries ([`Connected::run_batch_patiently`]).

use super::locks::watched;
use super::{Backend, Conn, Connected, Waited};
use crate::lock_policy::{self, LockPolicy};
use crate::statements::split_statements;
use sqlx::migrate::Migration;
use sqlx::{Connection, Executor};
use std::time::{Duration, Instant};

/// How a batch ends when every file ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// `--atomic`: commit, then write each row's execution time.
    Commit,
    /// `--rehearse`: roll back, always.
    Rollback,
}

/// One file of a batch that ran: its time and each chunk's (index into
/// [`split_statements`], time).
#[derive(Debug, Clone)]
pub struct Ran {
    pub version: i64,
    pub elapsed: Duration,
    pub statements: Vec<(usize, Duration)>,
}

/// Why a batch stopped; every way rolls the whole batch back.
#[derive(Debug)]
pub enum BatchError {
    /// Chunk `statement` (index into [`split_statements`]) of file `file` (index into the
    /// batch) failed.
    Stopped {
        file: usize,
        statement: usize,
        error: sqlx::Error,
    },
    /// Opening, recording or ending the transaction failed.
    Server {
        context: &'static str,
        error: sqlx::Error,
    },
}

impl Connected {
    /// Runs `batch` in one transaction ended as `end` says; `ran` gets each file that ran, in
    /// order (the files before a failure too).
    pub async fn run_batch(
        &mut self,
        batch: &[&Migration],
        end: End,
        ran: &mut Vec<Ran>,
    ) -> Result<(), BatchError> {
        let policy = self.policy;
        ran.clear();
        each!(&mut self.conn, c => {
            let server = |context| move |error| BatchError::Server { context, error };
            let mut tx = c.begin().await.map_err(server("cannot open the transaction"))?;
            Backend::begin_batch(&mut *tx, &policy)
                .await
                .map_err(server("cannot set the lock and statement timeouts"))?;
            for (file, m) in batch.iter().enumerate() {
                let start = Instant::now();
                let mut times = Vec::new();
                for (i, s) in split_statements(&m.sql).iter().enumerate() {
                    if s.sql_line().is_none() {
                        continue;
                    }
                    let at = Instant::now();
                    if let Err(error) = (&mut *tx).execute(s.text).await {
                        return Err(BatchError::Stopped { file, statement: i, error });
                    }
                    times.push((i, at.elapsed()));
                }
                // A rehearsal writes no row: `_sqlx_migrations` may not exist yet.
                if end == End::Commit {
                    sqlx::query(record(&*tx))
                    .bind(m.version)
                    .bind(&*m.description)
                    .bind(&*m.checksum)
                    .execute(&mut *tx)
                    .await
                    .map_err(server("cannot record a migration in _sqlx_migrations"))?;
                }
                ran.push(Ran { version: m.version, elapsed: start.elapsed(), statements: times });
            }
            match end {
                End::Rollback => tx.rollback().await.map_err(server("cannot roll the rehearsal back"))?,
                End::Commit => {
                    tx.commit().await.map_err(server("cannot commit the batch"))?;
                    // As sqlx: the execution time is bookkeeping, its loss is accepted.
                    for r in ran.iter() {
                        let nanos = i64::try_from(r.elapsed.as_nanos()).unwrap_or(i64::MAX);
                        let _ = sqlx::query(execution_time(&*c))
                            .bind(nanos)
                            .bind(r.version)
                            .execute(&mut *c)
                            .await;
                    }
                }
            }
            Ok(())
        })
    }

    /// [`Connected::run_batch`] under the run's policy: a batch that timed out waiting for a
    /// lock was rolled back whole and is tried again after [`LockPolicy::backoff`], up to
    /// `retries` times; `say` tells each retry, `watcher` names the blockers.
    pub async fn run_batch_patiently(
        &mut self,
        (batch, end): (&[&Migration], End),
        mut watcher: Option<(&mut Connected, i64)>,
        ran: &mut Vec<Ran>,
        say: &mut dyn FnMut(String),
    ) -> (Result<(), BatchError>, Waited) {
        let policy: LockPolicy = self.policy;
        let mut waited = Waited::default();
        loop {
            waited.tries += 1;
            let watch = watcher.as_mut().map(|(w, id)| (&mut **w, *id));
            let (result, seen) = watched(self.run_batch(batch, end, ran), watch).await;
            if !seen.is_empty() {
                waited.blockers = seen;
            }
            let timed_out = match &result {
                Err(BatchError::Stopped { error, .. }) => self.database().is_lock_timeout(error),
                _ => false,
            };
            if !timed_out {
                return (result, waited);
            }
            waited.timed_out = true;
            if waited.tries > policy.retries {
                return (result, waited);
            }
            let pause = LockPolicy::backoff(waited.tries);
            let by = match waited.blockers.first() {
                Some(b) => format!("; blocked by {b}"),
                None => String::new(),
            };
            say(format!(
                "timed out waiting for a lock{by}; the whole batch was rolled back; trying again in {} (retry {} of {})",
                lock_policy::show(pause),
                waited.tries,
                policy.retries
            ));
            tokio::time::sleep(pause).await;
        }
    }
}

/// The statement that writes a file's row as sqlx does ([`Backend::RECORD`]).
fn record<B: Backend>(_: &B) -> &'static str {
    B::RECORD
}

/// The statement that sets a row's execution time ([`Backend::SET_EXECUTION_TIME`]).
fn execution_time<B: Backend>(_: &B) -> &'static str {
    B::SET_EXECUTION_TIME
}
