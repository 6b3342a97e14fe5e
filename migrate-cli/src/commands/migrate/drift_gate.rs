//! `migrate`'s drift gate: before applying, the live schema is compared with the snapshot of
//! the newest applied migration ([`crate::introspect::drift`], what `check --url` reports);
//! a difference refuses the run, naming each one, unless `--allow-drift`.
//! Only a run with pending migrations asks: the up-to-date path reads no schema.

use super::MigrateError;
use crate::backend::{self, Connected};
use crate::config::Config;
use crate::database::{self, Target};
use crate::error::Error;
use crate::folder::history::History;
use crate::history::{self as status, Entry, Local, State};
use crate::introspect::drift;
use crate::Context;
use std::collections::BTreeSet;

/// What the gate needs: the folder's history (heads read, as the verdict reads it), its
/// migrations as sqlx reads them, and whether `--allow-drift` was given.
pub(super) struct DriftGate<'a> {
    pub history: &'a History,
    pub local: &'a [Local],
    pub allow: bool,
}

/// How many times the comparison is made again when another run applied migrations while it
/// was made (SQLite has no migration lock; `--dry-run` takes none).
const ATTEMPTS: usize = 3;

impl DriftGate<'_> {
    /// Refuses (`MigrateError::Drift`) when the database `conn` is connected to drifted from
    /// the newest snapshot `entries` applied; with `--allow-drift` prints each difference and
    /// passes.
    pub async fn check(
        &self,
        conn: &mut Connected,
        config: &Config,
        entries: &[Entry],
        dry_run: bool,
        ctx: &mut Context<'_>,
    ) -> Result<(), Error> {
        let mut applied = applied_of(entries);
        let rebuilt = self.rebuilt(entries);
        let mut attempt = 1;
        let found = loop {
            if applied.is_empty() {
                return Ok(());
            }
            let Some(found) = drift::find(conn, config, self.history, (&applied, &rebuilt)).await?
            else {
                return Ok(());
            };
            if found.differences.is_empty() || attempt == ATTEMPTS {
                break found;
            }
            // A run applying migrations meanwhile changes the schema before this run's view of
            // the history: compare again with the history as it is now.
            let rows = conn.applied().await?;
            let now = applied_of(&status::compare(self.local, &rows));
            if now == applied {
                break found;
            }
            applied = now;
            attempt += 1;
        };
        if let Some(why) = &found.unjudged {
            let _ = writeln!(ctx.stderr, "warning: {why}");
        }
        if found.differences.is_empty() {
            return Ok(());
        }
        if !self.allow {
            return Err(MigrateError::Drift {
                what: conn.what.clone(),
                tag: found.tag,
                differences: found.differences,
                dry_run,
            }
            .into());
        }
        for d in &found.differences {
            let _ = writeln!(
                ctx.stdout,
                "drift (allowed by --allow-drift): {d} (compared with the snapshot of {})",
                found.tag
            );
        }
        Ok(())
    }

    /// The indexes pending `-- no-transaction` migrations build concurrently, which an
    /// interrupted build may have left invalid ([`super::concurrent_builds`]).
    fn rebuilt(&self, entries: &[Entry]) -> Vec<(String, String)> {
        let pending: BTreeSet<i64> = entries
            .iter()
            .filter(|e| e.state == State::Pending)
            .map(|e| e.version)
            .collect();
        self.local
            .iter()
            .filter(|l| l.migration.no_tx && pending.contains(&l.migration.version))
            .flat_map(|l| super::concurrent_builds(&l.migration.sql))
            .collect()
    }

    /// [`Self::check`] for `--dry-run`, on a connection of its own; a SQLite file that does
    /// not exist has nothing applied.
    pub fn check_dry_run(
        &self,
        config: &Config,
        target: &Target,
        entries: &[Entry],
        ctx: &mut Context<'_>,
    ) -> Result<(), Error> {
        if backend::of(config.dialect).file_missing(target) {
            return Ok(());
        }
        database::block_on(async {
            let mut conn = backend::connect(target, config.dialect).await?;
            let result = self.check(&mut conn, config, entries, true, ctx).await;
            conn.close().await;
            result
        })?
    }
}

/// The versions `entries` shows applied.
fn applied_of(entries: &[Entry]) -> BTreeSet<i64> {
    entries
        .iter()
        .filter(|e| e.state == State::Applied)
        .map(|e| e.version)
        .collect()
}
