//! End-to-end tests of `generate` in a temporary project.

use crate::prompt::ScriptedPrompt;
use crate::{run_with, Context};
use schema_core::snapshot::{Journal, Snapshot, ROOT_ID};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

/// 2024-01-01 00:00:00 UTC.
const T0: u64 = 1_704_067_200;

const ACCOUNTS: &str = r#"
use schema_macros::Table;

#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub display_name: String,
}
"#;

struct Project {
    dir: tempfile::TempDir,
}

struct Run {
    code: u8,
    stdout: String,
    stderr: String,
}

impl Project {
    fn new(schema: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("migrate.toml"),
            "dialect = \"postgres\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
        )
        .unwrap();
        let project = Project { dir };
        project.schema(schema);
        project
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn schema(&self, text: &str) {
        fs::create_dir_all(self.path("src/schema")).unwrap();
        fs::write(self.path("src/schema/mod.rs"), text).unwrap();
    }

    fn run(&self, secs: u64, args: &[&str]) -> Run {
        self.run_asking(secs, args, None)
    }

    fn run_asking(&self, secs: u64, args: &[&str], prompt: Option<&mut ScriptedPrompt>) -> Run {
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let mut ctx = Context {
            cwd: self.dir.path().to_path_buf(),
            now: UNIX_EPOCH + Duration::from_millis(secs * 1000 + 250),
            stdout: &mut stdout,
            stderr: &mut stderr,
            prompt: prompt.map(|p| p as &mut dyn crate::prompt::Prompt),
            env: crate::Env::Fixed(Default::default()),
        };
        let argv = ["migrate-cli", "generate"].iter().chain(args);
        let code = run_with(argv, &mut ctx);
        Run {
            code,
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        }
    }

