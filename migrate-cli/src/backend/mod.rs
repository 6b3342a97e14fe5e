//! The backend layer: everything that differs by database, one module per database behind the
//! [`Database`] trait (what a database is before connecting) and the [`Backend`] trait (what a
//! connection to it does), as sqlx's `MigrateDatabase` and `Migrate` are. The commands are
//! written once against [`Connected`]; this file is the one place that maps a
//! [`Dialect`](crate::config::Dialect) to its backend ([`of`], [`connect`]) and dispatches to
//! the connection a [`Connected`] holds.

/// Runs `$body` with `$c` bound to whichever connection `$conn` holds.
macro_rules! each {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            Conn::Postgres($c) => $body,
            Conn::Sqlite($c) => $body,
            Conn::Mysql($c) => $body,
        }
    };
}

/// Runs `$body` with the type `$B` set to the connection type of `$dialect`.
macro_rules! each_type {
    ($dialect:expr, $B:ident => $body:expr) => {
        match $dialect {
            Dialect::Postgres => {
                type $B = sqlx::PgConnection;
                $body
            }
            Dialect::Sqlite => {
                type $B = sqlx::SqliteConnection;
                $body
            }
            Dialect::Mysql => {
                type $B = sqlx::MySqlConnection;
                $body
            }
        }
    };
}

mod batch;
mod connected;
pub mod costs;
mod locks;
pub mod mysql;
pub mod postgres;
mod scratch;
pub mod sqlite;
#[cfg(test)]
mod tests;

pub use batch::{BatchError, End, Ran};
pub use locks::{watcher, Blocker, Direction, Waited, POLL};
pub use mysql::statements::{Piece, SplitError};
pub use scratch::{Scratch, ScratchError, SCRATCH_PREFIX};
pub use sqlite::defaults::{DefaultsError, Rejected};

use crate::config::Dialect;
use crate::database::{DatabaseError, ServerError, Target};
use crate::introspect::{compare_by, Rules};
use crate::lock_policy::LockPolicy;
use crate::statements::lint::StatementFinding;
use crate::statements::Statement;
use schema_core::diff::QualifiedName;
use schema_core::model::{Schema, Table};
use sqlx::migrate::{Migrate, MigrateError, Migration};
use sqlx::{Connection, MySqlConnection, PgConnection, SqliteConnection};
use std::time::Duration;

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

/// What an expression is, which decides how [`Backend::normalize_expressions`] asks the server
/// to print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// A `CHECK` constraint's condition.
    Check,
    /// The `DEFAULT` of the named column; no default at all prints as the empty text.
    Default(String),
    /// A partial index's `WHERE`.
    Predicate,
    /// One index key with its method, as the render writes it: `USING btree ("name" "text_ops")`.
    /// Printed back as its expression or column, its operator class when not the default, and
    /// its ordering (PostgreSQL); an operator class that is its type's default prints as none.
    IndexKey,
}

/// Expressions of one table to judge, each with what it is.
pub type Exprs = [(ExprKind, String)];

/// What the server printed back for each expression, `None` for one it cannot judge.
pub type Judged = Result<Vec<Option<String>>, sqlx::Error>;

/// Why applying one migration failed.
#[derive(Debug)]
pub enum ApplyError {
    /// sqlx's bookkeeping or the file failed (a file applied whole, in a transaction or not).
    Migrate(MigrateError),
    /// A file run statement by statement stopped at one (MySQL): what ran before it remains.
    Stopped(Stopped),
    /// A file to run statement by statement cannot be cut into statements: nothing ran.
    Unsplittable(SplitError),
    /// The `_sqlx_migrations` row could not be written; `ran` when the file's statements ran.
    Record { error: sqlx::Error, ran: bool },
}

/// A file run statement by statement that stopped at one, told by its backend.
#[derive(Debug)]
pub struct Stopped {
    /// The failing statement: its 1-based number, its line in the file and its text.
    pub statement: Option<(usize, usize, String)>,
    pub error: sqlx::Error,
    /// What of the file remains, as the backend words it.
    pub remains: crate::commands::migrate::Remains,
}

/// Why `verify` could not apply a migration.
#[derive(Debug)]
pub enum StepError {
    /// The statement at this line (when known) failed.
    At(Option<usize>, sqlx::Error),
    /// The file failed as a whole and was rolled back: a replay finds the statement.
    Whole(sqlx::Error),
    /// The file cannot be cut into statements: nothing ran.
    Unsplittable(SplitError),
}

