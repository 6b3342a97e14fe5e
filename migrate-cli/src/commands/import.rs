//! `import drizzle <folder>`: adopts a drizzle-kit 0.31 migrations folder. It writes the Rust
//! sources of the folder's last snapshot (as `pull` writes them, [`crate::pull::sources`]) and
//! this tool's baseline of that state (the migration creating it, its down, snapshot and
//! journal: [`crate::commands::baseline::plan_baseline`]), all in one all-or-nothing write.
//! With a database (`--url` / `--target`), it first checks that drizzle's own migrations table
//! lists every migration of the folder (by the SHA-256 drizzle-kit keeps), and afterwards
//! records the baseline as applied in `_sqlx_migrations`; drizzle's table is left as it is.

use crate::backend;
use crate::commands::baseline::{plan_baseline, record_baseline};
use crate::config::{self, Config};
use crate::database::{self, DatabaseError, ServerError, Target};
use crate::error::Error;
use crate::folder::Folder;
use crate::import::drizzle::{self, Imported, DRIZZLE_TABLE};
use crate::introspect::{drift, judge};
use crate::pull::{self, LeftOut, Sources};
use crate::write_set::{WriteError, WriteSet};
use crate::Context;
use schema_core::model::Schema;
use std::path::{Path, PathBuf};

/// What `import` reads.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ImportSource {
    /// A drizzle-kit 0.31 migrations folder (its `out`: meta/_journal.json, the snapshots, the SQL files)
    Drizzle(DrizzleArgs),
}

/// `migrate-cli import drizzle` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DrizzleArgs {
    /// The drizzle-kit folder (where drizzle.config.ts's `out` points)
    #[arg(value_name = "FOLDER")]
    pub folder: PathBuf,
    /// The config file [default: ./migrate.toml]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// A database drizzle-kit migrated: the baseline is recorded there as applied, once
    /// drizzle's own table shows every migration of the folder applied
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The database of a target of the config, `[targets.<name>]` in migrate.toml (instead of
    /// --url)
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub target: Option<String>,
    /// The folder to write the Rust sources into [default: the config's first schema path]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite Rust source files that already exist
    #[arg(long)]
    pub force: bool,
}

/// Runs `import drizzle`: gives what was left out.
pub fn drizzle(args: &DrizzleArgs, ctx: &mut Context<'_>) -> Result<Vec<LeftOut>, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let source = ctx.cwd.join(&args.folder);
    let imported = read_for(&source, &config, ctx)?;
    let folder = Folder::new(&config.out, &ctx.cwd);
    let _lock = folder.lock_telling(ctx.stderr)?;
    if folder.journal_path().exists() {
        return Err(Error::Refused(format!(
            "{} exists: the migrations folder already has a history, and import starts one; import into a project whose `out` folder is new; nothing was written",
            folder.show(&folder.journal_path())
        )));
    }
    let target = match (args.url.as_deref(), args.target.as_deref()) {
        (None, None) => None,
        choice => Some(database::resolve_one(
            &config, choice, &ctx.env, &ctx.cwd, "import",
        )?),
    };
    let dir = super::pull::out_dir(args.out.as_deref(), &config, &ctx.cwd)?;
    let sources = pull::sources_with(&imported.schema, config.dialect, imported.left_out.clone())
        .map_err(|e| Error::Refused(format!("{}: {e}", show(ctx, &source))))?;
    let schema = pull::declared(&sources.files, config.dialect).map_err(|problems| {
        Error::Refused(format!(
            "the Rust sources written for {} do not read back ({}); this is a bug of import (please report it with the folder); nothing was written",
            show(ctx, &source),
            problems.join("; ")
        ))
    })?;
    if let Some(target) = &target {
        database::block_on(check_database(&config, target, &imported, &schema))??;
    }
    let mut planned = plan_baseline(&folder, config.dialect, &schema, None, (ctx.now, None))?;
    add_sources(&mut planned.files, &dir, &sources, args.force, ctx)?;
    let tag = planned.tag.clone();
    let mut written: Vec<String> = sources
        .files
        .iter()
        .map(|(path, _)| show(ctx, &dir.join(path)))
        .collect();
    for path in [
        &planned.sql,
        &planned.down,
        &planned.snapshot,
        &planned.journal,
    ] {
        written.push(folder.show(path));
    }
    planned.files.commit()?;
    let _ = writeln!(
        ctx.stdout,
        "imported {} drizzle-kit migration(s) of {} as the baseline {tag}:",
        imported.entries.len(),
        show(ctx, &source)
    );
    for path in &written {
        let _ = writeln!(ctx.stdout, "  {path}");
    }
    if let Some(target) = &target {
        record_baseline(&config, target, &tag, &ctx.cwd).map_err(|e| {
            Error::Refused(format!(
                "{e}; the files were written: run `migrate-cli baseline --record-only` with the same url to record the baseline"
            ))
        })?;
        let _ = writeln!(
            ctx.stdout,
            "recorded {tag} as applied (not run: drizzle-kit applied its migrations there); drizzle's own table is left as it is"
        );
    }
    super::pull::print_left_out(&sources.left_out, ctx);
    Ok(sources.left_out)
}

/// The drizzle-kit folder `source`, which must be of the config's dialect.
fn read_for(source: &Path, config: &Config, ctx: &Context<'_>) -> Result<Imported, Error> {
    let imported = drizzle::read(source).map_err(|e| Error::Refused(e.to_string()))?;
    if imported.dialect != config.dialect {
        return Err(Error::Usage(format!(
            "{} is a drizzle-kit folder for {}, but the config's dialect is {}; import it into a project configured for {}",
            show(ctx, source),
            imported.dialect.as_str(),
            config.dialect.as_str(),
            imported.dialect.as_str()
        )));
    }
    Ok(imported)
}

