//! Fleets: `migrate --target <fleet>` on 20 real PostgreSQL databases, at most `--parallel`
//! at once, one of them broken (its first migration fails on a table made by hand): the 19
//! others are migrated, the broken one reported, exit 1; after the fix a second run migrates
//! it and leaves the others alone; `--fail-fast` starts no database after a failure; `status`
//! prints a line per database with its drift. On SQLite, `--url` given several times.

use migrate_cli::Env;
use sqlx::{Connection, PgConnection};
use std::collections::BTreeMap;
use std::fs;
use std::time::{Duration, UNIX_EPOCH};
use tests::pg::TestDb;
use tests::project::{run_cli_in, Project, Run, NOW};

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
}
"#;

const ORDERS: &str = r#"
#[derive(Table)]
#[table(name = "orders")]
pub struct Order {
    #[column(primary_key)]
    pub id: i64,
    pub total: i32,
}
"#;

const INVOICES: &str = r#"
#[derive(Table)]
#[table(name = "invoices")]
pub struct Invoice {
    #[column(primary_key)]
    pub id: i64,
}
"#;

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let text = run.text();
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

/// A project of `dialect` with migrations of `schemas` (one generated per schema, each adding
/// to the one before) and `targets` appended to its config.
fn project(dialect: &str, targets: &str, schemas: &[&str]) -> Project {
    let p = Project::new(schemas[0]);
    let config = format!(
        "dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n{targets}"
    );
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    for i in 0..schemas.len() {
        p.set_schema(&schemas[..=i].concat());
        assert_has(&p.run(&["generate"], NOW + i as u64), 0, &[]);
    }
    p
}

fn run(p: &Project, args: &[&str]) -> Run {
    let now = UNIX_EPOCH + Duration::from_secs(NOW + 100);
    run_cli_in(p.path(), args, now, None, Env::Fixed(BTreeMap::new()))
}

/// Runs `sql` on the database at `url`.
fn execute(rt: &tokio::runtime::Runtime, url: &str, sql: &str) {
    rt.block_on(async {
        let mut conn = PgConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sql).execute(&mut conn).await.expect(sql);
        conn.close().await.expect("close");
    });
}

/// How many migrations `_sqlx_migrations` of `url` records (0 without the table).
fn applied(rt: &tokio::runtime::Runtime, url: &str) -> i64 {
    rt.block_on(async {
        let mut conn = PgConnection::connect(url).await.expect("connect");
        let n = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .unwrap_or(0);
        conn.close().await.expect("close");
        n
    })
}

/// The database each block of the fleet's output names in its header is the one its
/// lines are about: the output of databases run at once does not interleave.
fn assert_blocks_whole(text: &str) {
    let mut current: Option<&str> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("== ") {
            // The header's URL; its lines name the database (`"t_fleet_1_7" at ...`).
            current = rest
                .split(' ')
                .next()
                .and_then(|url| url.rsplit('/').next());
        } else if line.starts_with("applied ") && line.contains(" migration(s) to ") {
            let db = current.expect("a header before the lines of a database");
            let named = format!("\"{db}\"");
            assert!(
                line.contains(&named),
                "{line:?} under the header of {db}:\n{text}"
            );
        }
    }
}

