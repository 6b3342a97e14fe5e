//! `migrate-cli generate` end to end, as a user runs it: a config and schema files in a
//! folder, migrations written in the reference layout, applied to a real PostgreSQL.

use migrate_cli::prompt::ScriptedPrompt;
use migrate_cli::{run_with, Context};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use tests::pg::TestDb;
use tests::project::{Project, Run, NOW};

/// What these tests do with a project beyond [`Project`].
trait GenerateProject {
    fn generate(&self, args: &[&str], now: u64) -> Run;
    fn generate_with(&self, args: &[&str], now: u64, prompt: Option<&mut ScriptedPrompt>) -> Run;
    fn sql_files(&self) -> Vec<PathBuf>;
    fn all_files(&self) -> Vec<(String, Vec<u8>)>;
}

impl GenerateProject for Project {
    /// Runs `migrate-cli generate ARGS` at `now` (seconds since the epoch), without a terminal.
    fn generate(&self, args: &[&str], now: u64) -> Run {
        self.generate_with(args, now, None)
    }

    /// As [`GenerateProject::generate`], answering questions with `prompt` as on a terminal.
    fn generate_with(&self, args: &[&str], now: u64, prompt: Option<&mut ScriptedPrompt>) -> Run {
        let argv: Vec<&str> = std::iter::once("generate")
            .chain(args.iter().copied())
            .collect();
        self.run_answering(&argv, now, prompt)
    }

    /// The migration SQL files, oldest first.
    fn sql_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(self.migrations())
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| tests::project::is_up_file(p));
        files.sort();
        files
    }

    fn all_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        collect(&self.migrations(), &self.migrations(), &mut out);
        out.sort();
        out
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            out.push((rel, fs::read(&path).unwrap_or_default()));
        }
    }
}

const V1: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
    pub display_name: String,
}
"#;

const V2_UNDECLARED_RENAME: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
    pub full_name: String,
}
"#;

#[test]
fn writes_the_reference_layout_then_nothing_when_unchanged() {
    let p = Project::new(V1);
    let run = p.generate(&[], NOW);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("+ table public.accounts"),
        "{}",
        run.stdout
    );
    let tag = "20261118110640_create_accounts";
    assert!(p.migrations().join(format!("{tag}.sql")).is_file());
    assert!(p
        .migrations()
        .join("meta/20261118110640_snapshot.json")
        .is_file());
    let journal: serde_json::Value =
        serde_json::from_slice(&fs::read(p.migrations().join("meta/_journal.json")).unwrap())
            .unwrap();
    assert_eq!(journal["entries"][0]["tag"], tag);
    assert_eq!(journal["entries"][0]["idx"], 0);
    assert_eq!(journal["entries"][0]["breakpoints"], true);

    let before = p.all_files();
    let again = p.generate(&[], NOW + 60);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
    assert_eq!(p.all_files(), before, "an unchanged schema writes nothing");
}

#[test]
fn the_same_schema_gives_byte_identical_files() {
    let (a, b) = (Project::new(V1), Project::new(V1));
    assert_eq!(a.generate(&[], NOW).code, 0);
    assert_eq!(b.generate(&[], NOW).code, 0);
    assert_eq!(a.all_files(), b.all_files());
}

#[test]
fn a_taken_second_moves_to_the_next_free_one() {
    let p = Project::new(V1);
    assert_eq!(p.generate(&[], NOW).code, 0);
    p.set_schema(&V1.replace(
        "pub display_name: String,",
        "pub display_name: String,\n    pub bio: Option<String>,",
    ));
    assert_eq!(p.generate(&[], NOW).code, 0);
    let names: Vec<String> = p
        .sql_files()
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "20261118110640_create_accounts.sql",
            "20261118110641_add_bio_to_accounts.sql"
        ]
    );
}

#[test]
fn an_undeclared_rename_without_a_terminal_asks_through_flags_and_writes_nothing() {
    let p = Project::new(V1);
    assert_eq!(p.generate(&[], NOW).code, 0);
    let before = p.all_files();
    p.set_schema(V2_UNDECLARED_RENAME);
    let run = p.generate(&[], NOW + 1);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        text.contains("--rename column:accounts.display_name=full_name"),
        "{text}"
    );
    assert!(text.contains("--no-renames"), "{text}");
    assert_eq!(
        p.all_files(),
        before,
        "nothing is written while a question is open"
    );
}

#[test]
fn custom_writes_an_empty_migration_with_an_unchanged_snapshot() {
    let p = Project::new(V1);
    assert_eq!(p.generate(&[], NOW).code, 0);
    let run = p.generate(&["--custom", "--name", "backfill_names"], NOW + 5);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let files = p.sql_files();
    assert!(
        files[1].ends_with("20261118110645_backfill_names.sql"),
        "{files:?}"
    );
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&fs::read(p.migrations().join("meta").join(name)).unwrap()).unwrap()
    };
    let (first, second) = (
        read("20261118110640_snapshot.json"),
        read("20261118110645_snapshot.json"),
    );
    assert_eq!(first["tables"], second["tables"]);
    assert_eq!(second["prevId"], first["id"]);
}

