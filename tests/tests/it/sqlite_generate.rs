//! `generate` with `dialect = "sqlite"`: the SQL each kind of change gives (reviewed insta
//! snapshots), and the errors for what SQLite lacks.

use std::fs;
use tests::project::{Project, NOW};

fn sqlite_project(schema: &str) -> Project {
    let p = Project::new(schema);
    fs::write(
        p.path().join("migrate.toml"),
        "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
    )
    .expect("config");
    p
}

/// The SQL of the migration `before → after` (the latest file after two runs of `generate`).
fn step(before: &str, after: &str) -> String {
    let p = sqlite_project(before);
    let first = p.run(&["generate", "--name", "before"], NOW);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    p.set_schema(after);
    let second = p.run(&["generate", "--name", "after"], NOW + 10);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    let mut files: Vec<_> = fs::read_dir(p.migrations())
        .expect("migrations")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| tests::project::is_up_file(p))
        .collect();
    files.sort();
    fs::read_to_string(files.last().expect("a file")).expect("sql")
}

const PARENT_AND_CHILD: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique)] email: String, nick: Option<String> }
#[derive(Table)] #[table(name = "issues")] #[index(columns(account_id, state))]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
}
"#;

#[test]
fn create_writes_affinities_checks_and_inline_foreign_keys() {
    let p = sqlite_project(PARENT_AND_CHILD);
    let run = p.run(&["generate", "--name", "init"], NOW);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let journal = p.journal();
    let tag = &journal.entries[0].tag;
    insta::assert_snapshot!(p.read(&format!("{tag}.sql")));
}

#[test]
fn in_place_changes_stay_in_a_transaction() {
    let after = PARENT_AND_CHILD
        .replace(
            "nick: Option<String> }",
            "#[column(renamed_from = \"nick\")] nickname: Option<String>, #[column(default = 0)] karma: i32 }",
        )
        .replace("#[table(name = \"accounts\")]", "#[table(name = \"accounts\")] #[index(columns(email))]");
    insta::assert_snapshot!(step(PARENT_AND_CHILD, &after));
}

#[test]
fn changes_sqlite_cannot_alter_rebuild_the_table_with_foreign_keys_off() {
    let after = PARENT_AND_CHILD
        .replace("enum State { Open, Closed }", "enum State { Open, Closed, Archived }")
        .replace("title: Option<String>,", "#[column(default = \"untitled\")] title: String,")
        .replace("#[column(unique)] email: String,", "#[column(unique)] email: String, #[column(default_sql = \"now()\")] created_at: chrono::DateTime<chrono::Utc>,");
    insta::assert_snapshot!(step(PARENT_AND_CHILD, &after));
}

#[test]
fn what_sqlite_lacks_is_an_error_naming_struct_and_field() {
    let p = sqlite_project(
        r#"
#[derive(Table)] #[table(name = "events", schema = "audit")]
struct Event { #[column(primary_key)] id: i64 }
#[derive(Table)] #[index(columns(tags), using = "gin")]
struct Post { #[column(primary_key)] id: i64, tags: Vec<String>, #[column(identity)] seq: i64 }
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for needle in [
        "src/schema/tables.rs:4:8: Event: table",
        "table `events` is in schema `audit`, but a SQLite database has one schema; drop `schema = \"audit\"`",
        "column `post.tags` is an array, which SQLite does not have",
        "index `post_tags_idx` on table `post` uses `gin`",
        "column `post.seq` is an identity but not the table's only primary key column",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    assert!(!p.migrations().exists(), "nothing may be written");
}

#[test]
fn an_index_on_an_existing_table_gets_no_concurrently_advice() {
    let before = "#[derive(Table)] struct T { #[column(primary_key)] id: i64, v: i32 }";
    let after = "#[derive(Table)] #[index(columns(v), concurrently)] struct T { #[column(primary_key)] id: i64, v: i32 }";
    let sql = step(before, after);
    assert_eq!(sql, "CREATE INDEX \"t_v_idx\" ON \"t\" (\"v\");\n");
}

#[test]
fn a_default_sqlite_cannot_evaluate_is_refused_naming_struct_and_field() {
    let p = sqlite_project(
        r#"
#[derive(Table)] #[table(name = "accounts")]
struct Account {
    #[column(primary_key)] id: i64,
    #[column(default_sql = "gen_random_uuid()")]
    public_id: String,
}
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for needle in [
        "src/schema/tables.rs:4:8: Account:",
        "Account: SQLite cannot evaluate the default `gen_random_uuid()` of field `public_id` (no such function: gen_random_uuid)",
        "every insert that leaves column `public_id` out would fail",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    assert!(!p.migrations().exists(), "nothing may be written");
}

/// A type with no SQL mapping: the hint gives an example for every database, not PostgreSQL's
/// `jsonb` alone, which a SQLite config would not want.
#[test]
fn a_type_without_sql_mapping_is_hinted_for_every_database() {
    let p = sqlite_project(
        r#"
#[derive(Table)] #[table(name = "accounts")]
struct Account {
    #[column(primary_key)] id: i64,
    settings: Settings,
}
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let needle = "give the column its SQL type: #[column(sql_type = \"...\")] (for a JSON value: \"jsonb\" on PostgreSQL, \"json\" on MySQL, \"text\" on SQLite)";
    assert!(run.stderr.contains(needle), "{}", run.stderr);
}

#[test]
fn defaults_sqlite_evaluates_are_written() {
    let p = sqlite_project(
        r#"
#[derive(Table)] #[table(name = "events")]
struct Event {
    #[column(primary_key)] id: i64,
    #[column(default_sql = "CURRENT_TIMESTAMP")] at: String,
    #[column(default_sql = "(datetime('now'))")] day: String,
    #[column(default_sql = "lower('X')")] code: String,
}
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let sql = p.read(&format!("{}.sql", p.journal().entries[0].tag));
    for needle in [
        "DEFAULT CURRENT_TIMESTAMP",
        "DEFAULT ((datetime('now')))",
        "DEFAULT (lower('X'))",
    ] {
        assert!(sql.contains(needle), "{needle}: {sql}");
    }
}
