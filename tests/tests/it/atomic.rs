//! `migrate --atomic` and `migrate --rehearse` on real PostgreSQL and SQLite (and their refusal
//! on MariaDB): a batch whose fifth migration fails lands not at all with `--atomic` and four
//! of five without it; `--atomic` is refused with a `-- no-transaction` pending file; a
//! protected target applies atomically by default and `--no-atomic` turns that off; a rehearsal
//! reports `smallint out of range` (file, line, statement) or each statement's time, and
//! leaves the schema and `_sqlx_migrations` as they were.

use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use std::fs;
use std::path::Path;
use tests::project::{run_cli_blocking, Run};

/// A project folder for `dialect` with hand-written migrations and `extra` config lines.
fn project(dialect: &str, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("migrations/meta")).expect("migrations dir");
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src\"]\nout = \"migrations\"\n{extra}");
    fs::write(dir.path().join("migrate.toml"), config).expect("config");
    dir
}

fn write(dir: &Path, version: i64, name: &str, sql: &str) {
    let file = dir.join(format!("migrations/{version}_{name}.sql"));
    fs::write(file, sql).expect("migration file");
}

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let all = run.text();
    for needle in needles {
        assert!(all.contains(needle), "{needle:?} missing from:\n{all}");
    }
}

/// Four good migrations, then a fifth whose third line narrows `counters.n` to smallint,
/// which the existing row (100000) does not fit.
fn five_with_a_failing_fifth(dir: &Path) {
    for (v, table) in [(1, "a"), (2, "b"), (3, "c")] {
        write(
            dir,
            v,
            &format!("create_{table}"),
            &format!("CREATE TABLE {table} (id int PRIMARY KEY);\n"),
        );
    }
    write(
        dir,
        4,
        "add_note",
        "ALTER TABLE counters ADD COLUMN note text;\n",
    );
    write(
        dir,
        5,
        "narrow",
        "-- lint:allow alter-column-type\n-- n fits smallint on staging\nALTER TABLE counters ALTER COLUMN n TYPE smallint;\n",
    );
}

async fn pg_scalar(db: &tests::pg::TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&db.pool)
        .await
        .expect(sql)
}

/// How many of tables a, b, c exist, and how many rows `_sqlx_migrations` has (-1: no table).
async fn pg_state(db: &tests::pg::TestDb) -> (i64, i64) {
    let tables = pg_scalar(
        db,
        "SELECT count(to_regclass(t))::int8 FROM unnest(ARRAY['a','b','c']) t",
    )
    .await;
    let exists = pg_scalar(db, "SELECT count(to_regclass('_sqlx_migrations'))::int8").await;
    let rows = match exists {
        0 => -1,
        _ => pg_scalar(db, "SELECT count(*) FROM _sqlx_migrations").await,
    };
    (tables, rows)
}

async fn pg_db(name: &str) -> Option<tests::pg::TestDb> {
    let db = tests::pg::TestDb::create(name).await?;
    db.pool
        .execute("CREATE TABLE counters (id int PRIMARY KEY, n int); INSERT INTO counters VALUES (1, 100000)")
        .await
        .expect("counters");
    Some(db)
}

