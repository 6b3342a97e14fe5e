//! Failing and tampered SQLite histories: a rebuild that fails is rolled back whole (its
//! parent's drop and rename included), nothing is recorded, and the fixed file applies; an
//! applied file edited afterwards is refused before anything is applied.

use super::lite::*;
use super::V1;
use std::fs;

/// A rebuild of the parent whose closing foreign-key check fails (a post references an account
/// that does not exist): after the parent was dropped and its copy renamed, all of it is rolled
/// back, nothing is recorded, and once the rows are repaired the same file applies.
#[test]
fn a_rebuild_that_would_leave_broken_references_is_rolled_back_whole_then_applies() {
    let mut lite = Lite::new(V1);
    lite.generate(V1, &[]);
    assert_has(&lite.migrate(), 0, &[]);
    lite.exec(
        "INSERT INTO accounts (id, display_name, age, mood) VALUES (1, 'Ada', 36, 'happy'), (2, 'Bob', 41, 'sad');
         INSERT INTO posts (id, account_id, title) VALUES (1, 1, 'a'), (2, 2, 'b');
         INSERT INTO badges (id, account_id, label) VALUES (1, 1, 'gold');
         PRAGMA foreign_keys=OFF;
         INSERT INTO posts (id, account_id, title) VALUES (3, 99, 'orphan');",
    );
    let (schema, rows, history) = (lite.schema(), all_rows(&lite), lite.history());
    let file = lite.generate(&edited(V1, "pub age: i32,", "pub age: String,"), &[]);
    let sql = lite.project.read(&file);
    let dry = lite.run(&["migrate", "--dry-run"]);
    let how = "(would run in the transaction it opens itself, with foreign keys off)";
    assert_has(
        &dry,
        0,
        &[
            &format!("-- migrations/{file} {how}"),
            "dry run: 1 migration(s)",
        ],
    );

    let (line, n) = locate(&sql, "INSERT INTO \"__migrate_fk_check\"");
    let run = lite.migrate();
    assert_has(
        &run,
        1,
        &[
            &format!("migration migrations/{file}:{line} failed at statement {n}: CHECK constraint failed"),
            "foreign keys would be broken: 1 row(s) of \"posts\" reference missing rows of \"accounts\"",
            "INSERT INTO \"__migrate_fk_check\" SELECT count(*) FROM pragma_foreign_key_check;",
            "nothing of this migration remains and nothing was recorded; fix the file and run migrate again",
        ],
    );
    assert!(
        !run.stderr
            .contains("statements before the failing one remain"),
        "{}",
        run.stderr
    );
    assert_eq!(lite.schema(), schema, "the rebuild was not rolled back");
    assert_eq!(all_rows(&lite), rows);
    assert_eq!(lite.history(), history);
    assert!(lite
        .states()
        .last()
        .is_some_and(|s| s.ends_with(" pending")));

    lite.exec("DELETE FROM posts WHERE id = 3");
    assert_has(&lite.migrate(), 0, &[&format!("applied migrations/{file}")]);
    assert_eq!(
        lite.rows("SELECT id, age, typeof(age) FROM accounts"),
        ["1|36|text", "2|41|text"]
    );
    assert_eq!(
        lite.rows("SELECT id, account_id FROM posts ORDER BY id"),
        ["1|1", "2|2"]
    );
    assert_eq!(lite.rows("SELECT id, account_id FROM badges"), ["1|1"]);
    assert_eq!(lite.history().len(), 2);
}

/// A new NOT NULL column without a default fails the copy into the new table: the statement
/// and its line are named, nothing remains; the file fixed by hand then applies.
#[test]
fn a_failing_statement_inside_a_rebuild_is_located_and_the_fixed_file_applies() {
    let mut lite = Lite::new(V1);
    lite.generate(V1, &[]);
    assert_has(&lite.migrate(), 0, &[]);
    lite.exec(
        "INSERT INTO accounts (id, display_name, age, mood) VALUES (1, 'Ada', 36, 'happy');
         INSERT INTO posts (id, account_id, title) VALUES (1, 1, 'a');
         INSERT INTO badges (id, account_id, label) VALUES (1, 1, 'gold');",
    );
    let (schema, rows) = (lite.schema(), all_rows(&lite));
    let level = edited(V1, "pub age: i32,", "pub age: i32,\n    pub level: i32,");
    let file = lite.generate(&level, &[]);
    let sql = lite.project.read(&file);
    let (line, n) = locate(&sql, "INSERT INTO \"__new_accounts\"");
    let run = lite.migrate();
    assert_has(
        &run,
        1,
        &[
            &format!("migration migrations/{file}:{line} failed at statement {n}: NOT NULL constraint failed: __new_accounts.level"),
            "nothing of this migration remains and nothing was recorded",
        ],
    );
    assert_eq!(lite.schema(), schema);
    assert_eq!(all_rows(&lite), rows);
    assert_eq!(lite.history().len(), 1);

    let fixed = sql.replace(
        "\"level\" integer NOT NULL",
        "\"level\" integer DEFAULT 0 NOT NULL",
    );
    assert_ne!(fixed, sql);
    fs::write(lite.project.migrations().join(&file), fixed).expect("fix the file");
    assert_has(&lite.migrate(), 0, &[&format!("applied migrations/{file}")]);
    assert_eq!(lite.rows("SELECT id, level FROM accounts"), ["1|0"]);
    assert_eq!(lite.rows("SELECT id, account_id FROM posts"), ["1|1"]);
    assert_eq!(lite.rows("SELECT id, account_id FROM badges"), ["1|1"]);
    assert_eq!(lite.history().len(), 2);
}

