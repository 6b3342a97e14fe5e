//! `check` on SQLite and MySQL folders: the findings it reads back from a pending migration's
//! `-- lint:` lines carry the suggestions `generate` gave for that dialect (a table rebuild on
//! SQLite, a table copy on MySQL), not PostgreSQL's `CONCURRENTLY` / `NOT VALID` steps.
//!
//! The folders need no server; one MySQL test also checks with `--url` (`MYSQL_URL`), where
//! the row counts join the messages and the suggestions stay the dialect's.

use std::fs;
use tests::mysql::TestDb;
use tests::project::{Project, Run, NOW};

const SQLITE_V1: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
}
#[derive(Table)]
#[table(name = "t")]
pub struct T {
    #[column(primary_key)]
    pub id: i64,
    pub a: String,
    pub b: Option<String>,
    pub c: i64,
    pub account_id: i64,
}
"#;

/// A type change, NOT NULL, a unique constraint, a foreign key and a check on `t`.
const SQLITE_V2: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
}
#[derive(Table)]
#[table(name = "t")]
#[check(name = "t_c_check", expr = "c > 0")]
pub struct T {
    #[column(primary_key)]
    pub id: i64,
    pub a: i64,
    pub b: String,
    #[column(unique)]
    pub c: i64,
    #[column(references = Account::id)]
    pub account_id: i64,
}
"#;

const MYSQL_V1: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
}
#[derive(Table)]
#[table(name = "t")]
pub struct T {
    #[column(primary_key, identity)]
    pub id: i64,
    pub a: i32,
    pub b: Option<String>,
    pub account_id: i64,
}
"#;

/// NOT NULL, a NOT NULL column without a default, a foreign key and a check on `t`.
const MYSQL_V2: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
}
#[derive(Table)]
#[table(name = "t")]
#[check(name = "t_a_check", expr = "a > 0")]
pub struct T {
    #[column(primary_key, identity)]
    pub id: i64,
    pub a: i32,
    pub b: String,
    pub n: i32,
    #[column(references = Account::id)]
    pub account_id: i64,
}
"#;

/// A project for `dialect` whose schema file holds `schema`.
fn project(dialect: &str, schema: &str) -> Project {
    let p = Project::new(schema);
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    p
}

fn text(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// `generate` at `now`, which must succeed.
fn generate(p: &Project, now: u64) -> Run {
    let run = p.run(&["generate"], now);
    assert_eq!(run.code, 0, "generate failed:\n{}", text(&run));
    run
}

/// Each finding `generate` printed, as (`severity code object: message`, suggestion).
fn generated(run: &Run) -> Vec<(String, String)> {
    let lines: Vec<&str> = run.stdout.lines().collect();
    lines
        .windows(2)
        .filter_map(|pair| {
            let finding = pair[0].strip_prefix("lint: ")?;
            let suggestion = pair[1].strip_prefix("  suggestion: ")?;
            Some((finding.to_string(), suggestion.to_string()))
        })
        .collect()
}

/// Each finding of `check --format json`, in the same shape as [`generated`].
fn checked(run: &Run) -> Vec<(String, String)> {
    let json = run.json();
    let findings = json["findings"].as_array().expect("findings array");
    findings
        .iter()
        .map(|f| {
            let field = |key: &str| f[key].as_str().expect("a string field").to_string();
            let finding = format!(
                "{} {} {}: {}",
                field("severity"),
                field("code"),
                field("object"),
                field("message")
            );
            (finding, field("suggestion"))
        })
        .collect()
}

/// The suggestion of the one finding with `code` among `findings`.
fn suggestion<'a>(findings: &'a [(String, String)], code: &str) -> &'a str {
    let found: Vec<&str> = findings
        .iter()
        .filter(|(f, _)| f.split(' ').nth(1) == Some(code))
        .map(|(_, s)| s.as_str())
        .collect();
    assert_eq!(found.len(), 1, "one {code} finding in {findings:#?}");
    found[0]
}

fn assert_no_postgresql_steps(findings: &[(String, String)]) {
    for (finding, suggestion) in findings {
        for step in ["PostgreSQL", "CONCURRENTLY", "NOT VALID", "USING INDEX"] {
            assert!(
                !suggestion.contains(step),
                "{finding}: suggestion {suggestion:?} has {step}"
            );
        }
    }
}