#[test]
fn a_fleet_of_twenty_postgres_databases_with_one_broken() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut dbs = Vec::new();
    for _ in 0..20 {
        let Some(db) = rt.block_on(TestDb::create("fleet")) else {
            return;
        };
        rt.block_on(db.pool.close());
        dbs.push(db);
    }
    let urls: Vec<&str> = dbs.iter().map(|d| d.url.as_str()).collect();
    let p = project(
        "postgres",
        "[targets.tenants]\nurl_file = \"tenants.txt\"\n",
        &[ACCOUNTS, ORDERS],
    );
    fs::write(p.path().join("tenants.txt"), urls.join("\n")).expect("url file");
    // Broken: its first migration's table already exists.
    let broken = 7;
    execute(&rt, urls[broken], "CREATE TABLE accounts (id bigint)");

    let first = run(&p, &["migrate", "--target", "tenants", "--parallel", "4"]);
    let shown = migrate_cli::database::redact(urls[broken]);
    assert_has(
        &first,
        1,
        &[
            "target tenants: 20 databases: 19 applied, 1 failed",
            &format!("  {shown}: failed: "),
            "1 of 20 databases of target tenants failed (each is named above)",
            "it continues where each stopped",
        ],
    );
    assert_blocks_whole(&first.stdout);
    let summary = first.stdout.lines().filter(|l| l.starts_with("  "));
    assert_eq!(
        summary.filter(|l| l.ends_with(": applied 2")).count(),
        19,
        "{first:#?}"
    );
    for (i, url) in urls.iter().enumerate() {
        assert_eq!(
            applied(&rt, url),
            if i == broken { 0 } else { 2 },
            "database {i}"
        );
    }

    // Fixed, a second run migrates the broken one and leaves the others as they are.
    execute(&rt, urls[broken], "DROP TABLE accounts");
    let second = run(&p, &["migrate", "--target", "tenants", "--format", "json"]);
    assert_eq!(second.code, 0, "{second:#?}");
    let json: serde_json::Value = serde_json::from_str(&second.stdout).expect("json");
    assert_eq!(json["target"], "tenants");
    assert_eq!(
        (json["applied"].as_u64(), json["up_to_date"].as_u64()),
        (Some(1), Some(19))
    );
    let databases = json["databases"].as_array().expect("databases");
    assert_eq!(databases.len(), 20);
    for (i, d) in databases.iter().enumerate() {
        let state = if i == broken { "applied" } else { "up_to_date" };
        assert_eq!(d["state"], state, "{d}");
        assert_eq!(d["database"], migrate_cli::database::redact(urls[i]));
    }
    assert_eq!(
        databases[broken]["applied"].as_array().map(Vec::len),
        Some(2)
    );
    assert!(urls.iter().all(|url| applied(&rt, url) == 2));

    // --fail-fast, one at a time: the third database fails, none after it starts.
    p.set_schema(&[ACCOUNTS, ORDERS, INVOICES].concat());
    assert_has(&p.run(&["generate"], NOW + 50), 0, &[]);
    execute(&rt, urls[2], "CREATE TABLE invoices (id bigint)");
    let fast = run(
        &p,
        &[
            "migrate",
            "--target",
            "tenants",
            "--parallel",
            "1",
            "--fail-fast",
        ],
    );
    assert_has(
        &fast,
        1,
        &[
            "target tenants: 20 databases: 2 applied, 1 failed, 17 not started",
            "not started (--fail-fast)",
            "1 of 20 databases of target tenants failed (each is named above), and 17 were not started (--fail-fast)",
        ],
    );
    let counts: Vec<i64> = urls.iter().map(|url| applied(&rt, url)).collect();
    assert_eq!(&counts[..3], [3, 3, 2]);
    assert!(counts[3..].iter().all(|n| *n == 2), "{counts:?}");

    // status: one line per database, with its drift (a column added by hand).
    execute(&rt, urls[5], "ALTER TABLE orders ADD COLUMN note text");
    let status = run(&p, &["status", "--target", "tenants"]);
    assert_eq!(status.code, 0, "{status:#?}");
    let lines: Vec<&str> = status.stdout.lines().collect();
    assert_eq!(lines.len(), 20, "{status:#?}");
    for (i, line) in lines.iter().enumerate() {
        let shown = migrate_cli::database::redact(urls[i]);
        let counts = match i {
            0 | 1 => "3 applied, 0 pending, 0 failed",
            _ => "2 applied, 1 pending, 0 failed",
        };
        assert!(
            line.starts_with(&format!("{shown}: {counts}; drift: ")),
            "{line}"
        );
        match i {
            // The table made by hand to break it is drift too.
            2 | 5 => assert!(
                line.contains("drift: 1 difference(s) from the snapshot of"),
                "{line}"
            ),
            _ => assert!(line.ends_with("drift: none"), "{line}"),
        }
    }
    assert!(lines[2].contains("public.invoices"), "{}", lines[2]);
    assert!(lines[5].contains("note"), "{}", lines[5]);
    drop(dbs);
}

