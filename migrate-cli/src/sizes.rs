//! Table sizes for lint (`generate`, and `check --url`): the estimated row count of each
//! existing table a migration changes in a way that locks it, read from the database when
//! there is one. Each backend counts ([`crate::backend::Backend::row_count`]); this is the
//! shared part: which database, within what time, and what a failure means.
//!
//! Where the database comes from decides what a failure means:
//! - `--url` or `--target`: the user asked for sizes, so a database that cannot be read is an error naming it.
//! - `DATABASE_URL` (environment or `.env`) or `database_url` in `migrate.toml`: a warning, and
//!   lint goes on without sizes; `generate` must keep working with no database at all.
//! - SQLite's default `dev.db` counts only when the file exists; without any URL nothing is read.
//!
//! The estimates:
//! - PostgreSQL: `pg_class.reltuples`. A table never analyzed has `-1` there (PostgreSQL 14 and
//!   later; `0` with data pages before), so such a table is counted exactly with `count(*)` when
//!   it is at most [`COUNT_LIMIT_BYTES`] on disk, and is left unknown (with a note asking for
//!   `ANALYZE`) when larger. Partitioned tables and tables missing from the database are unknown.
//! - SQLite: `count(*)`, which is exact (SQLite keeps no estimate).
//! - MySQL and MariaDB: `information_schema.tables.table_rows` (InnoDB's estimate, `0` or
//!   NULL until the statistics are first computed), so a table of at most
//!   [`COUNT_LIMIT_BYTES`] (`data_length`) is counted exactly with `count(*)`, and a larger one
//!   whose estimate is missing is left unknown (with a note asking for `ANALYZE TABLE`). The
//!   table is looked up in the connection's database (`DATABASE()`): the model's `public`
//!   schema name is not a MySQL database.

use crate::backend::{self, Connected};
use crate::config::{self, Config, Dialect};
use crate::database::{self, DatabaseError, ServerError, Target};
use crate::error::Error;
use crate::Context;
use schema_core::diff::{Change, QualifiedName};
use schema_core::lint::{self, TableSizes};
use schema_core::model::Schema;
use std::collections::BTreeMap;
use std::time::Duration;

/// A table never analyzed (PostgreSQL) or without statistics (MySQL) up to this size (8 MiB)
/// is counted with `count(*)`.
pub const COUNT_LIMIT_BYTES: i64 = 8 * 1024 * 1024;

/// How long connecting and reading the sizes may take: a server that does not answer must not
/// hold `generate` up for the minutes a TCP connect can take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The sizes lint uses for `changes` (the diff from `old`): the threshold from the config's
/// `[lint]` table, and the row counts of the tables [`lint::tables_to_size`] names when a
/// database is given (`--url` or `--target`) or configured, keyed as the findings of the
/// dialect that costs `costs` name them. Warnings and notes go to stderr.
pub fn read<'a, I>(
    (url, target): (Option<&str>, Option<&str>),
    config: &Config,
    old: &Schema,
    changes: I,
    costs: lint::Costs,
    ctx: &mut Context<'_>,
) -> Result<TableSizes, Error>
where
    I: IntoIterator<Item = &'a Change> + Clone,
{
    let settings = config::lint_settings(config)?;
    let mut sizes = TableSizes::new(settings.large_table_rows);
    let tables = lint::tables_to_size(old, changes, costs);
    let explicit = url.is_some() || target.is_some();
    let choice = (url, target);
    let target = match database::resolve_one(config, choice, &ctx.env, &ctx.cwd, "generate") {
        Ok(target) => target,
        Err(DatabaseError::NoUrl { .. }) => return Ok(sizes),
        Err(e) if explicit => return Err(e.into()),
        Err(e) => {
            warn(ctx, &e.to_string());
            return Ok(sizes);
        }
    };
    // Counting must never create a database file.
    if backend::of(config.dialect).file_missing(&target) {
        if explicit {
            return Err(Error::Database(DatabaseError::Connect {
                what: format!("sqlite database {}", database::redact(&target.url)),
                from: target.source,
                error: ServerError::Found("the file does not exist".to_string()),
                hint: "check the path; generate reads table sizes and never creates a database",
            }));
        }
        return Ok(sizes);
    }
    // A configured database is only read when there is something to count; one given with
    // --url is always connected to, so a wrong one shows.
    if tables.is_empty() && !explicit {
        return Ok(sizes);
    }
    let counted = database::block_on(count(&target, config.dialect, &tables)).and_then(|r| r);
    match counted {
        Ok(counted) => {
            if !counted.unknown.is_empty() {
                let _ = writeln!(
                    ctx.stderr,
                    "note: no row count on {} for {}; lint shows their findings without one",
                    counted.what,
                    counted.unknown.join(", ")
                );
            }
            sizes.rows = counted.rows;
            Ok(sizes)
        }
        Err(e) if explicit => Err(e.into()),
        Err(e) => {
            warn(ctx, &e.to_string());
            Ok(sizes)
        }
    }
}