    /// Every file under `migrations/`, relative, sorted.
    fn files(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["migrations", "migrations/meta"] {
            if let Ok(entries) = fs::read_dir(self.path(sub)) {
                for e in entries {
                    let e = e.unwrap();
                    if e.file_type().unwrap().is_file() {
                        out.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
                    }
                }
            }
        }
        out.sort();
        out
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    fn journal(&self) -> Journal {
        Journal::parse(&self.read("migrations/meta/_journal.json")).unwrap()
    }
}

fn with_full_name(schema: &str) -> String {
    schema.replace("display_name", "full_name")
}

#[test]
fn first_migration_writes_sql_snapshot_and_journal() {
    let p = Project::new(ACCOUNTS);
    let run = p.run(T0, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tag = "20240101000000_create_accounts";
    assert_eq!(
        p.files(),
        [
            format!("migrations/{tag}.down.sql"),
            format!("migrations/{tag}.sql"),
            "migrations/meta/20240101000000_snapshot.json".to_string(),
            "migrations/meta/_journal.json".to_string(),
        ]
    );
    let down = p.read(&format!("migrations/{tag}.down.sql"));
    assert!(
        down.contains("DROP TABLE \"public\".\"accounts\""),
        "{down}"
    );
    let sql = p.read(&format!("migrations/{tag}.sql"));
    assert!(
        sql.contains("CREATE TABLE \"public\".\"accounts\""),
        "{sql}"
    );
    let journal = p.journal();
    assert_eq!(journal.entries.len(), 1);
    assert_eq!(
        (journal.entries[0].idx, journal.entries[0].tag.as_str()),
        (0, tag)
    );
    assert_eq!(journal.entries[0].when, T0 * 1000 + 250);
    assert!(journal.entries[0].down);
    let snapshot =
        Snapshot::parse(&p.read("migrations/meta/20240101000000_snapshot.json")).unwrap();
    assert_eq!(snapshot.prev_id, ROOT_ID);
    assert!(snapshot.schema.tables.contains_key("public.accounts"));
    assert!(run.stdout.starts_with("+ "), "{}", run.stdout);
    assert!(run.stdout.contains(&format!(
        "wrote {}",
        Path::new("migrations").join(format!("{tag}.sql")).display()
    )));
}

#[test]
fn no_change_writes_nothing_and_says_so() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    let before = p.files();
    let run = p.run(T0 + 60, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let snapshot = Path::new("migrations/meta/20240101000000_snapshot.json");
    assert_eq!(
        run.stdout,
        format!(
            "no changes: schema matches {}; nothing written\n",
            snapshot.display()
        )
    );
    assert_eq!(p.files(), before);
}

#[test]
fn a_taken_second_moves_to_the_next_free_one_and_chains_snapshots() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    p.schema(&ACCOUNTS.replace(
        "pub display_name: String,",
        "pub display_name: String,\n    pub age: Option<i32>,",
    ));
    let run = p.run(T0, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let journal = p.journal();
    let tags: Vec<&str> = journal.entries.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(tags[0], "20240101000000_create_accounts");
    assert!(tags[1].starts_with("20240101000001_"), "{tags:?}");
    assert_eq!(journal.entries[1].idx, 1);
    assert_eq!(journal.entries[1].when, (T0 + 1) * 1000);
    let first = Snapshot::parse(&p.read("migrations/meta/20240101000000_snapshot.json")).unwrap();
    let second = Snapshot::parse(&p.read("migrations/meta/20240101000001_snapshot.json")).unwrap();
    assert_eq!(second.prev_id, first.id);
}

#[test]
fn the_same_schema_gives_byte_identical_files() {
    let (a, b) = (Project::new(ACCOUNTS), Project::new(ACCOUNTS));
    assert_eq!(a.run(T0, &[]).code, 0);
    assert_eq!(b.run(T0 + 3600, &["--name", "create_accounts"]).code, 0);
    assert_eq!(
        a.read("migrations/20240101000000_create_accounts.sql"),
        b.read("migrations/20240101010000_create_accounts.sql")
    );
    assert_eq!(
        a.read("migrations/meta/20240101000000_snapshot.json"),
        b.read("migrations/meta/20240101010000_snapshot.json")
    );
}

#[test]
fn open_renames_without_a_terminal_exit_2_and_list_the_flags() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    let before: Vec<(String, String)> = p.files().into_iter().map(|f| (p.read(&f), f)).collect();
    p.schema(&with_full_name(ACCOUNTS));
    let run = p.run(T0 + 60, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: 1 possible rename needs an answer; nothing was written\n  \
         column accounts.full_name: created, or renamed from display_name?\n    \
         renamed: --rename column:accounts.display_name=full_name\n\
         answer each with its --rename flag and run generate again; \
         pass --no-renames to treat the rest as created (a real drop and a real add)\n"
    );
    let after: Vec<(String, String)> = p.files().into_iter().map(|f| (p.read(&f), f)).collect();
    assert_eq!(after, before);
}

#[test]
fn a_rename_flag_answers_the_question() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    p.schema(&with_full_name(ACCOUNTS));
    let run = p.run(
        T0 + 60,
        &["--rename", "column:accounts.display_name=full_name"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tag = &p.journal().entries[1].tag;
    let sql = p.read(&format!("migrations/{tag}.sql"));
    assert!(
        sql.contains("RENAME COLUMN \"display_name\" TO \"full_name\""),
        "{sql}"
    );
}

#[test]
fn a_rename_flag_that_matches_nothing_is_a_usage_error() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    p.schema(&with_full_name(ACCOUNTS));
    let run = p.run(T0 + 60, &["--rename", "column:accounts.nick=full_name"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("table accounts has no column nick in the last snapshot"),
        "{}",
        run.stderr
    );
    let run = p.run(T0 + 60, &["--rename", "columns:accounts.nick=full_name"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown kind `columns`"),
        "{}",
        run.stderr
    );
    assert_eq!(p.journal().entries.len(), 1);
}

#[test]
fn on_a_terminal_the_question_is_asked() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    p.schema(&with_full_name(ACCOUNTS));
    let mut prompt = ScriptedPrompt {
        answers: vec![1],
        ..Default::default()
    };
    let run = p.run_asking(T0 + 60, &[], Some(&mut prompt));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        prompt.asked,
        [(
            "column accounts.full_name: created, or renamed from display_name?".to_string(),
            vec![
                "created".to_string(),
                "renamed from display_name".to_string()
            ]
        )]
    );
    let tag = &p.journal().entries[1].tag;
    assert!(p
        .read(&format!("migrations/{tag}.sql"))
        .contains("RENAME COLUMN"));
}

#[test]
fn the_default_answer_is_the_rename_that_keeps_the_data() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    p.schema(&with_full_name(ACCOUNTS));
    let mut prompt = ScriptedPrompt::default();
    p.run_asking(T0 + 60, &[], Some(&mut prompt));
    let (_, options) = &prompt.asked[0];
    assert_eq!(prompt.defaults.len(), 1);
    assert_eq!(options[prompt.defaults[0]], "renamed from display_name");
}