/// A statement that failed while a migration was replayed, with what the replay found.
#[derive(Debug)]
pub struct Replayed {
    /// Its index into the statements replayed.
    pub index: usize,
    pub error: sqlx::Error,
    /// Foreign keys the file would break (SQLite's `pragma_foreign_key_check`), `table -> parent`.
    pub violations: Vec<String>,
}

/// What a database is before connecting: its URLs, how it runs a file, what its catalog
/// treats as the same. Object safe: [`of`] gives the one for a dialect.
pub trait Database: Sync {
    /// Its URL schemes and what messages say of it.
    fn names(&self) -> &'static Names;
    /// Whether a scratch database lives on the url's server (else it is a temporary file).
    fn scratch_on_server(&self) -> bool {
        true
    }
    /// Whether `target` names a database file that does not exist (so nothing was applied).
    fn file_missing(&self, _target: &Target) -> bool {
        false
    }
    /// What messages call the database of `target` before connecting: `sqlite database dev.db`
    /// (never a password).
    fn what_of(&self, target: &Target) -> String {
        let kind = self.names().schemes[0];
        format!("{kind} database {}", crate::database::redact(&target.url))
    }
    /// The URL used when none is given anywhere, and its file, for a config in `dir`.
    fn default_url(&self, _dir: &std::path::Path) -> Option<(String, std::path::PathBuf)> {
        None
    }
    /// Whether connecting to `target` creates its database file when it is missing.
    fn creates_file(&self, _target: &Target) -> bool {
        false
    }
    /// How `migrate` runs `m`, for `--dry-run`: `in its own transaction`.
    fn how_it_runs(&self, m: &Migration) -> &'static str;
    /// What becomes of a file whose `-- no-transaction` line is not its first line, which
    /// sqlx reads only there: `so sqlx runs the file inside a transaction`.
    fn misplaced_no_transaction(&self) -> &'static str {
        "so sqlx runs the file inside a transaction"
    }
    /// Whether `m` runs outside sqlx's bookkeeping, its row written by us (so a failure may
    /// be in writing that row).
    fn records_itself(&self, _m: &Migration) -> bool {
        false
    }
    /// Whether [`Database::records_itself`] writes the row inside the file's own transaction
    /// (so a failure to write it rolls the file back).
    fn records_inside(&self, _m: &Migration) -> bool {
        false
    }
    /// The indexes of a file's own `BEGIN` and `COMMIT`, when it runs a transaction of its own.
    fn own_transaction(&self, _statements: &[Statement<'_>]) -> Option<(usize, usize)> {
        None
    }
    /// Whether a statement is the file's own transaction control, which a replay leaves out.
    fn is_control(&self, _statement: &Statement<'_>) -> bool {
        false
    }
    /// Whether `error` says a statement gave up waiting for a lock (PostgreSQL's `55P03`,
    /// MySQL's `1205`, SQLite's `SQLITE_BUSY`): the migration is rolled back and may be tried
    /// again ([`Connected::apply_patiently`]).
    fn is_lock_timeout(&self, _error: &sqlx::Error) -> bool {
        false
    }
    /// Whether its DDL runs inside transactions, so that many migrations can run in one that
    /// lands whole or not at all (`migrate --atomic`, `--rehearse`); MySQL commits each DDL
    /// statement implicitly.
    fn transactional_ddl(&self) -> bool {
        true
    }
    /// Whether a second connection can name the sessions this one waits for
    /// ([`Backend::blockers`]).
    fn names_blockers(&self) -> bool {
        false
    }
    /// What a lock timeout's message says when no blocking session was seen.
    fn blockers_unseen(&self) -> &'static str {
        "no blocking session was seen (it may have ended meanwhile)"
    }
    /// The character position (1-based, into the SQL sent) the database reports for `error`.
    fn error_position(&self, _error: &sqlx::Error) -> Option<usize> {
        None
    }
    /// What a failed `-- no-transaction` file `sql` left, where this database knows better than
    /// "the statements before the failing one".
    fn no_transaction_remains(&self, _sql: &str) -> Option<crate::commands::migrate::Remains> {
        None
    }
    /// The columns of `schema` whose default this database cannot evaluate, found before a
    /// migration holds them (SQLite accepts any default in `CREATE TABLE` and fails every
    /// insert that leaves the column out); servers check defaults themselves.
    fn unusable_defaults(&self, _schema: &Schema) -> Result<Vec<Rejected>, DefaultsError> {
        Ok(Vec::new())
    }
    /// sqlparser's dialect for this database, whose parser reads the SQL fragments of the
    /// schema sources (`crate::fragments`): `PostgreSqlDialect` reads `'x'::text`.
    fn sql_dialect(&self) -> &'static dyn sqlparser::dialect::Dialect;
    /// What its catalog treats as two spellings of one object.
    fn rules(&self) -> &'static Rules<'static> {
        &Rules::STANDARD
    }
    /// Whether it holds schemas; objects of one that does not are named without the default
    /// schema (`accounts.active`).
    fn has_schemas(&self) -> bool {
        false
    }
    /// The statement lint's findings of `sql`, a whole migration file of this database, in the
    /// order of its statements, each statement read by this database's parser.
    fn lint_statements(&self, sql: &str) -> Vec<StatementFinding>;
    /// What each statement of `sql` costs while it runs (`plan`): its lock and whether it
    /// scans or rewrites the table; by default the statements without locks.
    fn statement_costs(&self, sql: &str) -> Vec<costs::StatementCost> {
        costs::unknown(sql)
    }
    /// Every difference between a snapshot and the live schema, as this database prints back.
    fn compare(&self, expected: &Schema, actual: &Schema) -> Vec<String> {
        compare_by(self.rules(), !self.has_schemas(), expected, actual, None)
    }
}

