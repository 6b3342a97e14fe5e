//! `migrate`: apply the folder's pending migrations with sqlx's own migration primitives (its
//! advisory lock, its `_sqlx_migrations` bookkeeping, one transaction per migration), after
//! refusing, before anything runs, what `check` calls an error ([`crate::verdict`]: a history
//! that changed or forked, an out-of-order or unreviewed pending migration, an index build on a
//! large table); `--dry-run` gives the same verdict. A failure names the file, statement, line
//! and error.
//! Before applying, the drift gate ([`drift_gate`]) compares the live schema with the snapshot
//! of the newest applied migration and refuses a difference unless `--allow-drift`.
//! How each database applies a file is its backend's ([`crate::backend`]): SQLite
//! `-- no-transaction` files run as sqlx 0.9 runs them, MySQL files statement by statement.

pub(crate) mod atomic;
mod concurrent;
mod drift_gate;
mod failure;
pub(crate) mod fleet;
mod listing;
mod rehearse;

pub use atomic::BatchRefused;
pub use concurrent::concurrent_builds;
use concurrent::repair_concurrent_builds;
use drift_gate::DriftGate;
pub use failure::{Failure, Remains};

use crate::backend::{self, AppliedRow, ApplyError, Connected, Direction};
pub use crate::commands::status::Format;
use crate::config::{self, Config};
use crate::database::{self, ServerError, Target};
use crate::error::Error;
use crate::folder::history::History;
use crate::folder::Folder;
use crate::history::{self as status, show, Entry, Local, State};
use crate::lock_policy::{LockArgs, LockPolicy};
use crate::verdict::{self, Database, Input, Rules, Scope, Verdict};
use crate::Context;
pub(crate) use failure::{diagnose, timed_out};
use listing::{dry_run, listing};
use sqlx::migrate::MigrateError as SqlxMigrateError;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `migrate-cli migrate` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct MigrateArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database [default: DATABASE_URL from the environment or a .env file beside the
    /// config, then database_url in the config, then sqlite://dev.db beside it for SQLite];
    /// given several times, a fleet
    #[arg(long, value_name = "URL")]
    pub url: Vec<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// Print the SQL that would run; apply nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Apply migrations whose lint errors are not acknowledged with `-- lint:allow <code>`
    #[arg(long)]
    pub allow_lint_errors: bool,
    /// Apply pending migrations older than the newest applied one (merged after it was deployed)
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Apply even where the live schema differs from the snapshot of the newest applied
    /// migration (drift)
    #[arg(long)]
    pub allow_drift: bool,
    /// Apply to a protected target without asking for its name (required there without a
    /// terminal)
    #[arg(long)]
    pub yes: bool,
    /// Apply all pending migrations in one transaction, so the batch lands whole or not at all
    /// (PostgreSQL, SQLite) [default on a protected target where possible]
    #[arg(long, conflicts_with = "no_atomic")]
    pub atomic: bool,
    /// Apply each migration in its own transaction, also on a protected target
    #[arg(long)]
    pub no_atomic: bool,
    /// Run the pending migrations in one transaction that is always rolled back, timing each
    /// statement (PostgreSQL, SQLite); it takes the same locks for its duration
    #[arg(long, conflicts_with_all = ["dry_run", "atomic", "no_atomic"])]
    pub rehearse: bool,
    #[command(flatten)]
    pub locks: LockArgs,
    /// On a fleet, how many databases are migrated at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallel: u16,
    /// On a fleet, start no new database after the first failure (the running ones finish)
    #[arg(long)]
    pub fail_fast: bool,
    /// Output format; json prints the summary per database as JSON on stdout (the log of each
    /// database goes to stderr)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// What `migrate` did: the versions it applied (or, with `--dry-run`, would apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub applied: Vec<i64>,
}

