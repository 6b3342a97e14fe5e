//! `plan`: what `migrate` would do on a database, changing nothing: the pending migrations
//! with their statements, the lock each statement takes and whether it scans or rewrites its
//! table with the live row estimate ([`crate::backend::costs`]), the lint findings and the
//! verdict of the gate ([`crate::verdict::judge`], as `migrate` judges), and the drift status
//! ([`crate::introspect::drift`] against the newest applied snapshot, as `migrate`'s drift
//! gate compares). It exits 1 where `migrate` would refuse.
//! Nothing is written: the history table is read only when it exists, and no migration lock
//! is taken.

mod report;

use crate::backend::costs::StatementCost;
use crate::backend::{self, Connected};
use crate::commands::check::Format;
use crate::config::{self, Config};
use crate::database::{self, Target};
use crate::error::{Error, EXIT_FAILED, EXIT_OK};
use crate::folder::history::{self, Depth, History};
use crate::folder::Folder;
use crate::history::{self as status, show, Entry, Local, State};
use crate::introspect::drift;
use crate::verdict::{self, Input, Rules, Scope, Verdict};
use crate::Context;
use schema_core::diff::QualifiedName;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// `migrate-cli plan` flags: `migrate`'s, less what applies.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PlanArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database [default: as migrate: DATABASE_URL, then database_url in the config]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// Judge as migrate --allow-lint-errors would
    #[arg(long)]
    pub allow_lint_errors: bool,
    /// Judge as migrate --allow-out-of-order would
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Judge as migrate --allow-drift would
    #[arg(long)]
    pub allow_drift: bool,
    /// Output format (json: the same for scripts; its keys are listed in the README)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// What `plan` found; `--format json` prints it as it is.
#[derive(Debug, Serialize)]
pub struct Plan {
    /// The database as messages name it: `postgres database shop on 127.0.0.1:5432`.
    pub database: String,
    /// The `[targets.<name>]` it came from, if any.
    pub target: Option<String>,
    /// Whether `migrate` would ask for the target's name first.
    pub protected: bool,
    /// Whether `migrate` (without `--atomic` / `--no-atomic`) would apply the pending
    /// migrations in one transaction: on a protected target where the database can.
    pub atomic: bool,
    pub pending: Vec<PendingMigration>,
    pub findings: Vec<verdict::Finding>,
    pub problems: Vec<verdict::Problem>,
    pub drift: DriftStatus,
    /// Whether `migrate` would apply (`false`: it would refuse, and `plan` exits 1).
    pub passed: bool,
    /// Why it would refuse, in a few words each.
    pub reasons: Vec<String>,
}

/// A pending migration and its statements.
#[derive(Debug, Serialize)]
pub struct PendingMigration {
    pub version: i64,
    pub name: String,
    pub file: String,
    /// How `migrate` would run it: `in a transaction`, ...
    pub runs: &'static str,
    pub statements: Vec<PlannedStatement>,
}

/// A statement, what it costs, and the live row estimate of its table.
#[derive(Debug, Serialize)]
pub struct PlannedStatement {
    #[serde(flatten)]
    pub cost: StatementCost,
    /// The table's estimated rows (`pg_class.reltuples`, counted when never analyzed), when
    /// the statement works on an existing table and the database can tell.
    pub rows: Option<u64>,
}

/// The live schema against the snapshot of the newest applied migration.
#[derive(Debug, Default, Serialize)]
pub struct DriftStatus {
    /// `none`, `drift`, `allowed` (drift, with `--allow-drift`) or `unchecked` (nothing
    /// applied yet, or nothing pending: `migrate` compares only before applying).
    pub status: &'static str,
    /// The tag of the migration whose snapshot was compared.
    pub compared_with: Option<String>,
    pub differences: Vec<String>,
}

