//! `pull`: reads a live database and writes Rust sources that declare it
//! ([`crate::pull::sources`]), one file per table, all or nothing, never over an existing file
//! without `--force`; what the attribute language cannot say is a comment in the sources and
//! is listed at the end of the output.

pub(crate) mod unsupported;

use crate::backend;
use crate::config::{self, Config};
use crate::database::{self, DatabaseError, ServerError, Target};
use crate::error::Error;
use crate::pull::{self, LeftOut};
use crate::write_set::{WriteError, WriteSet};
use crate::Context;
use schema_core::model::Schema;
use std::path::{Path, PathBuf};

/// `migrate-cli pull` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PullArgs {
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
    /// The folder to write into [default: the config's first schema path]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite files that already exist
    #[arg(long)]
    pub force: bool,
}

/// Runs `pull`: gives what was left out.
pub fn pull(args: &PullArgs, ctx: &mut Context<'_>) -> Result<Vec<LeftOut>, Error> {
    let config = config::load(&ctx.cwd, args.config.as_deref())?;
    let choice = (args.url.as_deref(), args.target.as_deref());
    let target = database::resolve_one(&config, choice, &ctx.env, &ctx.cwd, "pull")?;
    let dir = out_dir(args.out.as_deref(), &config, &ctx.cwd)?;
    let (mut schema, mut found, what) = database::block_on(read(&config, &target))??;
    let all: Vec<String> = schema.tables.keys().cloned().collect();
    crate::introspect::drift::ignore(&mut schema, &config.ignore_tables);
    // What belongs to an ignored table is left out with it, unsaid.
    found.retain(|l| {
        l.table
            .as_ref()
            .is_none_or(|t| schema.tables.contains_key(t) || !all.contains(t))
    });
    let sources = pull::sources_with(&schema, config.dialect, found)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let mut set = WriteSet::new();
    for (path, text) in &sources.files {
        let path = dir.join(path);
        if !args.force && path.exists() {
            let _ = writeln!(
                ctx.stderr,
                "hint: pull writes no file over an existing one; move it away, give another folder with --out DIR, or overwrite with --force"
            );
            let path = PathBuf::from(crate::history::show(&ctx.cwd, &path));
            return Err(Error::Write(WriteError::Exists { path }));
        }
        set.replace(path, text.as_bytes());
    }
    set.commit()?;
    let shown = crate::history::show(&ctx.cwd, &dir);
    let _ = writeln!(
        ctx.stdout,
        "pulled {} from {what} into {shown}:",
        counts(&schema)
    );
    for (path, _) in &sources.files {
        let _ = writeln!(
            ctx.stdout,
            "  {}",
            crate::history::show(&ctx.cwd, &dir.join(path))
        );
    }
    stale_files(&dir, &sources.files, ctx);
    print_left_out(&sources.left_out, ctx);
    Ok(sources.left_out)
}

/// `--out`, else the config's first schema path (which must be a folder).
pub fn out_dir(out: Option<&Path>, config: &Config, cwd: &Path) -> Result<PathBuf, Error> {
    if let Some(out) = out {
        return Ok(cwd.join(out));
    }
    match config.schema.first() {
        Some(first) if first.extension().is_none_or(|e| e != "rs") => Ok(first.clone()),
        Some(first) => Err(Error::Usage(format!(
            "the config's first schema path {} is a file, and pull writes a folder of files; give the folder with --out DIR",
            crate::history::show(cwd, first)
        ))),
        None => Err(Error::Usage(
            "the config lists no schema path; give the folder to write with --out DIR".into(),
        )),
    }
}

/// The schema, what the database has that introspection does not read, and what to call it.
async fn read(
    config: &Config,
    target: &Target,
) -> Result<(Schema, Vec<LeftOut>, String), DatabaseError> {
    let database = backend::of(config.dialect);
    if database.file_missing(target) {
        return Err(DatabaseError::Query {
            context: "cannot read the schema".into(),
            what: database.what_of(target),
            error: ServerError::Found(
                "the database file does not exist; give the url of an existing database".into(),
            ),
        });
    }
    let mut conn = backend::connect(target, config.dialect).await?;
    let what = conn.what.clone();
    let failed = |e: sqlx::Error| DatabaseError::Query {
        context: "cannot read the schema".into(),
        what: what.clone(),
        error: ServerError::Sqlx(Box::new(e)),
    };
    let schema = conn.introspect().await.map_err(failed)?;
    let found = unsupported::find(&mut conn).await.map_err(failed)?;
    conn.close().await;
    Ok((schema, found, what))
}

/// `3 tables, 1 enum` and so on.
fn counts(schema: &Schema) -> String {
    let plural = |n: usize, one: &str| match n {
        1 => format!("1 {one}"),
        _ => format!("{n} {one}s"),
    };
    let mut parts = vec![plural(schema.tables.len(), "table")];
    for (n, what) in [
        (schema.enums.len(), "enum"),
        (schema.sequences.len(), "sequence"),
        (schema.views.len(), "view"),
    ] {
        if n > 0 {
            parts.push(plural(n, what));
        }
    }
    parts.join(", ")
}

/// Warns of `.rs` files in `dir` that pull did not write: `generate` reads every one.
fn stale_files(dir: &Path, written: &[(PathBuf, String)], ctx: &mut Context<'_>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| !written.iter().any(|(w, _)| dir.join(w) == *p))
        .collect();
    stale.sort();
    for path in stale {
        let _ = writeln!(
            ctx.stderr,
            "warning: {} was not written by this pull, but generate reads it too; remove it if it declares a table again",
            crate::history::show(&ctx.cwd, &path)
        );
    }
}

/// Lists what the sources leave out (or says nothing was).
pub fn print_left_out(left_out: &[LeftOut], ctx: &mut Context<'_>) {
    if left_out.is_empty() {
        let _ = writeln!(ctx.stdout, "nothing was left out");
        return;
    }
    let _ = writeln!(
        ctx.stdout,
        "left out ({}), written as comments; declare them by hand in a custom migration (generate --custom) if you need them:",
        left_out.len()
    );
    for l in left_out {
        let _ = writeln!(ctx.stdout, "  {}: {}", l.object, l.why);
    }
}
