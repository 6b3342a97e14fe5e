//! The command line library: config, source scanning, the migrations folder and the commands.
//! `main.rs` only calls [`run`]; everything else is testable through [`run_with`].

pub mod backend;
pub mod commands;
pub mod config;
pub mod database;
pub mod error;
pub mod folder;
pub mod fragments;
pub mod gate;
pub mod history;
pub mod import;
pub mod introspect;
mod item_split;
pub mod lock_policy;
pub mod prompt;
pub mod protected;
pub mod pull;
pub mod renames;
pub mod scan;
pub mod sizes;
pub mod statements;
pub mod timestamp;
pub mod verdict;
pub mod write_set;

use clap::{Parser, Subcommand};
use commands::check::{self, CheckArgs};
use commands::generate::{self, GenerateArgs};
use commands::migrate::{self, MigrateArgs};
use commands::status::{self, StatusArgs};
use commands::verify::{self, VerifyArgs};
pub use error::{Error, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use prompt::{Prompt, TerminalPrompt};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

/// Schema-first migrations for Rust: tables as structs, migrations generated from them.
#[derive(Debug, Parser)]
#[command(name = "migrate-cli", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the next migration from the changes in the schema structs
    Generate(GenerateArgs),
    /// Apply the pending migrations to the database, in order, each in its own transaction (on MySQL statement by statement)
    Migrate(MigrateArgs),
    /// Show what migrate would do, changing nothing: statements, their locks and rewrites, lint, the verdict and drift
    Plan(commands::plan::PlanArgs),
    /// List every migration with its state: applied, pending, modified, missing or failed
    Status(StatusArgs),
    /// Replay every migration on a scratch database and check each against its snapshot
    Verify(VerifyArgs),
    /// The CI gate: lint findings, source against snapshot, folder consistency, forks, drift
    Check(CheckArgs),
    /// Remove the newest migration (its SQL file, snapshot and journal entry) to fix a struct and generate again
    Drop(commands::drop::DropArgs),
    /// Fix _sqlx_migrations after a repair by hand: record a fixed file's checksum (--checksum) or remove a failed row (--failed)
    Repair(commands::repair::RepairArgs),
    /// Undo the newest applied migration (or every one newer than --to) with its down file, newest first
    Revert(commands::revert::RevertArgs),
    /// Write Rust sources (#[derive(Table)] structs, enums) that declare a live database's schema
    Pull(commands::pull::PullArgs),
    /// Make an existing database (or folder of sqlx-cli migrations) the start of the history, recorded as applied without running it
    Baseline(commands::baseline::BaselineArgs),
    /// Adopt another tool's migrations folder: write the Rust sources and baseline of its last state
    #[command(subcommand)]
    Import(commands::import::ImportSource),
}

/// The environment variables a command reads (`DATABASE_URL`).
#[derive(Debug, Clone, Default)]
pub enum Env {
    /// The process's own.
    #[default]
    Process,
    /// A fixed set, whatever the process's environment holds (tests give each run its own).
    Fixed(std::collections::BTreeMap<String, String>),
}

impl Env {
    /// The value of `key`, if it is set.
    pub fn var(&self, key: &str) -> Option<String> {
        match self {
            Env::Process => std::env::var(key).ok(),
            Env::Fixed(vars) => vars.get(key).cloned(),
        }
    }
}

/// What a command runs with: where it is, the time, where it prints and how it asks.
pub struct Context<'a> {
    /// Relative paths (the config, `--config`) start here.
    pub cwd: PathBuf,
    pub now: SystemTime,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// `None` without a terminal: questions are listed with the flags that answer them.
    pub prompt: Option<&'a mut dyn Prompt>,
    /// Where `DATABASE_URL` is read.
    pub env: Env,
}

/// Runs the command line in the process's directory, on its terminal, now.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ExitCode::from(run_code(args))
}

/// [`run`], giving the exit code as a number ([`EXIT_OK`], [`EXIT_FAILED`] or [`EXIT_USAGE`]).
pub fn run_code<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => {
            eprintln!("error: cannot read the current directory: {e}");
            return EXIT_FAILED;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    let mut terminal = TerminalPrompt;
    let mut ctx = Context {
        cwd,
        now: SystemTime::now(),
        stdout: &mut stdout,
        stderr: &mut stderr,
        prompt: prompt::is_interactive().then_some(&mut terminal as &mut dyn Prompt),
        env: Env::Process,
    };
    run_with(args, &mut ctx)
}

/// Runs the command line in `ctx` and gives the exit code: [`EXIT_OK`], [`EXIT_FAILED`] or
/// [`EXIT_USAGE`] (bad flags, or rename questions left open).
///
/// `migrate`, `status` and `check` (with a database) start a runtime of their own: call this from a thread that is not
/// running async code (in a `#[tokio::test]`, through `tokio::task::spawn_blocking`).
pub fn run_with<I, T>(args: I, ctx: &mut Context<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let out = if e.use_stderr() {
                &mut *ctx.stderr
            } else {
                &mut *ctx.stdout
            };
            let _ = write!(out, "{}", e.render());
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let result = match &cli.command {
        Command::Generate(args) => generate::generate(args, ctx).map(drop),
        Command::Migrate(args) => migrate::migrate(args, ctx).map(drop),
        Command::Status(args) => status::status(args, ctx).map(drop),
        Command::Verify(args) => verify::verify(args, ctx).map(drop),
        Command::Check(args) => check::check(args, ctx).map(drop),
        Command::Pull(args) => commands::pull::pull(args, ctx).map(drop),
        Command::Import(commands::import::ImportSource::Drizzle(args)) => {
            commands::import::drizzle(args, ctx).map(drop)
        }
        // `drop` prints its own error: its refusals are its own error type.
        Command::Drop(args) => return commands::drop::run(args, ctx),
        // So does `repair`.
        Command::Repair(args) => return commands::repair::run(args, ctx),
        // So does `plan`, whose refusal prints the plan first.
        Command::Plan(args) => return commands::plan::run(args, ctx),
        // So does `revert`.
        Command::Revert(args) => return commands::revert::run(args, ctx),
        // So does `baseline`.
        Command::Baseline(args) => return commands::baseline::run(args, ctx),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {e}");
            e.exit_code()
        }
    }
}