/// Why `migrate` stopped.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The verdict ([`crate::verdict`]) refuses; `dry_run` when only `--dry-run` asked.
    #[error("{}refusing to migrate {what}: {reasons}; nothing was applied\n{}{}", if *dry_run { "dry run: " } else { "" }, lines.join("\n"), hint(*unreviewed))]
    Refused {
        what: String,
        reasons: String,
        lines: Vec<String>,
        /// Lint errors that an allow line could accept fail: the hint says how to acknowledge
        /// them (a misplaced `-- no-transaction` cannot be, and its own line says so).
        unreviewed: bool,
        dry_run: bool,
    },
    /// The live schema differs from the snapshot of the newest applied migration (`tag`).
    #[error("{}refusing to migrate {what}: its schema differs from the snapshot of {tag}, the newest applied migration; nothing was applied\n{}\nchange the database back, or change the source and generate a migration that does the same; tables another tool owns can be listed in ignore_tables in the config; or run migrate --allow-drift to apply on top of it", if *dry_run { "dry run: " } else { "" }, differences.iter().map(|d| format!("drift: {d}")).collect::<Vec<_>>().join("\n"))]
    Drift {
        what: String,
        tag: String,
        differences: Vec<String>,
        dry_run: bool,
    },
    #[error(transparent)]
    Failed(Box<Failure>),
    /// A MySQL file that cannot be cut into statements, refused before anything ran.
    #[error("migration {file}:{line} cannot be cut into statements: {error}; nothing of it ran and nothing was recorded; fix the file and run migrate again")]
    Unsplittable {
        file: String,
        line: usize,
        #[source]
        error: backend::SplitError,
    },
    /// A SQLite `-- no-transaction` file without a transaction of its own ran, but its
    /// `_sqlx_migrations` row could not be written.
    #[error("migration {file} ran on {what}, but recording it in _sqlx_migrations failed: {error}; run status: if it does not show as applied, its changes remain unrecorded, so undo them by hand before running migrate again, which would otherwise apply it a second time")]
    Unrecorded {
        file: String,
        what: String,
        #[source]
        error: ServerError,
    },
    #[error("{context} on {what}: {error}")]
    Sqlx {
        context: &'static str,
        what: String,
        #[source]
        error: ServerError,
    },
    /// `--atomic` or `--rehearse` refused before anything ran.
    #[error(transparent)]
    Batch(#[from] BatchRefused),
    /// A protected target nobody confirmed ([`crate::protected`]).
    #[error(transparent)]
    Unconfirmed(#[from] crate::protected::Unconfirmed),
    /// Some databases of a fleet failed; each is already reported.
    #[error("{failed} of {count} databases of {name} failed (each is named above){}; run migrate again after fixing them: it continues where each stopped", if *not_started > 0 { format!(", and {not_started} were not started (--fail-fast)") } else { String::new() })]
    Fleet {
        name: String,
        failed: usize,
        not_started: usize,
        count: usize,
    },
}

/// Runs `migrate` on the database of `--url` or `--target` (on each database of a fleet,
/// `--parallel` at once, [`fleet`]; so is one database with `--format json`).
pub fn migrate(args: &MigrateArgs, ctx: &mut Context<'_>) -> Result<Summary, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let choice = (args.url.as_slice(), args.target.as_deref());
    let mut targets = database::resolve_urls(&config, choice, &ctx.env, &ctx.cwd)?;
    if targets.len() > 1 || args.format == Format::Json {
        return fleet::migrate(args, &config, &targets, ctx);
    }
    migrate_one(args, &config, &targets.remove(0), ctx)
}

/// `migrate` on one database: the verdict first (connecting only to read the applied history
/// and the row counts lint needs), then, if it passes (and a protected target is confirmed),
/// the pending migrations.
pub fn migrate_one(
    args: &MigrateArgs,
    config: &Config,
    target: &Target,
    ctx: &mut Context<'_>,
) -> Result<Summary, Error> {
    let local = database::block_on(status::load_local(config, &ctx.cwd))??;
    crate::folder::Folder::new(&config.out, &ctx.cwd)
        .refuse_unlisted_files("nothing was applied")?;
    let (applied, what) = database::block_on(read_applied(config, target))??;
    let entries = status::compare(&local, &applied);
    let rules = Rules {
        allow_out_of_order: args.allow_out_of_order,
        allow_lint_errors: args.allow_lint_errors,
        deny_warnings: false,
    };
    // Nothing pending: only the database's history can be wrong (the folder's forks and lint
    // concern migrations to apply), so a thousand snapshots are not read to say "up to date".
    // A journal entry whose file is missing is pending too, though sqlx does not see it.
    let pending = entries.iter().any(|e| e.state == State::Pending)
        || !status::unfiled(config, &entries).is_empty();
    // The verdict and the drift gate read the folder's history once, heads only.
    let history = pending.then(|| {
        let folder = Folder::new(&config.out, &ctx.cwd);
        let depth = crate::folder::history::Depth::Heads;
        crate::folder::history::read_with(&folder, config.dialect.as_str(), depth)
    });
    let mut verdict = match &history {
        Some(history) => judge(config, target, history, (&what, &entries), rules, ctx)?,
        None => Verdict {
            problems: verdict::database_problems(
                &entries,
                &what,
                &show(&ctx.cwd, &config.out),
                &ctx.cwd,
                rules,
            ),
            ..Verdict::default()
        },
    };
    if !args.dry_run {
        // Read without the lock, a row another run is applying looks failed (MySQL records a
        // migration before running it): the history is judged again under the lock.
        verdict
            .problems
            .retain(|p| p.kind != State::Failed.as_str());
    }
    if !verdict.passed() {
        return Err(refusal(&verdict, config, &what, args.dry_run, &ctx.cwd).into());
    }
    let atomic = atomic::decide(args, config, target, (&local, &entries), &what, ctx)?;
    let gate = history.as_ref().map(|history| DriftGate {
        history,
        local: &local,
        allow: args.allow_drift,
    });
    if args.dry_run {
        if let Some(gate) = &gate {
            gate.check_dry_run(config, target, &entries, ctx)?;
        }
        return dry_run(config, &local, &entries, &verdict, (&what, atomic), ctx);
    }
    let policy = crate::lock_policy::for_target(&args.locks, config, target);
    if args.rehearse {
        let rehearsal = rehearse::rehearse(config, target, &local, (gate.as_ref(), policy), ctx);
        return database::block_on(rehearsal)?;
    }
    if let Some((name, _)) = crate::protected::protected(config, target).filter(|_| pending) {
        listing(config, &local, &entries, (&verdict, atomic), ctx);
        let prompt = ctx.prompt.as_deref_mut();
        let action = ("migrate", "applied");
        crate::protected::confirm(prompt, name, &what, args.yes, action)
            .map_err(MigrateError::from)?;
    }
    if !entries.is_empty() && entries.iter().all(|e| e.state == State::Applied) {
        // Up to date: found without the lock, the history only read (as sqlx-cli does).
        let _ = writeln!(
            ctx.stdout,
            "nothing to apply: {what} is up to date ({} migration(s) applied)",
            entries.len()
        );
        return Ok(Summary {
            applied: Vec::new(),
        });
    }
    let run = run(
        config,
        target,
        &local,
        (rules, gate.as_ref(), policy, atomic),
        ctx,
    );
    database::block_on(run)?
}

/// The rows of `_sqlx_migrations` and the database's name; a SQLite file that does not exist
/// is not created (nothing is applied there yet).
async fn read_applied(
    config: &Config,
    target: &Target,
) -> Result<(Vec<AppliedRow>, String), Error> {
    if backend::of(config.dialect).file_missing(target) {
        return Ok((Vec::new(), target.source.to_string()));
    }
    let mut conn = backend::connect(target, config.dialect).await?;
    let applied = conn.applied().await;
    let what = conn.what.clone();
    conn.close().await;
    Ok((applied?, what))
}

/// The verdict `check --url` gives on this database ([`crate::verdict`]).
fn judge(
    config: &Config,
    target: &Target,
    history: &History,
    (what, entries): (&str, &[Entry]),
    rules: Rules,
    ctx: &Context<'_>,
) -> Result<Verdict, Error> {
    let folder = Folder::new(&config.out, &ctx.cwd);
    let input = Input {
        config,
        folder: &folder,
        history,
        database: Some(Database {
            what,
            target,
            entries,
        }),
        scope: Scope::Migrate,
        cwd: &ctx.cwd,
        since: None,
    };
    verdict::judge(&input, rules)
}

/// The error that prints a failing verdict.
fn refusal(
    verdict: &Verdict,
    config: &Config,
    what: &str,
    dry_run: bool,
    cwd: &Path,
) -> MigrateError {
    MigrateError::Refused {
        what: what.to_string(),
        reasons: verdict::reasons(verdict, &show(cwd, &config.out)),
        lines: verdict::lines(verdict),
        unreviewed: verdict.unreviewed(),
        dry_run,
    }
}

/// How to get past lint errors, when they are why `migrate` refuses.
fn hint(unreviewed: bool) -> &'static str {
    match unreviewed {
        true => "\nreview each one; if the change is meant, add a line `-- lint:allow <code>` to the comment lines at the top of the file (below `-- no-transaction`, which must stay the first line) before it is applied (once applied, the file must not change), or run migrate --allow-lint-errors",
        false => "",
    }
}

