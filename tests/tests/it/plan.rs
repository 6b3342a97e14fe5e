//! `plan` on real databases: the pending migrations with their statements; on PostgreSQL the
//! lock each takes (ADD COLUMN, CREATE INDEX, CREATE INDEX CONCURRENTLY, ALTER COLUMN TYPE) and
//! whether it rewrites or scans, with the row estimate after ANALYZE; a lint error and drift
//! exit 1 (drift named); nothing changes in the database; `--format json`'s shape. SQLite and
//! MariaDB: statements listed, drift refused, nothing written.

use serde_json::Value;
use std::fs;
use tests::project::{Project, Run, NOW};

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub karma: i32,
}
"#;

/// ACCOUNTS with a new column, a wider type and two indexes, one built concurrently.
const CHANGED: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[index(columns(email))]
#[index(columns(karma), concurrently)]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub karma: i64,
    pub note: Option<String>,
}
"#;

/// ACCOUNTS with only a new column (SQLite and MariaDB).
const ADDED: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub karma: i32,
    pub note: Option<String>,
}
"#;

/// Runs SQL on the database by hand, outside the tool.
type Hand<'a> = &'a dyn Fn(&str) -> Result<(), String>;

fn write_config(p: &Project, dialect: &str, extra: &str) {
    let config = format!(
        "dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n{extra}"
    );
    fs::write(p.path().join("migrate.toml"), config).expect("config");
}

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}:\n{}", run.text());
}

fn has(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "{e}:\n{text}");
    }
}

/// The statements of every pending migration of a `--format json` plan.
fn statements(json: &Value) -> Vec<Value> {
    json["pending"]
        .as_array()
        .expect("pending")
        .iter()
        .flat_map(|m| m["statements"].as_array().expect("statements").clone())
        .collect()
}

/// How many migrations `status` shows applied on `url`.
fn applied(p: &Project, url: &str) -> usize {
    let run = p.run(&["status", "--url", url, "--format", "json"], NOW + 100);
    let json = run.json();
    let all = json["migrations"].as_array().expect("migrations");
    all.iter().filter(|m| m["state"] == "applied").count()
}

/// The one statement whose SQL contains `sql`.
fn statement<'a>(all: &'a [Value], sql: &str) -> &'a Value {
    let found: Vec<&Value> = all
        .iter()
        .filter(|s| s["sql"].as_str().is_some_and(|t| t.contains(sql)))
        .collect();
    assert_eq!(found.len(), 1, "{sql} in {all:#?}");
    found[0]
}

#[test]
fn pg_plan_shows_locks_rewrites_and_rows_and_changes_nothing() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("plan")) else {
        return;
    };
    let hand = |sql: &str| rt.block_on(db.apply(sql)).map_err(|e| e.to_string());
    let url = db.url.as_str();
    let p = Project::new(ACCOUNTS);
    write_config(&p, "postgres", "");
    ok(
        &p.run(&["generate", "--name", "init"], NOW),
        "generate init",
    );

    // A fresh database: the plan lists the first migration and writes no history table.
    let run = p.run(&["plan", "--url", url], NOW + 1);
    ok(&run, "plan on a fresh database");
    has(
        &run.stdout,
        &[
            "CREATE TABLE",
            "drift: not compared",
            "verdict: migrate would apply 1 migration(s)",
        ],
    );
    assert!(
        hand("SELECT 1 FROM _sqlx_migrations").is_err(),
        "no history table written"
    );

    ok(&p.run(&["migrate", "--url", url], NOW + 5), "migrate init");
    hand("INSERT INTO accounts (email, karma) SELECT 'a' || g, g % 5 FROM generate_series(1, 1000) g; ANALYZE accounts")
        .expect("rows");
    // The added column and the indexes first, then the type change: two ALTER TABLEs.
    p.set_schema(&CHANGED.replace("karma: i64", "karma: i32"));
    ok(
        &p.run(&["generate", "--name", "note"], NOW + 10),
        "generate note",
    );
    p.set_schema(CHANGED);
    ok(
        &p.run(&["generate", "--name", "karma"], NOW + 12),
        "generate karma",
    );

    let run = p.run(&["plan", "--url", url], NOW + 15);
    ok(&run, "plan");
    has(
        &run.stdout,
        &[
            "ADD COLUMN \"note\"",
            "lock ACCESS EXCLUSIVE on public.accounts",
            "lock SHARE on public.accounts, scans the table, ~1000 rows",
            "lock SHARE UPDATE EXCLUSIVE on public.accounts, scans the table, ~1000 rows",
            "rewrites the table, ~1000 rows",
            "warning type-change",
            "drift: none",
            "verdict: migrate would apply 3 migration(s)",
        ],
    );
    assert!(
        !run.stdout.contains("\u{1b}["),
        "no colour when not a terminal"
    );

    let json = p.run(&["plan", "--url", url, "--format", "json"], NOW + 16);
    ok(&json, "plan --format json");
    let json = json.json();
    for key in [
        "database",
        "target",
        "protected",
        "pending",
        "findings",
        "problems",
        "drift",
        "passed",
        "reasons",
    ] {
        assert!(json.get(key).is_some(), "{key} in {json:#}");
    }
    assert_eq!(json["passed"], true);
    assert_eq!(json["drift"]["status"], "none");
    let all = statements(&json);
    let add = statement(&all, "ADD COLUMN \"note\"");
    assert_eq!(add["lock"]["mode"], "ACCESS EXCLUSIVE");
    assert_eq!(add["lock"]["on"], "public.accounts");
    assert_eq!(add["work"], "none");
    let retype = statement(&all, "TYPE bigint");
    assert_eq!(
        (retype["work"].clone(), retype["rows"].clone()),
        ("rewrite".into(), 1000.into())
    );
    let plain = statement(&all, "CREATE INDEX \"accounts_email_idx\"");
    assert_eq!(
        (plain["lock"]["mode"].clone(), plain["work"].clone()),
        ("SHARE".into(), "scan".into())
    );
    let concurrent = statement(&all, "CONCURRENTLY");
    assert_eq!(concurrent["lock"]["mode"], "SHARE UPDATE EXCLUSIVE");
    for s in &all {
        for key in ["line", "last_line", "sql", "lock", "work", "table", "rows"] {
            assert!(s.get(key).is_some(), "{key} in {s:#}");
        }
    }

    // A type change on a table above large_table_rows is a lint error: exit 1.
    write_config(&p, "postgres", "[lint]\nlarge_table_rows = 100\n");
    let run = p.run(&["plan", "--url", url], NOW + 20);
    assert_eq!(run.code, 1, "{}", run.text());
    has(
        &run.stdout,
        &[
            "error type-change",
            "verdict: migrate would refuse",
            "lint errors nobody acknowledged",
        ],
    );
    let json = p.run(&["plan", "--url", url, "--format", "json"], NOW + 21);
    assert_eq!(json.code, 1, "{}", json.text());
    assert_eq!(json.json()["passed"], false);
    write_config(&p, "postgres", "");

    // Drift: exit 1, named; --allow-drift judges as migrate would.
    hand("ALTER TABLE accounts ADD COLUMN extra integer").expect("drift by hand");
    let run = p.run(&["plan", "--url", url], NOW + 25);
    assert_eq!(run.code, 1, "{}", run.text());
    has(
        &run.stdout,
        &[
            "accounts.extra: column not in the snapshot",
            "verdict: migrate would refuse",
            "--allow-drift",
        ],
    );
    let json = p
        .run(&["plan", "--url", url, "--format", "json"], NOW + 26)
        .json();
    assert_eq!(json["drift"]["status"], "drift");
    assert!(
        json["drift"]["differences"][0]
            .as_str()
            .is_some_and(|d| d.contains("accounts.extra")),
        "{json:#}"
    );
    ok(
        &p.run(&["plan", "--url", url, "--allow-drift"], NOW + 27),
        "plan --allow-drift",
    );

    // Nothing changed: one history row, no new column, no index.
    assert_eq!(applied(&p, url), 1);
    assert!(
        hand("SELECT note FROM accounts").is_err(),
        "nothing applied"
    );
    hand("SELECT 1 / (CASE WHEN (SELECT count(*) FROM pg_indexes WHERE tablename = 'accounts') = 1 THEN 1 ELSE 0 END)")
        .expect("only the primary key's index");
}

