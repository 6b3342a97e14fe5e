//! `migrate-cli drop` on folders written by `generate`: the newest migration removed and
//! generated again, refusals that leave every file as it was (a middle tag, no `--yes` off a
//! terminal, a migration applied on a real SQLite file), a failed row's repair, the terminal
//! question, and a failure half way that puts everything back.
//!
//! Each run has an environment of its own (`Env::Fixed`), so a `DATABASE_URL` in the test
//! process's environment changes nothing.

use migrate_cli::prompt::ScriptedPrompt;
use sqlx::{Connection, Executor, SqliteConnection};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use tests::project::{Project, Run, NOW};

const V1: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
}
"#;

/// V1 with a mistake: a column typed wrong.
const V2_WRONG: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    pub age: Option<String>,
}
"#;

/// V2 fixed.
const V2_FIXED: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    pub age: Option<i32>,
}
"#;

/// Every file under the migrations folder with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn names(dir: &Path) -> Vec<String> {
    tree(dir).into_keys().collect()
}

fn ok(run: &Run) {
    assert_eq!(run.code, 0, "{run:#?}");
}

/// A project with two migrations, V1 then V2_WRONG: the tags, oldest first.
fn two(project: &Project) -> (String, String) {
    ok(&project.run(&["generate"], NOW));
    project.set_schema(V2_WRONG);
    ok(&project.run(&["generate"], NOW + 60));
    let journal = project.journal();
    assert_eq!(journal.entries.len(), 2);
    (
        journal.entries[0].tag.clone(),
        journal.entries[1].tag.clone(),
    )
}

#[test]
fn dropping_the_newest_then_generating_again_gives_a_fresh_migration_that_check_accepts() {
    let project = Project::new(V1);
    ok(&project.run(&["generate"], NOW));
    let after_first = tree(&project.migrations());
    project.set_schema(V2_WRONG);
    ok(&project.run(&["generate"], NOW + 60));
    let wrong = project.journal().entries[1].tag.clone();

    let run = project.run(&["drop", "--yes"], NOW + 120);
    ok(&run);
    let stamp = &wrong[..14];
    assert!(
        run.stdout
            .contains(&format!("removed migrations/{wrong}.sql\n")),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains(&format!("removed migrations/meta/{stamp}_snapshot.json\n")),
        "{run:#?}"
    );
    assert!(run.stderr.contains("could not check whether"), "{run:#?}");
    // Exactly the folder after the first generate, byte for byte (the journal too).
    assert_eq!(tree(&project.migrations()), after_first);

    project.set_schema(V2_FIXED);
    ok(&project.run(&["generate", "--name", "add_age"], NOW + 180));
    let journal = project.journal();
    assert_eq!(journal.entries.len(), 2);
    let fresh = &journal.entries[1];
    assert!(fresh.tag.ends_with("_add_age"), "{journal:?}");
    assert_eq!(fresh.idx, 1);
    let sql = project.read(&format!("{}.sql", fresh.tag));
    assert!(sql.contains("\"age\" integer"), "{sql}");
    ok(&project.run(&["check"], NOW + 180));
}

#[test]
fn dropping_the_only_migration_leaves_an_empty_journal_and_generate_starts_over() {
    let project = Project::new(V1);
    ok(&project.run(&["generate"], NOW));
    ok(&project.run(&["drop", "--yes"], NOW + 60));
    assert_eq!(names(&project.migrations()), ["meta/_journal.json"]);
    assert!(project.journal().entries.is_empty());
    let run = project.run(&["drop", "--yes"], NOW + 60);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stderr.contains("nothing to drop"), "{run:#?}");
    ok(&project.run(&["generate"], NOW + 120));
    assert_eq!(project.journal().entries.len(), 1);
    ok(&project.run(&["check"], NOW + 120));
}

#[test]
fn a_middle_tag_is_refused_naming_the_newer_one_and_nothing_changes() {
    let project = Project::new(V1);
    let (first, second) = two(&project);
    let before = tree(&project.migrations());
    let run = project.run(&["drop", "--yes", "--tag", &first], NOW + 120);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr.contains(&format!("refusing to drop {first}"))
            && run.stderr.contains(&format!("({second} came after it)")),
        "{run:#?}"
    );
    assert_eq!(tree(&project.migrations()), before);

    // The newest, named, is dropped; an unknown tag is a usage error.
    let run = project.run(
        &["drop", "--yes", "--tag", "20200101000000_nope"],
        NOW + 120,
    );
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains(&format!("the newest is {second}")));
    ok(&project.run(&["drop", "--yes", "--tag", &second], NOW + 120));
    assert_eq!(project.journal().entries.len(), 1);
}

