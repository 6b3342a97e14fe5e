//! `migrate-cli migrate` and `status` end to end on real PostgreSQL (a fresh database per test)
//! and SQLite files: order, sqlx's own bookkeeping, every status state, failures rolled back
//! and located, a changed history refused, concurrent deployers, `--dry-run`.

use sqlx::migrate::Migrator;
use sqlx::{Connection, PgPool, SqliteConnection};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use tests::pg::TestDb;
use tests::project::{run_cli, run_cli_blocking, Run};

#[path = "migrate_status/no_transaction.rs"]
mod no_transaction;

/// A project folder: `migrate.toml` and hand-written migrations in `migrations/`.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(dialect: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join("migrations/meta")).expect("migrations dir");
        let config = format!("dialect = \"{dialect}\"\nschema = [\"src\"]\nout = \"migrations\"\n");
        fs::write(dir.path().join("migrate.toml"), config).expect("config");
        // sqlx ignores meta/: a journal there must not count as a migration.
        fs::write(dir.path().join("migrations/meta/_journal.json"), "{}").expect("journal");
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, version: i64, name: &str) -> PathBuf {
        self.path().join(format!("migrations/{version}_{name}.sql"))
    }

    fn write(&self, version: i64, name: &str, sql: &str) {
        fs::write(self.file(version, name), sql).expect("migration file");
    }

    async fn run(&self, args: &[&str]) -> Run {
        cli(self.path(), args).await
    }

    async fn migrate(&self, url: &str) -> Run {
        self.run(&["migrate", "--url", url]).await
    }

    /// `status --format json` as (version, name, state, applied) tuples.
    async fn states(&self, url: &str) -> Vec<(i64, String, String, bool)> {
        let run = self
            .run(&["status", "--url", url, "--format", "json"])
            .await;
        assert_eq!(run.code, 0, "{run:?}");
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("status json");
        let list = json["migrations"].as_array().expect("migrations array");
        list.iter()
            .map(|m| {
                (
                    m["version"].as_i64().expect("version"),
                    m["name"].as_str().expect("name").to_string(),
                    m["state"].as_str().expect("state").to_string(),
                    m["applied_at"].is_string(),
                )
            })
            .collect()
    }

    /// The checksums sqlx itself computes for this folder, by version.
    async fn sqlx_checksums(&self) -> Vec<(i64, Vec<u8>)> {
        let migrator = Migrator::new(self.path().join("migrations"))
            .await
            .expect("sqlx reads the folder");
        migrator
            .iter()
            .map(|m| (m.version, m.checksum.to_vec()))
            .collect()
    }
}

/// Runs `migrate-cli ARGS` in `dir` on a blocking thread (commands must not run inside a runtime).
async fn cli(dir: &Path, args: &[&str]) -> Run {
    run_cli_blocking(dir, args).await
}

async fn pg_rows(pool: &PgPool) -> Vec<(i64, String, bool, Vec<u8>)> {
    sqlx::query_as(
        "SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(pool)
    .await
    .expect("read _sqlx_migrations")
}

async fn pg_table_exists(pool: &PgPool, table: &str) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT to_regclass($1) IS NOT NULL")
        .bind(table)
        .fetch_one(pool)
        .await
        .expect("to_regclass")
}

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    for needle in needles {
        assert!(all.contains(needle), "{needle:?} missing from:\n{all}");
    }
}