/// What URLs and messages say of a database.
pub struct Names {
    /// What messages call it: `PostgreSQL`.
    pub title: &'static str,
    /// The schemes of its URLs (lowercase, without `://`), the one messages suggest first.
    pub schemes: &'static [&'static str],
    /// What to check when connecting fails.
    pub connect_hint: &'static str,
    /// What the url's user needs to create and drop a scratch database.
    pub scratch_hint: &'static str,
    /// What lets the server judge expressions on a temporary probe table.
    pub probe_hint: &'static str,
}

impl Names {
    /// The names of a database on a server, which connecting fails for the same reasons.
    const fn server(
        title: &'static str,
        schemes: &'static [&'static str],
        scratch_hint: &'static str,
        probe_hint: &'static str,
    ) -> Names {
        Names {
            title,
            schemes,
            connect_hint: SERVER_HINT,
            scratch_hint,
            probe_hint,
        }
    }
}

/// What to check when connecting to a server fails.
const SERVER_HINT: &str = "check that the server is running, that the database exists and that the url's host, port, user and database are right";

/// The database of `dialect`.
pub fn of(dialect: Dialect) -> &'static dyn Database {
    match dialect {
        Dialect::Postgres => &postgres::Postgres,
        Dialect::Sqlite => &sqlite::Sqlite,
        Dialect::Mysql => &mysql::Mysql,
    }
}

/// What a connection to one database does. Implemented for each database's connection;
/// [`Connected`] dispatches to it.
#[allow(async_fn_in_trait)]
pub trait Backend: Connection + Migrate {
    /// Counts `_sqlx_migrations` tables without creating one; `-1` when the connection has no
    /// database to look in.
    const HISTORY_EXISTS: &'static str;
    /// `installed_on` of `_sqlx_migrations` as UTC text `YYYY-MM-DDTHH:MM:SSZ`.
    const INSTALLED_ON: &'static str;
    /// Whether DDL runs inside transactions (so a failed file can be replayed and rolled back).
    const TRANSACTIONAL_DDL: bool = true;
    /// `repair --checksum`: sets the checksum (first parameter) of the successful row of a
    /// version (second parameter).
    const SET_CHECKSUM: &'static str =
        "UPDATE _sqlx_migrations SET checksum = ? WHERE version = ? AND success";
    /// `repair --failed`: removes the failed row of a version (the parameter).
    const DELETE_FAILED: &'static str =
        "DELETE FROM _sqlx_migrations WHERE version = ? AND NOT success";
    /// Writes a migration's row as sqlx does: version, description, checksum (the parameters)
    /// with `success` true and `execution_time` -1.
    const RECORD: &'static str = "INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) VALUES ( ?, ?, TRUE, ?, -1 )";
    /// Sets the execution time (first parameter, nanoseconds) of a version's row (second).
    const SET_EXECUTION_TIME: &'static str =
        "UPDATE _sqlx_migrations SET execution_time = ? WHERE version = ?";