#[tokio::test]
async fn renames_answered_by_flag_keep_the_rows_on_postgres() {
    let Some(db) = TestDb::create("cli_rename").await else {
        return;
    };
    let p = Project::new(V1);
    assert_eq!(p.generate(&[], NOW).code, 0);
    db.apply(&fs::read_to_string(&p.sql_files()[0]).unwrap())
        .await
        .expect("first migration applies");
    sqlx::query("INSERT INTO accounts (email, display_name) VALUES ('a@x', 'Ada')")
        .execute(&db.pool)
        .await
        .expect("insert");

    p.set_schema(V2_UNDECLARED_RENAME);
    let run = p.generate(
        &["--rename", "column:accounts.display_name=full_name"],
        NOW + 1,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let sql = fs::read_to_string(&p.sql_files()[1]).unwrap();
    assert!(
        sql.contains("RENAME COLUMN \"display_name\" TO \"full_name\""),
        "{sql}"
    );
    db.apply(&sql).await.expect("rename applies");
    let name: String = sqlx::query_scalar("SELECT full_name FROM accounts")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(name, "Ada");
}

#[test]
fn on_a_terminal_the_rename_question_is_asked() {
    let p = Project::new(V1);
    assert_eq!(p.generate(&[], NOW).code, 0);
    p.set_schema(V2_UNDECLARED_RENAME);
    let mut prompt = ScriptedPrompt {
        answers: vec![1],
        ..ScriptedPrompt::default()
    };
    let run = p.generate_with(&[], NOW + 1, Some(&mut prompt));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(prompt.asked.len(), 1);
    let (question, options) = &prompt.asked[0];
    assert!(question.contains("full_name"), "{question}");
    assert_eq!(options[1], "renamed from display_name");
    let sql = fs::read_to_string(&p.sql_files()[1]).unwrap();
    assert!(sql.contains("RENAME COLUMN"), "{sql}");
}

#[tokio::test]
async fn no_renames_drops_and_adds() {
    let p = Project::new(V1);
    assert_eq!(p.generate(&[], NOW).code, 0);
    p.set_schema(V2_UNDECLARED_RENAME);
    let run = p.generate(&["--no-renames"], NOW + 1);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let sql = fs::read_to_string(&p.sql_files()[1]).unwrap();
    assert!(sql.contains("DROP COLUMN \"display_name\""), "{sql}");
    assert!(sql.contains("ADD COLUMN \"full_name\""), "{sql}");
}

#[test]
fn a_missing_config_shows_a_working_example() {
    let dir = tempfile::tempdir().unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut ctx = Context {
        cwd: dir.path().to_path_buf(),
        now: SystemTime::now(),
        stdout: &mut out,
        stderr: &mut err,
        prompt: None,
        env: migrate_cli::Env::Fixed(Default::default()),
    };
    let code = run_with(["migrate-cli", "generate"], &mut ctx);
    let text = String::from_utf8_lossy(&err);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("migrate.toml"), "{text}");
    assert!(text.contains("dialect = \"postgres\""), "{text}");
}

#[test]
fn a_schema_error_names_file_and_line_and_writes_nothing() {
    let p = Project::new("#[derive(Table)]\nstruct Broken {\n    #[column(primary_key, nmae = \"x\")]\n    id: i64,\n}\n");
    let run = p.generate(&[], NOW);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("src/schema/tables.rs:4:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `name`?"),
        "{}",
        run.stderr
    );
    assert!(!p.migrations().exists());
}

