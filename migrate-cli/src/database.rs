//! Where a command's database URL comes from (`--url`, `--target` ([`targets`]), `DATABASE_URL`,
//! a `.env` file, `migrate.toml`, or SQLite's `dev.db`), how a URL is shown (never with a secret), and the
//! errors of reaching a database. Connecting is the backend's ([`crate::backend`]).

mod targets;

pub use targets::{resolve_all, resolve_one, resolve_urls, url_lines, TargetPlace, TargetUrl};

use crate::config::{Config, Dialect};
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable (and `.env` key) holding the database URL.
pub const ENV_VAR: &str = "DATABASE_URL";

/// The table sqlx records applied migrations in.
pub const HISTORY_TABLE: &str = "_sqlx_migrations";

/// Where the URL in use came from; messages name it so the user knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSource {
    Flag,
    Env,
    DotEnv(PathBuf),
    Config(PathBuf),
    /// No URL anywhere, and the database has a default file (SQLite's `dev.db` beside
    /// `migrate.toml`, [`crate::backend::Database::default_url`]).
    DefaultFile(PathBuf),
    /// `--target <name>`: which key of `[targets.<name>]` in which config (boxed, so that the
    /// errors holding a source stay small).
    Target {
        name: String,
        from: Box<TargetPlace>,
    },
}

impl UrlSource {
    /// Whether the user named this database for this run (`--url` or `--target`), rather than
    /// the command finding one by default.
    pub fn is_explicit(&self) -> bool {
        matches!(self, UrlSource::Flag | UrlSource::Target { .. })
    }

    /// The target's name, for a URL from `--target`.
    pub fn target_name(&self) -> Option<&str> {
        match self {
            UrlSource::Target { name, .. } => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for UrlSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlSource::Flag => f.write_str("--url"),
            UrlSource::Env => write!(f, "the {ENV_VAR} environment variable"),
            UrlSource::DotEnv(path) => write!(f, "{ENV_VAR} in {}", path.display()),
            UrlSource::Config(path) => write!(f, "database_url in {}", path.display()),
            UrlSource::DefaultFile(path) => {
                write!(f, "the default database file {}", path.display())
            }
            UrlSource::Target { name, from } => {
                let TargetPlace { config, url } = &**from;
                let key = match url {
                    TargetUrl::Url => "url",
                    TargetUrl::Env(_) => "url_env",
                    TargetUrl::File { .. } => "url_file",
                };
                let config = config.display();
                match url {
                    TargetUrl::Url => write!(f, "target {name} (url in {config})"),
                    url => write!(f, "target {name} ({url}, {key} in {config})"),
                }
            }
        }
    }
}

/// A database URL and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: String,
    pub source: UrlSource,
    /// Relative SQLite paths are taken from here: the config's directory for URLs written in
    /// `migrate.toml` or `.env`, the working directory for `--url` and the environment.
    pub base: PathBuf,
}

/// Why a database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("no database url for dialect {dialect}: pass --url URL, set {ENV_VAR} (in the environment or in {dotenv}), or add database_url = \"...\" to {config}")]
    NoUrl {
        dialect: Dialect,
        dotenv: String,
        config: String,
    },
    /// The file's text is never shown: a line of it may hold a secret.
    #[error("cannot read {path}{at}: {why}; fix that line (it is not shown here, as it may hold a secret)")]
    DotEnv {
        path: String,
        /// `:LINE` of the line that cannot be read, when known.
        at: String,
        why: String,
    },
    #[error("the database url from {from} ({url}) is not a {expected} url; use a url starting with {scheme}:// (the config says dialect = \"{expected}\")")]
    WrongScheme {
        from: UrlSource,
        url: String,
        expected: Dialect,
        scheme: &'static str,
    },
    #[error("the database url from {from} ({url}) is invalid: {error}")]
    BadUrl {
        from: UrlSource,
        url: String,
        #[source]
        error: Box<sqlx::Error>,
    },
    #[error("cannot connect to {what} (url from {from}): {error}; {hint}")]
    Connect {
        what: String,
        from: UrlSource,
        #[source]
        error: ServerError,
        hint: &'static str,
    },
    #[error("give either --url or --target, not both")]
    UrlAndTarget,
    #[error("database {url} is listed twice in a fleet ({first}, and {second}); list each database once")]
    FleetTwice {
        url: String,
        first: String,
        second: String,
    },
    #[error("no target {name} in {config}: {known}; add a [targets.{name}] table with url_env = \"...\" (or url, or url_file)")]
    UnknownTarget {
        name: String,
        config: String,
        known: String,
    },
    #[error("target {name} takes its url from the environment variable {var} (url_env in {config}), which is not set: export {var}=<database url> and run again")]
    TargetEnvUnset {
        name: String,
        var: String,
        config: String,
    },
    #[error("cannot read {file}, the url_file of target {name} in {config}: {why}; write one database url a line there")]
    TargetFile {
        name: String,
        file: String,
        config: String,
        why: String,
    },
    #[error("target {name} is a fleet of {count} databases (its url_file lists {count} urls), and {command} does not work on fleets yet: give --url for one database at a time (only migrate and status take a fleet)")]
    Fleet {
        name: String,
        count: usize,
        command: &'static str,
    },
    #[error("{failed} of {count} databases of {name} could not be read (each is named above)")]
    FleetUnread {
        name: String,
        failed: usize,
        count: usize,
    },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("{context} on {what}: {error}")]
    Query {
        context: String,
        what: String,
        #[source]
        error: ServerError,
    },
}