    /// Takes the migration lock sqlx takes.
    async fn lock(&mut self) -> Result<(), MigrateError> {
        Migrate::lock(self).await
    }
    /// Releases the lock [`Backend::lock`] took.
    async fn unlock(&mut self) -> Result<(), MigrateError> {
        Migrate::unlock(self).await
    }
    /// Sets `policy`'s timeouts on the session, where this database keeps them per session.
    async fn prepare(&mut self, _policy: &LockPolicy) -> Result<(), sqlx::Error> {
        Ok(())
    }
    /// Starts a batch of migrations ([`Connected::run_batch`]) on this connection, inside its
    /// transaction: `policy`'s timeouts where they are set per transaction.
    async fn begin_batch(&mut self, _policy: &LockPolicy) -> Result<(), sqlx::Error> {
        Ok(())
    }
    /// Applies one migration file as `migrate` does, with its `_sqlx_migrations` row, under
    /// `policy`'s timeouts where they are set per migration.
    async fn apply(&mut self, m: &Migration, _policy: &LockPolicy) -> Result<Duration, ApplyError> {
        Migrate::apply(self, m).await.map_err(ApplyError::Migrate)
    }
    /// Goes on with a file run statement by statement from statement `from` (0-based), after a
    /// lock timeout stopped it there: the statements before it committed, and its row says
    /// `success = false`. A backend that rolls a failed file back applies it again whole.
    async fn resume(
        &mut self,
        m: &Migration,
        _from: usize,
        policy: &LockPolicy,
    ) -> Result<Duration, ApplyError> {
        Backend::apply(self, m, policy).await
    }
    /// This session's id, when the database can name the sessions blocking it.
    async fn session_id(&mut self) -> Result<Option<i64>, sqlx::Error> {
        Ok(None)
    }
    /// The sessions that hold a lock session `id` waits for, asked from another connection.
    async fn blockers(&mut self, _id: i64) -> Result<Vec<Blocker>, sqlx::Error> {
        Ok(Vec::new())
    }
    /// `revert`: runs `down`, the down migration of an applied version, and deletes that
    /// version's `_sqlx_migrations` row, both in one transaction where the database allows
    /// (sqlx's `Migrate::revert`: a `-- no-transaction` down runs on the bare connection and
    /// the row goes after it), under `policy`'s timeouts where they are set per migration. A
    /// failure of the file itself is `ExecuteMigration`.
    async fn revert_one(
        &mut self,
        down: &Migration,
        _policy: &LockPolicy,
    ) -> Result<Duration, ApplyError> {
        Migrate::revert(self, down)
            .await
            .map_err(ApplyError::Migrate)
    }
    /// After `m` failed: puts the connection back as it was before the file (the file's own
    /// transaction rolled back, settings restored); `Some(whether a transaction was rolled
    /// back)` when there was such work to do.
    async fn recover(&mut self, _m: &Migration) -> Option<Result<bool, sqlx::Error>> {
        None
    }
    /// Replays a failed file's statements in a transaction that is rolled back, when the file
    /// ran in a transaction of its own (`own`) that a plain replay cannot reproduce; `None`
    /// leaves the replay to [`Connected::first_failing`].
    async fn replay_own(&mut self, _statements: &[&str]) -> Option<Replayed> {
        None
    }
    /// Extra words for a failed file: what the database still holds that the file loses.
    async fn failure_note(&mut self, _sql: &str) -> Option<String> {
        None
    }
    /// Applies one migration for `verify` as `migrate` would.
    async fn replay_step(&mut self, m: &Migration) -> Result<(), StepError>;
    /// Runs the down migration `m` for `verify` after its up, leaving no `_sqlx_migrations`
    /// row of its version behind (so that the up can be replayed again). The default runs it
    /// as [`Backend::replay_step`] runs an up, for a backend whose replay writes no row.
    async fn replay_down(&mut self, m: &Migration) -> Result<(), StepError> {
        self.replay_step(m).await
    }
    /// The whole user schema of the connected database.
    async fn introspect(&mut self) -> Result<Schema, sqlx::Error>;
    /// The row count of `table` for lint, or why it is unknown.
    async fn row_count(&mut self, table: &QualifiedName) -> RowCount;
    /// Drops `schema.name` when an interrupted concurrent build left it invalid; true when it did.
    async fn drop_invalid_index(
        &mut self,
        _schema: &str,
        _name: &str,
    ) -> Result<bool, sqlx::Error> {
        Ok(false)
    }
    /// What the database prints back for each expression of `table` (checks, defaults, partial
    /// index predicates), applied to a probe built like the live `table` that never touches it,
    /// or `None` for one it cannot judge; an error when no probe could be built. A backend whose
    /// server is not asked judges none.
    async fn normalize_expressions(&mut self, _table: &Table, exprs: &Exprs) -> Judged {
        Ok(vec![None; exprs.len()])
    }
    /// Each view's query as the database prints it back once created on a probe, or `None`
    /// for one it cannot judge (a backend whose server is not asked judges none).
    async fn view_definitions(&mut self, views: &[schema_core::model::View]) -> Judged {
        Ok(vec![None; views.len()])
    }
    /// Creates the scratch database `name`, holding a lock that marks it as this run's.
    async fn create_scratch(&mut self, name: &str) -> Result<(), sqlx::Error>;
    /// The scratch databases of runs that were killed (nobody holds their lock).
    async fn abandoned_scratch(&mut self) -> Result<Vec<String>, sqlx::Error> {
        Ok(Vec::new())
    }
    /// The statement that drops the scratch database `name`.
    fn drop_scratch_sql(name: &str) -> String;
    /// The server of `target` as messages name it: `127.0.0.1:5432`.
    fn server_of(target: &Target) -> Result<String, sqlx::Error>;
}