/// `check --format json` gives the findings `generate` printed for the pending migration, each
/// with the same suggestion.
fn assert_check_suggests_what_generate_did(p: &Project, run: &Run) -> Vec<(String, String)> {
    let printed = generated(run);
    assert!(
        !printed.is_empty(),
        "generate printed no finding:\n{}",
        text(run)
    );
    let check = p.run(&["check", "--format", "json"], NOW + 10_000);
    assert!(check.code <= 1, "{}", text(&check));
    assert_eq!(checked(&check), printed, "{}", text(&check));
    assert_no_postgresql_steps(&printed);
    printed
}

#[test]
fn sqlite_check_suggests_what_generate_did_for_a_rebuild() {
    let p = project("sqlite", SQLITE_V1);
    generate(&p, NOW);
    p.set_schema(SQLITE_V2);
    let run = generate(&p, NOW + 100);
    let findings = assert_check_suggests_what_generate_did(&p, &run);
    assert_eq!(
        suggestion(&findings, "type-change"),
        "SQLite keeps a value it cannot convert to the new type as it is: \
         convert the values first if the code relies on the type"
    );
    assert_eq!(
        suggestion(&findings, "set-not-null"),
        "backfill the NULLs first, or give the column a default (the rebuild fills the NULLs with it)"
    );
    assert_eq!(
        suggestion(&findings, "add-unique"),
        "remove the duplicates first"
    );
    assert_eq!(
        suggestion(&findings, "add-foreign-key"),
        "fix orphan rows first: the rebuild checks every reference before it commits"
    );
    assert_eq!(
        suggestion(&findings, "add-check"),
        "fix violating rows first"
    );

    // The text output prints the same suggestions.
    let check = p.run(&["check"], NOW + 10_000);
    for (_, s) in &findings {
        assert!(
            check.stdout.contains(&format!("  suggestion: {s}\n")),
            "{s:?} not in:\n{}",
            check.stdout
        );
    }
}

#[test]
fn mysql_check_suggests_what_generate_did_for_a_copy() {
    let p = project("mysql", MYSQL_V1);
    generate(&p, NOW);
    p.set_schema(MYSQL_V2);
    let run = generate(&p, NOW + 100);
    let findings = assert_check_suggests_what_generate_did(&p, &run);
    assert_eq!(
        suggestion(&findings, "set-not-null"),
        "backfill the NULLs first, or give the column a default (its NULLs are set to it first)"
    );
    assert_eq!(
        suggestion(&findings, "add-not-null-without-default"),
        "give the column a default, or add it nullable, backfill it, then set NOT NULL in a later migration"
    );
    assert_eq!(
        suggestion(&findings, "add-foreign-key"),
        "fix orphan rows first; on a large table check them yourself and add the key with \
         foreign_key_checks=0 (ALGORITHM=INPLACE) in a --custom migration"
    );
    assert_eq!(
        suggestion(&findings, "add-check"),
        "fix violating rows first"
    );
}

#[test]
fn mysql_check_url_keeps_the_dialects_suggestions_with_row_counts() {
    let p = project("mysql", MYSQL_V1);
    generate(&p, NOW);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(TestDb::create("check_dialect_suggestions")) else {
        return;
    };
    let run = p.run(&["migrate", "--url", &db.url], NOW + 5);
    assert_eq!(run.code, 0, "{}", text(&run));
    rt.block_on(db.execute(
        "INSERT INTO `accounts` () VALUES (); INSERT INTO `t` (`a`, `account_id`) VALUES (1, 1);",
    ))
    .expect("rows");
    p.set_schema(MYSQL_V2);
    let printed = generated(&generate(&p, NOW + 100));

    let check = p.run(
        &["check", "--url", &db.url, "--format", "json"],
        NOW + 10_000,
    );
    assert!(check.code <= 1, "{}", text(&check));
    let found = checked(&check);
    let suggestions = |f: &[(String, String)]| f.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>();
    assert_eq!(
        suggestions(&found),
        suggestions(&printed),
        "{}",
        text(&check)
    );
    let (set_not_null, _) = found
        .iter()
        .find(|(f, _)| f.contains(" set-not-null "))
        .expect("a set-not-null finding");
    assert!(set_not_null.contains("(about "), "{set_not_null}");
    assert_no_postgresql_steps(&found);
}

