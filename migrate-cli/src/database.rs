//! The database a command talks to: where its URL comes from (`--url`, `DATABASE_URL`, a `.env`
//! file, `migrate.toml`, or SQLite's `dev.db`), connecting with messages that never show a
//! password, and the few queries beside sqlx's `Migrate` trait that `migrate` and `status` need.

use crate::config::{Config, Dialect};
use sqlx::migrate::Migrate;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Executor, Row};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

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
    /// No URL anywhere and `dialect = "sqlite"`: this file beside `migrate.toml`.
    SqliteDefault(PathBuf),
}

impl fmt::Display for UrlSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlSource::Flag => f.write_str("--url"),
            UrlSource::Env => write!(f, "the {ENV_VAR} environment variable"),
            UrlSource::DotEnv(path) => write!(f, "{ENV_VAR} in {}", path.display()),
            UrlSource::Config(path) => write!(f, "database_url in {}", path.display()),
            UrlSource::SqliteDefault(path) => {
                write!(f, "the default SQLite database {}", path.display())
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
    #[error("cannot read {path}: {source}")]
    DotEnv {
        path: String,
        source: std::io::Error,
    },
    #[error("the database url from {from} ({url}) is not a {expected} url; use a url starting with {scheme} (the config says dialect = \"{expected}\")")]
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
        error: String,
    },
    #[error("cannot connect to {what} (url from {from}): {error}; {hint}")]
    Connect {
        what: String,
        from: UrlSource,
        error: String,
        hint: &'static str,
    },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("{context} on {what}: {error}")]
    Query {
        context: String,
        what: String,
        error: String,
    },
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
    if config.dialect == Dialect::Sqlite {
        let file = dir.join("dev.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        return Ok(at(url, UrlSource::SqliteDefault(file), dir));
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

/// `DATABASE_URL` from a `.env` file (`KEY=VALUE` lines, `export`, `#` comments and quotes
/// allowed), or `None` when there is no such file or key.
fn read_dotenv(path: &Path) -> Result<Option<String>, DatabaseError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(DatabaseError::DotEnv {
                path: path.display().to_string(),
                source,
            })
        }
    };
    Ok(dotenv_value(&text, ENV_VAR))
}

/// The last value of `key` in `.env` text.
pub fn dotenv_value(text: &str, key: &str) -> Option<String> {
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim() != key {
            continue;
        }
        let v = v.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| v.strip_prefix(*q).and_then(|rest| rest.split_once(*q)))
            .map(|(inner, _)| inner.to_string());
        // Unquoted values end at a ` #` comment.
        let value = unquoted.unwrap_or_else(|| match v.find(" #") {
            Some(i) => v[..i].trim_end().to_string(),
            None => v.to_string(),
        });
        found = Some(value);
    }
    found.filter(|v| !v.is_empty())
}

/// `scheme://user:password@host` → `scheme://user:***@host`.
pub fn redact(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let authority_end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    let authority = &url[start..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..start],
            &authority[..colon],
            &url[start + at..]
        ),
        _ => url.to_string(),
    }
}

/// The dialect a URL's scheme speaks, if it is one sqlx knows.
fn scheme_dialect(url: &str) -> Option<Dialect> {
    let scheme = url.split(':').next()?.to_ascii_lowercase();
    match scheme.as_str() {
        "postgres" | "postgresql" => Some(Dialect::Postgres),
        "sqlite" => Some(Dialect::Sqlite),
        "mysql" | "mariadb" => Some(Dialect::Mysql),
        _ => None,
    }
}

/// An open connection to one of the supported databases.
pub enum Db {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
    Mysql(MySqlConnection),
}

/// A row of `_sqlx_migrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRow {
    pub version: i64,
    pub description: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub installed_on: String,
    pub success: bool,
    pub checksum: Vec<u8>,
}

/// Runs `$body` with `$c` bound to whichever connection `$db` holds.
macro_rules! with_conn {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            Db::Postgres($c) => $body,
            Db::Sqlite($c) => $body,
            Db::Mysql($c) => $body,
        }
    };
}