#[test]
fn without_a_terminal_yes_is_required() {
    let project = Project::new(V1);
    let (_, second) = two(&project);
    let before = tree(&project.migrations());
    let run = project.run(&["drop"], NOW + 120);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("pass --yes") && run.stderr.contains(&second),
        "{run:#?}"
    );
    assert_eq!(tree(&project.migrations()), before);
}

#[test]
fn on_a_terminal_it_asks_and_no_keeps_everything() {
    let project = Project::new(V1);
    let (_, second) = two(&project);
    let before = tree(&project.migrations());
    let mut no = ScriptedPrompt {
        answers: vec![0],
        ..ScriptedPrompt::default()
    };
    let run = project.run_answering(&["drop"], NOW + 120, Some(&mut no));
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stderr.contains("cancelled"), "{run:#?}");
    assert_eq!(no.asked.len(), 1);
    assert!(no.asked[0].0.contains(&second), "{:?}", no.asked);
    assert_eq!(tree(&project.migrations()), before);

    let mut yes = ScriptedPrompt {
        answers: vec![1],
        ..ScriptedPrompt::default()
    };
    ok(&project.run_answering(&["drop"], NOW + 120, Some(&mut yes)));
    assert_eq!(project.journal().entries.len(), 1);
    assert!(!project.migrations().join(format!("{second}.sql")).exists());
}

#[test]
fn a_journal_that_cannot_be_written_puts_both_files_back() {
    let project = Project::new(V1);
    two(&project);
    // The write set's temporary journal name is taken, so committing the journal fails after
    // the SQL file and the snapshot were moved aside.
    let blocker = format!(
        "meta/._journal.json.{}.{}.tmp",
        std::process::id(),
        migrate_cli::write_set::thread_number()
    );
    fs::write(project.migrations().join(&blocker), "taken").unwrap();
    let before = tree(&project.migrations());
    let run = project.run(&["drop", "--yes"], NOW + 120);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stderr.contains("nothing was removed"), "{run:#?}");
    assert_eq!(tree(&project.migrations()), before);
}

#[test]
fn an_empty_folder_or_a_missing_journal_is_an_error() {
    let project = Project::new(V1);
    let run = project.run(&["drop", "--yes"], NOW);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run
        .stderr
        .contains("no migrations in migrations: nothing to drop"));

    let (first, _) = two(&project);
    fs::remove_file(project.migrations().join("meta/_journal.json")).unwrap();
    let run = project.run(&["drop", "--yes"], NOW + 120);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr
            .contains(&format!("{first}.sql but has no meta/_journal.json")),
        "{run:#?}"
    );
}

/// A SQLite project whose database file is `app.db`.
fn sqlite_project() -> (Project, String) {
    let project = Project::new(V1);
    fs::write(
        project.path().join("migrate.toml"),
        "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
    )
    .unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        project.path().join("app.db").display()
    );
    (project, url)
}

#[test]
fn an_applied_migration_is_refused_on_a_real_sqlite_database() {
    let (project, url) = sqlite_project();
    let (_, second) = two(&project);
    ok(&project.run(&["migrate", "--url", &url], NOW + 120));
    let before = tree(&project.migrations());
    let run = project.run(&["drop", "--yes", "--url", &url], NOW + 180);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr.contains(&format!(
            "refusing to drop {second}: it is applied on sqlite database"
        )) && run
            .stderr
            .contains("write a new migration that undoes it instead"),
        "{run:#?}"
    );
    assert_eq!(tree(&project.migrations()), before);

    // A third migration, not applied, is dropped after the database is checked.
    project.set_schema(V2_FIXED);
    ok(&project.run(&["generate"], NOW + 240));
    let third = project.journal().entries[2].tag.clone();
    let run = project.run(&["drop", "--yes", "--url", &url], NOW + 300);
    ok(&run);
    assert!(
        run.stdout
            .contains(&format!("{third} is not applied there")),
        "{run:#?}"
    );
    assert_eq!(tree(&project.migrations()), before);
    ok(&project.run(&["status", "--url", &url], NOW + 300));
}

