//! `baseline`: makes what already exists the start of the history. On an empty migrations
//! folder it writes a baseline of a live database (the migration that creates its schema, its
//! snapshot and journal entry: [`files::plan`]) and records that migration as applied there
//! without running it; on a folder of sqlx-cli migrations it adopts them ([`adopt`]): their
//! files stay as they are, the journal lists them and each gets the snapshot a replay on a
//! scratch database reads back. `--record-only` records the baseline on another database whose
//! schema is the baseline's ([`record`]).

use crate::backend::{self, ScratchError};
use crate::commands::pull::unsupported::{self, DOMAIN};
use crate::config::{self, Config};
use crate::database::{self, DatabaseError};
use crate::error::{Error, EXIT_FAILED, EXIT_OK};
use crate::folder::{Folder, FolderError};
use crate::history::FolderReadError;
use crate::introspect::drift;
use crate::pull::LeftOut;
use crate::write_set::WriteError;
use crate::Context;
use schema_core::model::Schema;
use schema_core::render::RenderError;
use std::path::PathBuf;

mod adopt;
pub mod files;
mod rebuild;
mod record;

pub use files::{plan as plan_baseline, BaselineFiles, BASELINE_NAME};
pub use record::record_new as record_baseline;

/// `migrate-cli baseline` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BaselineArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database whose schema becomes the baseline, where it is recorded as applied
    /// [default: DATABASE_URL from the environment or a .env file beside the config, then
    /// database_url in the config]. In a folder of sqlx-cli migrations: the database whose
    /// _sqlx_migrations must hold them all (PostgreSQL and MySQL replay them on a scratch
    /// database on its server)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// Write nothing to the folder: record the folder's baseline as applied on this database,
    /// refused when its schema differs from the baseline's snapshot
    #[arg(long)]
    pub record_only: bool,
}

/// What `baseline` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The baseline of a live database was written and recorded there.
    Written { tag: String, version: i64 },
    /// The sqlx-cli migrations of the folder were adopted (their tags); `checked` names the
    /// database found to have applied them all.
    Adopted {
        tags: Vec<String>,
        checked: Option<String>,
    },
    /// `--record-only`: the versions recorded (none when all were already).
    Recorded { versions: Vec<i64> },
}

/// Why `baseline` refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error(transparent)]
    Other(#[from] Error),
    #[error(transparent)]
    Scratch(#[from] ScratchError),
    #[error("{journal} exists: the folder already has a history, and baseline starts one; to record its baseline on another database run `migrate-cli baseline --record-only --url URL`; nothing was written")]
    HasJournal { journal: String },
    #[error("{what} has no tables, enums, sequences or views: there is nothing to baseline; write the schema structs and run generate instead; nothing was written")]
    EmptyDatabase { what: String },
    #[error("{what} already records {count} migration(s) in _sqlx_migrations, but {out} has none: run baseline in the folder that holds those migrations; nothing was written")]
    HasRows {
        what: String,
        count: usize,
        out: String,
    },
    #[error("the baseline {tag} was written, but recording it on {what} failed: {error}; run `migrate-cli baseline --record-only` with the same url to record it")]
    NotRecorded {
        tag: String,
        what: String,
        error: Box<BaselineError>,
    },
    #[error("{journal} has no baseline: its first migration is neither an adopted sqlx-cli migration nor a baseline; run `migrate-cli baseline --url URL` first; nothing was recorded")]
    NoBaseline { journal: String },
    #[error("refusing to record the baseline: {out} has problems; fix them first (`migrate-cli check` names the same); nothing was recorded\n{report}")]
    FolderProblems { out: String, report: String },
    #[error("refusing to record the baseline: sqlx reads no migration from {file}, which the journal lists as part of the baseline; restore the file from version control; nothing was recorded")]
    NoFileRead { file: String },
    #[error("refusing to record the baseline on {what}: its schema differs from {snapshot}, the snapshot of {tag}; nothing was recorded\n{report}\nchange the database to match, or baseline it on its own")]
    Differs {
        what: String,
        tag: String,
        snapshot: String,
        report: String,
    },
    #[error("cannot read the baseline's snapshot {snapshot} to compare the database with; restore it from version control (`check` names what is wrong with the folder); nothing was recorded")]
    Uncompared { snapshot: String },
    #[error("refusing: {what} records migration {version} ({file}) with a checksum other than its file's; the file changed since it was applied; restore it from version control, or record the new checksum with `migrate-cli repair --checksum`; nothing was {nothing}")]
    Checksum {
        what: String,
        version: i64,
        file: String,
        nothing: &'static str,
    },
    #[error("refusing: {what} has not applied every migration of {out}: {missing}; apply them first (`sqlx migrate run`), then baseline again; nothing was written")]
    NotApplied {
        what: String,
        out: String,
        missing: String,
    },
    #[error("refusing: {what} records migration {version} as failed in _sqlx_migrations; {advice}; nothing was {nothing}")]
    Failed {
        what: String,
        version: i64,
        advice: String,
        nothing: &'static str,
    },
    #[error("{file} has no down file {down}: sqlx-cli writes reversible migrations in pairs; add the down file or rename the up file to {simple}; nothing was written")]
    LoneUp {
        file: String,
        down: String,
        simple: String,
    },
    #[error("migration {file} has version {version}, which a migration generated now ({next}) would not follow, and sqlx applies migrations in version order; nothing was written")]
    VersionTooLate {
        file: String,
        version: i64,
        next: String,
    },
    #[error("the baseline {tag} would not rebuild the database's schema: applied to a scratch database, it differs from the schema read\n{report}\nthis is a bug of baseline (please report it with the schema); nothing was written")]
    NotRebuilt { tag: String, report: String },
    #[error(
        "the sqlite database {what} does not exist: there is nothing to baseline; check the url"
    )]
    NoFile { what: String },
    #[error("refusing to baseline {what}: {columns}: domain types (CREATE DOMAIN) are not in the model, so the baseline cannot create them; change each column's type to the domain's base type (its CHECK as a check of the table), or list its table in ignore_tables; nothing was written")]
    Domains { what: String, columns: String },
    #[error("the baseline of the database, {file}, failed on a scratch database: {error}; the database has something the baseline cannot write; please report it with the schema, and list the table concerned in ignore_tables meanwhile; nothing was written")]
    NotReplayed {
        file: String,
        error: crate::database::ServerError,
    },
    #[error("replaying {file} on the scratch database failed: {error}; fix the file, or check that it applies on an empty database; nothing was written")]
    Replay {
        file: String,
        error: crate::database::ServerError,
    },
}

