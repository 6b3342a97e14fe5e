//! `migrate-cli check` on real migrations folders written by `generate`: each failure with its
//! exit code, the JSON shape, and (with PostgreSQL) tampered applied files and drift.

use schema_core::lint::{self, Finding, Severity};
use std::fs;
use std::path::PathBuf;
use tests::pg::TestDb;
use tests::project::{copy_dir, Project, Run, NOW};

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
}
"#;

const COMMENTS: &str = r#"
#[derive(Table)]
#[table(name = "comments")]
pub struct Comment {
    #[column(primary_key, identity)]
    pub id: i64,
    pub body: String,
}
"#;

const LABELS: &str = r#"
#[derive(Table)]
#[table(name = "labels")]
pub struct Label {
    #[column(primary_key, identity)]
    pub id: i64,
    pub name: String,
}
"#;

const ACCOUNTS_NICKNAME: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
    #[column(index)]
    pub nickname: Option<String>,
}
"#;

const ACCOUNTS_CONCURRENT_INDEX: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[index(columns(email, id), concurrently)]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
    pub bio: Option<String>,
}
"#;

const ACCOUNTS_BIO: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
    pub bio: Option<String>,
}
"#;

/// The problems of one kind in a `--format json` run.
trait Problems {
    fn problems(&self, kind: &str) -> Vec<String>;
}

impl Problems for Run {
    fn problems(&self, kind: &str) -> Vec<String> {
        let json = self.json();
        json["problems"]
            .as_array()
            .expect("problems array")
            .iter()
            .filter(|p| p["kind"] == kind)
            .map(|p| p["message"].as_str().expect("message").to_string())
            .collect()
    }
}

/// What these tests do with a project beyond [`Project`].
trait CheckProject {
    fn generate(&self, schema: &str, now: u64) -> String;
    fn check(&self, args: &[&str]) -> Run;
    fn tags(&self) -> Vec<String>;
    fn sql(&self, tag: &str) -> PathBuf;
    fn snapshot(&self, tag: &str) -> PathBuf;
}

impl CheckProject for Project {
    /// `generate` with `schema` at `now`, which must write a migration; gives its tag.
    fn generate(&self, schema: &str, now: u64) -> String {
        self.set_schema(schema);
        let run = self.run(&["generate"], now);
        assert_eq!(
            run.code, 0,
            "generate failed:\n{}\n{}",
            run.stdout, run.stderr
        );
        self.tags().pop().expect("a migration")
    }

    fn check(&self, args: &[&str]) -> Run {
        let mut all = vec!["check"];
        all.extend(args);
        self.run(&all, NOW + 10_000)
    }

    fn tags(&self) -> Vec<String> {
        self.journal().entries.into_iter().map(|e| e.tag).collect()
    }

    fn sql(&self, tag: &str) -> PathBuf {
        self.migrations().join(format!("{tag}.sql"))
    }

    fn snapshot(&self, tag: &str) -> PathBuf {
        self.migrations()
            .join(format!("meta/{}_snapshot.json", &tag[..14]))
    }
}

fn assert_fails(run: &Run, needles: &[&str]) {
    assert_eq!(
        run.code, 1,
        "expected exit 1:\n{}\n{}",
        run.stdout, run.stderr
    );
    for needle in needles {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stdout
        );
    }
}

#[test]
fn a_lint_comment_reads_back_as_the_finding_it_was_written_from() {
    for (code, severity) in [
        (lint::DROP_TABLE, Severity::Error),
        (lint::INDEX_WITHOUT_CONCURRENTLY, Severity::Warning),
    ] {
        let finding = Finding {
            code,
            severity,
            object: "public.comments".into(),
            message: "something: can go wrong".into(),
            suggestion: lint::suggestion_for(code).into(),
        };
        assert_eq!(lint::parse_comment(&finding.comment()), Some(finding));
    }
    assert_eq!(lint::parse_comment("-- lint:allow drop-table"), None);
    assert_eq!(
        lint::parse_comment("-- lint: error no-such-code public.x: m"),
        None
    );
}