/// The example application's committed migrations match its source, and apply cleanly.
#[tokio::test]
async fn example_application_is_up_to_date_and_applies() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/issue-tracker");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut ctx = Context {
        cwd: root.clone(),
        now: SystemTime::now(),
        stdout: &mut out,
        stderr: &mut err,
        prompt: None,
        env: migrate_cli::Env::Fixed(Default::default()),
    };
    let code = run_with(["migrate-cli", "generate"], &mut ctx);
    let text = String::from_utf8_lossy(&out).into_owned() + &String::from_utf8_lossy(&err);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("no changes"),
        "the example's migrations are stale: {text}"
    );

    let Some(db) = TestDb::create("example").await else {
        return;
    };
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("migrations"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.retain(|p| tests::project::is_up_file(p));
    files.sort();
    assert!(files.len() >= 2);
    for f in files {
        db.apply(&fs::read_to_string(&f).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    let Some(direct) = TestDb::create("example_direct").await else {
        return;
    };
    let schema = migrate_cli::scan::scan(&[root.join("src/schema")], &root)
        .unwrap()
        .resolve()
        .unwrap();
    direct.apply(&tests::source::create(&schema)).await.unwrap();
    assert_eq!(db.catalog().await, direct.catalog().await);
}

/// The README's main command: the example application's whole workflow on SQLite, with no
/// server (generate finds nothing to do, migrate creates dev.db, status and verify agree).
#[test]
fn example_application_runs_the_whole_workflow_on_sqlite() {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/issue-tracker");
    let dir = tempfile::tempdir().expect("temp dir");
    fs::copy(
        example.join("migrate.sqlite.toml"),
        dir.path().join("migrate.sqlite.toml"),
    )
    .expect("config");
    tests::project::copy_dir(&example.join("src"), &dir.path().join("src"));
    tests::project::copy_dir(
        &example.join("migrations-sqlite"),
        &dir.path().join("migrations-sqlite"),
    );
    let run = |command: &str| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut ctx = Context {
            cwd: dir.path().to_path_buf(),
            now: SystemTime::now(),
            stdout: &mut out,
            stderr: &mut err,
            prompt: None,
            env: migrate_cli::Env::Fixed(Default::default()),
        };
        let code = run_with(
            ["migrate-cli", command, "--config", "migrate.sqlite.toml"],
            &mut ctx,
        );
        let text = String::from_utf8_lossy(&out).into_owned() + &String::from_utf8_lossy(&err);
        assert_eq!(code, 0, "{command}: {text}");
        text
    };
    assert!(run("generate").contains("no changes"));
    let applied = run("migrate");
    assert!(applied.contains("applied 1 migration(s)"), "{applied}");
    assert!(dir.path().join("dev.db").is_file());
    let status = run("status");
    assert!(status.contains("1 migration: 1 applied"), "{status}");
    let verified = run("verify");
    assert!(verified.contains("verified 1 migration"), "{verified}");
    assert!(run("check").contains("check passed"));
}

/// Two branches each generated a migration and were merged (both journal entries kept):
/// `generate` refuses to add a third on top of the fork, naming the migration to regenerate,
/// and writes nothing.
#[test]
fn generate_refuses_a_forked_history() {
    use schema_core::snapshot::Journal;
    let base = r#"#[derive(Table)] #[table(name = "thing")] struct Thing { #[column(primary_key)] id: i64 }"#;
    let with = |cols: &str| {
        format!(
            r#"#[derive(Table)] #[table(name = "thing")] struct Thing {{ #[column(primary_key)] id: i64, {cols} }}"#
        )
    };
    let p = Project::new(base);
    assert_eq!(p.generate(&[], NOW).code, 0);
    let journal_path = p.migrations().join("meta/_journal.json");
    let base_journal = fs::read_to_string(&journal_path).expect("journal");
    // Branch one adds `a`.
    p.set_schema(&with("a: Option<i32>"));
    assert_eq!(p.generate(&[], NOW + 10).code, 0);
    let branch_one: Journal = Journal::parse(&fs::read_to_string(&journal_path).unwrap()).unwrap();
    // Branch two starts from the base (without branch one's files) and adds `b`.
    let one = branch_one.entries.last().expect("a").tag.clone();
    let aside = tempfile::tempdir().expect("aside");
    let files = [
        format!("{one}.sql"),
        format!("{one}.down.sql"),
        format!("meta/{}_snapshot.json", &one[..14]),
    ];
    for (i, f) in files.iter().enumerate() {
        fs::rename(p.migrations().join(f), aside.path().join(i.to_string())).expect("aside");
    }
    fs::write(&journal_path, &base_journal).expect("journal");
    p.set_schema(&with("b: Option<i32>"));
    assert_eq!(p.generate(&[], NOW + 20).code, 0);
    for (i, f) in files.iter().enumerate() {
        fs::rename(aside.path().join(i.to_string()), p.migrations().join(f)).expect("back");
    }
    // The merge keeps both entries.
    let mut merged: Journal = Journal::parse(&fs::read_to_string(&journal_path).unwrap()).unwrap();
    let a = branch_one.entries.last().expect("a").clone();
    merged.entries.insert(1, a);
    for (i, e) in merged.entries.iter_mut().enumerate() {
        e.idx = i as u32;
    }
    fs::write(&journal_path, merged.to_json()).expect("journal");
    let before = p.sql_files();
    p.set_schema(&with("a: Option<i32>, b: Option<i32>, c: Option<i32>"));
    let run = p.generate(&[], NOW + 30);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("do not form one chain")
            && run.stderr.contains("nothing was written")
            && run.stderr.contains(&format!(
                "regenerate {} on top of {}",
                merged.entries[2].tag, merged.entries[1].tag
            )),
        "{}",
        run.stderr
    );
    assert_eq!(p.sql_files(), before, "nothing written");
}