impl From<DatabaseError> for BaselineError {
    fn from(e: DatabaseError) -> Self {
        BaselineError::Other(e.into())
    }
}

impl From<FolderError> for BaselineError {
    fn from(e: FolderError) -> Self {
        BaselineError::Other(e.into())
    }
}

impl From<FolderReadError> for BaselineError {
    fn from(e: FolderReadError) -> Self {
        BaselineError::Other(e.into())
    }
}

impl From<WriteError> for BaselineError {
    fn from(e: WriteError) -> Self {
        BaselineError::Other(e.into())
    }
}

impl From<RenderError> for BaselineError {
    fn from(e: RenderError) -> Self {
        BaselineError::Other(e.into())
    }
}

impl BaselineError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            BaselineError::Other(e) => e.exit_code(),
            _ => EXIT_FAILED,
        }
    }
}

/// Runs `baseline` and gives the exit code, printing the error.
pub fn run(args: &BaselineArgs, ctx: &mut Context<'_>) -> u8 {
    match baseline(args, ctx) {
        Ok(_) => EXIT_OK,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {e}");
            e.exit_code()
        }
    }
}

/// Runs `baseline`.
pub fn baseline(args: &BaselineArgs, ctx: &mut Context<'_>) -> Result<Outcome, BaselineError> {
    let config = config::load(&ctx.cwd, args.config.as_deref()).map_err(Error::from)?;
    let folder = Folder::new(&config.out, &ctx.cwd);
    if args.record_only {
        return record::record_only(args, &config, &folder, ctx);
    }
    let _lock = folder.lock_telling(ctx.stderr)?;
    if folder.journal_path().exists() {
        return Err(BaselineError::HasJournal {
            journal: folder.show(&folder.journal_path()),
        });
    }
    if adopt::has_migrations(&folder) {
        return adopt::adopt(args, &config, &folder, ctx);
    }
    of_database(args, &config, &folder, ctx)
}

/// `schema` as read from a database, its views' queries spelled as `pull` writes them
/// ([`crate::pull::view_sql`]), so that pulled sources and the baseline's snapshot agree.
pub(super) fn as_pulled(schema: &mut Schema) {
    for view in schema.views.values_mut() {
        view.sql = crate::pull::view_sql(&view.sql);
    }
}

