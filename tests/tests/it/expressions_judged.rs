//! The database judges expressions: checks, defaults and partial-index predicates that
//! PostgreSQL and MariaDB print back in their own words give no difference in `verify` and in
//! `check --url`, while a changed bound is still reported, naming the table and the check.

use std::fs;
use tests::project::{Project, NOW};

/// Each form PostgreSQL rewrites when it stores it.
const PG: &str = r#"
#[derive(Table)]
#[table(name = "tasks")]
#[check(name = "tasks_priority_range", expr = "priority BETWEEN 0 AND 5")]
#[check(name = "tasks_priority_gap", expr = "priority NOT BETWEEN 100 AND 200")]
#[check(name = "tasks_due", expr = "due_at >= created_at + interval '1 day'")]
#[check(name = "tasks_created", expr = "created_at < '2100-01-01'")]
#[check(name = "tasks_state_in", expr = "state IN ('a')")]
#[check(name = "tasks_state_not_in", expr = "state NOT IN ('x')")]
#[check(name = "tasks_cast", expr = "CAST(priority AS bigint) < 1000")]
#[check(name = "tasks_cast_short", expr = "priority::bigint < 2000")]
#[check(name = "tasks_similar", expr = "email SIMILAR TO '%@%'")]
#[check(name = "tasks_trim", expr = "trim(email) <> ''")]
#[check(name = "tasks_position", expr = "position('@' in email) > 1")]
#[check(name = "tasks_any", expr = "state = ANY (ARRAY['a', 'b']) OR priority IS NOT NULL")]
#[check(name = "tasks_coalesce", expr = "coalesce(priority, 0) >= 0 AND email LIKE '%@%'")]
#[index(columns(email), predicate = "priority BETWEEN 0 AND 5")]
#[index(columns(state), predicate = "state NOT IN ('x') AND position('@' in email) > 1")]
#[index(columns(due_at), predicate = "created_at < '2100-01-01' AND email SIMILAR TO '%@%'")]
pub struct Task {
    #[column(primary_key)]
    pub id: i64,
    pub priority: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub state: String,
    pub email: String,
    #[column(default_sql = "E'a\\nb'")]
    pub note: String,
    #[column(default_sql = "1e3")]
    pub amount: f64,
    #[column(default_sql = "'12:00'")]
    pub starts: chrono::NaiveTime,
    #[column(default_sql = "'x'")]
    pub blob: Vec<u8>,
    #[column(default_sql = "NULL")]
    pub remark: Option<String>,
    #[column(default_sql = "now() + interval '1 hour'")]
    pub later: chrono::DateTime<chrono::Utc>,
}
"#;

/// Each form MariaDB rewrites when it stores it.
const MARIADB: &str = r#"
#[derive(Table)]
#[table(name = "tasks")]
#[check(name = "tasks_active", expr = "active = true")]
#[check(name = "tasks_not", expr = "NOT (priority < 0)")]
#[check(name = "tasks_cast", expr = "CAST(priority AS char) <> 'x'")]
#[check(name = "tasks_range", expr = "priority BETWEEN 0 AND 5")]
#[check(name = "tasks_in", expr = "state IN ('a')")]
#[check(name = "tasks_lcase", expr = "lcase(state) = state OR state IS NULL")]
pub struct Task {
    #[column(primary_key)]
    pub id: i64,
    pub priority: i32,
    pub active: bool,
    pub state: String,
    #[column(default_sql = "1e3")]
    pub amount: f64,
    #[column(default_sql = "0x41")]
    pub code: String,
    #[column(default_sql = "(1 + 1)")]
    pub two: i32,
}
"#;

fn project(dialect: &str, schema: &str) -> Project {
    let p = Project::new(schema);
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 0, "generate failed:\n{}", run.text());
    p
}

/// The only migration file `generate` wrote.
fn migration(p: &Project) -> std::path::PathBuf {
    fs::read_dir(p.migrations())
        .expect("migrations")
        .map(|e| e.expect("entry").path())
        .find(|f| tests::project::is_up_file(f))
        .expect("a migration")
}

fn assert_clean(p: &Project, url: &str) {
    let verify = p.run(&["verify", "--url", url], NOW + 10);
    assert_eq!(verify.code, 0, "verify:\n{}", verify.text());
    let migrate = p.run(&["migrate", "--url", url, "--allow-lint-errors"], NOW + 20);
    assert_eq!(migrate.code, 0, "migrate:\n{}", migrate.text());
    let check = p.run(&["check", "--url", url], NOW + 30);
    assert!(
        !check.text().contains("drift"),
        "check --url:\n{}",
        check.text()
    );
}

/// `check --url` and `verify` (on a hand-edited migration) both name the changed check.
fn assert_changed_bound_reported(p: &Project, url: &str, check: &str, table: &str) {
    let run = p.run(&["check", "--url", url], NOW + 40);
    let text = run.text();
    assert!(
        text.contains(&format!("{table}: check {check} is")) && text.contains("drift"),
        "{text}"
    );
    let file = migration(p);
    let sql = fs::read_to_string(&file).expect("sql");
    fs::write(&file, sql.replace("BETWEEN 0 AND 5", "BETWEEN 0 AND 6")).expect("edit");
    let run = p.run(&["verify", "--url", url], NOW + 50);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.text().contains(&format!("{table}: check {check} is")),
        "{}",
        run.text()
    );
}

