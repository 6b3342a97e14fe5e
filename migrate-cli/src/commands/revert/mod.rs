//! `revert`: undo applied migrations with their down files (`<out>/<tag>.down.sql`), newest
//! first, on the database `migrate` would use. Everything that would refuse is found before
//! anything runs ([`plan`]: a migration without a down, an up file changed since it was
//! applied, one missing from the folder, a down with unacknowledged lint errors); then, after a
//! question on a terminal (`--yes` otherwise), under sqlx's migration lock, each down runs with
//! the deletion of its version's `_sqlx_migrations` row ([`apply`]; how is the backend's:
//! `Backend::revert_one`), so `status` shows it pending and `migrate` applies it again.

mod apply;
pub mod plan;

use crate::backend::{self, SplitError};
use crate::config;
use crate::database::{self, DatabaseError, ServerError};
use crate::error::{Error, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::folder::Folder;
use crate::history::{load_local, show};
use crate::Context;
use plan::Ask;
use schema_core::lint;
use std::io;
use std::path::PathBuf;

/// `migrate-cli revert` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RevertArgs {
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database [default: DATABASE_URL from the environment or a .env file beside the
    /// config, then database_url in the config, then sqlite://dev.db beside it for SQLite]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// Revert every applied migration newer than this version, newest first (0 reverts all)
    /// [default: only the newest applied migration]
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Print the down files that would run, their findings and the verdict; revert nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Run downs whose lint errors are not acknowledged with `-- lint:allow <code>`
    #[arg(long)]
    pub allow_lint_errors: bool,
    /// Revert without asking (required without a terminal)
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub locks: crate::lock_policy::LockArgs,
}

/// What `revert` did: the versions it reverted (or, with `--dry-run`, would revert), newest
/// first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub reverted: Vec<i64>,
}

/// Why `revert` stopped.
#[derive(Debug, thiserror::Error)]
pub enum RevertError {
    #[error(transparent)]
    Other(#[from] Error),
    #[error("--to {given}: not a migration version; give the number its file name starts with, such as --to 20260101000000, or --to 0 to revert every migration")]
    BadVersion { given: String },
    #[error("--to {version}: there is no migration {version} in {out} nor on {what}; give a version that status lists, or --to 0 to revert every migration; nothing was reverted")]
    UnknownTarget {
        version: i64,
        out: String,
        what: String,
    },
    #[error("{}refusing to revert on {what}: nothing was reverted\n{}{}", if *dry_run { "dry run: " } else { "" }, reasons.iter().map(|r| format!("  {r}")).collect::<Vec<_>>().join("\n"), lint_hint(*lint))]
    Refused {
        what: String,
        reasons: Vec<String>,
        lint: bool,
        dry_run: bool,
    },
    #[error("revert changes the database and there is no terminal to confirm it: pass --yes (or look first with --dry-run); nothing was reverted")]
    NeedsYes,
    #[error("cannot ask on the terminal: {0}; pass --yes to revert without asking")]
    Prompt(io::Error),
    #[error("cancelled: nothing was reverted")]
    Cancelled,
    /// A protected target nobody confirmed ([`crate::protected`]).
    #[error(transparent)]
    Unconfirmed(#[from] crate::protected::Unconfirmed),
    #[error("the migrations applied on {what} changed while revert asked (another migrate or revert?); nothing was reverted; run status and revert again")]
    Changed { what: String },
    #[error("{failure}{}", reverted_before(*reverted))]
    Failed {
        failure: Box<crate::commands::migrate::Failure>,
        reverted: usize,
    },
    #[error("down {file}:{line} cannot be cut into statements: {error}; nothing of it ran and migration {version} is still applied; fix the file and run revert again{}", reverted_before(*reverted))]
    Unsplittable {
        file: String,
        line: usize,
        version: i64,
        #[source]
        error: SplitError,
        reverted: usize,
    },
    #[error("down {file} ran on {what}, but removing version {version} from _sqlx_migrations failed: {error}; the migration is undone but still recorded as applied: delete its row by hand (DELETE FROM _sqlx_migrations WHERE version = {version}) so that status shows it pending and migrate applies it again{}", reverted_before(*reverted))]
    Unforgotten {
        file: String,
        version: i64,
        what: String,
        #[source]
        error: ServerError,
        reverted: usize,
    },
    #[error("{context} on {what}: {error}{}", reverted_before(*reverted))]
    Sqlx {
        context: &'static str,
        what: String,
        #[source]
        error: ServerError,
        reverted: usize,
    },
}

impl RevertError {
    pub fn exit_code(&self) -> u8 {
        match self {
            RevertError::Other(e) => e.exit_code(),
            RevertError::BadVersion { .. } | RevertError::NeedsYes => EXIT_USAGE,
            _ => EXIT_FAILED,
        }
    }
}

impl From<DatabaseError> for RevertError {
    fn from(e: DatabaseError) -> RevertError {
        RevertError::Other(e.into())
    }
}

/// How to get past lint errors, when they are among the reasons.
fn lint_hint(lint: bool) -> &'static str {
    match lint {
        true => "\n  review each one; if the down is meant as it is, add a line `-- lint:allow <code>` to the comment lines at the top of the down file (below `-- no-transaction`, which must stay the first line), or run revert --allow-lint-errors",
        false => "",
    }
}

/// What a failure adds about the migrations this run reverted before it.
fn reverted_before(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(" ({n} newer migration(s) were reverted by this run before it)"),
    }
}