/// `check --url`: the sizes of the tables the locking warnings of `findings` concern (findings
/// read back from migration files not yet applied), from `target`, which `check` has already
/// reached, so a failure is an error. Tables not in the database stay unknown. `costs` are
/// the dialect's, which say how the findings name their tables.
pub fn for_findings(
    target: &Target,
    config: &Config,
    findings: &[lint::Finding],
    costs: lint::Costs,
) -> Result<TableSizes, Error> {
    let settings = config::lint_settings(config)?;
    let mut sizes = TableSizes::new(settings.large_table_rows);
    // Keyed as each finding names its table (hand-written SQL may leave the schema out), which
    // is how the sizes are looked up.
    let tables: BTreeMap<String, QualifiedName> = findings
        .iter()
        .filter(|f| f.severity == lint::Severity::Warning)
        .filter_map(|f| {
            let written = lint::locked_table_as_written(f)?.to_string();
            Some((written, lint::locked_table(f, costs)?))
        })
        .collect();
    if tables.is_empty() {
        return Ok(sizes);
    }
    sizes.rows = database::block_on(count(target, config.dialect, &tables))??.rows;
    Ok(sizes)
}

fn warn(ctx: &mut Context<'_>, error: &str) {
    let _ = writeln!(
        ctx.stderr,
        "warning: lint cannot read table sizes: {error}; the findings are written without row \
         counts (pass --url to make this an error, or unset the configured url)"
    );
}

/// What was read from the database.
struct Counted {
    /// Rows by the `schema.table` (`table` without schemas) findings name.
    rows: BTreeMap<String, u64>,
    /// Tables without a count, each with why: `public.t (never analyzed; run ANALYZE)`.
    unknown: Vec<String>,
    /// The database, as messages name it.
    what: String,
}

/// Connects to `target` and reads the size of each of `tables` (finding key → name in the
/// database), within [`TIMEOUT`].
async fn count(
    target: &Target,
    dialect: Dialect,
    tables: &BTreeMap<String, QualifiedName>,
) -> Result<Counted, DatabaseError> {
    match tokio::time::timeout(TIMEOUT, count_unbounded(target, dialect, tables)).await {
        Ok(counted) => counted,
        Err(_) => Err(DatabaseError::Connect {
            what: database::redact(&target.url),
            from: target.source.clone(),
            error: ServerError::Found(format!("no answer within {} s", TIMEOUT.as_secs())),
            hint: "check that the server is running and reachable",
        }),
    }
}

async fn count_unbounded(
    target: &Target,
    dialect: Dialect,
    tables: &BTreeMap<String, QualifiedName>,
) -> Result<Counted, DatabaseError> {
    let mut conn = backend::connect(target, dialect).await?;
    let what = conn.what.clone();
    let result = count_on(&mut conn, tables).await;
    conn.close().await;
    let (rows, unknown) = result.map_err(|e| DatabaseError::Query {
        context: "cannot read table sizes".to_string(),
        what: what.clone(),
        error: ServerError::Server(Box::new(e)),
    })?;
    Ok(Counted {
        rows,
        unknown,
        what: format!("{what} (url from {})", target.source),
    })
}

type Sizes = (BTreeMap<String, u64>, Vec<String>);

async fn count_on(
    conn: &mut Connected,
    tables: &BTreeMap<String, QualifiedName>,
) -> Result<Sizes, sqlx::Error> {
    let mut rows = BTreeMap::new();
    let mut unknown = Vec::new();
    for (key, name) in tables {
        match conn.row_count(name).await? {
            Ok(n) => {
                rows.insert(key.clone(), n);
            }
            Err(why) => unknown.push(format!("{key} ({why})")),
        }
    }
    Ok((rows, unknown))
}
