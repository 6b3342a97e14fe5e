//! `check --url` and `generate --url` on MySQL/MariaDB (`MYSQL_URL`): a database migrated from
//! a generated folder shows no drift, a hand `ALTER TABLE` shows as drift naming the objects,
//! a half-applied migration is reported, and `generate --url` puts the tables' row counts into
//! its lint findings.

use sqlx::MySqlPool;
use std::fs;
use tests::mysql::TestDb;
use tests::project::{Project, Run, NOW};

const SCHEMA: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique)] email: String,
    #[column(default = "open")] state: State,
    #[column(default = true)] active: bool,
    data: Option<serde_json::Value>,
}
#[derive(Table)] #[table(name = "comments")]
#[check(name = "comments_body_check", expr = "length(body) > 0")]
struct Comment {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    body: String,
}
"#;

const T_ROWS: &str = r#"#[derive(Table)] #[table(name = "t")]
    pub struct T { #[column(primary_key, identity)] pub id: i64, pub a: i32 }"#;
const T_WIDER: &str = r#"#[derive(Table)] #[table(name = "t")]
    pub struct T { #[column(primary_key, identity)] pub id: i64, pub a: i64 }"#;

fn mysql_project(schema: &str, extra: &str) -> Project {
    let p = Project::new(schema);
    let config =
        format!("dialect = \"mysql\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n{extra}");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    p
}

fn text(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// A fresh database with the project's folder generated and migrated into it.
fn migrated(p: &Project, label: &str) -> Option<(tokio::runtime::Runtime, TestDb)> {
    let run = p.run(&["generate", "--name", "init"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::create(label))?;
    let run = p.run(&["migrate", "--url", &db.url], NOW + 5);
    assert_eq!(run.code, 0, "{}", text(&run));
    Some((rt, db))
}

fn problems(run: &Run, kind: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(run)));
    json["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems array: {json}"))
        .iter()
        .filter(|p| p["kind"] == kind)
        .map(|p| p["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn mysql_a_migrated_database_has_no_drift_until_it_is_altered_by_hand() {
    let p = mysql_project(SCHEMA, "");
    let Some((rt, db)) = migrated(&p, "check_drift") else {
        return;
    };
    let run = p.run(&["check", "--url", &db.url], NOW + 10);
    assert_eq!(run.code, 0, "no drift right after migrate:\n{}", text(&run));

    rt.block_on(db.execute(
        "ALTER TABLE `comments` ADD COLUMN `extra` int; \
         ALTER TABLE `accounts` MODIFY COLUMN `email` varchar(100) NOT NULL; \
         ALTER TABLE `comments` DROP CONSTRAINT `comments_body_check`; \
         CREATE TABLE `stray` (`id` int);",
    ))
    .expect("drift");
    let run = p.run(&["check", "--url", &db.url, "--format", "json"], NOW + 10);
    assert_eq!(run.code, 1, "{}", text(&run));
    let drift = problems(&run, "drift").join("\n");
    for expected in [
        "comments.extra: column not in the snapshot",
        "accounts.email: type varchar(100), snapshot says varchar(255)",
        "comments: check comments_body_check missing",
    ] {
        assert!(drift.contains(expected), "{expected}:\n{drift}");
    }
    // `stray` is in no snapshot: another tool's table, not drift.
    assert_eq!(drift.lines().count(), 3, "{drift}");
}

#[test]
fn mysql_a_half_applied_migration_is_reported_by_check() {
    let p = mysql_project(SCHEMA, "");
    let Some((rt, db)) = migrated(&p, "check_failed") else {
        return;
    };
    let folder = p.migrations();
    // A custom migration, listed in the journal, whose second statement fails.
    let run = p.run(&["generate", "--custom", "--name", "broken"], NOW + 10);
    assert_eq!(run.code, 0, "{}", text(&run));
    let tag = p.journal().entries.last().expect("broken").tag.clone();
    fs::write(
        folder.join(format!("{tag}.sql")),
        "ALTER TABLE `comments` ADD COLUMN `extra` int;\n--> statement-breakpoint\nALTER TABLE `nowhere` ADD COLUMN `x` int;\n",
    )
    .expect("broken file");
    let run = p.run(&["migrate", "--url", &db.url], NOW + 20);
    assert_eq!(run.code, 1, "{}", text(&run));
    let run = p.run(&["check", "--url", &db.url, "--format", "json"], NOW + 30);
    assert_eq!(run.code, 1, "{}", text(&run));
    let failed = problems(&run, "failed").join("\n");
    assert!(
        failed.contains(&format!("(migrations/{tag}.sql) is recorded as failed")),
        "{}",
        text(&run)
    );
    // What it left is drift from the last applied snapshot.
    let drift = problems(&run, "drift").join("\n");
    assert!(
        drift.contains("comments.extra: column not in the snapshot"),
        "{}",
        text(&run)
    );
    drop((rt, db));
}

#[test]
fn mysql_a_tampered_applied_file_is_reported_and_refused() {
    let p = mysql_project(SCHEMA, "");
    let Some((_rt, db)) = migrated(&p, "check_tampered") else {
        return;
    };
    let tag = p.journal().entries[0].tag.clone();
    let file = p.migrations().join(format!("{tag}.sql"));
    let sql = fs::read_to_string(&file).expect("file");
    fs::write(&file, format!("{sql}-- edited after it was applied\n")).expect("edit");
    let run = p.run(&["check", "--url", &db.url, "--format", "json"], NOW + 10);
    assert_eq!(run.code, 1, "{}", text(&run));
    let modified = problems(&run, "modified").join("\n");
    assert!(
        modified.contains(&format!(
            "(migrations/{tag}.sql) changed since it was applied on mysql database"
        )),
        "{}",
        text(&run)
    );
    let run = p.run(&["migrate", "--url", &db.url], NOW + 20);
    assert_eq!(run.code, 1, "{}", text(&run));
    // The same verdict, word for word.
    assert!(
        run.stderr
            .contains(&modified[..modified.find(" (20").unwrap_or(modified.len())]),
        "{}",
        text(&run)
    );
}

fn insert_rows(rt: &tokio::runtime::Runtime, pool: &MySqlPool, rows: usize) {
    for a in 0..rows {
        rt.block_on(
            sqlx::query("INSERT INTO `t` (`a`) VALUES (?)")
                .bind(a as i32)
                .execute(pool),
        )
        .expect("row");
    }
}

#[test]
fn mysql_generate_url_puts_row_counts_into_lint() {
    let p = mysql_project(T_ROWS, "\n[lint]\nlarge_table_rows = 2\n");
    let Some((rt, db)) = migrated(&p, "lint_rows") else {
        return;
    };
    insert_rows(&rt, &db.pool, 3);
    p.set_schema(T_WIDER);
    let run = p.run(&["generate", "--url", &db.url, "--name", "wider"], NOW + 10);
    assert_eq!(run.code, 0, "{}", text(&run));
    let lint: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("lint: "))
        .collect();
    assert!(
        lint.iter().any(|l| l.contains(" t.")
            && l.contains("about 3 rows, more than large_table_rows = 2, so this is an error")),
        "{}",
        text(&run)
    );
    let file = fs::read_dir(p.migrations())
        .expect("folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|path| path.to_string_lossy().ends_with("_wider.sql"))
        .expect("the new file");
    let sql = fs::read_to_string(file).expect("sql");
    assert!(sql.contains("about 3 rows"), "{sql}");
}
