//! `migrate.toml`: which dialect, where the schema sources are and where migrations go, and
//! the named targets (`[targets.<name>]`, read by [`targets`]).

mod targets;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The config file looked for in the current directory.
pub const FILE_NAME: &str = "migrate.toml";

/// A config that works, shown with every config error.
pub const EXAMPLE: &str = r#"dialect = "postgres"          # "postgres", "sqlite" or "mysql" (also MariaDB)
schema = ["src/schema"]        # files or folders of #[derive(Table)] structs
out = "migrations"             # where generate writes migrations
# database_url = "postgres://localhost/app"

# [targets.production]         # migrate --target production
# url_env = "PRODUCTION_DATABASE_URL"   # or url = "...", or url_file = "tenants.txt" (one url a line)
# protected = true             # migrate and revert ask for the target's name (--yes without a terminal)
# lock_timeout = "3s"          # default 5s on a protected target, none otherwise
# statement_timeout = "15min"
# retries = 3                  # lock timeouts retried with backoff

# [lint]
# large_table_rows = 1000000   # with a database, locking changes to bigger tables are errors
"#;

/// The SQL dialect migrations are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
    Mysql,
}

impl Dialect {
    /// The spelling used in the config, the journal and snapshots.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
            Dialect::Mysql => "mysql",
        }
    }

    /// Its SQL renderer: the one place a config dialect maps to one (its backend is
    /// [`crate::backend::of`]).
    pub fn renderer(self) -> &'static dyn schema_core::render::Dialect {
        match self {
            Dialect::Postgres => &schema_core::render::Postgres,
            Dialect::Sqlite => &schema_core::render::Sqlite,
            Dialect::Mysql => &schema_core::render::Mysql,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A loaded config; every path in it is resolved against the config file's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The config file itself.
    pub path: PathBuf,
    pub dialect: Dialect,
    /// Files or folders holding the schema structs.
    pub schema: Vec<PathBuf>,
    /// The migrations folder.
    pub out: PathBuf,
    pub database_url: Option<String>,
    /// Tables whose differences `migrate`'s drift gate ignores entirely (`ignore_tables`):
    /// `schema.table`, or a bare name for that table in any schema.
    pub ignore_tables: Vec<String>,
    /// The named targets, `[targets.<name>]`, by name.
    pub targets: BTreeMap<String, TargetConfig>,
}

/// The lock timeout of a protected target that sets none.
pub const PROTECTED_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// A named database (or fleet of databases): `[targets.<name>]` in `migrate.toml`.
///
/// Exactly one of `url`, `url_env` and `url_file` is set (checked when the config is read);
/// the variable and the file are read only when a command uses the target
/// ([`crate::database::resolve`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetConfig {
    /// The URL itself (a `check` warning, `secret-in-config`, when it holds a password).
    pub url: Option<String>,
    /// The environment variable holding the URL.
    pub url_env: Option<String>,
    /// A file listing one URL a line (blank lines and `#` comments ignored), resolved against
    /// the config's directory; more than one URL makes the target a fleet.
    pub url_file: Option<PathBuf>,
    /// `migrate` and `revert` ask for the target's name (`--yes` without a terminal).
    pub protected: bool,
    /// How long a migration waits for a lock; see [`TargetConfig::effective_lock_timeout`].
    pub lock_timeout: Option<Duration>,
    pub statement_timeout: Option<Duration>,
    /// How many times a migration that hit the lock timeout is tried again (with backoff).
    pub retries: u32,
}

impl TargetConfig {
    /// The lock timeout in force: the configured one, else [`PROTECTED_LOCK_TIMEOUT`] on a
    /// protected target, else none.
    pub fn effective_lock_timeout(&self) -> Option<Duration> {
        self.lock_timeout
            .or(self.protected.then_some(PROTECTED_LOCK_TIMEOUT))
    }
}

/// A config that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no config file at {path}: create it (or pass --config PATH), for example:\n\n{EXAMPLE}",
        path = path.display()
    )]
    Missing { path: PathBuf },
    #[error("cannot read config {path}: {source}", path = path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{location}: {message}\n\na working config looks like this:\n\n{EXAMPLE}",
        location = location(path, *line)
    )]
    Invalid {
        path: PathBuf,
        /// 1-based line and column, when known.
        line: Option<(usize, usize)>,
        message: String,
    },
}

fn location(path: &Path, line: Option<(usize, usize)>) -> String {
    match line {
        Some((line, column)) => format!("{}:{line}:{column}", path.display()),
        None => path.display().to_string(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    dialect: toml::Spanned<String>,
    schema: Vec<String>,
    #[serde(default = "default_out")]
    out: String,
    #[serde(default)]
    database_url: Option<String>,
    #[serde(default)]
    ignore_tables: Vec<String>,
    #[serde(default)]
    lint: RawLint,
    #[serde(default)]
    targets: BTreeMap<String, toml::Spanned<targets::RawTarget>>,
}

/// The `[lint]` table.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLint {
    #[serde(default)]
    large_table_rows: Option<u64>,
}

/// The `[lint]` settings of a config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintSettings {
    /// With a database, a locking lint warning on a table with more estimated rows than this
    /// is an error (default [`schema_core::lint::DEFAULT_LARGE_TABLE_ROWS`]).
    pub large_table_rows: u64,
}