/// `DATABASE_URL` comes from the run's own environment: set there, it is checked; the test
/// process's environment (which may hold one) is never read.
#[test]
fn database_url_is_read_from_the_runs_environment() {
    let (project, url) = sqlite_project();
    let (_, second) = two(&project);
    ok(&project.run(&["migrate", "--url", &url], NOW + 120));
    let before = tree(&project.migrations());
    let run = project.run_with_env(&["drop", "--yes"], NOW + 180, &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr.contains(&format!(
            "refusing to drop {second}: it is applied on sqlite database"
        )),
        "{run:#?}"
    );
    assert_eq!(tree(&project.migrations()), before);
}

#[test]
fn a_failed_row_is_dropped_with_the_delete_that_repairs_it() {
    let (project, url) = sqlite_project();
    let (_, second) = two(&project);
    ok(&project.run(&["migrate", "--url", &url], NOW + 120));
    // As a failed MySQL migration leaves it: the row recorded with success = false.
    let version = &second[..14];
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mut c = SqliteConnection::connect(&url).await.unwrap();
            let sql =
                format!("UPDATE _sqlx_migrations SET success = false WHERE version = {version}");
            c.execute(sql.as_str()).await.unwrap();
        });
    let run = project.run(&["drop", "--yes", "--url", &url], NOW + 180);
    ok(&run);
    assert!(
        run.stdout
            .contains(&format!("{second} is recorded as failed"))
            && run
                .stdout
                .contains(&format!("\n  migrate-cli repair --failed {version}\n")),
        "{run:#?}"
    );
    assert_eq!(project.journal().entries.len(), 1);
}

#[test]
fn a_missing_sqlite_file_given_with_url_is_an_error() {
    let (project, _) = sqlite_project();
    two(&project);
    let before = tree(&project.migrations());
    let missing = format!("sqlite://{}", project.path().join("nope.db").display());
    let run = project.run(&["drop", "--yes", "--url", &missing], NOW + 120);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stderr.contains("the file does not exist"), "{run:#?}");
    assert!(!project.path().join("nope.db").exists());
    assert_eq!(tree(&project.migrations()), before);
}

/// V1 plus a table, and a column with a check that has a typo in it (`agee`), which generate
/// cannot see and MySQL refuses after the table was created (the column and its check are one
/// `ALTER TABLE`, which MySQL refuses whole).
const V2_MYSQL_TYPO: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[check(name = "accounts_age_check", expr = "agee >= 0")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    pub age: Option<i32>,
}

#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    pub body: String,
}
"#;

const V2_MYSQL_FIXED: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[check(name = "accounts_age_check", expr = "age >= 0")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    pub age: Option<i32>,
}

#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    pub body: String,
}
"#;

#[test]
fn mysql_a_migration_that_failed_half_way_is_dropped_repaired_and_generated_again() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("drop_failed")) else {
        return;
    };
    let project = Project::new(V1);
    fs::write(
        project.path().join("migrate.toml"),
        "dialect = \"mysql\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
    )
    .unwrap();
    ok(&project.run(&["generate"], NOW));
    project.set_schema(V2_MYSQL_TYPO);
    ok(&project.run(&["generate"], NOW + 60));
    let typo = project.journal().entries[1].tag.clone();
    let run = project.run(&["migrate", "--url", &db.url], NOW + 120);
    assert_eq!(run.code, 1, "{run:#?}");
    let recorded: Vec<(i64, bool)> = rt
        .block_on(
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&db.pool),
        )
        .unwrap();
    let version: i64 = typo[..14].parse().unwrap();
    assert_eq!(recorded.last(), Some(&(version, false)), "{run:#?}");

    let run = project.run(&["drop", "--yes", "--url", &db.url], NOW + 180);
    ok(&run);
    assert!(
        run.stdout
            .contains(&format!("{typo} is recorded as failed"))
            && run
                .stdout
                .contains(&format!("\n  migrate-cli repair --failed {version}\n")),
        "{run:#?}"
    );
    assert!(!project.migrations().join(format!("{typo}.sql")).exists());

    // The repair the note asks for, then the fixed struct generated and applied.
    rt.block_on(db.execute("DROP TABLE `notes`")).unwrap();
    let v = version.to_string();
    ok(&project.run(
        &["repair", "--failed", &v, "--yes", "--url", &db.url],
        NOW + 200,
    ));
    project.set_schema(V2_MYSQL_FIXED);
    ok(&project.run(&["generate"], NOW + 240));
    ok(&project.run(&["migrate", "--url", &db.url], NOW + 300));
    ok(&project.run(&["check", "--url", &db.url], NOW + 300));
}