#[test]
fn a_sqlite_fleet_from_url_given_several_times() {
    let p = project("sqlite", "", &[ACCOUNTS, ORDERS]);
    // b.db is no SQLite file: that database fails, the others are migrated.
    fs::write(p.path().join("b.db"), vec![b'x'; 4096]).expect("garbage");
    let urls = [
        "sqlite://a.db?mode=rwc",
        "sqlite://b.db?mode=rwc",
        "sqlite://c.db?mode=rwc",
    ];
    let mut args = vec!["migrate", "--parallel", "2"];
    for url in &urls {
        args.extend(["--url", url]);
    }
    assert_has(
        &run(&p, &args),
        1,
        &[
            "the --url databases: 3 databases: 2 applied, 1 failed",
            "  sqlite://a.db?mode=rwc: applied 2",
            "  sqlite://b.db?mode=rwc: failed: ",
            "1 of 3 databases of the --url databases failed",
        ],
    );
    let mut json = args.clone();
    json.extend(["--format", "json"]);
    let failed = run(&p, &json);
    assert_eq!(failed.code, 1, "{failed:#?}");
    let summary: serde_json::Value = serde_json::from_str(&failed.stdout).expect("json");
    assert_eq!(summary["target"], serde_json::Value::Null);
    assert_eq!(
        (summary["failed"].as_u64(), summary["up_to_date"].as_u64()),
        (Some(1), Some(2))
    );
    let b = &summary["databases"][1];
    assert_eq!(
        (&b["database"], &b["state"]),
        (&urls[1].into(), &"failed".into())
    );
    assert!(
        b["error"].as_str().is_some_and(|e| !e.contains('\n')),
        "{b}"
    );
    assert!(
        failed.stderr.contains("== sqlite://b.db?mode=rwc (--url)"),
        "{failed:#?}"
    );
    fs::remove_file(p.path().join("b.db")).expect("fixed");
    assert_has(
        &run(&p, &args),
        0,
        &[
            "the --url databases: 3 databases: 1 applied, 2 up to date",
            "  sqlite://b.db?mode=rwc: applied 2",
            "  sqlite://c.db?mode=rwc: up to date",
        ],
    );
    let mut status = vec!["status"];
    for url in &urls {
        status.extend(["--url", url]);
    }
    let listed = run(&p, &status);
    assert_eq!(listed.code, 0, "{listed:#?}");
    assert_eq!(
        listed.stdout,
        urls.iter()
            .map(|u| format!("{u}: 2 applied, 0 pending, 0 failed; drift: none\n"))
            .collect::<String>()
    );
    // One --url is one database, as before; the other commands take one only.
    assert_has(
        &run(&p, &["migrate", "--url", urls[0]]),
        0,
        &["nothing to apply: sqlite database ", "a.db is up to date"],
    );
    let check = run(&p, &["check", "--url", urls[0], "--url", urls[1]]);
    assert_eq!(check.code, migrate_cli::EXIT_USAGE, "{check:#?}");
    assert!(check.text().contains("--url"), "{check:#?}");
}

#[test]
fn a_protected_fleet_is_confirmed_once_for_all_its_databases() {
    let p = project(
        "sqlite",
        "[targets.tenants]\nurl_file = \"tenants.txt\"\nprotected = true\n",
        &[ACCOUNTS],
    );
    let urls = "sqlite://a.db?mode=rwc\nsqlite://b.db?mode=rwc\nsqlite://c.db?mode=rwc\n";
    fs::write(p.path().join("tenants.txt"), urls).expect("url file");
    let migrate = ["migrate", "--target", "tenants"];
    // No terminal and no --yes: refused before any database is touched.
    assert_has(
        &run(&p, &migrate),
        1,
        &[
            "target tenants is a fleet of 3 databases",
            "target tenants is protected and there is no terminal to type its name on: pass --yes",
            "nothing was applied",
        ],
    );
    assert!(["a.db", "b.db", "c.db"]
        .iter()
        .all(|f| !p.path().join(f).exists()));
    // On a terminal, the name is asked once, then every database is migrated.
    let mut prompt = migrate_cli::prompt::ScriptedPrompt {
        typed: vec!["tenants".to_string()],
        ..Default::default()
    };
    let now = UNIX_EPOCH + Duration::from_secs(NOW + 100);
    let env = Env::Fixed(BTreeMap::from([("CI".to_string(), "true".to_string())]));
    let confirmed = run_cli_in(p.path(), &migrate, now, Some(&mut prompt), env);
    assert_has(&confirmed, 0, &["target tenants: 3 databases: 3 applied"]);
    assert_eq!(prompt.asked.len(), 1, "{:?}", prompt.asked);
    assert!(
        prompt.asked[0].0.contains("(3 databases) is protected"),
        "{:?}",
        prompt.asked
    );
}
