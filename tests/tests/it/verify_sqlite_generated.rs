//! `migrate-cli verify` on a SQLite history that `generate` wrote from a schema source over
//! several versions (an enum as a check, a composite key, defaults, partial and unique indexes,
//! table rebuilds, a renamed column and a renamed referenced table): it verifies, `migrate`
//! applies it, and `check` then finds no drift.

use std::fs;
use tests::project::{Project, Run, NOW};

const CONFIG: &str = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

fn text(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

const V1: &str = r#"
#[derive(DbEnum)]
#[db_enum(name = "ticket_state")]
pub enum TicketState {
    Open,
    Closed,
}

#[derive(Table)]
#[table(name = "owners")]
pub struct Owner {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique, sql_type = "varchar(100)")]
    pub email: String,
    #[column(default = -1)]
    pub score: i32,
    #[column(default = 1.5)]
    pub weight: f64,
    #[column(default = true)]
    pub active: bool,
}

#[derive(Table)]
#[table(name = "tickets")]
#[index(columns(owner_id, state))]
#[index(columns(owner_id), name = "tickets_open_idx", predicate = "state <> 'closed'")]
#[check(name = "tickets_title_check", expr = "length(title) > 0")]
pub struct Ticket {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = Owner::id, on_delete = "cascade")]
    pub owner_id: i64,
    pub title: String,
    #[column(default = "open")]
    pub state: TicketState,
    #[column(default = "untitled")]
    pub note: String,
    #[column(default_sql = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default_sql = "lower('A')")]
    pub code: String,
}

#[derive(Table)]
#[table(name = "watchers")]
#[primary_key(owner_id, ticket_id)]
pub struct Watcher {
    #[column(references = Owner::id, on_delete = "restrict")]
    pub owner_id: i64,
    #[column(references = Ticket::id, on_delete = "cascade")]
    pub ticket_id: i64,
}
"#;

/// V1, then: a column with a default, a set-null foreign key, a unique index with a
/// predicate, another check, an enum value.
fn v2() -> String {
    V1.replace("    Closed,\n", "    Closed,\n    Archived,\n")
        .replace(
            "#[check(name = \"tickets_title_check\"",
            "#[index(columns(title), unique, name = \"tickets_live_title_idx\", predicate = \"state IN ('open', 'closed')\")]\n\
             #[check(name = \"tickets_code_check\", expr = \"code <> ''\")]\n\
             #[check(name = \"tickets_title_check\"",
        )
        .replace(
            "    pub title: String,\n",
            "    pub title: String,\n    #[column(references = Owner::id, on_delete = \"set null\")]\n    pub reviewer_id: Option<i64>,\n    #[column(default = 3)]\n    pub priority: i16,\n",
        )
}

/// V2 without `note`, with `weight` nullable.
fn v3() -> String {
    v2().replace(
        "    #[column(default = \"untitled\")]\n    pub note: String,\n",
        "",
    )
    .replace(
        "    #[column(default = 1.5)]\n    pub weight: f64,\n",
        "    pub weight: Option<f64>,\n",
    )
}

/// V3 with `tickets.title` renamed to `subject` and `owners` to `people`, which the other
/// tables reference.
fn v4() -> String {
    v3().replace(
        "    pub title: String,\n",
        "    #[column(renamed_from = \"title\")]\n    pub subject: String,\n",
    )
    .replace("length(title)", "length(subject)")
    .replace("columns(title)", "columns(subject)")
    .replace(
        "#[table(name = \"owners\")]",
        "#[table(name = \"people\", renamed_from = \"owners\")]",
    )
}

#[test]
fn sqlite_a_generated_history_of_several_migrations_verifies_and_applies_without_drift() {
    let project = Project::new(V1);
    fs::write(project.path().join("migrate.toml"), CONFIG).expect("config");
    for (i, schema) in [V1.to_string(), v2(), v3(), v4()].iter().enumerate() {
        project.set_schema(schema);
        let gen = project.run(&["generate"], NOW + 60 * i as u64);
        assert_eq!(gen.code, 0, "generate {}: {}", i + 1, text(&gen));
    }
    let mut files: Vec<_> = fs::read_dir(project.migrations())
        .expect("migrations")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| tests::project::is_up_file(p))
        .collect();
    files.sort();
    assert_eq!(files.len(), 4, "{files:?}");
    let sql: String = files
        .iter()
        .map(|f| fs::read_to_string(f).expect("migration"))
        .collect();
    for expected in [
        "DEFAULT -1",
        "DEFAULT 'open'",
        "DEFAULT CURRENT_TIMESTAMP",
        "WHERE state <> 'closed'",
        "CHECK (length(title) > 0)",
        "IN ('open', 'closed')",
        "ON DELETE CASCADE",
        "ON DELETE SET NULL",
        "CREATE UNIQUE INDEX",
        "-- no-transaction",
        "PRAGMA foreign_keys=OFF",
        "RENAME COLUMN \"title\" TO \"subject\"",
        "RENAME TO \"people\"",
    ] {
        assert!(
            sql.contains(expected),
            "{expected} missing from the generated history:\n{sql}"
        );
    }
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 0, "{}\n{sql}", text(&run));
    assert!(
        run.stdout.contains("verified 4 migrations"),
        "{}",
        run.stdout
    );

    let db = project.path().join("app.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let run = project.run(&["migrate", "--url", &url, "--allow-lint-errors"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    let run = project.run(&["check", "--url", &url], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
}