#[test]
fn a_generated_folder_matching_its_source_passes() {
    let p = Project::new(ACCOUNTS);
    p.generate(ACCOUNTS, NOW);
    p.generate(&format!("{ACCOUNTS}{COMMENTS}"), NOW + 100);
    // A concurrent index goes to a -- no-transaction file of its own, with its own snapshot.
    p.generate(&format!("{ACCOUNTS_CONCURRENT_INDEX}{COMMENTS}"), NOW + 200);
    assert_eq!(p.tags().len(), 4, "{:?}", p.tags());
    let run = p.check(&[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("check passed: 4 migration(s)"),
        "{}",
        run.stdout
    );
    let json = p.check(&["--format", "json"]);
    assert_eq!(json.code, 0);
    assert_eq!(
        json.json(),
        serde_json::json!({"findings": [], "problems": []})
    );
}

#[test]
fn an_unacknowledged_lint_error_fails_until_allowed() {
    let p = Project::new(ACCOUNTS);
    p.generate(&format!("{ACCOUNTS}{COMMENTS}"), NOW);
    let tag = p.generate(ACCOUNTS, NOW + 100);
    let run = p.check(&[]);
    assert_fails(
        &run,
        &[
            &tag,
            "error drop-table public.comments: dropping table public.comments",
            "suggestion: expand / contract",
        ],
    );
    assert!(run.stderr.contains("check failed"), "{}", run.stderr);

    let json = p.check(&["--format", "json"]);
    assert_eq!(json.code, 1);
    let findings = json.json()["findings"].clone();
    // The up's drop, and its down's: the table comes back without its rows.
    assert_eq!(findings.as_array().map(Vec::len), Some(2), "{findings}");
    assert_eq!(findings[1]["code"], "irreversible", "{findings}");
    // Named by its down file, the migration's tag beside it.
    assert_eq!(findings[1]["migration"], tag.as_str(), "{findings}");
    assert_eq!(
        findings[1]["file"],
        format!("migrations/{tag}.down.sql"),
        "{findings}"
    );
    let f = &findings[0];
    let keys: Vec<&str> = f
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 7, "{f}");
    for key in [
        "code",
        "line",
        "severity",
        "migration",
        "object",
        "message",
        "suggestion",
    ] {
        assert!(f.get(key).is_some(), "no {key} in {f}");
    }
    assert_eq!(f["code"], "drop-table");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["migration"], tag.as_str());
    assert_eq!(f["object"], "public.comments");
    assert_eq!(f["suggestion"], lint::suggestion_for(lint::DROP_TABLE));
    assert!(
        f["suggestion"]
            .as_str()
            .is_some_and(|s| s.contains("expand / contract")),
        "{f}"
    );
    assert_eq!(json.json()["problems"], serde_json::json!([]));

    let sql = fs::read_to_string(p.sql(&tag)).expect("sql");
    fs::write(p.sql(&tag), format!("-- lint:allow drop-table\n{sql}")).expect("write");
    let run = p.check(&[]);
    assert_fails(
        &run,
        &[
            &format!("migrations/{tag}.down.sql"),
            "error irreversible public.comments",
        ],
    );
    let down = p.migrations().join(format!("{tag}.down.sql"));
    let sql = fs::read_to_string(&down).expect("down");
    fs::write(&down, format!("-- lint:allow irreversible\n{sql}")).expect("write");
    let run = p.check(&[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn warnings_are_listed_and_fail_only_with_deny_warnings() {
    let p = Project::new(ACCOUNTS);
    p.generate(ACCOUNTS, NOW);
    let tag = p.generate(ACCOUNTS_NICKNAME, NOW + 100);
    let run = p.check(&[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("warning index-without-concurrently"),
        "{}",
        run.stdout
    );
    let run = p.check(&["--deny", "warnings"]);
    assert_fails(
        &run,
        &[&tag, "warning index-without-concurrently public.accounts"],
    );
    let json = p.check(&["--deny", "warnings", "--format", "json"]);
    assert_eq!(json.code, 1);
    assert_eq!(json.json()["findings"][0]["severity"], "warning");
}

#[test]
fn a_source_changed_without_generate_fails_naming_table_and_column() {
    let p = Project::new(ACCOUNTS);
    p.generate(ACCOUNTS, NOW);
    p.set_schema(&format!("{ACCOUNTS_BIO}{LABELS}"));
    let run = p.check(&[]);
    assert_fails(
        &run,
        &[
            "source-changed",
            "public.accounts.bio",
            "public.labels",
            "run generate",
        ],
    );
    let json = p.check(&["--format", "json"]);
    assert_eq!(json.problems("source-changed").len(), 2, "{}", json.stdout);
}

#[test]
fn a_missing_file_or_snapshot_and_stray_files_fail() {
    let p = Project::new(ACCOUNTS);
    let first = p.generate(ACCOUNTS, NOW);
    let second = p.generate(&format!("{ACCOUNTS}{COMMENTS}"), NOW + 100);
    fs::remove_file(p.sql(&second)).expect("rm sql");
    let run = p.check(&["--format", "json"]);
    assert_eq!(run.code, 1);
    let missing = run.problems("missing-file");
    assert!(
        missing.len() == 1 && missing[0].contains(&second),
        "{missing:?}"
    );

    fs::write(p.sql(&second), "SELECT 1;\n").expect("restore");
    fs::rename(
        p.snapshot(&first),
        p.migrations().join("meta/19990101000000_snapshot.json"),
    )
    .expect("move snapshot");
    fs::write(
        p.migrations().join("19990101000000_orphan.sql"),
        "SELECT 1;\n",
    )
    .expect("stray");
    let run = p.check(&["--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.problems("missing-snapshot")[0].contains(&first),
        "{}",
        run.stdout
    );
    assert!(
        run.problems("stray-file")[0].contains("19990101000000_orphan.sql"),
        "{}",
        run.stdout
    );
    assert!(
        run.problems("stray-snapshot")[0].contains("19990101000000_snapshot.json"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_corrupt_journal_or_snapshot_is_named_with_its_position() {
    let p = Project::new(ACCOUNTS);
    let tag = p.generate(ACCOUNTS, NOW);
    let snapshot = p.snapshot(&tag);
    let text = fs::read_to_string(&snapshot).expect("snapshot");
    fs::write(&snapshot, text.replacen("\"tables\"", "\"tables\" oops", 1)).expect("corrupt");
    let run = p.check(&[]);
    assert_fails(
        &run,
        &[
            "corrupt",
            &format!("{}_snapshot.json", &tag[..14]),
            "line ",
            "column ",
        ],
    );

    fs::write(
        p.migrations().join("meta/_journal.json"),
        "{\n  \"version\": \"7\",\n  oops\n}\n",
    )
    .expect("corrupt journal");
    let run = p.check(&[]);
    assert_fails(&run, &["corrupt", "_journal.json", "line 3, column 3"]);
}

#[test]
fn a_snapshot_chain_with_a_hole_fails() {
    let p = Project::new(ACCOUNTS);
    p.generate(ACCOUNTS, NOW);
    let middle = p.generate(&format!("{ACCOUNTS}{COMMENTS}"), NOW + 100);
    let last = p.generate(&format!("{ACCOUNTS}{COMMENTS}{LABELS}"), NOW + 200);
    // The middle migration is deleted by hand, journal entry and all.
    fs::remove_file(p.sql(&middle)).expect("rm sql");
    fs::remove_file(p.snapshot(&middle)).expect("rm snapshot");
    let mut journal = p.journal();
    journal.entries.retain(|e| e.tag != middle);
    fs::write(p.migrations().join("meta/_journal.json"), journal.to_json()).expect("journal");
    let run = p.check(&["--format", "json"]);
    assert_eq!(run.code, 1);
    let broken = run.problems("broken-chain");
    assert!(
        broken.len() == 1 && broken[0].contains(&last[..14]),
        "{}",
        run.stdout
    );
}

/// Two branches generated a migration each on top of `base`; the second branch's migration is
/// merged into the first's folder. Gives the two tags.
fn forked(first_schema: &str, second_schema: &str) -> (Project, String, String) {
    forked_in(None, first_schema, second_schema)
}

/// [`forked`] with the config `config` instead of the default one.
fn forked_in(
    config: Option<&str>,
    first_schema: &str,
    second_schema: &str,
) -> (Project, String, String) {
    let project = || {
        let p = Project::new(ACCOUNTS);
        if let Some(config) = config {
            fs::write(p.path().join("migrate.toml"), config).expect("config");
        }
        p
    };
    let p = project();
    p.generate(ACCOUNTS, NOW);
    let q = project();
    copy_dir(&p.migrations(), &q.migrations());
    let a = p.generate(first_schema, NOW + 100);
    let b = q.generate(second_schema, NOW + 200);
    fs::copy(q.sql(&b), p.sql(&b)).expect("merge sql");
    fs::copy(q.snapshot(&b), p.snapshot(&b)).expect("merge snapshot");
    let mut journal = p.journal();
    let when = q.journal().entries.last().expect("entry").when;
    journal.push(&b, when);
    fs::write(p.migrations().join("meta/_journal.json"), journal.to_json()).expect("journal");
    (p, a, b)
}

#[test]
fn a_forked_history_names_both_migrations_and_says_they_touch_different_objects() {
    let (p, a, b) = forked(
        &format!("{ACCOUNTS}{COMMENTS}"),
        &format!("{ACCOUNTS}{LABELS}"),
    );
    let run = p.check(&["--format", "json"]);
    assert_eq!(run.code, 1);
    let forks = run.problems("forked-history");
    assert_eq!(forks.len(), 1, "{}", run.stdout);
    assert!(
        forks[0].contains(&a) && forks[0].contains(&b),
        "{}",
        forks[0]
    );
    assert!(forks[0].contains("different objects"), "{}", forks[0]);
    assert!(
        forks[0].contains("regenerating the later one"),
        "{}",
        forks[0]
    );
    assert!(run.problems("broken-chain").is_empty(), "{}", run.stdout);
}

#[test]
fn a_forked_history_on_the_same_table_says_so() {
    let (p, a, b) = forked(ACCOUNTS_NICKNAME, ACCOUNTS_BIO);
    let run = p.check(&[]);
    assert_fails(
        &run,
        &[
            "forked-history",
            &a,
            &b,
            "the same objects (public.accounts)",
        ],
    );
}

/// Issue 9, defect 14: SQLite has no schemas, and the fork names `accounts`.
#[test]
fn a_forked_sqlite_history_names_the_table_without_a_schema() {
    let config = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";
    let (p, _, _) = forked_in(Some(config), ACCOUNTS_NICKNAME, ACCOUNTS_BIO);
    let run = p.check(&[]);
    assert_fails(&run, &["forked-history", "the same objects (accounts)"]);
    assert!(!run.stdout.contains("public"), "{}", run.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let p = Project::new(ACCOUNTS);
    p.generate(ACCOUNTS, NOW);
    assert_eq!(p.check(&["--deny", "errors"]).code, 2);
    assert_eq!(p.check(&["--bogus"]).code, 2);
    assert_eq!(p.check(&["--format", "yaml"]).code, 2);
    let run = p.check(&["--config", "nowhere/migrate.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// A database with the project's migrations applied by `migrate`, or `None` without a server.
fn migrated(p: &Project, label: &str) -> Option<(tokio::runtime::Runtime, TestDb)> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::create(label))?;
    // Applied as they are: this project's lint errors are what `check` must not hold against it.
    let run = p.run(
        &["migrate", "--url", &db.url, "--allow-lint-errors"],
        NOW + 1000,
    );
    assert_eq!(
        run.code, 0,
        "migrate failed:\n{}\n{}",
        run.stdout, run.stderr
    );
    Some((rt, db))
}

#[test]
fn pg_applied_migrations_are_not_linted_and_a_clean_database_passes() {
    let p = Project::new(ACCOUNTS);
    p.generate(&format!("{ACCOUNTS}{COMMENTS}"), NOW);
    p.generate(ACCOUNTS, NOW + 100);
    let Some((_rt, db)) = migrated(&p, "check_clean") else {
        return;
    };
    assert_eq!(
        p.check(&[]).code,
        1,
        "without a url every migration is linted"
    );
    let run = p.check(&["--url", &db.url]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn pg_a_changed_or_vanished_applied_file_fails() {
    let p = Project::new(ACCOUNTS);
    let first = p.generate(ACCOUNTS, NOW);
    let second = p.generate(&format!("{ACCOUNTS}{COMMENTS}"), NOW + 100);
    let Some((_rt, db)) = migrated(&p, "check_tampered") else {
        return;
    };
    let sql = fs::read_to_string(p.sql(&first)).expect("sql");
    fs::write(p.sql(&first), format!("{sql}\n-- edited\n")).expect("edit");
    let run = p.check(&["--url", &db.url, "--format", "json"]);
    assert_eq!(run.code, 1);
    let modified = run.problems("modified");
    assert!(
        modified.len() == 1 && modified[0].contains(&first),
        "{}",
        run.stdout
    );

    fs::write(p.sql(&first), sql).expect("restore");
    fs::remove_file(p.sql(&second)).expect("rm");
    let run = p.check(&["--url", &db.url, "--format", "json"]);
    assert_eq!(run.code, 1);
    let missing = run.problems("missing");
    assert!(
        missing.len() == 1 && missing[0].contains(&second[..14]),
        "{}",
        run.stdout
    );
}

#[test]
fn pg_drift_names_the_objects() {
    let p = Project::new(ACCOUNTS);
    p.generate(&format!("{ACCOUNTS}{COMMENTS}"), NOW);
    let Some((rt, db)) = migrated(&p, "check_drift") else {
        return;
    };
    rt.block_on(
        db.apply("ALTER TABLE comments ADD COLUMN extra integer; CREATE TABLE stray (id int);"),
    )
    .expect("drift");
    let run = p.check(&["--url", &db.url, "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let drift = run.problems("drift").join("\n");
    assert!(drift.contains("public.comments.extra"), "{drift}");
    // A table no snapshot ever declared belongs to another tool: not drift.
    assert!(!drift.contains("public.stray"), "{drift}");
    let text = p.check(&["--url", &db.url]);
    assert_fails(&text, &["drift: ", "public.comments.extra"]);
}