/// Runs `revert` and gives the exit code, printing the error.
pub fn run(args: &RevertArgs, ctx: &mut Context<'_>) -> u8 {
    match revert(args, ctx) {
        Ok(_) => EXIT_OK,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {e}");
            e.exit_code()
        }
    }
}

/// Runs `revert`.
pub fn revert(args: &RevertArgs, ctx: &mut Context<'_>) -> Result<Summary, RevertError> {
    let ask = match &args.to {
        None => Ask::Newest,
        Some(given) => Ask::To(version(given)?),
    };
    let config = config::load(&ctx.cwd, args.config.as_deref()).map_err(Error::from)?;
    let choice = (args.url.as_deref(), args.target.as_deref());
    let target = database::resolve_one(&config, choice, &ctx.env, &ctx.cwd, "revert")
        .map_err(Error::from)?;
    let protected = crate::protected::protected(&config, &target).map(|(name, _)| name);
    // A protected target shows what would run before it refuses (exit 1, below).
    if !args.dry_run && ctx.prompt.is_none() && !args.yes && protected.is_none() {
        return Err(RevertError::NeedsYes);
    }
    let local = database::block_on(load_local(&config, &ctx.cwd))?.map_err(Error::from)?;
    Folder::new(&config.out, &ctx.cwd)
        .refuse_unlisted_files("nothing was reverted")
        .map_err(Error::from)?;
    let db = backend::of(config.dialect);
    if db.file_missing(&target) {
        let _ = writeln!(
            ctx.stdout,
            "nothing to revert: {} does not exist, so no migration is applied there",
            db.what_of(&target)
        );
        return Ok(Summary {
            reverted: Vec::new(),
        });
    }
    let (applied, what) = database::block_on(apply::read_applied(&config, &target))??;
    if let Ask::To(version) = ask {
        let known = version == 0
            || local.iter().any(|l| l.migration.version == version)
            || applied.iter().any(|r| r.version == version);
        if !known {
            let out = show(&ctx.cwd, &config.out);
            return Err(RevertError::UnknownTarget { version, out, what });
        }
    }
    let mut planned = plan::plan(&config, &ctx.cwd, (&local, &applied), ask, &what);
    // Locking warnings on large tables are errors, as `migrate` judges them.
    let mut found = planned.findings();
    let costs = lint::Costs::of(config.dialect.renderer());
    let sizes = crate::sizes::for_findings(&target, &config, &found, costs)?;
    lint::apply_sizes(&mut found, &sizes);
    planned.set_findings(found);
    planned.judge_lint(args.allow_lint_errors);
    if args.dry_run {
        return apply::dry_run(db, &what, &planned, ctx);
    }
    apply::refuse(&planned, &what, false)?;
    if planned.steps.is_empty() {
        return Ok(apply::nothing(ask, &what, ctx));
    }
    let _ = writeln!(ctx.stdout, "{}", apply::listing(db, &what, &planned));
    let question = format!(
        "revert {} migration(s) on {what}? their changes are undone with the data they held",
        planned.steps.len()
    );
    match protected {
        Some(name) => {
            let prompt = ctx.prompt.as_deref_mut();
            let action = ("revert", "reverted");
            crate::protected::confirm(prompt, name, &what, args.yes, action)?;
        }
        None => apply::confirm(ctx, args.yes, &question)?,
    }
    let judged = (ask, args.allow_lint_errors);
    let run = apply::run(
        &config,
        (&target, crate::lock_policy::for_target(&args.locks, &config, &target)),
        &local,
        judged,
        &planned,
        ctx,
    );
    database::block_on(run)?
}

/// `20260101000000`, `20260101000000_name` or `migrations/20260101000000_name.sql`: the version.
fn version(given: &str) -> Result<i64, RevertError> {
    let file = std::path::Path::new(given.trim())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let digits = file.split('_').next().unwrap_or_default();
    digits.parse().map_err(|_| RevertError::BadVersion {
        given: given.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_a_number_a_tag_or_a_file() {
        for given in [
            "20260101000000",
            "20260101000000_init",
            "m/20260101000000_init.sql",
        ] {
            assert_eq!(version(given).unwrap(), 20260101000000, "{given}");
        }
        assert_eq!(version("0").unwrap(), 0);
        let err = version("first").unwrap_err();
        assert_eq!(err.exit_code(), EXIT_USAGE);
    }
}