fn three_migrations(p: &Project) {
    p.write(
        1,
        "create_accounts",
        "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
    );
    p.write(2, "create_projects", "CREATE TABLE projects (id bigint PRIMARY KEY, owner bigint REFERENCES accounts);\n--> statement-breakpoint\nCREATE INDEX projects_owner_idx ON projects (owner);\n");
    p.write(
        3,
        "add_name",
        "ALTER TABLE accounts ADD COLUMN name text NOT NULL DEFAULT '';\n",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_applies_in_order_as_sqlx_records_it_and_a_rerun_is_a_no_op() {
    let Some(db) = TestDb::create("migrate_order").await else {
        return;
    };
    let p = Project::new("postgres");
    three_migrations(&p);
    let run = p.migrate(&db.url).await;
    assert_has(
        &run,
        0,
        &[
            "applied migrations/1_create_accounts.sql (",
            "applied migrations/3_add_name.sql (",
            "applied 3 migration(s)",
        ],
    );
    let first = run.stdout.find("1_create_accounts").expect("printed");
    assert!(first < run.stdout.find("2_create_projects").expect("printed"));
    let rows = pg_rows(&db.pool).await;
    let expected = p.sqlx_checksums().await;
    assert_eq!(rows.len(), 3);
    for ((version, description, success, checksum), (v, sum)) in rows.iter().zip(&expected) {
        assert_eq!((version, success, checksum), (v, &true, sum));
        assert!(
            description.starts_with("create") || description == "add name",
            "{description}"
        );
    }
    assert!(pg_table_exists(&db.pool, "projects_owner_idx").await);

    let again = p.migrate(&db.url).await;
    assert_has(&again, 0, &["nothing to apply"]);
    assert_eq!(pg_rows(&db.pool).await, rows);
    // sqlx's own runner agrees that everything is applied and nothing changed.
    let migrator = Migrator::new(p.path().join("migrations"))
        .await
        .expect("migrator");
    migrator.run(&db.pool).await.expect("sqlx::migrate agrees");
    assert_eq!(pg_rows(&db.pool).await, rows);
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_status_shows_every_state() {
    let Some(db) = TestDb::create("status_states").await else {
        return;
    };
    let p = Project::new("postgres");
    let empty = p.states(&db.url).await;
    assert!(empty.is_empty(), "{empty:?}");
    three_migrations(&p);
    assert_has(&p.migrate(&db.url).await, 0, &[]);
    p.write(
        4,
        "add_email",
        "ALTER TABLE accounts ADD COLUMN email text;\n",
    );
    fs::write(
        p.file(2, "create_projects"),
        "-- edited after it was applied\n",
    )
    .expect("edit");
    fs::remove_file(p.file(3, "add_name")).expect("remove");
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (5, 'half done', false, '\\x00', -1)")
        .execute(&db.pool)
        .await
        .expect("failed row");
    let states = p.states(&db.url).await;
    let expect = |v: i64, name: &str, state: &str, applied: bool| {
        (v, name.to_string(), state.to_string(), applied)
    };
    assert_eq!(
        states,
        vec![
            expect(1, "create_accounts", "applied", true),
            expect(2, "create_projects", "modified", true),
            expect(3, "add_name", "missing", true),
            expect(4, "add_email", "pending", false),
            expect(5, "half_done", "failed", true),
        ]
    );
    let text = p.run(&["status", "--url", &db.url]).await;
    assert_has(
        &text,
        0,
        &[
            "1  create_accounts",
            "applied 20",
            "modified since it was applied",
            "record it as it is with `migrate-cli repair --checksum 2`",
            "missing from migrations",
            "4  add_email",
            "pending",
            "failed",
            "5 migrations: 1 applied, 1 failed, 1 missing, 1 modified, 1 pending",
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_failing_migration_leaves_nothing_names_the_statement_and_goes_on_once_fixed() {
    let Some(db) = TestDb::create("migrate_failing").await else {
        return;
    };
    let p = Project::new("postgres");
    p.write(
        1,
        "create_accounts",
        "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
    );
    p.write(2, "broken", "CREATE TABLE made_by_two (id int);\n--> statement-breakpoint\nINSERT INTO made_by_two VALUES (1);\n--> statement-breakpoint\n\nINSERT INTO nowhere VALUES (1);\n");
    p.write(3, "after", "CREATE TABLE after_two (id int);\n");
    let run = p.migrate(&db.url).await;
    assert_has(&run, 1, &["migration migrations/2_broken.sql:6 failed at statement 3: relation \"nowhere\" does not exist", "INSERT INTO nowhere", "nothing of this migration remains and nothing was recorded", "1 migration(s) before it were applied"]);
    assert!(
        !pg_table_exists(&db.pool, "made_by_two").await,
        "the first statement of a failed migration remains"
    );
    assert!(!pg_table_exists(&db.pool, "after_two").await);
    assert_eq!(
        pg_rows(&db.pool)
            .await
            .iter()
            .map(|r| r.0)
            .collect::<Vec<_>>(),
        vec![1]
    );

    // A syntax error: PostgreSQL's position gives the exact line inside the statement.
    p.write(2, "broken", "CREATE TABLE made_by_two (id int);\n--> statement-breakpoint\nCREATE TABLE other (\n  id int,\n  oops oops oops\n);\n");
    let run = p.migrate(&db.url).await;
    assert_has(
        &run,
        1,
        &["migrations/2_broken.sql:5 failed at statement 2: syntax error"],
    );
    assert!(!pg_table_exists(&db.pool, "made_by_two").await);

    p.write(2, "broken", "CREATE TABLE made_by_two (id int);\n");
    let run = p.migrate(&db.url).await;
    assert_has(
        &run,
        0,
        &[
            "applied migrations/2_broken.sql",
            "applied migrations/3_after.sql",
            "applied 2 migration(s)",
        ],
    );
    assert_eq!(
        pg_rows(&db.pool)
            .await
            .iter()
            .map(|r| r.0)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_a_changed_or_missing_applied_file_is_refused_before_anything_is_applied() {
    let Some(db) = TestDb::create("migrate_tampered").await else {
        return;
    };
    let p = Project::new("postgres");
    p.write(
        1,
        "create_accounts",
        "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
    );
    assert_has(&p.migrate(&db.url).await, 0, &[]);
    p.write(
        1,
        "create_accounts",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, sneaky int);\n",
    );
    p.write(2, "create_projects", "CREATE TABLE projects (id int);\n");
    let run = p.migrate(&db.url).await;
    assert_has(
        &run,
        1,
        &[
            "refusing to migrate",
            "nothing was applied",
            "migration 1 (migrations/1_create_accounts.sql) changed since it was applied",
        ],
    );
    assert!(!pg_table_exists(&db.pool, "projects").await);
    let dry = p.run(&["migrate", "--url", &db.url, "--dry-run"]).await;
    assert_has(&dry, 1, &["changed since it was applied"]);

    fs::remove_file(p.file(1, "create_accounts")).expect("remove");
    let run = p.migrate(&db.url).await;
    assert_has(
        &run,
        1,
        &[
            "migration 1 (migrations/1_create_accounts.sql) was applied",
            "is missing from migrations: restore the file",
        ],
    );
    assert!(!pg_table_exists(&db.pool, "projects").await);
    assert_eq!(pg_rows(&db.pool).await.len(), 1);
}

/// Not a test of its own: the body of one `migrate` process for
/// [`pg_four_concurrent_migrate_processes_apply_each_migration_once`], which starts this test
/// binary four times with `--ignored --exact` and the project and URL in the environment.
#[test]
#[ignore = "run as a child process by pg_four_concurrent_migrate_processes_apply_each_migration_once"]
fn child_process_runs_migrate() {
    let (Some(dir), Some(url)) = (
        std::env::var_os("MIGRATE_CHILD_DIR"),
        std::env::var("MIGRATE_CHILD_URL").ok(),
    ) else {
        return;
    };
    let run = run_cli(
        Path::new(&dir),
        &["migrate", "--url", &url],
        SystemTime::now(),
        None,
    );
    print!("{}", run.stdout);
    eprint!("{}", run.stderr);
    assert_eq!(run.code, 0, "migrate failed in a child process");
}

/// Four `migrate` processes (not threads: this test binary started again as child processes)
/// on one database: sqlx's advisory lock lets one apply at a time, each migration is applied
/// exactly once, and every process succeeds.
#[tokio::test(flavor = "multi_thread")]
async fn pg_four_concurrent_migrate_processes_apply_each_migration_once() {
    let Some(db) = TestDb::create("migrate_processes").await else {
        return;
    };
    let p = Project::new("postgres");
    for v in 1..=5 {
        p.write(v, &format!("step_{v}"), &format!("SELECT pg_sleep(0.05);\n--> statement-breakpoint\nCREATE TABLE step_{v} (id int);\n"));
    }
    let exe = std::env::current_exe().expect("the test binary");
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "migrate_status::child_process_runs_migrate",
                    "--nocapture",
                ])
                .env("MIGRATE_CHILD_DIR", p.path())
                .env("MIGRATE_CHILD_URL", &db.url)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("a child process")
        })
        .collect();
    let mut applied = 0;
    for child in children {
        let out = child.wait_with_output().expect("child output");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("1 passed"),
            "the child ran no migrate: {stdout}"
        );
        applied += stdout.matches("applied migrations/").count();
    }
    assert_eq!(
        applied, 5,
        "each migration applied exactly once across the processes"
    );
    let rows = pg_rows(&db.pool).await;
    assert_eq!(
        rows.iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
        (1..=5).map(|v| (v, true)).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_four_concurrent_migrate_runs_apply_each_migration_once() {
    let Some(db) = TestDb::create("migrate_concurrent").await else {
        return;
    };
    let p = Project::new("postgres");
    for v in 1..=5 {
        // Not idempotent: applying one twice would fail; the sleep makes the runs overlap.
        p.write(v, &format!("step_{v}"), &format!("SELECT pg_sleep(0.05);\n--> statement-breakpoint\nCREATE TABLE step_{v} (id int);\n"));
    }
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let (dir, url) = (p.path().to_path_buf(), db.url.clone());
            std::thread::spawn(move || {
                run_cli(&dir, &["migrate", "--url", &url], SystemTime::now(), None)
            })
        })
        .collect();
    let mut applied = 0;
    for handle in runs {
        let run = handle.join().expect("migrate thread");
        assert_eq!(run.code, 0, "{run:#?}");
        applied += run.stdout.matches("applied migrations/").count();
    }
    assert_eq!(
        applied, 5,
        "each migration applied exactly once across the runs"
    );
    let rows = pg_rows(&db.pool).await;
    assert_eq!(
        rows.iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
        (1..=5).map(|v| (v, true)).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_dry_run_prints_the_sql_and_applies_nothing() {
    let Some(db) = TestDb::create("migrate_dry_run").await else {
        return;
    };
    let p = Project::new("postgres");
    three_migrations(&p);
    let run = p.run(&["migrate", "--url", &db.url, "--dry-run"]).await;
    assert_has(
        &run,
        0,
        &[
            "-- migrations/1_create_accounts.sql (would run in its own transaction)",
            "CREATE INDEX projects_owner_idx",
            "dry run: 3 migration(s) would be applied",
            "nothing was applied",
        ],
    );
    assert!(
        !pg_table_exists(&db.pool, "_sqlx_migrations").await,
        "dry run created the history table"
    );
    assert!(!pg_table_exists(&db.pool, "accounts").await);
    assert_has(&p.migrate(&db.url).await, 0, &["applied 3"]);
    assert_has(
        &p.run(&["migrate", "--url", &db.url, "--dry-run"]).await,
        0,
        &["dry run: 0 migration(s)"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_a_no_transaction_migration_runs_outside_a_transaction() {
    let Some(db) = TestDb::create("migrate_no_tx").await else {
        return;
    };
    let p = Project::new("postgres");
    p.write(
        1,
        "create_accounts",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n",
    );
    // CREATE INDEX CONCURRENTLY fails inside a transaction block.
    p.write(
        2,
        "index_email",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n",
    );
    assert_has(
        &p.run(&["migrate", "--url", &db.url, "--dry-run"]).await,
        0,
        &["2_index_email.sql (would run without a transaction)"],
    );
    assert_has(&p.migrate(&db.url).await, 0, &["applied 2 migration(s)"]);
    assert!(pg_table_exists(&db.pool, "accounts_email_idx").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_database_and_missing_url_are_explained() {
    let p = Project::new("postgres");
    three_migrations(&p);
    let run = p
        .run(&[
            "migrate",
            "--url",
            "postgres://app:hunter2@127.0.0.1:1/shop",
        ])
        .await;
    assert_has(
        &run,
        1,
        &[
            "cannot connect to postgres database \"shop\" at 127.0.0.1:1",
            "check that the server is running",
        ],
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    let run = p.run(&["status"]).await;
    assert_has(
        &run,
        1,
        &[
            "no database url for dialect postgres: pass --url URL, set DATABASE_URL",
            ".env",
            "database_url = \"...\" to migrate.toml",
        ],
    );
}

async fn sqlite_rows(file: &Path) -> Vec<(i64, bool, Vec<u8>)> {
    let url = format!("sqlite://{}", file.display());
    let mut conn = SqliteConnection::connect(&url).await.expect("open sqlite");
    sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .expect("read _sqlx_migrations")
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_dev_db_is_created_beside_the_config_and_migrated() {
    let p = Project::new("sqlite");
    three_migrations(&p);
    let dev = p.path().join("dev.db");
    let dry = p.run(&["migrate", "--dry-run"]).await;
    assert_has(&dry, 0, &["dry run: 3 migration(s)"]);
    assert!(!dev.exists(), "dry run created dev.db");
    let status = p.run(&["status"]).await;
    assert_has(&status, 0, &["not created yet", "3 migrations: 3 pending"]);
    assert!(!dev.exists(), "status created dev.db");

    let run = p.run(&["migrate"]).await;
    assert_has(&run, 0, &["applied 3 migration(s) to sqlite database"]);
    let rows = sqlite_rows(&dev).await;
    let sums = p.sqlx_checksums().await;
    assert_eq!(
        rows.iter().map(|r| (r.0, r.2.clone())).collect::<Vec<_>>(),
        sums
    );
    assert_has(&p.run(&["migrate"]).await, 0, &["nothing to apply"]);
    let states: Vec<String> = p
        .states(&format!("sqlite://{}", dev.display()))
        .await
        .into_iter()
        .map(|s| s.2)
        .collect();
    assert_eq!(states, ["applied", "applied", "applied"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_failing_migration_is_rolled_back_and_located() {
    let p = Project::new("sqlite");
    fs::write(
        p.path().join(".env"),
        "# local settings\nDATABASE_URL=sqlite://app.db?mode=rwc\n",
    )
    .expect(".env");
    p.write(
        1,
        "create_accounts",
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n",
    );
    p.write(2, "broken", "CREATE TABLE made_by_two (id INTEGER);\n--> statement-breakpoint\nINSERT INTO nowhere VALUES (1);\n");
    // `status` and `migrate` read the URL from .env, relative to the config's folder.
    let url = p.path().join("app.db");
    let run = p
        .run(&[
            "migrate",
            "--url",
            &format!("sqlite://{}?mode=rwc", url.display()),
        ])
        .await;
    assert_has(
        &run,
        1,
        &[
            "migration migrations/2_broken.sql:3 failed at statement 2: no such table: nowhere",
            "nothing of this migration remains",
        ],
    );
    assert_eq!(
        sqlite_rows(&url)
            .await
            .iter()
            .map(|r| r.0)
            .collect::<Vec<_>>(),
        vec![1]
    );
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", url.display()))
        .await
        .expect("open");
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'made_by_two'")
            .fetch_one(&mut conn)
            .await
            .expect("sqlite_master");
    assert_eq!(
        left, 0,
        "the first statement of the failed migration remains"
    );
    p.write(2, "broken", "CREATE TABLE made_by_two (id INTEGER);\n");
    assert_has(
        &p.run(&["migrate"]).await,
        0,
        &["applied migrations/2_broken.sql", "applied 1 migration(s)"],
    );
    assert_eq!(sqlite_rows(&url).await.len(), 2);
    assert!(!p.path().join("dev.db").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_the_example_applications_generated_migrations_apply_and_show_as_applied() {
    let Some(db) = TestDb::create("migrate_example").await else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = "examples/issue-tracker/migrate.toml";
    let run = cli(&root, &["migrate", "--config", config, "--url", &db.url]).await;
    assert_has(
        &run,
        0,
        &[
            "_create_accounts_and_5_more.sql (",
            "applied 3 migration(s)",
        ],
    );
    let status = cli(&root, &["status", "--config", config, "--url", &db.url]).await;
    assert_has(
        &status,
        0,
        &["create_accounts_and_5_more", "3 migrations: 3 applied"],
    );
    assert!(pg_table_exists(&db.pool, "issues").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_a_no_transaction_file_runs_on_the_bare_connection() {
    let p = Project::new("sqlite");
    let db = p.path().join("app.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    p.write(
        1,
        "create_accounts",
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n",
    );
    // VACUUM refuses to run inside a transaction: sqlx 0.8's SQLite apply would wrap it in one.
    p.write(2, "vacuum", "-- no-transaction\nVACUUM;\n");
    assert_has(
        &p.run(&["migrate", "--url", &url, "--dry-run"]).await,
        0,
        &["2_vacuum.sql (would run without a transaction)"],
    );
    assert_has(
        &p.migrate(&url).await,
        0,
        &["applied migrations/2_vacuum.sql", "applied 2 migration(s)"],
    );
    let rows = sqlite_rows(&db).await;
    let sums = p.sqlx_checksums().await;
    assert_eq!(
        rows.iter()
            .map(|r| (r.0, r.1, r.2.clone()))
            .collect::<Vec<_>>(),
        sums.into_iter()
            .map(|(v, s)| (v, true, s))
            .collect::<Vec<_>>()
    );

    // Without a transaction of its own, what ran before the failing statement stays: the
    // message says so, and nothing is recorded.
    p.write(3, "half", "-- no-transaction\nCREATE TABLE made_by_three (id INTEGER);\n--> statement-breakpoint\nINSERT INTO nowhere VALUES (1);\n");
    assert_has(
        &p.migrate(&url).await,
        1,
        &[
            "migration migrations/3_half.sql failed: no such table: nowhere",
            "so the statements before the failing one remain",
        ],
    );
    assert_eq!(sqlite_rows(&db).await.len(), 2);

    // The file ran and committed, but its row cannot be written: the message says so.
    p.write(
        3,
        "half",
        "-- no-transaction\nALTER TABLE _sqlx_migrations RENAME TO old_history;\n",
    );
    assert_has(
        &p.migrate(&url).await,
        1,
        &[
            "migration migrations/3_half.sql ran on sqlite database",
            "but recording it in _sqlx_migrations failed",
            "no such table: _sqlx_migrations",
            "run status: if it does not show as applied, its changes remain unrecorded",
        ],
    );
}

/// `status --url` on a SQLite project refuses what `migrate` refuses: a url of another
/// database, one that is no url, a file that is not there and that the url would not create;
/// and never shows a password, in the user-info or the query string.
#[tokio::test]
async fn sqlite_status_refuses_a_url_migrate_refuses() {
    let p = Project::new("sqlite");
    three_migrations(&p);
    let missing = p.path().join("missing.db");
    let missing = format!("sqlite://{}", missing.display());
    let cases: [(&str, &[&str]); 3] = [
        (
            "postgres://app:hunter2@127.0.0.1:1/shop?password=hunter2",
            &[
                "is not a sqlite url",
                "postgres://app:***@127.0.0.1:1/shop?password=***",
            ],
        ),
        ("bogus", &["(bogus) is not a sqlite url"]),
        (
            &missing,
            &["cannot connect to sqlite database", "?mode=rwc"],
        ),
    ];
    for (url, needles) in cases {
        let status = p.run(&["status", "--url", url]).await;
        assert_has(&status, 1, needles);
        let migrate = p.run(&["migrate", "--url", url]).await;
        assert_has(&migrate, 1, needles);
        let all = format!("{}{}", status.stdout, status.stderr);
        assert!(
            !all.contains("hunter2") && !all.contains("pending"),
            "{all}"
        );
    }
    let rwc = format!("{missing}?mode=rwc");
    let status = p.run(&["status", "--url", &rwc]).await;
    assert_has(&status, 0, &["not created yet", "3 migrations: 3 pending"]);
}

/// A `.env` that works for sqlx-cli gives the same URL: `export`, quotes and `${VAR}`
/// substitution of an earlier line.
#[tokio::test]
async fn sqlite_dotenv_is_read_as_sqlx_cli_reads_it() {
    let p = Project::new("sqlite");
    three_migrations(&p);
    fs::write(
        p.path().join(".env"),
        "export DB_FILE=app.db\nDATABASE_URL=\"sqlite://${DB_FILE}?mode=rwc\" # the app's\n",
    )
    .expect(".env");
    let run = p.run(&["migrate"]).await;
    assert_has(&run, 0, &["applied 3 migration(s) to sqlite database"]);
    assert!(p.path().join("app.db").exists(), "{run:#?}");
}
