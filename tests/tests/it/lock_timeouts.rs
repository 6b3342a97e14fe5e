//! `migrate` on a target with `lock_timeout = "1s"` and `retries = 2` (or the flags
//! `--lock-timeout --retries`) behind a transaction that holds a lock on the table, on
//! real servers: it gives up within seconds, names the blocking session, applies nothing,
//! releases the migration lock (a second run after the blocker ends applies the file), and on
//! MySQL goes on from the statement that timed out; SQLite's `busy_timeout` the same way;
//! `revert` on PostgreSQL likewise.

use sqlx::{Connection, Executor, MySqlConnection, PgConnection, SqliteConnection};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};
use tests::project::{run_cli_blocking, Run};

/// The bound: a migration behind a lock fails "within a few seconds" (1 s waits, 1 s
/// and 2 s pauses), far from waiting for ever; the margin is for a loaded machine.
const WITHIN: Duration = Duration::from_secs(15);

/// A project folder for `dialect` with hand-written migrations.
fn project(dialect: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("migrations/meta")).expect("migrations dir");
    let config = format!("dialect = \"{dialect}\"\nschema = [\"src\"]\nout = \"migrations\"\n");
    fs::write(dir.path().join("migrate.toml"), config).expect("config");
    dir
}

fn write(dir: &Path, version: i64, name: &str, sql: &str) {
    let file = dir.join(format!("migrations/{version}_{name}.sql"));
    fs::write(file, sql).expect("migration file");
}

/// Runs `migrate` with a lock timeout of 1 s and `retries` retries; gives the run and its time.
async fn migrate_patiently(dir: &Path, url: &str, retries: &str) -> (Run, Duration) {
    let start = Instant::now();
    let args = [
        "migrate",
        "--url",
        url,
        "--lock-timeout",
        "1s",
        "--retries",
        retries,
    ];
    let run = run_cli_blocking(dir, &args).await;
    (run, start.elapsed())
}