/// Connects (with a second connection, the watcher, that names who blocks a migration when a
/// lock timeout is set and the database can tell), sets the lock policy and applies.
async fn run(
    config: &Config,
    target: &Target,
    local: &[Local],
    (rules, gate, policy, atomic): (Rules, Option<&DriftGate<'_>>, LockPolicy, bool),
    ctx: &mut Context<'_>,
) -> Result<Summary, Error> {
    let mut conn = backend::connect(target, config.dialect).await?;
    if let Err(e) = conn.set_policy(policy).await {
        let error = ServerError::Sqlx(Box::new(e));
        let what = conn.what.clone();
        conn.close().await;
        let context = "cannot set the lock and statement timeouts";
        return Err(MigrateError::Sqlx {
            context,
            what,
            error,
        }
        .into());
    }
    let mut watch = backend::watcher(&mut conn, target, config.dialect).await;
    let tx = (rules, gate, atomic);
    let result = apply_pending(&mut conn, config, local, tx, (&mut watch, ctx)).await;
    if let Some((watcher, _)) = watch {
        watcher.close().await;
    }
    conn.close().await;
    result
}

/// The watcher connection and the session id it asks about.
type Watch = Option<(Connected, i64)>;

fn sqlx_error(conn: &Connected, context: &'static str, e: SqlxMigrateError) -> MigrateError {
    MigrateError::Sqlx {
        context,
        what: conn.what.clone(),
        error: ServerError::Sqlx(Box::new(sqlx::Error::Migrate(Box::new(e)))),
    }
}

/// Locks, checks the applied history against the folder again (another run may have applied
/// migrations since the verdict) and the live schema against its newest applied snapshot (the
/// drift gate), then applies what is pending.
async fn apply_pending(
    conn: &mut Connected,
    config: &Config,
    local: &[Local],
    tx: (Rules, Option<&DriftGate<'_>>, bool),
    (watch, ctx): (&mut Watch, &mut Context<'_>),
) -> Result<Summary, Error> {
    let lock = conn.lock().await;
    lock.map_err(|e| sqlx_error(conn, "cannot take the migration lock", e))?;
    let result = apply_locked(conn, config, local, tx, (watch, ctx)).await;
    if result.is_err() {
        // Released here, not only with the session: the connection may be pooled or kept.
        let _ = conn.unlock().await;
    }
    result
}

/// [`apply_pending`] under the migration lock, which it releases when all went well.
async fn apply_locked(
    conn: &mut Connected,
    config: &Config,
    local: &[Local],
    (rules, gate, atomic): (Rules, Option<&DriftGate<'_>>, bool),
    (watch, ctx): (&mut Watch, &mut Context<'_>),
) -> Result<Summary, Error> {
    let ensured = conn.ensure_history().await;
    ensured.map_err(|e| sqlx_error(conn, "cannot create _sqlx_migrations", e))?;
    let applied = conn.applied().await?;
    let entries = status::compare(local, &applied);
    let out = show(&ctx.cwd, &config.out);
    let problems = verdict::database_problems(&entries, &conn.what, &out, &ctx.cwd, rules);
    if !problems.is_empty() {
        let verdict = Verdict {
            problems,
            ..Verdict::default()
        };
        return Err(refusal(&verdict, config, &conn.what, false, &ctx.cwd).into());
    }
    if let Some(gate) = gate {
        gate.check(conn, config, &entries, false, ctx).await?;
    }
    if atomic {
        return atomic::apply(conn, local, &entries, (watch, ctx)).await;
    }
    let mut done = Vec::new();
    let mut total = Duration::ZERO;
    for entry in entries.iter().filter(|e| e.state == State::Pending) {
        let Some(m) = local.iter().find(|l| l.migration.version == entry.version) else {
            continue;
        };
        let file = show(&ctx.cwd, &m.file);
        if m.migration.no_tx {
            repair_concurrent_builds(conn, &m.migration.sql, &file, ctx).await?;
        }
        let watcher = watch.as_mut().map(|(w, id)| (w, *id));
        match apply_one(conn, m, (file.clone(), done.len()), (watcher, ctx)).await? {
            Applied::Here(elapsed) => {
                total += elapsed;
                done.push(m.migration.version);
                let _ = writeln!(ctx.stdout, "applied {file} ({})", millis(elapsed));
            }
            Applied::Elsewhere { ran_again } => {
                let again = match ran_again {
                    true => " (this run ran it again before it could record it)",
                    false => "",
                };
                let _ = writeln!(
                    ctx.stdout,
                    "{file} was applied meanwhile by another migrate run{again}"
                );
            }
        }
    }
    let unlock = conn.unlock().await;
    unlock.map_err(|e| sqlx_error(conn, "cannot release the migration lock", e))?;
    let summary = match done.len() {
        0 => format!(
            "nothing to apply: {} is up to date ({} migration(s) applied)",
            conn.what,
            entries.len()
        ),
        n => format!(
            "applied {n} migration(s) to {} in {}",
            conn.what,
            millis(total)
        ),
    };
    let _ = writeln!(ctx.stdout, "{summary}");
    Ok(Summary { applied: done })
}

/// How a pending migration came to be applied.
enum Applied {
    /// By this run, in this time.
    Here(Duration),
    /// By another `migrate` run while this one tried (SQLite has no migration lock, so two
    /// runs may both find it pending); `ran_again` when this run's copy of a SQLite
    /// `-- no-transaction` file ran too and only its record failed.
    Elsewhere { ran_again: bool },
}

/// Applies one migration; a failure is rolled back (SQLite: the file's own transaction too),
/// then located, unless another run applied the same file meanwhile.
async fn apply_one(
    conn: &mut Connected,
    m: &Local,
    (file, applied_before): (String, usize),
    (watcher, ctx): (Option<(&mut Connected, i64)>, &mut Context<'_>),
) -> Result<Applied, Error> {
    let mut say = |line: String| {
        let _ = writeln!(ctx.stdout, "{file}: {line}");
    };
    let (applied, waited) = conn
        .apply_patiently((&m.migration, Direction::Up), watcher, &mut say)
        .await;
    if waited.timed_out {
        if let Err(error) = applied {
            let failure = failure::timed_out(conn, m, (file, applied_before), error, &waited).await;
            return Err(MigrateError::Failed(Box::new(failure)).into());
        }
    }
    let error = match applied {
        Ok(elapsed) => return Ok(Applied::Here(elapsed)),
        Err(ApplyError::Migrate(error)) => error,
        Err(ApplyError::Unsplittable(error)) => {
            return Err(MigrateError::Unsplittable {
                file,
                line: error.line(),
                error,
            }
            .into())
        }
        Err(ApplyError::Stopped(stopped)) => {
            let error = ServerError::Server(Box::new(stopped.error));
            let mut failure = Failure::new(file, error, stopped.remains, applied_before);
            failure.statement = stopped.statement;
            return Err(MigrateError::Failed(Box::new(failure)).into());
        }
        Err(ApplyError::Record { error, ran: false }) => return Err(MigrateError::Sqlx {
            context: "cannot record the migration in _sqlx_migrations before running it (nothing of it ran)",
            what: conn.what.clone(),
            error: ServerError::Server(Box::new(error)),
        }
        .into()),
        Err(ApplyError::Record { error, ran: true }) => return Err(MigrateError::Unrecorded {
            file,
            what: conn.what.clone(),
            error: ServerError::Server(Box::new(error)),
        }
        .into()),
    };
    let database = conn.database();
    let records_itself = database.records_itself(&m.migration);
    let records_inside = database.records_inside(&m.migration);
    let recovered = conn.recover(&m.migration).await;
    // Another run may have applied it meanwhile when the file failed, when its row was taken,
    // or when a file that records itself could not write its row.
    let file_failed = matches!(error, SqlxMigrateError::ExecuteMigration(..));
    let taken = match &error {
        SqlxMigrateError::Execute(e) => e
            .as_database_error()
            .is_some_and(|d| d.is_unique_violation()),
        _ => false,
    };
    if (file_failed || taken || records_itself) && applied_meanwhile(conn, &m.migration).await {
        // Only a file that committed before its row was written ran for nothing.
        let ran_again = records_itself && !records_inside && !file_failed;
        return Ok(Applied::Elsewhere { ran_again });
    }
    Err(match error {
        SqlxMigrateError::ExecuteMigration(e, _) => {
            let failure = diagnose(conn, m, file, e, applied_before, recovered).await;
            MigrateError::Failed(Box::new(failure))
        }
        e if records_inside => {
            let error = ServerError::Sqlx(Box::new(sqlx::Error::Migrate(Box::new(e))));
            let mut failure = Failure::new(file, error, Remains::Nothing, applied_before);
            failure.context = "cannot record it in _sqlx_migrations before its COMMIT: ";
            MigrateError::Failed(Box::new(failure))
        }
        e if records_itself => MigrateError::Unrecorded {
            file,
            what: conn.what.clone(),
            error: ServerError::Sqlx(Box::new(sqlx::Error::Migrate(Box::new(e)))),
        },
        e => sqlx_error(conn, "cannot apply a migration", e),
    }
    .into())
}

/// Whether `_sqlx_migrations` now records `m` as applied, with the same checksum.
async fn applied_meanwhile(conn: &mut Connected, m: &sqlx::migrate::Migration) -> bool {
    conn.applied().await.is_ok_and(|rows| {
        rows.iter()
            .any(|r| r.version == m.version && r.success && *r.checksum == *m.checksum)
    })
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
