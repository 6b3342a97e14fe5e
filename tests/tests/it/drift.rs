//! `migrate`'s drift gate on real databases (PostgreSQL, MariaDB, SQLite): a column added by
//! hand is refused and named with nothing applied, `--dry-run` shows the same, `ignore_tables`
//! silences a declared table, `--allow-drift` applies, and a table no snapshot declares
//! (another tool's) is no drift, on a fresh database as on a migrated one. On PostgreSQL a
//! check rewritten by hand in words the server prints differently but that mean the same is no
//! drift either.

use std::fs;
use tests::project::{Project, Run, NOW};

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[check(name = "accounts_karma_range", expr = "karma BETWEEN 0 AND 5")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub karma: i32,
}
"#;

const COMMENTS: &str = r#"
#[derive(Table)]
#[table(name = "comments")]
pub struct Comment {
    #[column(primary_key, identity)]
    pub id: i64,
    pub body: String,
}
"#;

/// Runs SQL on the database by hand, outside the tool.
type Hand<'a> = &'a dyn Fn(&str) -> Result<(), String>;

fn project(dialect: &str, extra: &str) -> Project {
    let p = Project::new(ACCOUNTS);
    write_config(&p, dialect, extra);
    p
}

fn write_config(p: &Project, dialect: &str, extra: &str) {
    let config = format!(
        "dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n{extra}"
    );
    fs::write(p.path().join("migrate.toml"), config).expect("config");
}

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}:\n{}", run.text());
}

/// The issue's scenario on one database (`dialect`, `url`, `hand`).
fn scenario(dialect: &str, url: &str, hand: Hand<'_>) {
    let p = project(dialect, "");
    ok(
        &p.run(&["generate", "--name", "init"], NOW),
        "generate init",
    );
    // A fresh database that another tool already uses: nothing applied, nothing to compare.
    hand("CREATE TABLE other_tool (id integer)").expect("another tool's table");
    ok(&p.run(&["migrate", "--url", url], NOW + 5), "first migrate");
    p.set_schema(&format!("{ACCOUNTS}{COMMENTS}"));
    ok(
        &p.run(&["generate", "--name", "comments"], NOW + 10),
        "generate",
    );

    // Another tool's table (in no snapshot) is no drift.
    hand("CREATE TABLE other_tool_2 (id integer)").expect("another tool's table");
    let dry = p.run(&["migrate", "--url", url, "--dry-run"], NOW + 15);
    ok(&dry, "dry run without drift");
    assert!(!dry.text().contains("differs"), "{}", dry.text());

    // A column added by hand is drift: refused, named, nothing applied.
    hand("ALTER TABLE accounts ADD COLUMN extra integer").expect("drift by hand");
    let run = p.run(&["migrate", "--url", url], NOW + 20);
    assert_eq!(run.code, 1, "{}", run.text());
    let text = run.text();
    for expected in [
        "refusing to migrate",
        "its schema differs from the snapshot of",
        "accounts.extra: column not in the snapshot",
        "nothing was applied",
        "--allow-drift",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    assert!(!text.contains("other_tool"), "{text}");
    assert!(hand("SELECT * FROM comments").is_err(), "nothing applied");
    let dry = p.run(&["migrate", "--url", url, "--dry-run"], NOW + 25);
    assert_eq!(dry.code, 1, "{}", dry.text());
    assert!(
        dry.text().contains("dry run: refusing to migrate")
            && dry.text().contains("drift: ")
            && dry
                .text()
                .contains("accounts.extra: column not in the snapshot"),
        "{}",
        dry.text()
    );

    // ignore_tables silences the declared table's drift entirely.
    write_config(&p, dialect, "ignore_tables = [\"accounts\"]\n");
    ok(
        &p.run(&["migrate", "--url", url, "--dry-run"], NOW + 30),
        "ignored",
    );
    write_config(&p, dialect, "");

    // --allow-drift applies on top of it, saying what it went past.
    let run = p.run(&["migrate", "--url", url, "--allow-drift"], NOW + 35);
    ok(&run, "--allow-drift");
    assert!(
        run.stdout.contains("drift (allowed by --allow-drift): ")
            && run
                .stdout
                .contains("accounts.extra: column not in the snapshot"),
        "{}",
        run.text()
    );
    hand("SELECT * FROM comments").expect("applied");
}

#[test]
fn pg_drift_is_refused_and_named_unless_allowed_or_ignored() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("drift_gate")) else {
        return;
    };
    let hand = |sql: &str| rt.block_on(db.apply(sql)).map_err(|e| e.to_string());
    scenario("postgres", &db.url, &hand);
}