async fn column_type(db: &tests::pg::TestDb) -> String {
    sqlx::query_scalar("SELECT data_type::text FROM information_schema.columns WHERE table_name = 'counters' AND column_name = 'n'")
        .fetch_one(&db.pool)
        .await
        .expect("column type")
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_atomic_batch_failing_at_the_fifth_leaves_none_applied() {
    let Some(db) = pg_db("atomic_pg").await else {
        return;
    };
    let dir = project("postgres", "");
    five_with_a_failing_fifth(dir.path());
    let args = [
        "migrate",
        "--url",
        &db.url,
        "--atomic",
        "--allow-lint-errors",
    ];
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(
        &run,
        1,
        &[
            "5_narrow.sql:3 failed at statement 1",
            "smallint out of range",
            "none of them was applied",
        ],
    );
    assert!(
        !run.stdout.contains("applied migrations/1_create_a.sql"),
        "{run:#?}"
    );
    assert_eq!(pg_state(&db).await, (0, 0), "nothing of the batch remains");
    let note: i64 = pg_scalar(&db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'counters' AND column_name = 'note'").await;
    assert_eq!(note, 0);
    // Without --atomic, the first four stay applied.
    let args = ["migrate", "--url", &db.url, "--allow-lint-errors"];
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(&run, 1, &["5_narrow.sql:3", "smallint out of range"]);
    assert_eq!(pg_state(&db).await, (3, 4));
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_atomic_batch_applies_and_records_as_sqlx_does() {
    let Some(db) = pg_db("atomic_pg_ok").await else {
        return;
    };
    let dir = project("postgres", "");
    five_with_a_failing_fifth(dir.path());
    fs::remove_file(dir.path().join("migrations/5_narrow.sql")).expect("remove");
    let run = run_cli_blocking(dir.path(), &["migrate", "--url", &db.url, "--atomic"]).await;
    assert_has(&run, 0, &["applied 4 migration(s)", "in one transaction"]);
    assert_eq!(pg_state(&db).await, (3, 4));
    let bad: i64 = pg_scalar(
        &db,
        "SELECT count(*) FROM _sqlx_migrations WHERE NOT success OR execution_time < 0",
    )
    .await;
    assert_eq!(
        bad, 0,
        "rows as sqlx writes them, with their execution times"
    );
    let status = run_cli_blocking(dir.path(), &["migrate", "--url", &db.url]).await;
    assert_has(&status, 0, &["up to date"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_atomic_is_refused_with_a_no_transaction_pending_file() {
    let Some(db) = pg_db("atomic_pg_notx").await else {
        return;
    };
    let dir = project("postgres", "");
    write(
        dir.path(),
        1,
        "create_a",
        "CREATE TABLE a (id int PRIMARY KEY);\n",
    );
    write(
        dir.path(),
        2,
        "index_n",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY counters_n_idx ON counters (n);\n",
    );
    let run = run_cli_blocking(dir.path(), &["migrate", "--url", &db.url, "--atomic"]).await;
    assert_has(
        &run,
        1,
        &[
            "refusing --atomic",
            "2_index_n.sql is -- no-transaction",
            "nothing was applied",
        ],
    );
    assert_eq!(pg_state(&db).await, (0, -1));
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_protected_target_is_atomic_by_default_and_no_atomic_turns_it_off() {
    let Some(db) = pg_db("atomic_pg_protected").await else {
        return;
    };
    let targets = format!(
        "[targets.production]\nurl = \"{}\"\nprotected = true\n",
        db.url
    );
    let dir = project("postgres", &targets);
    five_with_a_failing_fifth(dir.path());
    let args = [
        "migrate",
        "--target",
        "production",
        "--yes",
        "--allow-lint-errors",
    ];
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(
        &run,
        1,
        &[
            "target production is protected",
            "(--atomic)",
            "none of them was applied",
        ],
    );
    assert_eq!(pg_state(&db).await, (0, 0));
    let args = [
        "migrate",
        "--target",
        "production",
        "--yes",
        "--no-atomic",
        "--allow-lint-errors",
    ];
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(&run, 1, &["5_narrow.sql:3", "smallint out of range"]);
    assert!(!run.text().contains("(--atomic)"), "{run:#?}");
    assert_eq!(pg_state(&db).await, (3, 4));
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_protected_target_with_a_no_transaction_file_falls_back_with_a_note() {
    let Some(db) = pg_db("atomic_pg_fallback").await else {
        return;
    };
    let targets = format!(
        "[targets.production]\nurl = \"{}\"\nprotected = true\n",
        db.url
    );
    let dir = project("postgres", &targets);
    write(
        dir.path(),
        1,
        "create_a",
        "CREATE TABLE a (id int PRIMARY KEY);\n",
    );
    write(
        dir.path(),
        2,
        "index_n",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY counters_n_idx ON counters (n);\n",
    );
    let run = run_cli_blocking(dir.path(), &["migrate", "--target", "production", "--yes"]).await;
    assert_has(
        &run,
        0,
        &[
            "cannot run in one transaction",
            "2_index_n.sql is -- no-transaction",
            "each runs in its own transaction",
        ],
    );
    assert_eq!(pg_state(&db).await, (1, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_rehearsal_reports_smallint_out_of_range_and_changes_nothing() {
    let Some(db) = pg_db("rehearse_pg_fail").await else {
        return;
    };
    let dir = project("postgres", "");
    write(
        dir.path(),
        1,
        "create_a",
        "CREATE TABLE a (id int PRIMARY KEY);\n",
    );
    let run = run_cli_blocking(dir.path(), &["migrate", "--url", &db.url]).await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    write(
        dir.path(),
        2,
        "create_b",
        "CREATE TABLE b (id int PRIMARY KEY);\n",
    );
    write(
        dir.path(),
        3,
        "narrow",
        "-- lint:allow alter-column-type\nALTER TABLE counters ADD COLUMN note text;\n--> statement-breakpoint\nALTER TABLE counters ALTER COLUMN n TYPE smallint;\n",
    );
    write(
        dir.path(),
        4,
        "create_c",
        "CREATE TABLE c (id int PRIMARY KEY);\n",
    );
    let args = [
        "migrate",
        "--url",
        &db.url,
        "--rehearse",
        "--allow-lint-errors",
    ];
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(
        &run,
        1,
        &[
            "rehearsed migrations/2_create_b.sql",
            "3_narrow.sql:4 failed at statement 2",
            "smallint out of range",
            "ALTER TABLE counters ALTER COLUMN n TYPE smallint",
            "not rehearsed: migrations/4_create_c.sql",
            "this was a rehearsal",
        ],
    );
    assert_eq!(
        pg_state(&db).await,
        (1, 1),
        "only the migration applied before"
    );
    assert_eq!(column_type(&db).await, "integer");
    let note: i64 = pg_scalar(&db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'counters' AND column_name = 'note'").await;
    assert_eq!(note, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_rehearsal_times_each_statement_and_changes_nothing() {
    let Some(db) = pg_db("rehearse_pg_ok").await else {
        return;
    };
    let dir = project("postgres", "[targets.staging]\nurl_env = \"UNUSED\"\n");
    write(
        dir.path(),
        1,
        "create_a",
        "CREATE TABLE a (id int PRIMARY KEY);\n--> statement-breakpoint\nCREATE TABLE b (id int PRIMARY KEY);\n",
    );
    write(
        dir.path(),
        2,
        "index_n",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY counters_n_idx ON counters (n);\n",
    );
    write(
        dir.path(),
        3,
        "create_c",
        "CREATE TABLE c (id int PRIMARY KEY);\n",
    );
    let args = [
        "migrate",
        "--url",
        &db.url,
        "--rehearse",
        "--lock-timeout",
        "2s",
    ];
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(
        &run,
        0,
        &[
            "rehearsed migrations/1_create_a.sql",
            "  statement 1 (line 1): ",
            "  statement 2 (line 3): ",
            "CREATE TABLE b (id int PRIMARY KEY);",
            "not rehearsable: migrations/2_index_n.sql is -- no-transaction",
            "rehearsed migrations/3_create_c.sql",
            "rehearsed 2 migration(s)",
            "nothing was applied and _sqlx_migrations is unchanged",
        ],
    );
    assert_eq!(pg_state(&db).await, (0, -1));
    let index = pg_scalar(&db, "SELECT count(to_regclass('counters_n_idx'))::int8").await;
    assert_eq!(index, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_atomic_batch_behind_a_lock_is_retried_whole_and_applies_nothing() {
    let Some(db) = pg_db("atomic_pg_lock").await else {
        return;
    };
    let dir = project("postgres", "");
    five_with_a_failing_fifth(dir.path());
    fs::remove_file(dir.path().join("migrations/5_narrow.sql")).expect("remove");
    // An open transaction that read counters holds ACCESS SHARE, which 4's ALTER TABLE waits for.
    let mut blocker = PgConnection::connect(&db.url).await.expect("blocker");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut blocker)
        .await
        .expect("pid");
    blocker.execute("BEGIN").await.expect("begin");
    blocker
        .execute("SELECT count(*) FROM counters")
        .await
        .expect("read");
    let args = [
        "migrate",
        "--url",
        &db.url,
        "--atomic",
        "--lock-timeout",
        "1s",
        "--retries",
        "1",
    ];
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(
        &run,
        1,
        &[
            "4_add_note.sql:1 failed at statement 1: canceling statement due to lock timeout",
            "the whole batch was rolled back; trying again in 1s (retry 1 of 1)",
            "gave up after 2 tries",
            &format!("blocked by pid {pid}"),
            "none of them was applied",
            "the files need no change",
        ],
    );
    assert_eq!(pg_state(&db).await, (0, 0));
    blocker.execute("COMMIT").await.expect("commit");
    let run = run_cli_blocking(dir.path(), &args).await;
    assert_has(&run, 0, &["applied 4 migration(s)"]);
    assert_eq!(pg_state(&db).await, (3, 4));
    blocker.close().await.expect("close");
}

async fn sqlite_state(url: &str) -> (i64, i64) {
    let mut c = SqliteConnection::connect(url).await.expect("sqlite");
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b', 'c')",
    )
    .fetch_one(&mut c)
    .await
    .expect("tables");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&mut c)
        .await
        .unwrap_or(-1);
    (tables, rows)
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_atomic_batch_failing_at_the_fifth_leaves_none_applied() {
    let dir = project("sqlite", "");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("dev.db").display());
    let mut c = SqliteConnection::connect(&url).await.expect("sqlite");
    c.execute("CREATE TABLE counters (id integer PRIMARY KEY, n integer NOT NULL)")
        .await
        .expect("counters");
    c.close().await.expect("close");
    for (v, table) in [(1, "a"), (2, "b"), (3, "c")] {
        write(
            dir.path(),
            v,
            &format!("create_{table}"),
            &format!("CREATE TABLE {table} (id integer PRIMARY KEY);\n"),
        );
    }
    write(
        dir.path(),
        4,
        "add_note",
        "ALTER TABLE counters ADD COLUMN note text;\n",
    );
    write(
        dir.path(),
        5,
        "again",
        "-- a table made again\n\nCREATE TABLE a (id integer PRIMARY KEY);\n",
    );
    let run = run_cli_blocking(dir.path(), &["migrate", "--url", &url, "--atomic"]).await;
    assert_has(
        &run,
        1,
        &[
            "5_again.sql:3",
            "table a already exists",
            "none of them was applied",
        ],
    );
    assert_eq!(sqlite_state(&url).await, (0, 0));
    let run = run_cli_blocking(dir.path(), &["migrate", "--url", &url]).await;
    assert_has(&run, 1, &["5_again.sql", "table a already exists"]);
    assert_eq!(sqlite_state(&url).await, (3, 4));
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_rehearsal_runs_and_rolls_back() {
    let dir = project("sqlite", "");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("dev.db").display());
    write(
        dir.path(),
        1,
        "create_a",
        "CREATE TABLE a (id integer PRIMARY KEY);\n",
    );
    let run = run_cli_blocking(dir.path(), &["migrate", "--url", &url, "--rehearse"]).await;
    assert_has(
        &run,
        0,
        &["  statement 1 (line 1): ", "rehearsed 1 migration(s)"],
    );
    assert_eq!(sqlite_state(&url).await, (0, -1));
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_refuses_atomic_and_rehearse() {
    let Some(db) = tests::mysql::TestDb::create("atomic_mysql").await else {
        return;
    };
    let dir = project("mysql", "");
    write(
        dir.path(),
        1,
        "create_a",
        "CREATE TABLE a (id int PRIMARY KEY);\n",
    );
    for flag in ["--atomic", "--rehearse"] {
        let run = run_cli_blocking(dir.path(), &["migrate", "--url", &db.url, flag]).await;
        assert_has(
            &run,
            1,
            &[
                &format!("refusing {flag}"),
                "commits every DDL statement implicitly",
            ],
        );
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()",
    )
    .fetch_one(&db.pool)
    .await
    .expect("tables");
    assert_eq!(tables, 0, "nothing ran");
}