impl Default for LintSettings {
    fn default() -> Self {
        LintSettings {
            large_table_rows: schema_core::lint::DEFAULT_LARGE_TABLE_ROWS,
        }
    }
}

/// The `[lint]` settings of `config`'s file, read again from it.
///
/// They are not a field of [`Config`] so that code building a `Config` by hand keeps
/// compiling; [`parse`] has already checked the table when the config was loaded.
pub fn lint_settings(config: &Config) -> Result<LintSettings, ConfigError> {
    let text = std::fs::read_to_string(&config.path).map_err(|source| ConfigError::Read {
        path: config.path.clone(),
        source,
    })?;
    parse_raw(&config.path, &text).map(|raw| lint_of(&raw))
}

fn lint_of(raw: &RawConfig) -> LintSettings {
    LintSettings {
        large_table_rows: raw
            .lint
            .large_table_rows
            .unwrap_or(schema_core::lint::DEFAULT_LARGE_TABLE_ROWS),
    }
}

fn default_out() -> String {
    "migrations".to_string()
}

/// Loads `explicit` (relative to `cwd`) or `cwd/migrate.toml`.
pub fn load(cwd: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let path = normalize(&cwd.join(explicit.unwrap_or(Path::new(FILE_NAME))));
    // Messages name the file as the user would: relative to where they are.
    let shown = path.strip_prefix(cwd).unwrap_or(&path).to_path_buf();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::Missing { path: shown });
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: shown,
                source,
            })
        }
    };
    parse(&path, &text).map_err(|e| match e {
        ConfigError::Invalid { line, message, .. } => ConfigError::Invalid {
            path: shown,
            line,
            message,
        },
        other => other,
    })
}

