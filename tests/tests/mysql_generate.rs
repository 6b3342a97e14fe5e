//! `generate` with `dialect = "mysql"` against a real MariaDB: each generated file applied
//! statement by statement to a fresh database, whose catalog is the reviewed snapshot; then
//! the structs change (a NOT NULL column with a default, a type, a renamed column, an index
//! and a foreign key added and dropped, an enum value added), and the next file takes the
//! database, rows and all, to the new catalog. Also: `concurrently` is noted as ignored, and a
//! second run writes nothing.

use std::fs;
use tests::mysql::TestDb;
use tests::project::{Project, NOW};

const V1: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique)] email: String,
    nick: Option<String>,
    #[column(default_sql = "now()")] created_at: chrono::DateTime<chrono::Utc>,
}
#[derive(Table)] #[table(name = "issues")] #[index(columns(account_id, state))]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
    score: i32,
    #[column(sql_type = "decimal(10,2)", default = 0)] price: rust_decimal::Decimal,
}
#[derive(Table)] #[table(name = "comments")]
struct Comment {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Issue::id)] issue_id: i64,
    body: String,
    flagged: bool,
}
"#;

/// V1 with: `accounts.karma` NOT NULL DEFAULT 0 added, `issues.score` to bigint, `nick`
/// renamed to `nickname`, an index on `accounts.created_at` added, the index
/// `issues (account_id, state)` dropped (its foreign key gets an index of its own), a foreign
/// key `issues.reviewer_id` added, `comments.issue_id`'s foreign key dropped, and the enum
/// value `Archived` added.
fn v2() -> String {
    V1.replace("enum State { Open, Closed }", "enum State { Open, Closed, Archived }")
        .replace(
            "    nick: Option<String>,\n",
            "    #[column(renamed_from = \"nick\")] nickname: Option<String>,\n    #[column(default = 0)] karma: i32,\n",
        )
        .replace(
            "#[derive(Table)] #[table(name = \"accounts\")]",
            "#[derive(Table)] #[table(name = \"accounts\")] #[index(columns(created_at))]",
        )
        .replace(" #[index(columns(account_id, state))]", "")
        .replace(
            "    score: i32,\n",
            "    score: i64,\n    #[column(references = Account::id, on_delete = \"set null\")] reviewer_id: Option<i64>,\n",
        )
        .replace("#[column(references = Issue::id)] issue_id", "issue_id")
}

fn mysql_project(schema: &str) -> Project {
    let p = Project::new(schema);
    fs::write(
        p.path().join("migrate.toml"),
        "dialect = \"mysql\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
    )
    .expect("config");
    p
}

/// Runs `generate` and returns the newest migration's SQL.
fn generate(p: &Project, name: &str, now: u64) -> String {
    let run = p.run(&["generate", "--name", name], now);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let journal = p.journal();
    let tag = &journal.entries.last().expect("an entry").tag;
    assert!(tag.ends_with(name), "{tag}");
    p.read(&format!("{tag}.sql"))
}

/// The file's statements, split at its breakpoints (lint comment lines stay with the first).
fn statements(sql: &str) -> Vec<String> {
    sql.split("\n--> statement-breakpoint\n")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn apply(rt: &tokio::runtime::Runtime, db: &TestDb, sql: &str) {
    for statement in statements(sql) {
        rt.block_on(db.execute(&statement))
            .unwrap_or_else(|e| panic!("{e}\nin:\n{statement}\nof:\n{sql}"));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn generated_files_build_the_catalog_and_migrate_rows() {
    let rt = runtime();
    let Some(db) = rt.block_on(TestDb::create("mysql_generate")) else {
        return;
    };
    let p = mysql_project(V1);
    let first = generate(&p, "init", NOW);
    insta::assert_snapshot!("v1_sql", first);
    apply(&rt, &db, &first);
    insta::assert_snapshot!("v1_catalog", rt.block_on(db.catalog()));
    apply(
        &rt,
        &db,
        "INSERT INTO `accounts` (`email`, `nick`) VALUES ('a@example.com', NULL), ('b@example.com', 'bee');\n\
         --> statement-breakpoint\n\
         INSERT INTO `issues` (`account_id`, `title`, `score`) VALUES (1, 'one', 7), (2, NULL, -3);\n\
         --> statement-breakpoint\n\
         INSERT INTO `comments` (`issue_id`, `body`, `flagged`) VALUES (1, 'hi', 1);",
    );

    p.set_schema(&v2());
    let second = generate(&p, "change", NOW + 10);
    insta::assert_snapshot!("v2_sql", second);
    apply(&rt, &db, &second);
    insta::assert_snapshot!("v2_catalog", rt.block_on(db.catalog()));
    let rows: Vec<(String, Option<String>, i32)> = rt
        .block_on(
            sqlx::query_as("SELECT `email`, `nickname`, `karma` FROM `accounts` ORDER BY `id`")
                .fetch_all(&db.pool),
        )
        .expect("accounts");
    assert_eq!(
        rows,
        vec![
            ("a@example.com".to_string(), None, 0),
            ("b@example.com".to_string(), Some("bee".to_string()), 0),
        ]
    );
    let scores: Vec<(i64, String)> = rt
        .block_on(
            sqlx::query_as("SELECT `score`, CAST(`state` AS char) FROM `issues` ORDER BY `id`")
                .fetch_all(&db.pool),
        )
        .expect("issues");
    assert_eq!(
        scores,
        vec![(7, "open".to_string()), (-3, "open".to_string())]
    );
    rt.block_on(db.execute("UPDATE `issues` SET `state` = 'archived' WHERE `id` = 2"))
        .expect("the new enum value is accepted");

    // The snapshot is what the database holds: nothing to do the second time.
    let again = p.run(&["generate"], NOW + 20);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
    assert_eq!(p.journal().entries.len(), 2);
}

#[test]
fn concurrently_is_noted_as_ignored_and_a_second_run_writes_nothing() {
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email), concurrently)]
struct Account { #[column(primary_key, identity)] id: i64, email: String }
"#,
    );
    let run = p.run(&["generate", "--name", "init"], NOW);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "note: mysql has no concurrent index builds, so `concurrently` is ignored on accounts_email_idx"
        ),
        "{}",
        run.stdout
    );
    let sql = p.read(&format!("{}.sql", p.journal().entries[0].tag));
    assert!(
        !sql.contains("CONCURRENTLY") && !sql.starts_with("-- no-transaction"),
        "{sql}"
    );
    let files = || fs::read_dir(p.migrations()).expect("folder").count();
    let before = files();
    let again = p.run(&["generate"], NOW + 10);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
    assert_eq!(files(), before);
    assert_eq!(p.journal().entries.len(), 1);
}

#[test]
fn what_mysql_lacks_is_an_error_naming_file_struct_and_field() {
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "tagged")] #[index(columns(label), using = "gin")]
struct Tagged { #[column(primary_key, identity)] id: i64, tags: Vec<String>, label: String }
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("Tagged: column `tagged.tags` is an array, which MySQL does not have"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("uses `gin`"), "{}", run.stderr);
    assert!(!p.migrations().exists());
}