#[test]
fn pg_forms_the_server_rewrites_are_no_difference_and_a_changed_bound_is() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let p = project("postgres", PG);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("judged_pg")) else {
        return;
    };
    assert_clean(&p, &db.url);
    rt.block_on(db.apply(
        "ALTER TABLE tasks DROP CONSTRAINT tasks_priority_range, \
         ADD CONSTRAINT tasks_priority_range CHECK (priority BETWEEN 0 AND 6)",
    ))
    .expect("alter");
    assert_changed_bound_reported(&p, &db.url, "tasks_priority_range", "public.tasks");
}

/// A dropped cast and a dropped condition are differences, also where the text normalizer (which
/// drops `::` casts and parentheses) reads the cast away (`tasks_cast_short`).
#[test]
fn pg_a_dropped_cast_or_condition_is_a_difference() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let p = project("postgres", PG);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("judged_pg_cast")) else {
        return;
    };
    let migrate = p.run(
        &["migrate", "--url", &db.url, "--allow-lint-errors"],
        NOW + 20,
    );
    assert_eq!(migrate.code, 0, "migrate:\n{}", migrate.text());
    rt.block_on(db.apply(
        "ALTER TABLE tasks DROP CONSTRAINT tasks_cast, ADD CONSTRAINT tasks_cast CHECK (priority < 1000), \
         DROP CONSTRAINT tasks_cast_short, ADD CONSTRAINT tasks_cast_short CHECK (priority < 2000), \
         DROP CONSTRAINT tasks_coalesce, ADD CONSTRAINT tasks_coalesce CHECK (coalesce(priority, 0) >= 0)",
    ))
    .expect("alter");
    let text = p.run(&["check", "--url", &db.url], NOW + 40).text();
    assert!(
        text.contains("public.tasks: check tasks_cast is (priority < 1000)"),
        "{text}"
    );
    assert!(
        text.contains("public.tasks: check tasks_cast_short is (priority < 2000)"),
        "{text}"
    );
    assert!(
        text.contains("public.tasks: check tasks_coalesce is"),
        "{text}"
    );
    assert!(!text.contains("tasks_priority_range"), "{text}");
}

#[test]
fn mariadb_forms_the_server_rewrites_are_no_difference_and_a_changed_bound_is() {
    let p = project("mysql", MARIADB);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("judged_mysql")) else {
        return;
    };
    assert_clean(&p, &db.url);
    rt.block_on(db.execute(
        "ALTER TABLE tasks DROP CONSTRAINT tasks_range, \
         ADD CONSTRAINT tasks_range CHECK (priority BETWEEN 0 AND 6)",
    ))
    .expect("alter");
    assert_changed_bound_reported(&p, &db.url, "tasks_range", "tasks");
}

/// A partial index on a table whose first column has no btree operator class (`json`): the
/// probe indexes a constant, so the predicate is still judged (found in review).
#[test]
fn pg_a_predicate_on_a_table_that_starts_with_a_json_column_is_judged() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let p = project(
        "postgres",
        r#"
#[derive(Table)]
#[table(name = "events")]
#[index(columns(kind), name = "events_kind_idx", predicate = "priority BETWEEN 0 AND 5")]
pub struct Event {
    #[column(sql_type = "json")]
    pub payload: serde_json::Value,
    #[column(primary_key)]
    pub id: i64,
    pub kind: String,
    pub priority: i32,
}
"#,
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("judged_json")) else {
        return;
    };
    assert_clean(&p, &db.url);
}

/// A login that may not create temporary tables cannot let the server judge: `check --url`
/// says so and why, instead of reporting spelling differences without a word (found in review).
#[test]
fn pg_a_login_without_temporary_tables_is_told_why_expressions_were_compared_as_text() {
    let p = project("postgres", PG);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("judged_ro")) else {
        return;
    };
    let migrate = p.run(
        &["migrate", "--url", &db.url, "--allow-lint-errors"],
        NOW + 20,
    );
    assert_eq!(migrate.code, 0, "migrate:\n{}", migrate.text());
    let role = format!("{}_ro", db.name);
    rt.block_on(db.apply(&format!(
        "CREATE ROLE \"{role}\" LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{role}\"; \
         ALTER ROLE \"{role}\" SET default_transaction_read_only = on"
    )))
    .expect("role");
    let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
    let check = p.run(&["check", "--url", &url], NOW + 30);
    rt.block_on(db.apply(&format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\"")))
        .expect("drop role");
    assert!(
        check
            .stderr
            .contains("warning: PostgreSQL could not judge the expressions of public.tasks")
            && check.stderr.contains("so they were compared as text")
            && check.stderr.contains("grant the login TEMPORARY"),
        "{}",
        check.text()
    );
}

/// A table named like the probe: the probe takes another name, since a temporary table would
/// shadow it (found in review).
#[test]
fn mariadb_a_table_named_like_the_probe_is_judged() {
    let p = project(
        "mysql",
        r#"
#[derive(Table)]
#[table(name = "migrate_probe")]
#[check(name = "mp_active", expr = "active = true")]
pub struct Probe {
    #[column(primary_key)]
    pub id: i64,
    pub active: bool,
    #[column(default_sql = "1e3")]
    pub amount: f64,
}
"#,
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("judged_probe")) else {
        return;
    };
    assert_clean(&p, &db.url);
}
