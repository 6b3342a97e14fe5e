//! One decision, three commands (issue 10): `migrate` refuses, before applying anything, what
//! `check --url` calls an error (a forked history, an out-of-order pending migration, an index
//! build on a table above `large_table_rows`), `migrate --dry-run` gives the same verdict with
//! the same exit code, fork advice names the migration the database has not applied, and
//! `generate --dry-run` shows what it would write and writes nothing. On PostgreSQL, SQLite
//! and MariaDB.

use schema_core::snapshot::Journal;
use sqlx::Connection;
use std::fs;
use std::path::PathBuf;
use tests::project::{copy_dir, Project, Run, NOW};

pub(crate) const DIALECTS: [&str; 3] = ["postgres", "sqlite", "mysql"];

pub(crate) const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
}
"#;

pub(crate) const COMMENTS: &str = r#"
#[derive(Table)]
#[table(name = "comments")]
pub struct Comment {
    #[column(primary_key)]
    pub id: i64,
    pub body: String,
}
"#;

pub(crate) const LABELS: &str = r#"
#[derive(Table)]
#[table(name = "labels")]
pub struct Label {
    #[column(primary_key)]
    pub id: i64,
    pub name: String,
}
"#;

const T_ROWS: &str = r#"
#[derive(Table)]
#[table(name = "t")]
pub struct T {
    #[column(primary_key)]
    pub id: i64,
    pub a: i32,
}
"#;

/// On SQLite and MySQL, which build plain indexes without blocking writes (or have no
/// concurrent builds to advise), a unique column is the change that locks.
const T_UNIQUE: &str = r#"
#[derive(Table)]
#[table(name = "t")]
pub struct T {
    #[column(primary_key)]
    pub id: i64,
    #[column(unique)]
    pub a: i32,
}
"#;

const T_INDEXED: &str = r#"
#[derive(Table)]
#[table(name = "t")]
#[index(columns(a))]
pub struct T {
    #[column(primary_key)]
    pub id: i64,
    pub a: i32,
}
"#;

/// A fresh database of one dialect, or a SQLite file in a folder of its own.
pub(crate) enum Server {
    Pg(tests::pg::TestDb),
    My(tests::mysql::TestDb),
    Lite(tempfile::TempDir),
}

pub(crate) struct Db {
    rt: tokio::runtime::Runtime,
    server: Server,
}

impl Db {
    /// A fresh database for `dialect`, or `None` without its server (outside CI).
    pub(crate) fn new(dialect: &str, label: &str) -> Option<Db> {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let server = match dialect {
            "postgres" => Server::Pg(rt.block_on(tests::pg::TestDb::create(label))?),
            "mysql" => Server::My(rt.block_on(tests::mysql::TestDb::create(label))?),
            _ => Server::Lite(tempfile::tempdir().expect("temp dir")),
        };
        Some(Db { rt, server })
    }

    pub(crate) fn url(&self) -> String {
        match &self.server {
            Server::Pg(db) => db.url.clone(),
            Server::My(db) => db.url.clone(),
            Server::Lite(dir) => {
                format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display())
            }
        }
    }

    /// Runs `sql` (one statement), which must succeed.
    pub(crate) fn exec(&self, sql: &str) {
        self.rt.block_on(async {
            match &self.server {
                Server::Pg(db) => sqlx::query(sql).execute(&db.pool).await.map(drop),
                Server::My(db) => sqlx::query(sql).execute(&db.pool).await.map(drop),
                Server::Lite(_) => {
                    let mut c = sqlx::SqliteConnection::connect(&self.url())
                        .await
                        .expect("sqlite");
                    sqlx::query(sql).execute(&mut c).await.map(drop)
                }
            }
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
        })
    }

    /// Whether table `name` exists.
    pub(crate) fn has_table(&self, name: &str) -> bool {
        let sql = match &self.server {
            Server::Lite(_) => format!("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{name}'"),
            Server::Pg(_) => format!("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{name}'"),
            Server::My(_) => format!("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{name}'"),
        };
        self.scalar(&sql) > 0
    }

    /// How many migrations `_sqlx_migrations` records.
    pub(crate) fn recorded(&self) -> i64 {
        self.scalar("SELECT count(*) FROM _sqlx_migrations")
    }

    pub(crate) fn scalar(&self, sql: &str) -> i64 {
        self.rt.block_on(async {
            match &self.server {
                Server::Pg(db) => sqlx::query_scalar(sql).fetch_one(&db.pool).await,
                Server::My(db) => sqlx::query_scalar(sql).fetch_one(&db.pool).await,
                Server::Lite(_) => {
                    let mut c = sqlx::SqliteConnection::connect(&self.url())
                        .await
                        .expect("sqlite");
                    sqlx::query_scalar(sql).fetch_one(&mut c).await
                }
            }
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
        })
    }
}