/// A connected database, with what to call it in messages.
pub struct Connected {
    pub db: Db,
    /// `postgres database "app" at localhost:5432`, `sqlite database dev.db`: never a password.
    pub what: String,
}

/// Connects to `target`, which must speak `dialect`.
pub async fn connect(target: &Target, dialect: Dialect) -> Result<Connected, DatabaseError> {
    let shown = redact(&target.url);
    let bad = |error: sqlx::Error| DatabaseError::BadUrl {
        from: target.source.clone(),
        url: shown.clone(),
        error: error.to_string(),
    };
    if scheme_dialect(&target.url) != Some(dialect) {
        return Err(DatabaseError::WrongScheme {
            from: target.source.clone(),
            url: shown.clone(),
            expected: dialect,
            scheme: match dialect {
                Dialect::Postgres => "postgres://",
                Dialect::Sqlite => "sqlite://",
                Dialect::Mysql => "mysql://",
            },
        });
    }
    const SERVER_HINT: &str = "check that the server is running, that the database exists and that the url's host, port, user and database are right";
    let (what, connected, hint) = match dialect {
        Dialect::Postgres => {
            let opts = PgConnectOptions::from_str(&target.url).map_err(bad)?;
            let (db, host, port) = (opts.get_database(), opts.get_host(), opts.get_port());
            let what = server_name("postgres", db, host, port);
            (what, opts.connect().await.map(Db::Postgres), SERVER_HINT)
        }
        Dialect::Mysql => {
            let opts = MySqlConnectOptions::from_str(&target.url).map_err(bad)?;
            let (db, host, port) = (opts.get_database(), opts.get_host(), opts.get_port());
            let what = server_name("mysql", db, host, port);
            (what, opts.connect().await.map(Db::Mysql), SERVER_HINT)
        }
        Dialect::Sqlite => {
            let opts = sqlite_options(target).map_err(bad)?;
            let what = format!("sqlite database {}", opts.get_filename().display());
            let hint = "check the path, or add ?mode=rwc to the url to create the file";
            (what, opts.connect().await.map(Db::Sqlite), hint)
        }
    };
    match connected {
        Ok(db) => Ok(Connected { db, what }),
        Err(e) => Err(DatabaseError::Connect {
            what,
            from: target.source.clone(),
            error: e.to_string(),
            hint,
        }),
    }
}

fn server_name(kind: &str, db: Option<&str>, host: &str, port: u16) -> String {
    match db {
        Some(db) => format!("{kind} database \"{db}\" at {host}:{port}"),
        None => format!("{kind} server at {host}:{port}"),
    }
}

/// SQLite options for `target`, a relative file taken from `target.base`.
fn sqlite_options(target: &Target) -> Result<SqliteConnectOptions, sqlx::Error> {
    if let UrlSource::SqliteDefault(file) = &target.source {
        return Ok(SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true));
    }
    let opts = SqliteConnectOptions::from_str(&target.url)?;
    if in_memory(&target.url) {
        return Ok(opts);
    }
    let file = opts.get_filename().to_path_buf();
    Ok(if file.is_relative() {
        opts.filename(target.base.join(file))
    } else {
        opts
    })
}

/// Whether the SQLite file `target` names is missing (so nothing can have been applied yet).
pub fn sqlite_file_missing(target: &Target) -> bool {
    !in_memory(&target.url)
        && sqlite_options(target).is_ok_and(|opts| !opts.get_filename().exists())
}

fn in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

impl Connected {
    /// sqlx's migration primitives (lock, history table, apply) for this connection.
    pub fn migrate(&mut self) -> &mut dyn Migrate {
        with_conn!(&mut self.db, c => c as &mut dyn Migrate)
    }