/// The baseline of the live database: its schema read, the files written, the row recorded.
fn of_database(
    args: &BaselineArgs,
    config: &Config,
    folder: &Folder,
    ctx: &mut Context<'_>,
) -> Result<Outcome, BaselineError> {
    let choice = (args.url.as_deref(), args.target.as_deref());
    let target = database::resolve_one(config, choice, &ctx.env, &ctx.cwd, "baseline")?;
    if backend::of(config.dialect).file_missing(&target) {
        return Err(BaselineError::NoFile {
            what: target.source.to_string(),
        });
    }
    let read = async {
        let mut conn = backend::connect(&target, config.dialect).await?;
        let rows = conn.applied().await;
        let schema = conn.introspect().await;
        let found = unsupported::find(&mut conn).await;
        let what = conn.what.clone();
        conn.close().await;
        let schema = schema.map_err(|e| DatabaseError::Query {
            context: "cannot read the schema".into(),
            what: what.clone(),
            error: database::ServerError::Server(Box::new(e)),
        })?;
        Ok::<_, DatabaseError>((rows?, schema, what, found))
    };
    let (rows, mut schema, what, found) = database::block_on(read)??;
    if !rows.is_empty() {
        return Err(BaselineError::HasRows {
            what,
            count: rows.len(),
            out: folder.show(&folder.out),
        });
    }
    drift::ignore(&mut schema, &config.ignore_tables);
    let (domains, left_out) = left_out(found, &schema);
    if !domains.is_empty() {
        return Err(BaselineError::Domains {
            what,
            columns: domains.join(", "),
        });
    }
    as_pulled(&mut schema);
    if schema.is_empty() {
        return Err(BaselineError::EmptyDatabase { what });
    }
    let planned = files::plan(folder, config.dialect, &schema, None, (ctx.now, None))?;
    let tag = planned.tag.clone();
    let proof = rebuild::check(
        (config.dialect, &target),
        (&tag, &planned.up_sql),
        &schema,
        ctx,
    );
    database::block_on(proof)??;
    let shown: Vec<String> = [&planned.sql, &planned.down, &planned.snapshot]
        .iter()
        .map(|p| folder.show(p))
        .collect();
    planned.files.commit()?;
    for path in &shown {
        let _ = writeln!(ctx.stdout, "wrote {path}");
    }
    let journal = folder.show(&folder.journal_path());
    let _ = writeln!(ctx.stdout, "wrote {journal} (entry {tag})");
    let version = record::record_new(config, &target, &tag, &ctx.cwd).map_err(|error| {
        BaselineError::NotRecorded {
            tag: tag.clone(),
            what: what.clone(),
            error: Box::new(error),
        }
    })?;
    let _ = writeln!(
        ctx.stdout,
        "recorded {tag} as applied on {what} (not run: the database already has its schema)"
    );
    for t in schema.tables.values().filter(|t| t.primary_key.is_none()) {
        let _ = writeln!(ctx.stdout, "note: table `{}` has no primary key: the baseline has it, but the Rust sources cannot declare it (#[derive(Table)] needs one), so generate would drop it; add a primary key, or list it in ignore_tables", t.name);
    }
    for line in left_out {
        let _ = writeln!(ctx.stdout, "{line}");
    }
    Ok(Outcome::Written { tag, version })
}

/// What [`unsupported::find`] found on the tables and views `schema` keeps: the columns of a
/// domain type (which refuse the baseline), then the note listing the rest, which the folder
/// does not recreate (or saying they could not be listed).
fn left_out(
    found: Result<Vec<LeftOut>, sqlx::Error>,
    schema: &Schema,
) -> (Vec<String>, Vec<String>) {
    let found = match found {
        Ok(found) => found,
        Err(e) => {
            let note = format!("note: cannot list what the baseline leaves out (triggers, comments, ...): {e}; run `migrate-cli pull` to see them");
            return (Vec::new(), vec![note]);
        }
    };
    let kept = |t: &String| schema.tables.contains_key(t) || schema.views.contains_key(t);
    let (domains, rest): (Vec<LeftOut>, Vec<LeftOut>) = found
        .into_iter()
        .filter(|l| l.table.as_ref().is_none_or(kept))
        .partition(|l| l.why == DOMAIN);
    let mut notes = Vec::new();
    if !rest.is_empty() {
        notes.push("note: left out of the baseline (the folder does not recreate these; keep them in a custom migration, generate --custom, if you need them):".to_string());
        notes.extend(rest.iter().map(|l| format!("  {}: {}", l.object, l.why)));
    }
    (domains.into_iter().map(|l| l.object).collect(), notes)
}