#[test]
fn mysql_drift_is_refused_and_named_unless_allowed_or_ignored() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("drift_gate")) else {
        return;
    };
    let hand = |sql: &str| rt.block_on(db.execute(sql)).map_err(|e| e.to_string());
    scenario("mysql", &db.url, &hand);
}

#[test]
fn sqlite_drift_is_refused_and_named_unless_allowed_or_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("app.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let hand = |sql: &str| {
        use sqlx::{ConnectOptions, Connection, Executor};
        rt.block_on(async {
            let opts = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&file)
                .create_if_missing(true);
            let mut conn = opts.connect().await.map_err(|e| e.to_string())?;
            let done = conn.execute(sql).await.map(|_| ());
            let _ = conn.close().await;
            done.map_err(|e| e.to_string())
        })
    };
    scenario("sqlite", &url, &hand);
}

/// A check rewritten by hand in other words that mean the same: the server prints both alike,
/// so `migrate` applies; a changed bound is still drift.
#[test]
fn pg_an_expression_the_server_prints_alike_is_no_drift() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("drift_expr")) else {
        return;
    };
    let p = project("postgres", "");
    ok(
        &p.run(&["generate", "--name", "init"], NOW),
        "generate init",
    );
    ok(
        &p.run(&["migrate", "--url", &db.url], NOW + 5),
        "first migrate",
    );
    p.set_schema(&format!("{ACCOUNTS}{COMMENTS}"));
    ok(
        &p.run(&["generate", "--name", "comments"], NOW + 10),
        "generate",
    );

    let rewrite = |bound: i32| {
        let sql = format!(
            "ALTER TABLE accounts DROP CONSTRAINT accounts_karma_range, \
             ADD CONSTRAINT accounts_karma_range CHECK (karma >= 0 AND karma <= {bound})"
        );
        rt.block_on(db.apply(&sql)).expect("rewrite the check");
    };
    rewrite(6);
    let run = p.run(&["migrate", "--url", &db.url], NOW + 15);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.text()
            .contains("public.accounts: check accounts_karma_range is"),
        "{}",
        run.text()
    );
    rewrite(5);
    let run = p.run(&["migrate", "--url", &db.url], NOW + 20);
    ok(&run, "the same check in other words");
    assert!(!run.text().contains("differs"), "{}", run.text());
}

/// "Declared" means by any snapshot of the folder: a table an older migration created and a
/// later one dropped, created again by hand, is drift; so is a declared table gone missing.
#[test]
fn sqlite_a_table_once_declared_is_drift_and_a_missing_one_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("app.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    const LEGACY: &str = r#"
#[derive(Table)]
#[table(name = "legacy")]
pub struct Legacy {
    #[column(primary_key)]
    pub id: i64,
}
"#;
    let p = project("sqlite", "");
    p.set_schema(&format!("{ACCOUNTS}{LEGACY}"));
    ok(
        &p.run(&["generate", "--name", "init"], NOW),
        "generate init",
    );
    p.set_schema(ACCOUNTS);
    let run = p.run(&["generate", "--name", "drop_legacy"], NOW + 10);
    ok(&run, "generate drop");
    let run = p.run(&["migrate", "--url", &url, "--allow-lint-errors"], NOW + 15);
    ok(&run, "migrate");
    p.set_schema(&format!("{ACCOUNTS}{COMMENTS}"));
    ok(
        &p.run(&["generate", "--name", "comments"], NOW + 20),
        "generate",
    );

    let hand = |sql: &str| {
        use sqlx::{ConnectOptions, Connection, Executor};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&file);
            let mut conn = opts.connect().await.expect("open");
            conn.execute(sql).await.expect("by hand");
            let _ = conn.close().await;
        })
    };
    hand("CREATE TABLE legacy (id integer PRIMARY KEY); CREATE TABLE other_tool (id integer);");
    let run = p.run(&["migrate", "--url", &url, "--dry-run"], NOW + 25);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.text()
            .contains("drift: legacy: table not in the snapshot"),
        "{}",
        run.text()
    );
    assert!(!run.text().contains("other_tool"), "{}", run.text());

    hand("DROP TABLE legacy; DROP TABLE accounts;");
    let run = p.run(&["migrate", "--url", &url], NOW + 30);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.text().contains("drift: accounts: missing table"),
        "{}",
        run.text()
    );
    assert_eq!(run.text().matches("drift: ").count(), 1, "{}", run.text());
}