/// Runs `plan` and prints its own errors; gives the exit code.
pub fn run(args: &PlanArgs, ctx: &mut Context<'_>) -> u8 {
    match plan(args, ctx) {
        Ok(plan) => {
            report::print(args.format, &plan, ctx);
            match plan.passed {
                true => EXIT_OK,
                false => EXIT_FAILED,
            }
        }
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {e}");
            e.exit_code()
        }
    }
}

/// What `migrate` would do on the database of `--url` or `--target`.
pub fn plan(args: &PlanArgs, ctx: &mut Context<'_>) -> Result<Plan, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let choice = (args.url.as_deref(), args.target.as_deref());
    let target = database::resolve_one(&config, choice, &ctx.env, &ctx.cwd, "plan")?;
    let local = database::block_on(status::load_local(&config, &ctx.cwd))??;
    let folder = Folder::new(&config.out, &ctx.cwd);
    folder.refuse_unlisted_files("nothing was changed")?;
    let history = history::read_with(&folder, config.dialect.as_str(), Depth::Heads);
    let database = backend::of(config.dialect);
    let costs: BTreeMap<i64, Vec<StatementCost>> = local
        .iter()
        .map(|l| {
            (
                l.migration.version,
                database.statement_costs(&l.migration.sql),
            )
        })
        .collect();
    let mut live = match database.file_missing(&target) {
        true => Live {
            what: database.what_of(&target),
            ..Live::default()
        },
        false => database::block_on(read_live(&config, &target, &local, &history, &costs))??,
    };
    let entries = status::compare(&local, &live.applied);
    let rules = Rules {
        allow_out_of_order: args.allow_out_of_order,
        allow_lint_errors: args.allow_lint_errors,
        deny_warnings: false,
    };
    let pending = entries.iter().any(|e| e.state == State::Pending)
        || !status::unfiled(&config, &entries).is_empty();
    let verdict = judge(
        &config,
        &target,
        &history,
        (&live.what, &entries),
        rules,
        pending,
        ctx,
    )?;
    let mut drift = live.drift(args.allow_drift);
    if !pending {
        drift.status = "unchecked";
    }
    let mut reasons: Vec<String> = verdict::reasons(&verdict, &show(&ctx.cwd, &config.out))
        .split("; ")
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    if drift.status == "drift" {
        reasons.push(format!(
            "its schema differs from the snapshot of {}, the newest applied migration",
            drift.compared_with.as_deref().unwrap_or("?")
        ));
    }
    let protected = crate::protected::protected(&config, &target).is_some();
    let waiting = crate::commands::migrate::atomic::pending(&local, &entries);
    let atomic = crate::commands::migrate::atomic::by_default(protected, database, &waiting);
    let mut pending = pending_migrations(config.dialect, &local, &entries, costs, &live.rows, ctx);
    if atomic {
        for m in &mut pending {
            m.runs = crate::commands::migrate::atomic::RUNS_IN_THE_BATCH;
        }
    }
    Ok(Plan {
        pending,
        database: live.what,
        target: target.source.target_name().map(str::to_string),
        protected,
        atomic,
        passed: verdict.passed() && drift.status != "drift",
        findings: verdict.findings,
        problems: verdict.problems,
        drift,
        reasons,
    })
}

/// What `plan` reads from the database on one connection.
#[derive(Default)]
struct Live {
    what: String,
    applied: Vec<backend::AppliedRow>,
    /// The newest applied snapshot's tag and the differences, when one is applied.
    found: Option<drift::Drift>,
    rows: BTreeMap<String, u64>,
}

impl Live {
    /// The drift status `migrate`'s gate would give.
    fn drift(&mut self, allow: bool) -> DriftStatus {
        let Some(found) = self.found.take() else {
            return DriftStatus {
                status: "unchecked",
                ..DriftStatus::default()
            };
        };
        let status = match (found.differences.is_empty(), allow) {
            (true, _) => "none",
            (false, false) => "drift",
            (false, true) => "allowed",
        };
        DriftStatus {
            status,
            compared_with: Some(found.tag),
            differences: found.differences,
        }
    }
}