#[test]
fn the_default_answer_for_a_table_is_its_rename() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    p.schema(&ACCOUNTS.replace("\"accounts\"", "\"users\""));
    let mut prompt = ScriptedPrompt::default();
    p.run_asking(T0 + 60, &[], Some(&mut prompt));
    let (question, options) = &prompt.asked[0];
    assert!(question.starts_with("table users"), "{question}");
    assert_eq!(options[prompt.defaults[0]], "renamed from accounts");
}

#[test]
fn cancelling_the_question_writes_nothing() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    p.schema(&with_full_name(ACCOUNTS));
    let mut prompt = ScriptedPrompt::default();
    let run = p.run_asking(T0 + 60, &[], Some(&mut prompt));
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "error: cancelled: nothing was written\n");
    assert_eq!(p.journal().entries.len(), 1);
}

#[test]
fn no_renames_drops_and_adds() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    p.schema(&with_full_name(ACCOUNTS));
    let run = p.run(
        T0 + 60,
        &["--no-renames", "--name", "Replace Display-Name!"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        p.journal().entries[1].tag,
        "20240101000100_replace_display_name"
    );
    let sql = p.read("migrations/20240101000100_replace_display_name.sql");
    assert!(sql.contains("DROP COLUMN \"display_name\""), "{sql}");
    assert!(sql.contains("ADD COLUMN \"full_name\""), "{sql}");
}

#[test]
fn custom_writes_an_empty_migration_and_keeps_the_schema() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(T0, &[]).code, 0);
    let run = p.run(T0 + 60, &["--custom"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        p.read("migrations/20240101000100_custom.sql"),
        super::CUSTOM_SQL
    );
    let first = Snapshot::parse(&p.read("migrations/meta/20240101000000_snapshot.json")).unwrap();
    let custom = Snapshot::parse(&p.read("migrations/meta/20240101000100_snapshot.json")).unwrap();
    assert_eq!(custom.schema, first.schema);
    assert_eq!(custom.prev_id, first.id);
    assert_ne!(custom.id, first.id);
}

#[test]
fn bad_names_fail_before_writing() {
    let p = Project::new(ACCOUNTS);
    let run = p.run(T0, &["--name", "!!!"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--name \"!!!\" has no letters or digits"),
        "{}",
        run.stderr
    );
    assert!(p.files().is_empty());
}