/// Adds the Rust sources to the write, refusing an existing file unless `force`.
fn add_sources(
    files: &mut WriteSet,
    dir: &Path,
    sources: &Sources,
    force: bool,
    ctx: &mut Context<'_>,
) -> Result<(), Error> {
    for (path, text) in &sources.files {
        let path = dir.join(path);
        if !force && path.exists() {
            let _ = writeln!(
                ctx.stderr,
                "hint: import writes no Rust file over an existing one; move it away, give another folder with --out DIR, or overwrite with --force"
            );
            let path = PathBuf::from(show(ctx, &path));
            return Err(Error::Write(WriteError::Exists { path }));
        }
        files.replace(path, text.as_bytes());
    }
    Ok(())
}

fn show(ctx: &Context<'_>, path: &Path) -> String {
    crate::history::show(&ctx.cwd, path)
}

/// Refuses the database `target` unless drizzle-kit applied every migration of the folder,
/// as drizzle-kit's migrator judges it (a migration is applied when its `when` is not after
/// the newest `created_at` of drizzle's table), with the files unchanged since (their SHA-256
/// in drizzle's table), this tool has not migrated it, and its schema is `schema`.
async fn check_database(
    config: &Config,
    target: &Target,
    imported: &Imported,
    schema: &Schema,
) -> Result<(), Error> {
    let mut conn = backend::connect(target, config.dialect).await?;
    let what = conn.what.clone();
    let rows = conn.drizzle_rows().await;
    let applied = conn.applied().await;
    let actual = conn.introspect().await;
    let judged = match &actual {
        Ok(actual) => {
            let (expected, actual) = comparable(config, schema, actual);
            Some(judge::compare(&mut conn, &expected, &actual).await)
        }
        Err(_) => None,
    };
    conn.close().await;
    let (rows, applied) = (rows?, applied?);
    actual.map_err(|e| DatabaseError::Query {
        context: "cannot read the schema".into(),
        what: what.clone(),
        error: ServerError::Server(Box::new(e)),
    })?;
    let Some(rows) = rows else {
        return Err(Error::Refused(format!(
            "{what} has no drizzle-kit migrations table (drizzle.__drizzle_migrations on PostgreSQL, __drizzle_migrations elsewhere): drizzle-kit has not migrated it; run `drizzle-kit migrate` there first, or import without --url; nothing was written"
        )));
    };
    drizzle_applied_all(&what, imported, &rows)?;
    if !applied.is_empty() {
        return Err(Error::Refused(format!(
            "{what} already records {} migration(s) in _sqlx_migrations; import records its baseline only on a database this tool has not migrated; nothing was written",
            applied.len()
        )));
    }
    let differences = judged.map(|j| j.differences).unwrap_or_default();
    if !differences.is_empty() {
        return Err(Error::Refused(format!(
            "refusing: the schema of {what} differs from the last drizzle-kit snapshot, which the baseline would record as its schema; nothing was written\n{}\nbring the snapshot up to date (`drizzle-kit generate`, then `drizzle-kit migrate`) or the database to it, then import again",
            differences.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n")
        )));
    }
    Ok(())
}

/// Both schemas without what the comparison leaves out: `ignore_tables`, drizzle's own table
/// and its `drizzle` schema.
fn comparable(config: &Config, expected: &Schema, actual: &Schema) -> (Schema, Schema) {
    let (mut expected, mut actual) = (expected.clone(), actual.clone());
    drift::ignore(&mut expected, &config.ignore_tables);
    drift::ignore(&mut actual, &config.ignore_tables);
    actual.tables.retain(|_, t| t.name != DRIZZLE_TABLE);
    let used = |s: &String| actual.tables.values().any(|t| &t.schema == s);
    let schemas: Vec<String> = actual
        .schemas
        .iter()
        .filter(|s| s.as_str() != "drizzle" || used(s))
        .cloned()
        .collect();
    actual.schemas = schemas;
    (expected, actual)
}

/// Refuses unless every migration of the folder is applied by drizzle-kit's rule and its file
/// is the one applied.
fn drizzle_applied_all(
    what: &str,
    imported: &Imported,
    rows: &[(String, i64)],
) -> Result<(), Error> {
    let newest = rows.iter().map(|(_, created)| *created).max();
    let pending: Vec<&str> = imported
        .entries
        .iter()
        .filter(|e| newest.is_none_or(|n| e.when > n))
        .map(|e| e.tag.as_str())
        .collect();
    if !pending.is_empty() {
        return Err(Error::Refused(format!(
            "refusing: drizzle-kit has not applied {} on {what} (drizzle's migrations table has no row as recent); run `drizzle-kit migrate` there first; nothing was written",
            pending.join(", ")
        )));
    }
    let changed: Vec<String> = imported
        .entries
        .iter()
        .filter(|e| !rows.iter().any(|(hash, _)| *hash == e.hash))
        .map(|e| e.sql.display().to_string())
        .collect();
    if !changed.is_empty() {
        return Err(Error::Refused(format!(
            "refusing: {} changed since drizzle-kit applied it on {what} (drizzle's migrations table has no row with its SHA-256); restore the file as it was applied (from version control), then import again; nothing was written",
            changed.join(", ")
        )));
    }
    Ok(())
}