/// An applied rebuild file edited afterwards: `migrate` names it and applies nothing, not
/// even the pending migration after it; restored, the history goes on.
#[test]
fn a_tampered_applied_file_is_refused_before_anything_is_applied() {
    let mut lite = Lite::new(V1);
    lite.generate(V1, &[]);
    let v2 = edited(V1, "pub age: i32,", "pub age: String,");
    let f2 = lite.generate(&v2, &[]);
    assert_has(&lite.migrate(), 0, &["applied 2 migration(s)"]);
    let v3 = edited(&v2, "pub label: String,", "pub label: Option<String>,");
    let f3 = lite.generate(&v3, &[]);
    let original = lite.project.read(&f2);
    let tampered = original.replace("\"age\" text NOT NULL", "\"age\" text");
    assert_ne!(tampered, original);
    let path = lite.project.migrations().join(&f2);
    fs::write(&path, &tampered).expect("tamper");
    let (schema, history) = (lite.schema(), lite.history());

    let changed = format!(
        "migration {} (migrations/{f2}) changed since it was applied",
        version(&f2)
    );
    let run = lite.migrate();
    assert_has(
        &run,
        1,
        &[
            "refusing to migrate",
            "nothing was applied",
            &changed,
            "restore the applied version",
        ],
    );
    assert_has(&lite.run(&["migrate", "--dry-run"]), 1, &[&changed]);
    assert_eq!(lite.schema(), schema);
    assert_eq!(lite.history(), history);

    fs::write(&path, &original).expect("restore");
    assert_has(&lite.migrate(), 0, &[&format!("applied migrations/{f3}")]);
    assert_eq!(
        lite.rows("SELECT \"notnull\" FROM pragma_table_info('badges') WHERE name = 'label'"),
        ["0"]
    );
}

/// A reference to a column that is neither the primary key nor unique. PostgreSQL refuses the
/// CREATE TABLE; SQLite takes it, and then every insert into the child and every rebuild's
/// foreign-key check fails with "foreign key mismatch". `generate` should refuse it (naming
/// the field) or write a schema where a child row can be inserted.
#[test]
fn a_reference_to_a_column_that_is_not_unique_is_refused_or_usable() {
    let schema = r#"
#[derive(Table)]
#[table(name = "t")]
pub struct T {
    #[column(primary_key)]
    pub id: i64,
    pub code: i32,
}

#[derive(Table)]
#[table(name = "k")]
pub struct K {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = T::code)]
    pub code: i32,
}
"#;
    let lite = Lite::new(schema);
    let run = lite.project.run(&["generate"], lite.now + 60);
    if run.code != 0 {
        assert_has(&run, 1, &["code", "unique"]);
        return;
    }
    assert_has(&lite.migrate(), 0, &[]);
    lite.exec("INSERT INTO t (id, code) VALUES (1, 5)");
    let child = lite.query("INSERT INTO k (id, code) VALUES (1, 5)");
    assert!(child.is_ok(), "{child:?}");
}