/// A project for `dialect` whose schema file holds `schema`.
pub(crate) fn project(dialect: &str, schema: &str) -> Project {
    let p = Project::new(schema);
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    p
}

/// `generate` with `schema` at `now`, which must write one migration: its tag.
pub(crate) fn generate(p: &Project, schema: &str, now: u64) -> String {
    p.set_schema(schema);
    let run = p.run(&["generate"], now);
    assert_eq!(run.code, 0, "generate failed:\n{}", run.text());
    p.journal().entries.last().expect("entry").tag.clone()
}

pub(crate) fn sql(p: &Project, tag: &str) -> PathBuf {
    p.migrations().join(format!("{tag}.sql"))
}

pub(crate) fn snapshot(p: &Project, tag: &str) -> PathBuf {
    p.migrations()
        .join(format!("meta/{}_snapshot.json", &tag[..14]))
}

pub(crate) fn write_journal(p: &Project, journal: &Journal) {
    fs::write(p.migrations().join("meta/_journal.json"), journal.to_json()).expect("journal");
}

/// Two branches generated a migration each on top of the same one; the second branch's is
/// merged into the first's folder: `(merged, second branch, a, b)`, `a` the earlier.
pub(crate) fn forked(dialect: &str) -> (Project, Project, String, String) {
    let p = project(dialect, ACCOUNTS);
    generate(&p, ACCOUNTS, NOW);
    let q = project(dialect, ACCOUNTS);
    copy_dir(&p.migrations(), &q.migrations());
    let a = generate(&p, &format!("{ACCOUNTS}{COMMENTS}"), NOW + 100);
    let b = generate(&q, &format!("{ACCOUNTS}{LABELS}"), NOW + 200);
    fs::copy(sql(&q, &b), sql(&p, &b)).expect("merge sql");
    fs::copy(snapshot(&q, &b), snapshot(&p, &b)).expect("merge snapshot");
    let mut journal = p.journal();
    journal.push(&b, q.journal().entries.last().expect("entry").when);
    write_journal(&p, &journal);
    (p, q, a, b)
}