/// The applied history, the drift against the newest applied snapshot, and the row estimate
/// of every existing table a statement works on: all read, nothing written.
async fn read_live(
    config: &Config,
    target: &Target,
    local: &[Local],
    history: &History,
    costs: &BTreeMap<i64, Vec<StatementCost>>,
) -> Result<Live, Error> {
    let mut conn = backend::connect(target, config.dialect).await?;
    let result = read_on(&mut conn, config, local, history, costs).await;
    conn.close().await;
    result
}

async fn read_on(
    conn: &mut Connected,
    config: &Config,
    local: &[Local],
    history: &History,
    costs: &BTreeMap<i64, Vec<StatementCost>>,
) -> Result<Live, Error> {
    let applied = conn.applied().await?;
    let entries = status::compare(local, &applied);
    let done: BTreeSet<i64> = entries
        .iter()
        .filter(|e| e.state == State::Applied)
        .map(|e| e.version)
        .collect();
    let waiting: BTreeSet<i64> = entries
        .iter()
        .filter(|e| e.state == State::Pending)
        .map(|e| e.version)
        .collect();
    let rebuilt: Vec<(String, String)> = local
        .iter()
        .filter(|l| l.migration.no_tx && waiting.contains(&l.migration.version))
        .flat_map(|l| crate::commands::migrate::concurrent_builds(&l.migration.sql))
        .collect();
    let found = match done.is_empty() {
        true => None,
        false => drift::find(conn, config, history, (&done, &rebuilt)).await?,
    };
    let tables: BTreeSet<&str> = waiting
        .iter()
        .filter_map(|v| costs.get(v))
        .flatten()
        .filter_map(|c| c.table.as_deref())
        .collect();
    let mut rows = BTreeMap::new();
    for table in tables {
        let name = match table.split_once('.') {
            Some((schema, name)) => QualifiedName::new(schema, name),
            None => QualifiedName::new("public", table),
        };
        if let Ok(Ok(n)) = conn.row_count(&name).await {
            rows.insert(table.to_string(), n);
        }
    }
    Ok(Live {
        what: conn.what.clone(),
        applied,
        found,
        rows,
    })
}

/// The verdict `migrate` would give (with its row counts); without pending migrations only the
/// database's history can be wrong.
fn judge(
    config: &Config,
    target: &Target,
    history: &History,
    (what, entries): (&str, &[Entry]),
    rules: Rules,
    pending: bool,
    ctx: &Context<'_>,
) -> Result<Verdict, Error> {
    if !pending {
        let out = show(&ctx.cwd, &config.out);
        return Ok(Verdict {
            problems: verdict::database_problems(entries, what, &out, &ctx.cwd, rules),
            ..Verdict::default()
        });
    }
    let folder = Folder::new(&config.out, &ctx.cwd);
    let input = Input {
        config,
        folder: &folder,
        history,
        database: Some(verdict::Database {
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

/// The pending migrations in the order `migrate` applies them, each statement with its
/// table's row estimate.
fn pending_migrations(
    dialect: config::Dialect,
    local: &[Local],
    entries: &[Entry],
    mut costs: BTreeMap<i64, Vec<StatementCost>>,
    rows: &BTreeMap<String, u64>,
    ctx: &Context<'_>,
) -> Vec<PendingMigration> {
    let database = backend::of(dialect);
    let mut out = Vec::new();
    for entry in entries.iter().filter(|e| e.state == State::Pending) {
        let Some(l) = local.iter().find(|l| l.migration.version == entry.version) else {
            continue;
        };
        let statements = costs
            .remove(&entry.version)
            .unwrap_or_default()
            .into_iter()
            .map(|cost| PlannedStatement {
                rows: cost.table.as_ref().and_then(|t| rows.get(t).copied()),
                cost,
            })
            .collect();
        out.push(PendingMigration {
            version: l.migration.version,
            name: l.name.clone(),
            file: show(&ctx.cwd, &l.file),
            runs: database.how_it_runs(&l.migration),
            statements,
        });
    }
    out
}
