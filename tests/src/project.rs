//! A user's project for end-to-end tests: a temporary folder with `migrate.toml` and one schema
//! file, and `migrate-cli` run in it through `run_with` at a fixed clock. Test files add what
//! they need on top with traits of their own.

use migrate_cli::prompt::{Prompt, ScriptedPrompt};
use migrate_cli::{run_with, Context};
use schema_core::snapshot::Journal;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The config every project starts with.
pub const CONFIG: &str =
    "dialect = \"postgres\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

/// 2026-11-18 11:06:40 UTC, the clock tests start from.
pub const NOW: u64 = 1_795_000_000;

/// A project folder, removed when the value goes away.
pub struct Project {
    dir: tempfile::TempDir,
}

/// What one `migrate-cli` run gave.
#[derive(Debug)]
pub struct Run {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output, then standard error.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Standard output read as JSON (for `--format json`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

impl Project {
    /// A project whose schema file holds `schema`.
    pub fn new(schema: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join("src/schema")).expect("schema dir");
        fs::write(dir.path().join("migrate.toml"), CONFIG).expect("config");
        let project = Project { dir };
        project.set_schema(schema);
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces the schema file (the `use schema_macros::..` line is added).
    pub fn set_schema(&self, schema: &str) {
        let text = format!("use schema_macros::{{DbEnum, Table}};\n{schema}");
        fs::write(self.path().join("src/schema/tables.rs"), text).expect("schema file");
    }

    /// Runs `migrate-cli ARGS` at `now` (seconds since the epoch), without a terminal. Database
    /// commands build their own runtime, so this must not run inside an async task.
    pub fn run(&self, args: &[&str], now: u64) -> Run {
        self.run_answering(args, now, None)
    }

    /// As [`Project::run`], answering questions with `prompt` as on a terminal.
    pub fn run_answering(
        &self,
        args: &[&str],
        now: u64,
        prompt: Option<&mut ScriptedPrompt>,
    ) -> Run {
        let now = UNIX_EPOCH + Duration::from_secs(now);
        run_cli(self.path(), args, now, prompt)
    }

    /// As [`Project::run`], with these environment variables (and no others) for the run.
    pub fn run_with_env(&self, args: &[&str], now: u64, env: &[(&str, &str)]) -> Run {
        let now = UNIX_EPOCH + Duration::from_secs(now);
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        run_cli_in(self.path(), args, now, None, migrate_cli::Env::Fixed(env))
    }

    pub fn migrations(&self) -> PathBuf {
        self.path().join("migrations")
    }

    /// A file of the migrations folder, by its name there.
    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.migrations().join(name)).expect("migration file")
    }

    pub fn journal(&self) -> Journal {
        let text =
            fs::read_to_string(self.migrations().join("meta/_journal.json")).expect("journal");
        Journal::parse(&text).expect("journal parses")
    }
}

/// Runs `migrate-cli ARGS` in `dir` at `now`, answering questions with `prompt` (none: no
/// terminal). Database commands build their own runtime, so this must not run inside an async
/// task; see [`run_cli_blocking`].
pub fn run_cli(
    dir: &Path,
    args: &[&str],
    now: SystemTime,
    prompt: Option<&mut ScriptedPrompt>,
) -> Run {
    run_cli_in(
        dir,
        args,
        now,
        prompt,
        migrate_cli::Env::Fixed(Default::default()),
    )
}

/// [`run_cli`] with `env` as the run's environment (`run_cli` gives it an empty one, so a
/// `DATABASE_URL` of the test process changes nothing).
pub fn run_cli_in(
    dir: &Path,
    args: &[&str],
    now: SystemTime,
    prompt: Option<&mut ScriptedPrompt>,
    env: migrate_cli::Env,
) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut ctx = Context {
        cwd: dir.to_path_buf(),
        now,
        stdout: &mut out,
        stderr: &mut err,
        prompt: prompt.map(|p| p as &mut dyn Prompt),
        env,
    };
    let argv = std::iter::once("migrate-cli").chain(args.iter().copied());
    let code = run_with(argv, &mut ctx);
    drop(ctx);
    Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// [`run_cli`] now, without a terminal, on a blocking thread: for async tests.
pub async fn run_cli_blocking(dir: &Path, args: &[&str]) -> Run {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_cli(&dir, &args, SystemTime::now(), None)
    })
    .await
    .expect("cli thread")
}

/// Copies the folder `from` (recursively) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create dir");
    for entry in fs::read_dir(from).expect("read dir").filter_map(Result::ok) {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Whether `path` is a migration's up file: `<tag>.sql`, not its down file `<tag>.down.sql`.
pub fn is_up_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_up_name)
}

/// Whether file name `name` is a migration's up file ([`is_up_file`]).
pub fn is_up_name(name: &str) -> bool {
    name.ends_with(".sql") && !name.ends_with(".down.sql")
}
