//! The statement lint held against squawk 2.x on a corpus of hand-written migration files
//! (`tests/fixtures/lint-corpus/`): every statement squawk flagged under one of the rules of
//! [`SQUAWK_TO_OURS`] has a finding of ours, under the corresponding code. squawk's findings
//! were recorded once in `squawk-postgres.json` beside the corpus, with the command in the
//! corpus's README.md. The SQLite and MySQL files say what they expect on their first line
//! (`-- expect: code, code`).

use migrate_cli::config::Dialect;
use migrate_cli::statements::lint::{lint_file, StatementFinding};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// squawk's rule → the codes of ours that answer it (the README's table).
const SQUAWK_TO_OURS: &[(&str, &[&str])] = &[
    ("ban-drop-column", &["drop-column"]),
    ("ban-drop-table", &["drop-table"]),
    ("ban-drop-database", &["drop-database"]),
    ("adding-required-field", &["add-not-null-without-default"]),
    ("adding-not-nullable-field", &["set-not-null"]),
    ("changing-column-type", &["type-change"]),
    (
        "require-concurrent-index-creation",
        &["index-without-concurrently"],
    ),
    (
        "require-concurrent-index-deletion",
        &["drop-index-without-concurrently"],
    ),
    (
        "constraint-missing-not-valid",
        &["add-check", "add-foreign-key", "add-unique", "set-not-null"],
    ),
    ("adding-foreign-key-constraint", &["add-foreign-key"]),
    ("disallowed-unique-constraint", &["add-unique"]),
    ("renaming-column", &["rename-column"]),
    ("renaming-table", &["rename-table"]),
];

fn corpus(dialect: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lint-corpus")
        .join(dialect)
}

fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

fn lint(dialect: Dialect, path: &Path) -> Vec<StatementFinding> {
    let sql = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    lint_file(dialect, &sql)
}

#[test]
fn every_statement_squawk_flags_has_our_finding() {
    let dir = corpus("postgres");
    let files = sql_files(&dir);
    assert!(files.len() >= 40, "the corpus has {} files", files.len());
    let recorded = dir.join("../squawk-postgres.json");
    let text = std::fs::read_to_string(&recorded).expect("squawk's recorded findings");
    let squawk: Vec<serde_json::Value> = serde_json::from_str(&text).expect("squawk's JSON");
    let (mut compared, mut missing) = (0, Vec::new());
    let mut answered = BTreeSet::new();
    for s in &squawk {
        let rule = s["rule_name"].as_str().unwrap_or_default();
        let Some((_, ours)) = SQUAWK_TO_OURS.iter().find(|(r, _)| *r == rule) else {
            continue;
        };
        let file = s["file"].as_str().expect("a file name");
        // squawk's lines count from 0.
        let line = s["line"].as_u64().expect("a line") as usize + 1;
        let found = lint(Dialect::Postgres, &dir.join(file));
        compared += 1;
        match found
            .iter()
            .find(|f| f.line <= line && line <= f.last_line && ours.contains(&f.finding.code))
        {
            Some(f) => {
                answered.insert((file.to_string(), f.line, f.finding.code));
            }
            None => missing.push(format!("{file}:{line} {rule}: ours {found:#?}")),
        }
    }
    assert!(
        missing.is_empty(),
        "squawk findings without ours:\n{}",
        missing.join("\n")
    );
    assert!(compared >= 30, "only {compared} squawk findings compared");
    // Ours that squawk does not flag under these rules: printed for the record.
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        for f in lint(Dialect::Postgres, path) {
            if !answered.contains(&(name.to_string(), f.line, f.finding.code)) {
                println!("ours only: {name}:{} {}", f.line, f.finding.code);
            }
        }
    }
}

/// The codes a file expects on its `-- expect:` line.
fn expected(path: &Path) -> BTreeSet<String> {
    let sql = std::fs::read_to_string(path).expect("a corpus file");
    let line = sql
        .lines()
        .find_map(|l| l.strip_prefix("-- expect:"))
        .unwrap_or_else(|| panic!("{}: no -- expect: line", path.display()));
    line.split([',', ' '])
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn check_expectations(dialect: Dialect, name: &str) {
    let files = sql_files(&corpus(name));
    assert!(files.len() >= 10, "{name}: {} files", files.len());
    for path in files {
        let found: BTreeSet<String> = lint(dialect, &path)
            .iter()
            .map(|f| f.finding.code.to_string())
            .collect();
        assert_eq!(found, expected(&path), "{}", path.display());
    }
}

#[test]
fn sqlite_corpus_gives_what_each_file_expects() {
    check_expectations(Dialect::Sqlite, "sqlite");
}

#[test]
fn mysql_corpus_gives_what_each_file_expects() {
    check_expectations(Dialect::Mysql, "mysql");
}

/// The example's generated migrations, PostgreSQL and SQLite: every statement is read.
#[test]
fn generated_example_migrations_are_read_whole() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/issue-tracker");
    for (dialect, folder) in [
        (Dialect::Postgres, "migrations"),
        (Dialect::Sqlite, "migrations-sqlite"),
    ] {
        let files = sql_files(&example.join(folder));
        assert!(!files.is_empty(), "{folder}");
        for path in files {
            let found = lint(dialect, &path);
            let unread: Vec<_> = found
                .iter()
                .filter(|f| f.finding.code == "unparsed-statement")
                .collect();
            assert!(unread.is_empty(), "{}: {unread:#?}", path.display());
            println!(
                "{}: {:?}",
                path.display(),
                found
                    .iter()
                    .map(|f| (f.line, f.finding.code))
                    .collect::<Vec<_>>()
            );
        }
    }
}

/// The SQL of the reviewed render snapshots (PostgreSQL, MySQL, SQLite): every statement that
/// `generate` writes is read.
#[test]
fn generated_sql_of_the_snapshots_is_read_whole() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut read, mut unread_all) = (0, Vec::new());
    for dir in ["../schema-core/tests/it/snapshots", "tests/it/snapshots"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("the snapshots")
            .map(|e| e.expect("an entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let dialect = if name.contains("_adapt__") {
                continue; // a model, not SQL
            } else if name.contains("sqlite_generate") {
                Dialect::Sqlite
            } else if name.starts_with("it__mysql_")
                && (!name.contains("mysql_generate__") || name.ends_with("_sql.snap"))
            {
                Dialect::Mysql
            } else if name.starts_with("it__postgres_") {
                Dialect::Postgres
            } else {
                continue;
            };
            let text = std::fs::read_to_string(&path).expect("a snapshot");
            // The insta header ends at its second `---` line.
            let Some((_, sql)) = text.split_once("\n---\n") else {
                continue;
            };
            read += 1;
            let unread: Vec<_> = lint_file(dialect, sql)
                .into_iter()
                .filter(|f| f.finding.code == "unparsed-statement")
                .collect();
            unread_all.extend(
                unread
                    .iter()
                    .map(|f| format!("{name}: {}", f.finding.message)),
            );
        }
    }
    assert!(unread_all.is_empty(), "{}", unread_all.join("\n"));
    assert!(read > 50, "{read} snapshots read");
}