/// A rebuilt table's triggers (written by hand in a `--custom` migration) go with the old
/// table: the rebuild file stops, rolled back whole, until the reviewer recreates them in it.
#[test]
fn a_rebuild_that_would_lose_a_trigger_stops_until_the_trigger_is_recreated() {
    let before = r#"
#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    pub body: Option<String>,
    #[column(default = 0)]
    pub edits: i32,
}
"#;
    let mut lite = Lite::new(before);
    lite.generate(before, &[]);
    let custom = lite.generate(before, &["--custom", "--name", "count_edits"]);
    let trigger = "CREATE TRIGGER \"notes_edits\" AFTER UPDATE OF \"body\" ON \"notes\" BEGIN UPDATE \"notes\" SET \"edits\" = \"edits\" + 1 WHERE \"id\" = NEW.\"id\"; END;";
    fs::write(
        lite.project.migrations().join(&custom),
        format!("{trigger}\n"),
    )
    .expect("custom");
    assert_has(&lite.migrate(), 0, &["applied 2 migration(s)"]);
    lite.exec(
        "INSERT INTO notes (id, body) VALUES (1, 'a'); UPDATE notes SET body = 'b' WHERE id = 1;",
    );

    let after = edited(
        before,
        "pub body: Option<String>,",
        "#[column(default = \"\")]\n    pub body: String,",
    );
    let rebuild = lite.generate(&after, &[]);
    let path = lite.project.migrations().join(&rebuild);
    let sql = fs::read_to_string(&path).expect("rebuild file");
    assert!(sql.contains("CREATE TABLE \"__new_notes\""), "{sql}");
    let failed = lite.migrate();
    assert_has(
        &failed,
        1,
        &[
            "lost_triggers",
            "add them to the file after the rebuild",
            "CREATE TRIGGER \"notes_edits\" AFTER UPDATE OF \"body\" ON \"notes\"",
        ],
    );
    assert_eq!(
        lite.rows("SELECT edits FROM notes"),
        ["1"],
        "rolled back whole"
    );
    assert_eq!(
        lite.rows("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"),
        ["1"]
    );

    // The reviewer recreates the trigger above the check, as its comment says.
    let marker = "-- a rebuilt table loses its triggers";
    let fixed = sql.replacen(
        marker,
        &format!("{trigger}\n--> statement-breakpoint\n{marker}"),
        1,
    );
    fs::write(&path, fixed).expect("edit");
    assert_has(&lite.migrate(), 0, &["applied 1 migration(s)"]);
    lite.exec("UPDATE notes SET body = 'c' WHERE id = 1;");
    assert_eq!(
        lite.rows("SELECT edits FROM notes"),
        ["2"],
        "the trigger works after the rebuild"
    );
}

/// A pending migration with a lint error nobody acknowledged is not applied: once applied its
/// file could not take the `-- lint:allow` line any more. Acknowledged, it applies.
#[test]
fn unacknowledged_lint_errors_are_refused_before_anything_is_applied() {
    let before = r#"
#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    pub body: Option<String>,
    pub legacy: Option<String>,
}
"#;
    let mut lite = Lite::new(before);
    lite.generate(before, &[]);
    assert_has(&lite.migrate(), 0, &[]);
    let after = edited(before, "    pub legacy: Option<String>,\n", "");
    let file = lite.generate(&after, &[]);
    let run = lite.run(&["migrate"]);
    assert_has(
        &run,
        1,
        &[
            "pending migrations have lint errors nobody acknowledged; nothing was applied",
            "drop-column notes.legacy",
            "-- lint:allow <code>",
        ],
    );
    assert_eq!(
        lite.rows("SELECT count(*) FROM pragma_table_info('notes')"),
        ["3"]
    );
    let path = lite.project.migrations().join(&file);
    let sql = fs::read_to_string(&path).expect("file");
    fs::write(
        &path,
        sql.replacen(
            "\n-- lint: error",
            "\n-- lint:allow drop-column\n-- lint: error",
            1,
        ),
    )
    .expect("ack");
    assert_has(&lite.run(&["migrate"]), 0, &["applied 1 migration(s)"]);
    assert_eq!(
        lite.rows("SELECT count(*) FROM pragma_table_info('notes')"),
        ["2"]
    );
}

/// A hand-written view over a table that a later migration rebuilds keeps working: the
/// rebuild's rename skips SQLite's schema-wide check, which would fail on the view while the
/// table is gone.
#[test]
fn a_view_over_a_rebuilt_table_keeps_working() {
    let before = r#"
#[derive(Table)]
#[table(name = "orders")]
pub struct Order {
    #[column(primary_key)]
    pub id: i64,
    pub total: Option<i32>,
}
"#;
    let mut lite = Lite::new(before);
    lite.generate(before, &[]);
    let custom = lite.generate(before, &["--custom", "--name", "big_orders"]);
    let view = "CREATE VIEW \"big_orders\" AS SELECT \"id\" FROM \"orders\" WHERE \"total\" > 100;";
    fs::write(lite.project.migrations().join(&custom), format!("{view}\n")).expect("custom");
    assert_has(&lite.migrate(), 0, &["applied 2 migration(s)"]);
    lite.exec("INSERT INTO orders (id, total) VALUES (1, 50), (2, 500), (3, NULL);");
    let after = edited(
        before,
        "pub total: Option<i32>,",
        "#[column(default = 0)]\n    pub total: i32,",
    );
    let rebuild = lite.generate(&after, &[]);
    let sql = fs::read_to_string(lite.project.migrations().join(&rebuild)).expect("file");
    assert!(sql.contains("CREATE TABLE \"__new_orders\""), "{sql}");
    assert_has(&lite.migrate(), 0, &["applied 1 migration(s)"]);
    assert_eq!(lite.rows("SELECT id FROM big_orders"), ["2"]);
    assert_eq!(
        lite.rows("SELECT total FROM orders ORDER BY id"),
        ["50", "500", "0"]
    );
}