pub(crate) fn problems(run: &Run, kind: &str) -> Vec<String> {
    run.json()["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["kind"] == kind)
        .map(|p| p["message"].as_str().expect("message").to_string())
        .collect()
}

/// `migrate` and `migrate --dry-run` refuse alike: exit 1, the same verdict (the dry run's
/// stderr is the real run's, prefixed `dry run: `), nothing applied. Gives the real run.
pub(crate) fn refused_alike(p: &Project, url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["migrate", "--url", url, "--dry-run"];
    args.extend(extra);
    let dry = p.run(&args, NOW + 1000);
    args.retain(|a| *a != "--dry-run");
    let run = p.run(&args, NOW + 1000);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(run.stderr.contains("nothing was applied"), "{}", run.stderr);
    assert_eq!(dry.code, 1, "{}", dry.text());
    assert_eq!(
        dry.stderr.replacen("error: dry run: ", "error: ", 1),
        run.stderr,
        "the dry run's verdict"
    );
    run
}

#[test]
fn migrate_refuses_a_forked_history_that_check_reports_naming_both() {
    for dialect in DIALECTS {
        let (p, _q, a, b) = forked(dialect);
        let Some(db) = Db::new(dialect, "verdict_fork") else {
            continue;
        };
        let url = db.url();
        let check = p.run(&["check", "--url", &url, "--format", "json"], NOW + 1000);
        let forks = problems(&check, "forked-history");
        assert_eq!(forks.len(), 1, "{dialect}: {}", check.text());
        // Each branch's migration is linted against its own parent, not the other branch's
        // migration before it in the journal (which would read as a drop).
        let plain = p.run(&["check"], NOW + 1000);
        assert!(
            !plain.text().contains("drop-table"),
            "{dialect}: {}",
            plain.text()
        );
        let run = refused_alike(&p, &url, &[]);
        assert!(
            run.stderr.contains("the history is forked"),
            "{dialect}: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains(&format!("forked-history: {}", forks[0])),
            "{dialect}: migrate gives check's verdict:\n{}",
            run.stderr
        );
        assert!(
            forks[0].contains(&a) && forks[0].contains(&b),
            "{}",
            forks[0]
        );
        assert!(!db.has_table("accounts"), "{dialect}: nothing was applied");
    }
}

#[test]
fn fork_advice_names_the_migration_the_database_has_not_applied() {
    for dialect in DIALECTS {
        let (p, q, a, b) = forked(dialect);
        let Some(db) = Db::new(dialect, "verdict_advice") else {
            continue;
        };
        let url = db.url();
        // Production deployed the second branch: it applied `b`, not `a`.
        let deployed = q.run(&["migrate", "--url", &url], NOW + 500);
        assert_eq!(deployed.code, 0, "{}", deployed.text());
        let check = p.run(&["check", "--url", &url, "--format", "json"], NOW + 1000);
        let forks = problems(&check, "forked-history");
        assert_eq!(forks.len(), 1, "{dialect}: {}", check.text());
        let a_file = format!("migrations/{a}.sql");
        assert!(
            forks[0].contains(&format!("has applied {b} but not {a}"))
                && forks[0].contains(&format!("delete {a_file}")),
            "{dialect}: {}",
            forks[0]
        );
        assert!(
            !forks[0].contains(&format!("delete migrations/{b}.sql")),
            "{}",
            forks[0]
        );
        let run = refused_alike(&p, &url, &["--allow-out-of-order"]);
        assert!(run.stderr.contains(&forks[0]), "{dialect}: {}", run.stderr);
        assert!(!db.has_table("comments"), "{dialect}: nothing was applied");
        // Without a database: which one, and why.
        let check = p.run(&["check", "--format", "json"], NOW + 1000);
        let forks = problems(&check, "forked-history");
        assert!(
            forks[0].contains(&format!("regenerating the later one, which is the less likely to be applied anywhere yet (pass --url to ask a database which one it has not applied): regenerate {b} on top of {a}")),
            "{dialect}: {}",
            forks[0]
        );
    }
}

#[test]
fn migrate_refuses_an_out_of_order_migration_unless_allowed() {
    for dialect in DIALECTS {
        let p = project(dialect, ACCOUNTS);
        generate(&p, ACCOUNTS, NOW);
        let x = generate(&p, &format!("{ACCOUNTS}{COMMENTS}"), NOW + 100);
        generate(&p, &format!("{ACCOUNTS}{COMMENTS}{LABELS}"), NOW + 200);
        // A copy without `x` deploys first, as when `x` was merged after the newer one shipped.
        let r = project(dialect, ACCOUNTS);
        copy_dir(&p.migrations(), &r.migrations());
        fs::remove_file(sql(&r, &x)).expect("remove x");
        fs::remove_file(r.migrations().join(format!("{x}.down.sql"))).expect("remove x's down");
        fs::remove_file(snapshot(&r, &x)).expect("remove x snapshot");
        let mut journal = r.journal();
        journal.entries.retain(|e| e.tag != x);
        write_journal(&r, &journal);
        let Some(db) = Db::new(dialect, "verdict_order") else {
            continue;
        };
        let url = db.url();
        let deployed = r.run(&["migrate", "--url", &url], NOW + 500);
        assert_eq!(deployed.code, 0, "{}", deployed.text());
        let check = p.run(&["check", "--url", &url, "--format", "json"], NOW + 1000);
        let late = problems(&check, "out-of-order");
        assert_eq!(late.len(), 1, "{dialect}: {}", check.text());
        assert!(
            late[0].contains(&format!("migrations/{x}.sql")),
            "{}",
            late[0]
        );
        let run = refused_alike(&p, &url, &[]);
        assert!(
            run.stderr.contains(&format!("out-of-order: {}", late[0])),
            "{dialect}: {}",
            run.stderr
        );
        assert!(!db.has_table("comments"), "{dialect}: nothing was applied");
        let args = [
            "check",
            "--url",
            &url,
            "--allow-out-of-order",
            "--format",
            "json",
        ];
        let check = p.run(&args, NOW + 1000);
        assert!(
            problems(&check, "out-of-order").is_empty(),
            "{dialect}: {}",
            check.text()
        );
        let run = p.run(
            &["migrate", "--url", &url, "--allow-out-of-order"],
            NOW + 1000,
        );
        assert_eq!(run.code, 0, "{dialect}: {}", run.text());
        assert!(db.has_table("comments"), "{dialect}: applied");
    }
}

#[test]
fn migrate_refuses_a_locking_change_on_a_table_above_large_table_rows() {
    for dialect in DIALECTS {
        let p = project(dialect, T_ROWS);
        generate(&p, T_ROWS, NOW);
        let Some(db) = Db::new(dialect, "verdict_large") else {
            continue;
        };
        let url = db.url();
        let run = p.run(&["migrate", "--url", &url], NOW + 10);
        assert_eq!(run.code, 0, "{}", run.text());
        let values: Vec<String> = (1..=20).map(|i| format!("({i}, {i})")).collect();
        db.exec(&format!(
            "INSERT INTO t (id, a) VALUES {}",
            values.join(", ")
        ));
        // Generated without a database: the file holds a warning.
        let (locking, code) = match dialect {
            "sqlite" | "mysql" => (T_UNIQUE, "add-unique"),
            _ => (T_INDEXED, "index-without-concurrently"),
        };
        generate(&p, locking, NOW + 20);
        let mut config = fs::read_to_string(p.path().join("migrate.toml")).expect("config");
        config.push_str("\n[lint]\nlarge_table_rows = 10\n");
        fs::write(p.path().join("migrate.toml"), config).expect("config");
        let check = p.run(&["check", "--url", &url], NOW + 30);
        assert_eq!(check.code, 1, "{dialect}: {}", check.text());
        let error = check
            .stdout
            .lines()
            .find(|l| l.contains(&format!("error {code}")))
            .unwrap_or_else(|| panic!("{dialect}: no error:\n{}", check.stdout))
            .to_string();
        assert!(error.contains("more than large_table_rows = 10"), "{error}");
        let run = refused_alike(&p, &url, &[]);
        assert!(
            run.stderr.contains(&error),
            "{dialect}: migrate gives check's finding:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("lint errors nobody acknowledged"),
            "{}",
            run.stderr
        );
        assert_eq!(db.recorded(), 1, "{dialect}: nothing was applied");
    }
}

#[test]
fn migrate_dry_run_passes_where_migrate_applies() {
    for dialect in DIALECTS {
        let p = project(dialect, ACCOUNTS);
        generate(&p, ACCOUNTS, NOW);
        let Some(db) = Db::new(dialect, "verdict_dry") else {
            continue;
        };
        let dry = p.run(&["migrate", "--url", &db.url(), "--dry-run"], NOW + 10);
        assert_eq!(dry.code, 0, "{dialect}: {}", dry.text());
        assert!(
            dry.stdout
                .contains("dry run: 1 migration(s) would be applied"),
            "{}",
            dry.stdout
        );
        assert!(!db.has_table("accounts"));
    }
}

#[test]
fn generate_dry_run_prints_the_sql_and_findings_and_writes_nothing() {
    for dialect in DIALECTS {
        let p = project(dialect, &format!("{ACCOUNTS}{COMMENTS}"));
        generate(&p, &format!("{ACCOUNTS}{COMMENTS}"), NOW);
        let before = listing(&p);
        let journal =
            fs::read_to_string(p.migrations().join("meta/_journal.json")).expect("journal");
        p.set_schema(ACCOUNTS);
        let run = p.run(&["generate", "--dry-run"], NOW + 10);
        assert_eq!(run.code, 0, "{dialect}: {}", run.text());
        for expected in [
            "- table ",
            "would write migrations/",
            "DROP TABLE",
            "lint: error drop-table",
            "nothing was written",
        ] {
            assert!(
                run.stdout.contains(expected),
                "{dialect}: no {expected:?} in\n{}",
                run.stdout
            );
        }
        assert_eq!(listing(&p), before, "{dialect}: nothing written");
        let after = fs::read_to_string(p.migrations().join("meta/_journal.json")).expect("journal");
        assert_eq!(after, journal);
        // What it showed is what generate then writes.
        let real = p.run(&["generate"], NOW + 10);
        assert_eq!(real.code, 0, "{}", real.text());
        let tag = p.journal().entries.last().expect("entry").tag.clone();
        let written = fs::read_to_string(sql(&p, &tag)).expect("written");
        assert!(
            run.stdout.contains(written.trim_end()),
            "{dialect}: shown SQL differs from\n{written}\n{}",
            run.stdout
        );
    }
}

#[test]
fn generate_dry_run_refuses_where_generate_does() {
    let (p, _q, _a, _b) = forked("sqlite");
    let listing_before = listing(&p);
    p.set_schema(ACCOUNTS);
    let run = p.run(&["generate", "--dry-run"], NOW + 1000);
    assert_eq!(run.code, 1, "{}", run.text());
    assert_eq!(listing(&p), listing_before);
}

/// Every file of the migrations folder, by path.
fn listing(p: &Project) -> Vec<String> {
    let mut out = Vec::new();
    for dir in [p.migrations(), p.migrations().join("meta")] {
        for e in fs::read_dir(dir).expect("dir").filter_map(Result::ok) {
            out.push(e.path().display().to_string());
        }
    }
    out.sort();
    out
}