/// An open connection to one of the supported databases.
pub enum Conn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
    Mysql(MySqlConnection),
}

/// A connected database, with what to call it in messages.
pub struct Connected {
    pub conn: Conn,
    /// `postgres database "app" at localhost:5432`, `sqlite database dev.db`: never a password.
    pub what: String,
    /// The run's lock and statement timeouts ([`Connected::set_policy`]).
    pub policy: LockPolicy,
}

/// Connects to `target`, which must speak `dialect`.
pub async fn connect(target: &Target, dialect: Dialect) -> Result<Connected, DatabaseError> {
    let names = of(dialect).names();
    let scheme = target
        .url
        .split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase());
    if !scheme.is_some_and(|s| names.schemes.contains(&s.as_str())) {
        return Err(DatabaseError::WrongScheme {
            from: target.source.clone(),
            url: crate::database::redact(&target.url),
            expected: dialect,
            scheme: names.schemes[0],
        });
    }
    let bad = |error| DatabaseError::BadUrl {
        from: target.source.clone(),
        url: crate::database::redact(&target.url),
        error: Box::new(error),
    };
    let (what, connected) = match dialect {
        Dialect::Postgres => postgres::connect(target).map_err(bad)?,
        Dialect::Sqlite => sqlite::connect(target).map_err(bad)?,
        Dialect::Mysql => mysql::connect(target).map_err(bad)?,
    };
    match connected.await {
        Ok(conn) => Ok(Connected {
            conn,
            what,
            policy: LockPolicy::default(),
        }),
        Err(e) => Err(DatabaseError::Connect {
            what,
            from: target.source.clone(),
            error: ServerError::Sqlx(Box::new(e)),
            hint: names.connect_hint,
        }),
    }
}

/// A connection on its way, from a backend's `connect`.
pub(crate) type Pending =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Conn, sqlx::Error>> + Send>>;

/// The connection `opts` make, on its way, as the [`Conn`] `wrap` makes it.
pub(crate) fn pending<C: Connection + 'static>(opts: C::Options, wrap: fn(C) -> Conn) -> Pending {
    Box::pin(async move { C::connect_with(&opts).await.map(wrap) })
}

/// A server's database as messages name it: `postgres database "app" at localhost:5432`.
pub(crate) fn server_name(kind: &str, db: Option<&str>, host: &str, port: u16) -> String {
    match db {
        Some(db) => format!("{kind} database \"{db}\" at {host}:{port}"),
        None => format!("{kind} server at {host}:{port}"),
    }
}

/// The table `schema.name` with nothing in it yet, as introspection starts one.
pub(crate) fn bare_table(schema: String, name: String) -> Table {
    Table {
        schema,
        name,
        columns: Vec::new(),
        primary_key: None,
        uniques: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        rls: false,
        policies: Vec::new(),
        renamed_from: None,
    }
}

/// A table's row count for lint, or why it is unknown: `Ok(Err("not in the database"))`.
pub type RowCount = Result<Result<u64, &'static str>, sqlx::Error>;

/// `"name"` with `"` doubled: an identifier as PostgreSQL and SQLite quote it.
pub(crate) fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}