/// `a/b/../c` → `a/c`, without touching the filesystem.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Parses a config's text; `path` locates it and anchors its relative paths.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let raw = parse_raw(path, text)?;
    let invalid = |message: &str| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: None,
        message: message.to_string(),
    };
    let dialect = match raw.dialect.get_ref().as_str() {
        "postgres" => Dialect::Postgres,
        "sqlite" => Dialect::Sqlite,
        "mysql" => Dialect::Mysql,
        other => {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line: Some(line_column(text, raw.dialect.span().start)),
                message: format!(
                    "unknown dialect {other:?}; expected \"postgres\", \"sqlite\" or \"mysql\""
                ),
            })
        }
    };
    if raw.schema.is_empty() {
        return Err(invalid(
            "`schema` lists no files or folders: name where the #[derive(Table)] structs are",
        ));
    }
    if raw.schema.iter().any(|s| s.trim().is_empty()) || raw.out.trim().is_empty() {
        return Err(invalid(
            "`schema` and `out` paths must not be empty strings",
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let targets = targets::read(path, text, &raw.targets)?;
    Ok(Config {
        path: path.to_path_buf(),
        dialect,
        schema: raw.schema.iter().map(|s| normalize(&dir.join(s))).collect(),
        out: normalize(&dir.join(&raw.out)),
        database_url: raw.database_url,
        ignore_tables: raw.ignore_tables,
        targets,
    })
}

/// The TOML of a config, with the position of a syntax error, an unknown key or a bad value.
fn parse_raw(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: e.span().map(|span| line_column(text, span.start)),
        message: e.message().trim_end().to_string(),
    })
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(text: &str, expect: &str) {
        let err = parse(Path::new("/app/migrate.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expect), "expected {expect:?} in:\n{err}");
        assert!(err.contains("a working config looks like this"), "{err}");
        assert!(err.contains("dialect = \"postgres\""), "{err}");
    }

    #[test]
    fn paths_resolve_against_the_config_directory() {
        let config = parse(
            Path::new("/app/db/migrate.toml"),
            "dialect = \"postgres\"\nschema = [\"src/schema\", \"extra.rs\"]\nout = \"../migrations\"\n",
        )
        .unwrap();
        assert_eq!(config.dialect, Dialect::Postgres);
        assert_eq!(
            config.schema,
            vec![
                PathBuf::from("/app/db/src/schema"),
                PathBuf::from("/app/db/extra.rs")
            ]
        );
        assert_eq!(config.out, PathBuf::from("/app/migrations"));
        assert_eq!(config.database_url, None);
    }

    /// Each config dialect has a renderer of its spelling: the only names `render::dialect`
    /// needs to know.
    #[test]
    fn every_dialect_has_the_renderer_of_its_name() {
        for dialect in [Dialect::Postgres, Dialect::Sqlite, Dialect::Mysql] {
            let renderer = schema_core::render::dialect(dialect.as_str());
            assert_eq!(renderer.map(|r| r.name()), Some(dialect.as_str()));
        }
        let mariadb = parse(
            Path::new("/app/migrate.toml"),
            "dialect = \"mariadb\"\nschema = [\"s\"]\n",
        );
        assert!(mariadb.is_err(), "MariaDB is configured as \"mysql\"");
    }

    #[test]
    fn out_defaults_to_migrations_and_url_is_optional() {
        let config = parse(
            Path::new("/app/migrate.toml"),
            "dialect = \"sqlite\"\nschema = [\"s\"]\ndatabase_url = \"sqlite://x.db\"\n",
        )
        .unwrap();
        assert_eq!(config.out, PathBuf::from("/app/migrations"));
        assert_eq!(config.dialect, Dialect::Sqlite);
        assert_eq!(config.database_url.as_deref(), Some("sqlite://x.db"));
    }

    #[test]
    fn ignore_tables_default_to_none_and_are_read() {
        let base = "dialect = \"postgres\"\nschema = [\"s\"]\n";
        let config = parse(Path::new("/app/migrate.toml"), base).unwrap();
        assert!(config.ignore_tables.is_empty());
        let text = format!("{base}ignore_tables = [\"audit.log\", \"sessions\"]\n");
        let config = parse(Path::new("/app/migrate.toml"), &text).unwrap();
        assert_eq!(config.ignore_tables, ["audit.log", "sessions"]);
        check_err(
            &format!("{base}ignore_tables = \"sessions\"\n"),
            "/app/migrate.toml:3:17: invalid type: string \"sessions\", expected a sequence",
        );
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_position() {
        check_err(
            "dialect = \"postgres\"\nschema = [\"s\"]\nouts = \"m\"\n",
            "/app/migrate.toml:3:1: unknown field `outs`",
        );
    }

    #[test]
    fn bad_values_are_named() {
        check_err(
            "dialect = \"oracle\"\nschema = [\"s\"]\n",
            "/app/migrate.toml:1:11: unknown dialect \"oracle\"; expected \"postgres\", \"sqlite\" or \"mysql\"",
        );
        check_err("dialect = \"postgres\"\n", "missing field `schema`");
        check_err(
            "dialect = \"postgres\"\nschema = \"src\"\n",
            "/app/migrate.toml:2:10: invalid type: string \"src\", expected a sequence",
        );
        check_err(
            "dialect = \"postgres\"\nschema = []\n",
            "`schema` lists no files",
        );
        check_err(
            "dialect = \"postgres\nschema = []\n",
            "/app/migrate.toml:1:",
        );
    }

    #[test]
    fn lint_settings_default_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("migrate.toml");
        let base = "dialect = \"postgres\"\nschema = [\"s\"]\n";
        let settings = |text: &str| {
            std::fs::write(&path, text).unwrap();
            lint_settings(&load(dir.path(), None).unwrap()).unwrap()
        };
        assert_eq!(settings(base).large_table_rows, 1_000_000);
        assert_eq!(
            settings(&format!("{base}[lint]\n")).large_table_rows,
            1_000_000
        );
        let set = format!("{base}\n[lint]\nlarge_table_rows = 2_500\n");
        assert_eq!(settings(&set).large_table_rows, 2_500);
        check_err(
            &format!("{base}[lint]\nlarge_table_row = 5\n"),
            "/app/migrate.toml:4:1: unknown field `large_table_row`, expected `large_table_rows`",
        );
        check_err(
            &format!("{base}[lint]\nlarge_table_rows = -1\n"),
            "/app/migrate.toml:4:20: invalid value: integer `-1`, expected u64",
        );
        check_err(
            &format!("{base}[lint]\nlarge_table_rows = \"many\"\n"),
            "/app/migrate.toml:4:20: invalid type: string \"many\", expected u64",
        );
        check_err(
            &format!("{base}lint = 3\n"),
            "/app/migrate.toml:3:8: invalid type",
        );
        assert!(EXAMPLE.contains("large_table_rows = 1000000"));
        let example: String = EXAMPLE
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|_| l.starts_with("# [lint]") || l.starts_with("# large"))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let config = parse(&path, &example).unwrap();
        assert_eq!(config.dialect, Dialect::Postgres);
    }

    #[test]
    fn a_missing_config_shows_an_example() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path(), None).unwrap_err().to_string();
        assert!(err.starts_with("no config file at "), "{err}");
        assert!(
            err.contains("migrate.toml: create it (or pass --config PATH)"),
            "{err}"
        );
        assert!(err.contains("schema = [\"src/schema\"]"), "{err}");
        let err = load(dir.path(), Some(Path::new("db/other.toml")))
            .unwrap_err()
            .to_string();
        let shown = Path::new("db").join("other.toml");
        assert!(err.contains(&format!("at {}:", shown.display())), "{err}");
        std::fs::write(dir.path().join("migrate.toml"), "dialect = 1\n").unwrap();
        let err = load(dir.path(), None).unwrap_err().to_string();
        assert!(err.starts_with("migrate.toml:1:11: invalid type"), "{err}");
    }
}