/// What a database (or the way to it) answered, kept typed for callers that look at the cause.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// sqlx's error, shown as sqlx words it.
    #[error("{0}")]
    Sqlx(Box<sqlx::Error>),
    /// sqlx's error, shown as the database's own message (without sqlx's wrapping).
    #[error("{}", error_message(.0))]
    Server(Box<sqlx::Error>),
    /// A file to run statement by statement that cannot be cut into statements.
    #[error("cannot be cut into statements: {0}")]
    Unsplittable(#[source] crate::backend::SplitError),
    /// What this tool found when the database answered nothing wrong.
    #[error("{0}")]
    Found(String),
}

/// Picks the URL: `flag`, else `env` (the process's `DATABASE_URL`), else `DATABASE_URL` in a
/// `.env` file beside the config, else the config's `database_url`, else SQLite's `dev.db`.
pub fn resolve_url(
    config: &Config,
    flag: Option<&str>,
    env: Option<String>,
    cwd: &Path,
) -> Result<Target, DatabaseError> {
    let dir = config.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let at = |url: String, source: UrlSource, base: PathBuf| Target { url, source, base };
    if let Some(url) = flag {
        return Ok(at(url.to_string(), UrlSource::Flag, cwd.to_path_buf()));
    }
    if let Some(url) = env.filter(|u| !u.trim().is_empty()) {
        return Ok(at(url, UrlSource::Env, cwd.to_path_buf()));
    }
    let dotenv = dir.join(".env");
    if let Some(url) = read_dotenv(&dotenv)? {
        return Ok(at(url, UrlSource::DotEnv(dotenv), dir));
    }
    if let Some(url) = &config.database_url {
        return Ok(at(url.clone(), UrlSource::Config(config.path.clone()), dir));
    }
    if let Some((url, file)) = crate::backend::of(config.dialect).default_url(&dir) {
        return Ok(at(url, UrlSource::DefaultFile(file), dir));
    }
    Err(DatabaseError::NoUrl {
        dialect: config.dialect,
        dotenv: shown(cwd, &dotenv),
        config: shown(cwd, &config.path),
    })
}

fn shown(cwd: &Path, path: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

/// `DATABASE_URL` from a `.env` file, read as sqlx-cli reads it (`dotenvy`: quotes, `export`,
/// `#` comments, `${VAR}` substitution; the first definition wins), or `None` when there is no
/// such file or key.
fn read_dotenv(path: &Path) -> Result<Option<String>, DatabaseError> {
    let failed = |error: dotenvy::Error| dotenv_error(path, error);
    let pairs = match dotenvy::from_path_iter(path) {
        Ok(pairs) => pairs,
        Err(e) if e.not_found() => return Ok(None),
        Err(e) => return Err(failed(e)),
    };
    for pair in pairs {
        let (key, value) = pair.map_err(failed)?;
        if key == ENV_VAR {
            return Ok(Some(value).filter(|v| !v.is_empty()));
        }
    }
    Ok(None)
}

/// Why a `.env` file cannot be read, without its text: the line of a parse error is found in
/// the file and named by number only.
fn dotenv_error(path: &Path, error: dotenvy::Error) -> DatabaseError {
    let (at, why) = match &error {
        dotenvy::Error::LineParse(text, index) => {
            let line = std::fs::read_to_string(path).ok().and_then(|file| {
                file.find(text.as_str())
                    .map(|i| file[..i].matches('\n').count() + 1)
            });
            (
                line.map(|l| format!(":{l}")).unwrap_or_default(),
                format!("the line is not KEY=VALUE (an unclosed quote, or an unexpected character {index} characters into it)"),
            )
        }
        dotenvy::Error::Io(e, ..) => (String::new(), e.to_string()),
        _ => (
            String::new(),
            "it is not a .env file dotenvy can read".to_string(),
        ),
    };
    DatabaseError::DotEnv {
        path: path.display().to_string(),
        at,
        why,
    }
}

/// Query parameters whose value is a secret, by a part of their name.
const SECRET_PARAMS: [&str; 4] = ["pass", "pwd", "secret", "token"];

/// Whether `url` holds a secret: a password in its user-info, or a query parameter whose name
/// says it is one (`?password=...`), as [`redact`] hides them.
pub fn holds_secret(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    parsed.password().is_some_and(|p| !p.is_empty())
        || parsed
            .query_pairs()
            .any(|(k, v)| secret_param(&k) && !v.is_empty())
}

fn secret_param(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_PARAMS.iter().any(|s| key.contains(s))
}

/// A URL as messages show it: the password of its user-info and the value of every query
/// parameter that holds a secret (`?password=...`) become `***`. A URL that does not parse is
/// shown up to its scheme when it holds `@` or `?`, where a secret could hide.
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return match url.split_once("://") {
            Some((scheme, rest)) if rest.contains(['@', '?']) => format!("{scheme}://***"),
            _ if url.contains(['@', '?']) => "***".to_string(),
            _ => url.to_string(),
        };
    };
    let secret = secret_param;
    let query_secret = parsed.query_pairs().any(|(k, _)| secret(&k));
    if parsed.password().is_none() && !query_secret {
        return url.to_string();
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if query_secret {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret(&k) {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string().replace("%2A%2A%2A", "***")
}

/// Runs `future` to completion on a runtime of its own (the commands are synchronous).
/// Must not be called from an async task: call `run_with` from a blocking thread
/// (`std::thread::spawn`, `tokio::task::spawn_blocking`).
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, DatabaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(DatabaseError::Runtime)?;
    Ok(runtime.block_on(future))
}

/// The database's own message for `error` (without sqlx's wrapping).
pub fn error_message(error: &sqlx::Error) -> String {
    match error.as_database_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests;