#[test]
fn mysql_generates_backticked_sql_with_auto_increment() {
    let p = Project::new(ACCOUNTS);
    fs::write(
        p.path("migrate.toml"),
        "dialect = \"mysql\"\nschema = [\"src/schema\"]\n",
    )
    .unwrap();
    let run = p.run(T0, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        p.read("migrations/20240101000000_create_accounts.sql"),
        "CREATE TABLE `accounts` (\n\t`id` bigint NOT NULL AUTO_INCREMENT,\n\t`display_name` varchar(255) NOT NULL,\n\tPRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
    );
    // MySQL files have no breakpoint lines (sqlx sends a file whole, and MySQL reads `-->` as
    // SQL), and the journal says so; a custom file asks for `;`-terminated statements.
    let run = p.run(T0 + 60, &["--custom"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        p.read("migrations/20240101000100_custom.sql"),
        super::CUSTOM_SQL_PLAIN
    );
    let journal = Journal::parse(&p.read("migrations/meta/_journal.json")).unwrap();
    assert!(journal.entries.iter().all(|e| !e.breakpoints));
}

#[test]
fn source_errors_name_file_line_and_column() {
    let p = Project::new(
        "#[derive(Table)]\nstruct A {\n    #[column(primary_key, nmae = \"x\")]\n    id: i64,\n}\n",
    );
    let run = p.run(T0, &[]);
    assert_eq!(run.code, 1);
    let file = Path::new("src/schema/mod.rs").display().to_string();
    assert!(
        run.stderr
            .starts_with(&format!("error: {file}:3:27: unknown key `nmae`")),
        "{}",
        run.stderr
    );
    assert!(p.files().is_empty());
}

#[test]
fn an_index_listed_twice_is_an_error_naming_its_table_once() {
    let p = Project::new(
        r#"
use schema_macros::Table;

#[derive(Table)]
#[table(name = "order_items")]
#[index(columns(name))]
#[index(columns(name))]
pub struct OrderItem {
    #[column(primary_key)]
    pub id: i64,
    pub name: String,
}
"#,
    );
    let run = p.run(T0, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("is used twice by table `order_items` (two of its keys or indexes")
            && !run
                .stderr
                .contains("tables `order_items` and `order_items`"),
        "{}",
        run.stderr
    );
    assert!(p.files().is_empty());
}

#[test]
fn an_index_named_like_another_table_is_an_error_naming_both() {
    let p = Project::new(
        r#"
use schema_macros::Table;

#[derive(Table)]
pub struct Accounts {
    #[column(primary_key)]
    pub id: i64,
}

#[derive(Table)]
#[index(columns(id), name = "accounts")]
pub struct Projects {
    #[column(primary_key)]
    pub id: i64,
}
"#,
    );
    let run = p.run(T0, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("the name `accounts` is used twice (tables `accounts` and `projects`)"),
        "{}",
        run.stderr
    );
    assert!(p.files().is_empty());
}

#[test]
fn config_flag_and_usage_errors() {
    let p = Project::new(ACCOUNTS);
    fs::create_dir_all(p.path("db")).unwrap();
    fs::write(
        p.path("db/migrate.toml"),
        "dialect = \"postgres\"\nschema = [\"../src/schema\"]\nout = \"../sql\"\n",
    )
    .unwrap();
    let run = p.run(T0, &["--config", "db/migrate.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("sql/meta/_journal.json").is_file());
    assert_eq!(p.run(T0, &["--bogus"]).code, 2);
    let run = p.run(T0, &["--config", "nope.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("nope.toml: create it"),
        "{}",
        run.stderr
    );
}

#[test]
fn concurrent_indexes_get_a_no_transaction_file_in_the_next_second_chained_and_deterministic() {
    let indexed = ACCOUNTS
        .replace(
            "#[table(name = \"accounts\")]",
            "#[table(name = \"accounts\")]\n#[index(columns(display_name), concurrently)]",
        )
        .replace(
            "pub display_name: String,",
            "pub display_name: String,\n    pub age: Option<i32>,",
        );
    let (a, b) = (Project::new(ACCOUNTS), Project::new(ACCOUNTS));
    for p in [&a, &b] {
        assert_eq!(p.run(T0, &[]).code, 0);
        p.schema(&indexed);
        let run = p.run(T0, &["--name", "age"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(
                "+ index public.accounts.accounts_display_name_idx (display_name) [no transaction]"
            ),
            "{}",
            run.stdout
        );
    }
    let (main, no_tx) = (
        "migrations/20240101000001_age.sql",
        "migrations/20240101000002_age_concurrent_indexes.sql",
    );
    assert!(!a.read(main).contains("INDEX"), "{}", a.read(main));
    assert_eq!(
        a.read(no_tx),
        "-- no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS \"accounts_display_name_idx\" ON \"public\".\"accounts\" (\"display_name\");\n"
    );
    let journal = a.journal();
    let entries: Vec<(&str, u64)> = journal
        .entries
        .iter()
        .map(|e| (e.tag.as_str(), e.when))
        .collect();
    assert_eq!(
        entries[1..],
        [
            ("20240101000001_age", (T0 + 1) * 1000),
            ("20240101000002_age_concurrent_indexes", (T0 + 2) * 1000)
        ]
    );
    let snapshot = |p: &Project, s: u64| {
        Snapshot::parse(&p.read(&format!("migrations/meta/2024010100000{s}_snapshot.json")))
            .unwrap()
    };
    let (first, middle, last) = (snapshot(&a, 0), snapshot(&a, 1), snapshot(&a, 2));
    assert_eq!(
        (middle.prev_id.as_str(), last.prev_id.as_str()),
        (first.id.as_str(), middle.id.as_str())
    );
    assert!(middle.schema.tables["public.accounts"].indexes.is_empty());
    assert_eq!(middle.schema.tables["public.accounts"].columns.len(), 3);
    assert_eq!(last.schema.tables["public.accounts"].indexes.len(), 1);
    // Three migrations, each with its down and its snapshot, and the journal.
    assert_eq!(a.files().len(), 10);
    for file in a.files() {
        assert_eq!(a.read(&file), b.read(&file), "{file}");
    }
    // The next migration takes the second after the no-transaction file.
    a.schema(&indexed.replace("pub age: Option<i32>,", ""));
    assert_eq!(a.run(T0, &[]).code, 0);
    assert_eq!(a.journal().entries[3].tag.get(..14), Some("20240101000003"));
}