    /// Takes the migration lock sqlx takes. On MySQL and MariaDB it is taken here, under sqlx's
    /// name for it: sqlx 0.8 asks for `GET_LOCK(name, -1)`, which MariaDB refuses with a warning
    /// and a NULL, so two deployers would both go on.
    pub async fn lock(&mut self) -> Result<(), sqlx::migrate::MigrateError> {
        let Db::Mysql(c) = &mut self.db else {
            return self.migrate().lock().await;
        };
        let name = mysql_lock_name(c).await?;
        // A year: MySQL and MariaDB both take a timeout this long (MariaDB no negative one).
        let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 31536000)")
            .bind(&name)
            .fetch_one(&mut *c)
            .await?;
        match got {
            Some(1) => Ok(()),
            _ => Err(sqlx::migrate::MigrateError::Execute(sqlx::Error::Protocol(
                format!("GET_LOCK('{name}') was not granted"),
            ))),
        }
    }

    /// Releases the lock [`Connected::lock`] took.
    pub async fn unlock(&mut self) -> Result<(), sqlx::migrate::MigrateError> {
        let Db::Mysql(c) = &mut self.db else {
            return self.migrate().unlock().await;
        };
        let name = mysql_lock_name(c).await?;
        sqlx::query("SELECT RELEASE_LOCK(?)")
            .bind(&name)
            .execute(&mut *c)
            .await?;
        Ok(())
    }

    fn query_failed(&self, context: &str, error: impl fmt::Display) -> DatabaseError {
        DatabaseError::Query {
            context: context.to_string(),
            what: self.what.clone(),
            error: error.to_string(),
        }
    }

    /// Whether `_sqlx_migrations` exists (without creating it).
    /// MySQL: an error when the url names no database (`-1` from the query).
    pub async fn has_history(&mut self) -> Result<bool, DatabaseError> {
        let sql = match self.db {
            Db::Postgres(_) => "SELECT count(*) FROM pg_catalog.pg_class WHERE oid = to_regclass('_sqlx_migrations')",
            Db::Sqlite(_) => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            Db::Mysql(_) => "SELECT IF(DATABASE() IS NULL, -1, (SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_sqlx_migrations'))",
        };
        let count: Result<i64, sqlx::Error> =
            with_conn!(&mut self.db, c => sqlx::query_scalar(sql).fetch_one(&mut *c).await);
        match count {
            Ok(-1) => Err(self.query_failed(
                "cannot look for _sqlx_migrations",
                "the url names no database; add its name to the url (mysql://user@host:3306/DATABASE)",
            )),
            Ok(n) => Ok(n > 0),
            Err(e) => Err(self.query_failed("cannot look for _sqlx_migrations", e)),
        }
    }

    /// Every row of `_sqlx_migrations`, by version; empty when the table does not exist.
    pub async fn applied(&mut self) -> Result<Vec<AppliedRow>, DatabaseError> {
        if !self.has_history().await? {
            return Ok(Vec::new());
        }
        let installed = match self.db {
            Db::Postgres(_) => {
                "to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
            }
            Db::Sqlite(_) => "strftime('%Y-%m-%dT%H:%M:%SZ', installed_on)",
            Db::Mysql(_) => "DATE_FORMAT(CONVERT_TZ(installed_on, @@session.time_zone, '+00:00'), '%Y-%m-%dT%H:%i:%sZ')",
        };
        let sql = format!(
            "SELECT version, description, {installed} AS installed_on, success, checksum \
             FROM _sqlx_migrations ORDER BY version"
        );
        let rows = with_conn!(&mut self.db, c => sqlx::query(&sql)
            .fetch_all(&mut *c)
            .await
            .and_then(|rows| rows.iter().map(|r| Ok(AppliedRow {
                version: r.try_get(0)?,
                description: r.try_get(1)?,
                installed_on: r.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
                success: r.try_get(3)?,
                checksum: r.try_get(4)?,
            })).collect::<Result<Vec<_>, sqlx::Error>>()));
        rows.map_err(|e| self.query_failed("cannot read _sqlx_migrations", e))
    }

    /// PostgreSQL: drops the index `schema.name` when an interrupted `CREATE INDEX
    /// CONCURRENTLY` left it invalid, so that the build can run again; true when it did.
    pub async fn drop_invalid_index(
        &mut self,
        schema: &str,
        name: &str,
    ) -> Result<bool, DatabaseError> {
        let Db::Postgres(c) = &mut self.db else {
            return Ok(false);
        };
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let drop = format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}.{}",
            quote(schema),
            quote(name)
        );
        let result: Result<bool, sqlx::Error> = async {
            let invalid: Option<bool> = sqlx::query_scalar(
                "SELECT NOT i.indisvalid FROM pg_catalog.pg_index i \
                 JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relname = $2",
            )
            .bind(schema)
            .bind(name)
            .fetch_optional(&mut *c)
            .await?;
            if invalid != Some(true) {
                return Ok(false);
            }
            c.execute(drop.as_str()).await?;
            Ok(true)
        }
        .await;
        result.map_err(|e| {
            self.query_failed(
                "cannot drop an invalid index left by an interrupted build",
                e,
            )
        })
    }

    /// Whether DDL here runs inside transactions (so a failed migration can be replayed and
    /// rolled back to find the failing statement). MySQL commits on every DDL statement.
    pub fn transactional_ddl(&self) -> bool {
        !matches!(self.db, Db::Mysql(_))
    }

    /// Runs `statements` in order in one transaction that is always rolled back, and gives the
    /// index of the first that fails with the database's error.
    pub async fn first_failing(
        &mut self,
        statements: &[&str],
    ) -> Result<Option<(usize, sqlx::Error)>, DatabaseError> {
        let result: Result<Option<(usize, sqlx::Error)>, sqlx::Error> = with_conn!(&mut self.db, c => async {
                let mut tx = c.begin().await?;
                let mut failed = None;
                for (i, statement) in statements.iter().enumerate() {
                    if let Err(e) = (&mut *tx).execute(*statement).await {
                        failed = Some((i, e));
                        break;
                    }
                }
                tx.rollback().await?;
                Ok(failed)
            }.await);
        result.map_err(|e| self.query_failed("cannot replay the failed migration", e))
    }

    /// Closes the connection (releasing sqlx's advisory lock with the session).
    pub async fn close(self) {
        let _ = with_conn!(self.db, c => c.close().await);
    }
}