/// Runs `migrate --target staging`, the target `[targets.staging]` written into the project's
/// config with `url`, `lock_timeout = "1s"` and `retries = 2`, as the deploy config
/// says them; gives the run and its time.
async fn migrate_on_target(dir: &Path, url: &str) -> (Run, Duration) {
    let config = dir.join("migrate.toml");
    let text = fs::read_to_string(&config).expect("config");
    let table =
        format!("\n[targets.staging]\nurl = \"{url}\"\nlock_timeout = \"1s\"\nretries = 2\n");
    if !text.contains("[targets.staging]") {
        fs::write(&config, format!("{text}{table}")).expect("target");
    }
    let start = Instant::now();
    let run = run_cli_blocking(dir, &["migrate", "--target", "staging"]).await;
    (run, start.elapsed())
}

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let all = run.text();
    for needle in needles {
        assert!(all.contains(needle), "{needle:?} missing from:\n{all}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_migration_behind_a_lock_gives_up_naming_the_blocker() {
    let Some(db) = tests::pg::TestDb::create("lock_timeout_pg").await else {
        return;
    };
    db.pool
        .execute("CREATE TABLE accounts (id int PRIMARY KEY)")
        .await
        .expect("table");
    let dir = project("postgres");
    write(
        dir.path(),
        1,
        "add_email",
        "ALTER TABLE \"accounts\" ADD COLUMN \"email\" text;\n",
    );
    // An open transaction that read the table holds ACCESS SHARE, which ALTER TABLE waits for.
    let mut blocker = PgConnection::connect(&db.url).await.expect("blocker");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut blocker)
        .await
        .expect("pid");
    blocker.execute("BEGIN").await.expect("begin");
    blocker
        .execute("SELECT count(*) FROM accounts")
        .await
        .expect("read");

    let (run, took) = migrate_on_target(dir.path(), &db.url).await;
    assert!(took < WITHIN, "took {took:?}: {run:#?}");
    assert_has(
        &run,
        1,
        &[
            "migration migrations/1_add_email.sql failed: canceling statement due to lock timeout",
            "migrations/1_add_email.sql: timed out waiting for a lock; blocked by ",
            "trying again in 1s (retry 1 of 2)",
            "trying again in 2s (retry 2 of 2)",
            "gave up after 3 tries waiting at most 1s each for a lock",
            &format!("blocked by pid {pid} (transaction open for "),
            "idle in transaction, query `SELECT count(*) FROM accounts`",
            "nothing of this migration remains and nothing was recorded; the file needs no change",
        ],
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&db.pool)
        .await
        .expect("history");
    assert_eq!(rows, 0, "nothing recorded");
    let columns: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'email'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("columns");
    assert_eq!(columns, 0, "the schema is unchanged");

    // The migration lock was released: once the blocker ends, the next run applies the file.
    blocker.execute("COMMIT").await.expect("commit");
    let (run, _) = migrate_patiently(dir.path(), &db.url, "0").await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    blocker.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_no_transaction_file_gets_session_timeouts() {
    let Some(db) = tests::pg::TestDb::create("lock_timeout_pg_notx").await else {
        return;
    };
    db.pool
        .execute("CREATE TABLE accounts (id int PRIMARY KEY)")
        .await
        .expect("table");
    let dir = project("postgres");
    let sql = "-- no-transaction\nALTER TABLE \"accounts\" ADD COLUMN \"email\" text;\n";
    write(dir.path(), 1, "add_email", sql);
    let mut blocker = PgConnection::connect(&db.url).await.expect("blocker");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut blocker)
        .await
        .expect("pid");
    blocker.execute("BEGIN").await.expect("begin");
    blocker
        .execute("LOCK TABLE accounts IN ACCESS SHARE MODE")
        .await
        .expect("lock");
    let (run, took) = migrate_patiently(dir.path(), &db.url, "0").await;
    assert!(took < WITHIN, "took {took:?}: {run:#?}");
    assert_has(
        &run,
        1,
        &[
            "canceling statement due to lock timeout; gave up after 1 try",
            &format!("blocked by pid {pid} ("),
            "query `LOCK TABLE accounts IN ACCESS SHARE MODE`",
        ],
    );
    assert!(!run.text().contains("trying again"), "{run:#?}");
    blocker.execute("COMMIT").await.expect("commit");
    let (run, _) = migrate_patiently(dir.path(), &db.url, "0").await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    blocker.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_revert_behind_a_lock_gives_up_naming_the_blocker() {
    let Some(db) = tests::pg::TestDb::create("lock_timeout_pg_revert").await else {
        return;
    };
    db.pool
        .execute("CREATE TABLE accounts (id int PRIMARY KEY)")
        .await
        .expect("table");
    let dir = project("postgres");
    write(
        dir.path(),
        1,
        "add_email",
        "ALTER TABLE \"accounts\" ADD COLUMN \"email\" text;\n",
    );
    let down = "-- lint:allow drop-column\nALTER TABLE \"accounts\" DROP COLUMN \"email\";\n";
    fs::write(dir.path().join("migrations/1_add_email.down.sql"), down).expect("down");
    let (run, _) = migrate_patiently(dir.path(), &db.url, "0").await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    let mut blocker = PgConnection::connect(&db.url).await.expect("blocker");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut blocker)
        .await
        .expect("pid");
    blocker.execute("BEGIN").await.expect("begin");
    blocker
        .execute("SELECT count(*) FROM accounts")
        .await
        .expect("read");
    let args = [
        "revert",
        "--yes",
        "--url",
        &db.url,
        "--lock-timeout",
        "1s",
        "--retries",
        "1",
    ];
    let start = Instant::now();
    let run = run_cli_blocking(dir.path(), &args).await;
    assert!(start.elapsed() < WITHIN, "{run:#?}");
    assert_has(
        &run,
        1,
        &[
            "migrations/1_add_email.down.sql: timed out waiting for a lock; blocked by ",
            "gave up after 2 tries waiting at most 1s each for a lock",
            &format!("blocked by pid {pid} ("),
            "the down was rolled back: nothing of it remains, and migration 1 is still recorded as applied; the down file needs no change",
        ],
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&db.pool)
        .await
        .expect("history");
    assert_eq!(rows, 1, "still applied");
    blocker.execute("COMMIT").await.expect("commit");
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(&run, 0, &["reverted 1 migration(s)"]);
    blocker.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_statement_timeout_stops_a_long_statement() {
    let Some(db) = tests::pg::TestDb::create("statement_timeout_pg").await else {
        return;
    };
    let dir = project("postgres");
    write(dir.path(), 1, "slow", "SELECT pg_sleep(5);\n");
    let args = ["migrate", "--url", &db.url, "--statement-timeout", "300ms"];
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(&run, 1, &["canceling statement due to statement timeout"]);
    assert!(!run.text().contains("trying again"), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_migration_behind_a_metadata_lock_gives_up_naming_the_blocker() {
    let Some(db) = tests::mysql::TestDb::create("lock_timeout_my").await else {
        return;
    };
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY)")
        .await
        .expect("table");
    let dir = project("mysql");
    write(
        dir.path(),
        1,
        "add_email",
        "CREATE TABLE `teams` (`id` int PRIMARY KEY);\nALTER TABLE `accounts` ADD COLUMN `email` text;\n",
    );
    // An open transaction that read the table holds a metadata lock ALTER TABLE waits for.
    let mut blocker = MySqlConnection::connect(&db.url).await.expect("blocker");
    let id: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()")
        .fetch_one(&mut blocker)
        .await
        .expect("id");
    blocker.execute("BEGIN").await.expect("begin");
    blocker
        .execute("SELECT count(*) FROM accounts")
        .await
        .expect("read");

    let (run, took) = migrate_on_target(dir.path(), &db.url).await;
    assert!(took < WITHIN, "took {took:?}: {run:#?}");
    // Statement 1 committed; the retries went on from statement 2 (a whole rerun would fail
    // on `teams` existing), which is where it stopped.
    assert_has(
        &run,
        1,
        &[
            "failed at statement 2: Lock wait timeout exceeded",
            "migrations/1_add_email.sql: timed out waiting for a lock; blocked by ",
            "trying again in 1s (retry 1 of 2)",
            "gave up after 3 tries waiting at most 1s each for a lock",
            &format!("blocked by connection {id} (transaction open for "),
            "idle in transaction",
            "statement 1 ran and remains",
        ],
    );
    let columns: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'accounts' AND column_name = 'email'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("columns");
    assert_eq!(columns, 0, "the ALTER did not run");

    // The migration lock was released: `repair --failed` and a new run finish the file, once
    // the blocker ends (statement 1 is undone by hand, as the message says).
    blocker.execute("COMMIT").await.expect("commit");
    db.execute("DROP TABLE `teams`").await.expect("undo");
    let run = run_cli_blocking(
        dir.path(),
        &["repair", "--failed", "1", "--yes", "--url", &db.url],
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let (run, _) = migrate_patiently(dir.path(), &db.url, "0").await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    blocker.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_first_statement_behind_a_lock_leaves_nothing() {
    let Some(db) = tests::mysql::TestDb::create("lock_timeout_my1").await else {
        return;
    };
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY)")
        .await
        .expect("table");
    let dir = project("mysql");
    write(
        dir.path(),
        1,
        "add_email",
        "ALTER TABLE `accounts` ADD COLUMN `email` text;\n",
    );
    let mut blocker = MySqlConnection::connect(&db.url).await.expect("blocker");
    blocker.execute("BEGIN").await.expect("begin");
    blocker
        .execute("SELECT count(*) FROM accounts")
        .await
        .expect("read");
    let (run, took) = migrate_patiently(dir.path(), &db.url, "1").await;
    assert!(took < WITHIN, "took {took:?}: {run:#?}");
    assert_has(
        &run,
        1,
        &[
            "gave up after 2 tries",
            "nothing was recorded",
            "the file needs no change",
        ],
    );
    assert!(!run.text().contains("fix the file"), "{run:#?}");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&db.pool)
        .await
        .expect("history");
    assert_eq!(rows, 0, "nothing recorded");
    blocker.execute("COMMIT").await.expect("commit");
    let (run, _) = migrate_patiently(dir.path(), &db.url, "0").await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    blocker.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_migration_behind_a_writer_gives_up_after_busy_timeout() {
    let dir = project("sqlite");
    let file = dir.path().join("dev.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    write(
        dir.path(),
        1,
        "accounts",
        "CREATE TABLE accounts (id integer PRIMARY KEY);\n",
    );
    let run = run_cli_blocking(dir.path(), &["migrate", "--url", &url]).await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    write(
        dir.path(),
        2,
        "add_email",
        "ALTER TABLE accounts ADD COLUMN email text;\n",
    );
    // A writer holding a write transaction.
    let mut writer = SqliteConnection::connect(&url).await.expect("writer");
    writer.execute("BEGIN IMMEDIATE").await.expect("begin");
    writer
        .execute("INSERT INTO accounts (id) VALUES (1)")
        .await
        .expect("write");

    let (run, took) = migrate_patiently(dir.path(), &url, "1").await;
    assert!(took < WITHIN, "took {took:?}: {run:#?}");
    assert_has(
        &run,
        1,
        &[
            "migration migrations/2_add_email.sql failed: database is locked",
            "gave up after 2 tries waiting at most 1s each for a lock; another connection holds a write transaction on the database file",
            "nothing of this migration remains and nothing was recorded; the file needs no change",
        ],
    );
    writer.execute("COMMIT").await.expect("commit");
    writer.close().await.expect("close");
    let (run, _) = migrate_patiently(dir.path(), &url, "0").await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
}
