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
use crate::database::{self, Target};
use crate::error::Error;
use crate::folder::Folder;
use crate::import::drizzle::{self, Imported};
use crate::pull::{self, LeftOut};
use crate::write_set::WriteError;
use crate::Context;
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
    let imported = drizzle::read(&source).map_err(|e| Error::Usage(e.to_string()))?;
    if imported.dialect != config.dialect {
        return Err(Error::Usage(format!(
            "{} is a drizzle-kit folder for {}, but the config's dialect is {}; import it into a project configured for {}",
            show(ctx, &source),
            imported.dialect.as_str(),
            config.dialect.as_str(),
            imported.dialect.as_str()
        )));
    }
    let folder = Folder::new(&config.out, &ctx.cwd);
    let _lock = folder.lock_with(|path| {
        let _ = writeln!(
            ctx.stderr,
            "waiting for the lock on {path} held by another generate or drop"
        );
    })?;
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
    if let Some(target) = &target {
        database::block_on(all_applied(&config, target, &imported))??;
    }
    let dir = super::pull::out_dir(args.out.as_deref(), &config, &ctx.cwd)?;
    let mut sources =
        pull::sources(&imported.schema, config.dialect).map_err(|e| Error::Usage(e.to_string()))?;
    let schema = pull::declared(&sources.files, config.dialect).map_err(|problems| {
        Error::Refused(format!(
            "the Rust sources written for {} do not read back ({}); this is a bug of import (please report it with the folder); nothing was written",
            show(ctx, &source),
            problems.join("; ")
        ))
    })?;
    let mut planned = plan_baseline(&folder, config.dialect, &schema, None, (ctx.now, None))?;
    for (path, text) in &sources.files {
        let path = dir.join(path);
        if !args.force && path.exists() {
            let _ = writeln!(
                ctx.stderr,
                "hint: import writes no Rust file over an existing one; move it away, give another folder with --out DIR, or overwrite with --force"
            );
            let path = PathBuf::from(show(ctx, &path));
            return Err(Error::Write(WriteError::Exists { path }));
        }
        planned.files.replace(path, text.as_bytes());
    }
    let tag = planned.tag.clone();
    let written: Vec<String> = [&planned.sql, &planned.down, &planned.snapshot]
        .iter()
        .map(|p| folder.show(p))
        .collect();
    planned.files.commit()?;
    let _ = writeln!(
        ctx.stdout,
        "imported {} drizzle-kit migration(s) of {} as the baseline {tag}:",
        imported.entries.len(),
        show(ctx, &source)
    );
    for (path, _) in &sources.files {
        let _ = writeln!(ctx.stdout, "  {}", show(ctx, &dir.join(path)));
    }
    for path in &written {
        let _ = writeln!(ctx.stdout, "  {path}");
    }
    let _ = writeln!(ctx.stdout, "  {}", folder.show(&folder.journal_path()));
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
    sources
        .left_out
        .extend(imported.left_out.iter().map(|line| {
            let (object, why) = line.split_once(": ").unwrap_or((line.as_str(), ""));
            LeftOut {
                object: object.to_string(),
                why: why.to_string(),
                table: None,
            }
        }));
    super::pull::print_left_out(&sources.left_out, ctx);
    Ok(sources.left_out)
}

fn show(ctx: &Context<'_>, path: &Path) -> String {
    crate::history::show(&ctx.cwd, path)
}

/// Refuses a database whose drizzle table lacks a migration of the folder, or which already
/// records migrations of its own in `_sqlx_migrations`.
async fn all_applied(config: &Config, target: &Target, imported: &Imported) -> Result<(), Error> {
    let mut conn = backend::connect(target, config.dialect).await?;
    let what = conn.what.clone();
    let hashes = conn.drizzle_hashes().await;
    let rows = conn.applied().await;
    conn.close().await;
    let (hashes, rows) = (hashes?, rows?);
    let Some(hashes) = hashes else {
        return Err(Error::Refused(format!(
            "{what} has no drizzle-kit migrations table (drizzle.__drizzle_migrations on PostgreSQL, __drizzle_migrations elsewhere): drizzle-kit has not migrated it; run `drizzle-kit migrate` there first, or import without --url; nothing was written"
        )));
    };
    let missing: Vec<&str> = imported
        .entries
        .iter()
        .filter(|e| !hashes.contains(&e.hash))
        .map(|e| e.tag.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Error::Refused(format!(
            "refusing: drizzle-kit's migrations table on {what} does not list {} (applied files are matched by their SHA-256, so an edited file counts as not applied); run `drizzle-kit migrate` there first; nothing was written",
            missing.join(", ")
        )));
    }
    if !rows.is_empty() {
        return Err(Error::Refused(format!(
            "{what} already records {} migration(s) in _sqlx_migrations; import records its baseline only on a database this tool has not migrated; nothing was written",
            rows.len()
        )));
    }
    Ok(())
}