/// Issue 9, defect 14: on `dialect` (no schemas), what `generate` and `check` print and the
/// `-- lint:` lines they write and read name `t` and `t.b`, never PostgreSQL's `public.t`; the
/// findings read back still match, and `-- lint:allow` still acknowledges one.
fn messages_name_tables_without_a_schema(dialect: &str, v1: &str, v2: &str) {
    let p = project(dialect, v1);
    generate(&p, NOW);
    p.set_schema(v2);
    let run = generate(&p, NOW + 100);
    assert!(!text(&run).contains("public"), "{}", text(&run));
    assert!(
        run.stdout.contains("~ column t.b: set not null\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("lint: warning set-not-null t.b: setting t.b NOT NULL"),
        "{}",
        run.stdout
    );
    let tag = p.journal().entries.last().expect("an entry").tag.clone();
    let file = p.migrations().join(format!("{tag}.sql"));
    let sql = fs::read_to_string(&file).expect("sql");
    assert!(
        sql.contains("-- lint: warning set-not-null t.b: setting t.b NOT NULL"),
        "{sql}"
    );
    assert!(!sql.contains("public"), "{sql}");

    // check reads the lines back as generate printed them; an acknowledged one is gone.
    let findings = assert_check_suggests_what_generate_did(&p, &run);
    assert!(
        findings.iter().all(|(f, _)| !f.contains("public")),
        "{findings:#?}"
    );
    // Below `-- no-transaction` where the file starts with it (a SQLite rebuild): it must stay
    // the first line.
    let allowed = match sql.strip_prefix("-- no-transaction\n") {
        Some(rest) => format!("-- no-transaction\n-- lint:allow set-not-null\n{rest}"),
        None => format!("-- lint:allow set-not-null\n{sql}"),
    };
    fs::write(&file, allowed).expect("sql");
    let check = p.run(&["check", "--format", "json"], NOW + 10_000);
    let left = checked(&check);
    assert_eq!(left.len(), findings.len() - 1, "{}", text(&check));
    assert!(
        left.iter().all(|(f, _)| !f.contains(" set-not-null ")),
        "{left:#?}"
    );

    // A source change not yet generated is named as generate would name it.
    p.set_schema(&v2.replace(
        "pub b: String,",
        "pub b: String,\n    pub extra: Option<String>,",
    ));
    let check = p.run(&["check"], NOW + 10_000);
    assert!(
        check.stdout.contains("+ column t.extra: "),
        "{}",
        text(&check)
    );
    assert!(!text(&check).contains("public"), "{}", text(&check));

    // A type the derive refuses is refused in words that fit every dialect.
    p.set_schema(&v2.replace("pub b: String,", "pub b: String,\n    pub logins: u32,"));
    let run = p.run(&["generate"], NOW + 200);
    assert_eq!(run.code, 1, "{}", text(&run));
    assert!(
        run.stderr.contains(
            "unsupported column type `u32`: unsigned integers have no column type that every database shares; use i64"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("PostgreSQL"), "{}", run.stderr);
}

#[test]
fn sqlite_messages_name_tables_without_a_schema() {
    messages_name_tables_without_a_schema("sqlite", SQLITE_V1, SQLITE_V2);
}

#[test]
fn mysql_messages_name_tables_without_a_schema() {
    messages_name_tables_without_a_schema("mysql", MYSQL_V1, MYSQL_V2);
}

/// Issue 9, defect 14: the schema errors found before the dialect adapts the schema name the
/// table or enum as written, without the default schema SQLite and MySQL do not have.
#[test]
fn sqlite_and_mysql_schema_errors_name_no_default_schema() {
    let twice = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] pub enum A { X }
#[derive(DbEnum)] #[db_enum(name = "state")] pub enum B { Y }
#[derive(Table)] #[table(name = "t")] pub struct T { #[column(primary_key)] pub id: i64 }
#[derive(Table)] #[table(name = "t")] pub struct U { #[column(primary_key)] pub id: i64 }
"#;
    for dialect in ["sqlite", "mysql"] {
        let p = project(dialect, twice);
        let run = p.run(&["generate"], NOW);
        assert_eq!(run.code, 1, "{}", text(&run));
        for needle in [
            "enum type state is declared twice",
            "table t is declared twice",
        ] {
            assert!(
                run.stderr.contains(needle),
                "{dialect}: {needle}: {}",
                run.stderr
            );
        }
        assert!(!run.stderr.contains("public"), "{dialect}: {}", run.stderr);
    }
}