/// SQLite and MariaDB: the pending statements listed (no lock column), drift refused and
/// named, nothing written.
/// `lock`: what the added column's statement locks (SQLite: the database; MySQL: not said).
fn other_database(dialect: &str, url: &str, hand: Hand<'_>, lock: Option<&str>) {
    let p = Project::new(ACCOUNTS);
    write_config(&p, dialect, "");
    ok(
        &p.run(&["generate", "--name", "init"], NOW),
        "generate init",
    );
    ok(&p.run(&["migrate", "--url", url], NOW + 5), "migrate init");
    p.set_schema(ADDED);
    ok(
        &p.run(&["generate", "--name", "note"], NOW + 10),
        "generate",
    );
    let run = p.run(&["plan", "--url", url], NOW + 15);
    ok(&run, "plan");
    has(
        &run.stdout,
        &[
            "_note.sql",
            "ADD",
            "note",
            "drift: none",
            "verdict: migrate would apply 1 migration(s)",
        ],
    );
    let json = p
        .run(&["plan", "--url", url, "--format", "json"], NOW + 16)
        .json();
    assert_eq!(
        json["pending"].as_array().map(Vec::len),
        Some(1),
        "{json:#}"
    );
    let all = statements(&json);
    let add = statement(&all, "ADD");
    assert_eq!(add["lock"]["on"].as_str(), lock, "{json:#}");
    assert_eq!(add["work"], "none");

    hand("ALTER TABLE accounts ADD COLUMN extra integer").expect("drift by hand");
    let run = p.run(&["plan", "--url", url], NOW + 20);
    assert_eq!(run.code, 1, "{}", run.text());
    has(
        &run.stdout,
        &[
            "accounts.extra: column not in the snapshot",
            "verdict: migrate would refuse",
        ],
    );
    assert_eq!(applied(&p, url), 1);
    assert!(
        hand("SELECT note FROM accounts").is_err(),
        "nothing applied"
    );
}

#[test]
fn sqlite_plan_lists_statements_and_refuses_drift() {
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
            let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&file);
            let mut conn = opts.connect().await.map_err(|e| e.to_string())?;
            let done = conn.execute(sql).await.map(|_| ());
            let _ = conn.close().await;
            done.map_err(|e| e.to_string())
        })
    };
    // No database file yet: the plan does not create one.
    let p = Project::new(ACCOUNTS);
    write_config(&p, "sqlite", "");
    ok(
        &p.run(&["generate", "--name", "init"], NOW),
        "generate init",
    );
    ok(
        &p.run(&["plan", "--url", &url], NOW + 1),
        "plan without a file",
    );
    assert!(!file.exists(), "plan created {}", file.display());
    other_database("sqlite", &url, &hand, Some("the database"));
}

#[test]
fn mysql_plan_lists_statements_and_refuses_drift() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("plan")) else {
        return;
    };
    let hand = |sql: &str| rt.block_on(db.execute(sql)).map_err(|e| e.to_string());
    other_database("mysql", &db.url, &hand, None);
}
