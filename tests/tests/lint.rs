//! Lint on real diffs: each code fires on the change it is about, and stays quiet where the
//! change is safe (a NOT NULL column with a default; constraints and indexes on a table created
//! in the same migration); and `generate` writes the findings at the top of each file.

use migrate_cli::{run_with, Context};
use schema_core::diff::{diff, hinted_renames};
use schema_core::lint::{self, Severity};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};
use tests::source::schema;
use Severity::{Error, Warning};

/// (code, severity, object) of each finding from `before` to `after`, with the declared renames.
fn check(before: &str, after: &str) -> Vec<(&'static str, Severity, String)> {
    let (old, new) = (schema(before), schema(after));
    let changes = diff(&old, &new, &hinted_renames(&old, &new));
    lint::lint(&old, &new, &changes)
        .into_iter()
        .map(|f| (f.code, f.severity, f.object))
        .collect()
}

fn expect(before: &str, after: &str, expected: &[(&'static str, Severity, &str)]) {
    let expected: Vec<(&str, Severity, String)> = expected
        .iter()
        .map(|(c, s, o)| (*c, *s, o.to_string()))
        .collect();
    assert_eq!(
        check(before, after),
        expected,
        "\nbefore: {before}\nafter: {after}"
    );
}

const T: &str = r#"
#[derive(Table)] #[table(name = "t")]
struct T { #[column(primary_key)] id: i64, a: i32 }
"#;

const T_AND_U: &str = r#"
#[derive(Table)] #[table(name = "u")]
struct U { #[column(primary_key)] id: i64 }
#[derive(Table)] #[table(name = "t")]
struct T { #[column(primary_key)] id: i64, a: i32 }
"#;

#[test]
fn drops() {
    expect(T_AND_U, T, &[("drop-table", Error, "public.u")]);
    expect(
        T,
        r#"#[derive(Table)] #[table(name = "t")] struct T { #[column(primary_key)] id: i64 }"#,
        &[("drop-column", Error, "public.t.a")],
    );
    let audit = r#"
        #[derive(Table)] #[table(name = "events", schema = "audit")]
        struct E { #[column(primary_key)] id: i64 }
    "#;
    let both = format!("{T}{audit}");
    let found = check(&both, T);
    assert!(
        found.contains(&("drop-schema", Error, "audit".to_string())),
        "{found:?}"
    );
    assert!(
        found.contains(&("drop-table", Error, "audit.events".to_string())),
        "{found:?}"
    );
}

#[test]
fn enum_values() {
    let with = |values: &str| {
        format!(
            r#"#[derive(DbEnum)] enum State {{ {values} }}
            #[derive(Table)] #[table(name = "t")]
            struct T {{ #[column(primary_key)] id: i64, s: State }}"#
        )
    };
    expect(
        &with("Open, Stale, Closed"),
        &with("Open, Closed"),
        &[("drop-enum-value", Error, "public.state")],
    );
    // Added or reordered values lose nothing.
    expect(&with("Open, Closed"), &with("Draft, Open, Closed"), &[]);
    expect(&with("Open, Closed"), &with("Closed, Open"), &[]);
}

#[test]
fn added_columns() {
    let add = |field: &str| {
        format!(
            r#"#[derive(Table)] #[table(name = "t")]
            struct T {{ #[column(primary_key)] id: i64, a: i32, {field} }}"#
        )
    };
    expect(
        T,
        &add("b: String"),
        &[("add-not-null-without-default", Error, "public.t.b")],
    );
    expect(T, &add(r#"#[column(default = "x")] b: String"#), &[]);
    expect(
        T,
        &add(r#"#[column(default_sql = "now()")] b: String"#),
        &[],
    );
    expect(T, &add("b: Option<String>"), &[]);
    expect(T, &add("#[column(identity)] b: i64"), &[]);
}

#[test]
fn altered_columns() {
    let a = |ty: &str| {
        format!(
            r#"#[derive(Table)] #[table(name = "t")]
            struct T {{ #[column(primary_key)] id: i64, a: {ty} }}"#
        )
    };
    expect(
        &a("Option<i32>"),
        T,
        &[("set-not-null", Warning, "public.t.a")],
    );
    expect(T, &a("i64"), &[("type-change", Warning, "public.t.a")]);
    expect(T, &a("Option<i32>"), &[]);
}

#[test]
fn renames() {
    expect(
        T,
        r#"#[derive(Table)] #[table(name = "v", renamed_from = "t")]
        struct T { #[column(primary_key)] id: i64, a: i32 }"#,
        &[("rename-table", Warning, "public.v")],
    );
    expect(
        T,
        r#"#[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(renamed_from = "a")] b: i32 }"#,
        &[("rename-column", Warning, "public.t.b")],
    );
}

#[test]
fn constraints_on_an_existing_table() {
    let t = |attrs: &str, field: &str| {
        format!(
            r#"#[derive(Table)] #[table(name = "u")]
            struct U {{ #[column(primary_key)] id: i64 }}
            #[derive(Table)] #[table(name = "t")] {attrs}
            struct T {{ #[column(primary_key)] id: i64, {field} }}"#
        )
    };
    expect(
        T_AND_U,
        &t("", "#[column(unique)] a: i32"),
        &[("add-unique", Warning, "public.t")],
    );
    expect(
        T_AND_U,
        &t("#[index(columns(a), unique)]", "a: i32"),
        &[
            ("add-unique", Warning, "public.t"),
            ("index-without-concurrently", Warning, "public.t"),
        ],
    );
    expect(
        T_AND_U,
        &t("#[index(columns(a))]", "a: i32"),
        &[("index-without-concurrently", Warning, "public.t")],
    );
    expect(
        T_AND_U,
        &t("#[index(columns(a), concurrently)]", "a: i32"),
        &[],
    );
    expect(
        T_AND_U,
        &t("", "#[column(references = U::id)] a: i64"),
        &[
            ("type-change", Warning, "public.t.a"),
            ("add-foreign-key", Warning, "public.t"),
        ],
    );
    expect(
        T_AND_U,
        &t(r#"#[check(name = "t_a_check", expr = "a > 0")]"#, "a: i32"),
        &[("add-check", Warning, "public.t")],
    );
}

#[test]
fn nothing_on_a_table_created_in_the_same_migration() {
    let u = r#"#[derive(Table)] #[table(name = "u")] struct U { #[column(primary_key)] id: i64 }"#;
    let created = r#"
        #[derive(Table)] #[table(name = "u")] struct U { #[column(primary_key)] id: i64 }
        #[derive(Table)] #[table(name = "t")]
        #[index(columns(a))] #[index(columns(c), unique)] #[index(columns(b), concurrently)]
        #[check(name = "t_a_check", expr = "a > 0")]
        struct T {
            #[column(primary_key)] id: i64,
            #[column(unique)] a: i32,
            #[column(references = U::id)] b: i64,
            c: String,
        }
    "#;
    expect(u, created, &[]);
}

const CONFIG: &str = "dialect = \"postgres\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

/// 2026-11-18 11:06:40 UTC.
const NOW: u64 = 1_795_000_000;

/// Runs `migrate-cli generate` in `dir` at `now`, without a terminal: (exit code, stdout).
fn generate(dir: &Path, now: u64) -> (u8, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut ctx = Context {
        cwd: dir.to_path_buf(),
        now: UNIX_EPOCH + Duration::from_secs(now),
        stdout: &mut out,
        stderr: &mut err,
        prompt: None,
    };
    let code = run_with(["migrate-cli", "generate"], &mut ctx);
    drop(ctx);
    let stderr = String::from_utf8_lossy(&err);
    assert_eq!(stderr, "", "generate wrote to stderr");
    (code, String::from_utf8_lossy(&out).into_owned())
}

fn set_schema(dir: &Path, src: &str) {
    let text = format!("use schema_macros::Table;\n{src}");
    fs::write(dir.join("src/schema/tables.rs"), text).expect("schema file");
}

/// The migration SQL files, oldest first.
fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join("migrations"))
        .expect("migrations folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

#[test]
fn generate_writes_findings_at_the_top_of_each_file_and_prints_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("src/schema")).expect("schema dir");
    fs::write(dir.path().join("migrate.toml"), CONFIG).expect("config");
    set_schema(
        dir.path(),
        r#"#[derive(Table)] #[table(name = "accounts")]
        pub struct Account { #[column(primary_key, identity)] pub id: i64, pub email: String }"#,
    );
    let (code, first) = generate(dir.path(), NOW);
    assert_eq!(code, 0, "{first}");
    assert!(
        !first.contains("lint:"),
        "a new table has no findings:\n{first}"
    );
    let created = fs::read_to_string(&sql_files(dir.path())[0]).expect("first file");
    assert!(created.starts_with("CREATE TABLE"), "{created}");

    set_schema(
        dir.path(),
        r#"#[derive(Table)] #[table(name = "accounts")]
        #[index(columns(email), unique, concurrently)]
        pub struct Account {
            #[column(primary_key, identity)] pub id: i64,
            pub email: String,
            pub name: String,
        }"#,
    );
    let (code, stdout) = generate(dir.path(), NOW + 10);
    assert_eq!(code, 0, "{stdout}");
    let files = sql_files(dir.path());
    assert_eq!(files.len(), 3, "{files:?}");
    let main = fs::read_to_string(&files[1]).expect("main file");
    let lines: Vec<&str> = main.lines().collect();
    assert!(
        lines[0].starts_with(
            "-- lint: error add-not-null-without-default public.accounts.name: adding NOT NULL column"
        ),
        "{main}"
    );
    assert!(lines[1].starts_with("ALTER TABLE"), "{main}");
    let concurrent = fs::read_to_string(&files[2]).expect("no-transaction file");
    let lines: Vec<&str> = concurrent.lines().collect();
    assert_eq!(lines[0], "-- no-transaction", "{concurrent}");
    assert!(
        lines[1].starts_with("-- lint: warning add-unique public.accounts: "),
        "{concurrent}"
    );
    assert!(
        lines[2].starts_with("CREATE UNIQUE INDEX CONCURRENTLY"),
        "{concurrent}"
    );

    let printed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("lint: ")).collect();
    assert_eq!(printed.len(), 2, "{stdout}");
    assert!(
        printed[0].starts_with("lint: error add-not-null-without-default public.accounts.name: ")
    );
    assert!(printed[1].starts_with("lint: warning add-unique public.accounts: "));
    assert!(
        stdout.contains("\n  suggestion: expand / backfill / contract"),
        "{stdout}"
    );

    // The comments are what the acknowledgement reads past: none of them acknowledges anything.
    assert!(lint::allowed(&main).is_empty());
}