/// sqlx's name for the migration lock of the connection's database (`generate_lock_id` in
/// sqlx-mysql 0.8), so that our runs and sqlx's exclude each other.
async fn mysql_lock_name(c: &mut MySqlConnection) -> Result<String, sqlx::Error> {
    let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut *c)
        .await?;
    Ok(mysql_lock_id(&database.unwrap_or_default()))
}

/// `0x3d32ad9e * crc32(database)` in hex, as sqlx computes it (CRC-32/ISO-HDLC).
fn mysql_lock_id(database: &str) -> String {
    let mut crc = !0u32;
    for byte in database.bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    format!("{:x}", 0x3d32_ad9e_i64 * i64::from(!crc))
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

/// The character position PostgreSQL reports for an error, 1-based, into the SQL sent.
pub fn error_position(error: &sqlx::Error) -> Option<usize> {
    use sqlx::postgres::{PgDatabaseError, PgErrorPosition};
    let pg = error
        .as_database_error()?
        .try_downcast_ref::<PgDatabaseError>()?;
    match pg.position()? {
        PgErrorPosition::Original(position) => Some(position),
        PgErrorPosition::Internal { .. } => None,
    }
}

/// The database's own message for `error` (without sqlx's wrapping).
pub fn error_message(error: &sqlx::Error) -> String {
    match error.as_database_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dialect: Dialect, url: Option<&str>, dir: &Path) -> Config {
        Config {
            path: dir.join("migrate.toml"),
            dialect,
            schema: vec![dir.join("src")],
            out: dir.join("migrations"),
            database_url: url.map(str::to_string),
        }
    }

    #[test]
    fn the_mysql_lock_has_sqlxs_name() {
        // crc32("123456789") = 0xcbf43926, the check value of CRC-32/ISO-HDLC.
        assert_eq!(
            mysql_lock_id("123456789"),
            format!("{:x}", 0x3d32_ad9e_i64 * 0xcbf4_3926_i64)
        );
        assert_eq!(mysql_lock_id(""), "0");
    }

    #[test]
    fn url_comes_from_flag_then_env_then_dotenv_then_config_then_sqlite_default() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = Path::new("/work");
        let pg = config(Dialect::Postgres, Some("postgres://cfg/db"), dir.path());
        let pick = |c: &Config, flag: Option<&str>, env: Option<&str>| {
            resolve_url(c, flag, env.map(str::to_string), cwd).map(|t| (t.url, t.source))
        };
        let got = pick(&pg, Some("postgres://flag/db"), Some("postgres://env/db")).unwrap();
        assert_eq!(got, ("postgres://flag/db".into(), UrlSource::Flag));
        let got = pick(&pg, None, Some("postgres://env/db")).unwrap();
        assert_eq!(got, ("postgres://env/db".into(), UrlSource::Env));
        let got = pick(&pg, None, None).unwrap();
        assert_eq!(got.1, UrlSource::Config(dir.path().join("migrate.toml")));
        let dotenv = dir.path().join(".env");
        std::fs::write(
            &dotenv,
            "# local\nexport DATABASE_URL=\"postgres://dotenv/db\"\n",
        )
        .unwrap();
        let got = pick(&pg, None, None).unwrap();
        assert_eq!(
            got,
            (
                "postgres://dotenv/db".into(),
                UrlSource::DotEnv(dotenv.clone())
            )
        );
        std::fs::remove_file(&dotenv).unwrap();

        let lite = config(Dialect::Sqlite, None, dir.path());
        let target = resolve_url(&lite, None, None, cwd).unwrap();
        assert_eq!(
            target.source,
            UrlSource::SqliteDefault(dir.path().join("dev.db"))
        );
        assert!(target.url.ends_with("dev.db?mode=rwc"), "{}", target.url);

        let err = pick(&config(Dialect::Postgres, None, dir.path()), None, None)
            .unwrap_err()
            .to_string();
        for place in [
            "--url",
            "DATABASE_URL",
            ".env",
            "database_url",
            "migrate.toml",
        ] {
            assert!(err.contains(place), "{place} missing from: {err}");
        }
    }

    #[test]
    fn dotenv_lines() {
        let check = |text: &str, expect: Option<&str>| {
            assert_eq!(dotenv_value(text, ENV_VAR).as_deref(), expect, "{text:?}");
        };
        check("DATABASE_URL=postgres://a/b\n", Some("postgres://a/b"));
        check(
            "DATABASE_URL = 'sqlite://x.db' # note\n",
            Some("sqlite://x.db"),
        );
        check("DATABASE_URL=sqlite://x.db # note\n", Some("sqlite://x.db"));
        check("OTHER=1\n#DATABASE_URL=x\n", None);
        check("DATABASE_URL=\n", None);
        check("DATABASE_URL=a\nDATABASE_URL=b\n", Some("b"));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db?x=1"), "postgres://u@h/db?x=1");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact("sqlite://dev.db"), "sqlite://dev.db");
        assert_eq!(redact("mysql://u:p:q@h/db"), "mysql://u:***@h/db");
    }

    #[tokio::test]
    async fn unreachable_server_is_named_without_the_password() {
        let target = Target {
            url: "postgres://app:hunter2@127.0.0.1:1/shop".into(),
            source: UrlSource::Flag,
            base: PathBuf::from("/"),
        };
        let err = connect(&target, Dialect::Postgres)
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("postgres database \"shop\" at 127.0.0.1:1"),
            "{err}"
        );
        assert!(err.contains("check that the server is running"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let err = connect(&target, Dialect::Sqlite)
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("is not a sqlite url"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}
