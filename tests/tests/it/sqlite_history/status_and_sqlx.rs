//! `status` in every state on SQLite, and the history as sqlx itself reads it.

use super::lite::*;
use super::V1;
use std::fs;

#[test]
fn status_shows_every_state_on_sqlite() {
    let mut lite = Lite::new(V1);
    let f1 = lite.generate(V1, &[]);
    let v2 = edited(V1, "pub age: i32,", "pub age: String,");
    let f2 = lite.generate(&v2, &[]);
    let (n1, n2) = (version(&f1), version(&f2));
    let names = (f1.trim_end_matches(".sql"), f2.trim_end_matches(".sql"));
    let line = |name: &str, state: &str| format!("{} {state}", name.replacen('_', " ", 1));
    assert_eq!(
        lite.states(),
        [line(names.0, "pending"), line(names.1, "pending")]
    );
    assert_has(
        &lite.run(&["status"]),
        0,
        &["(not created yet)", "2 migrations: 2 pending"],
    );
    assert!(!lite.db.exists(), "status created the database");

    assert_has(&lite.migrate(), 0, &["applied 2 migration(s)"]);
    assert_eq!(
        lite.states(),
        [line(names.0, "applied"), line(names.1, "applied")]
    );
    assert_has(
        &lite.run(&["status"]),
        0,
        &[&format!("{n1}  "), "applied 20", "2 migrations: 2 applied"],
    );

    let f3 = lite.generate(
        &edited(&v2, "pub label: String,", "pub label: Option<String>,"),
        &[],
    );
    let path = |f: &str| lite.project.migrations().join(f);
    let first = lite.project.read(&f1);
    fs::write(
        path(&f1),
        format!("{first}-- edited after it was applied\n"),
    )
    .expect("edit");
    fs::remove_file(path(&f2)).expect("remove");
    // migrate-cli never records a failed migration on SQLite (a failing file is rolled back
    // whole); a row like this one comes from another tool.
    lite.exec("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'half done', false, x'00', -1)");
    assert_eq!(
        lite.states(),
        [
            line(names.0, "modified"),
            line(names.1, "missing"),
            line(f3.trim_end_matches(".sql"), "pending"),
            "99990101000000 half_done failed".to_string(),
        ]
    );
    let text = lite.run(&["status"]);
    assert_has(
        &text,
        0,
        &[
            &format!("{n1}  "),
            "modified since it was applied",
            &format!("{n2}  "),
            "missing from migrations (applied 20",
            "pending",
            "failed: a run stopped part way through its up (migrate) or its down (revert)",
            "if the up stopped, undo by hand what it ran, then run `migrate-cli repair --failed 99990101000000`",
            "4 migrations: 1 failed, 1 missing, 1 modified, 1 pending",
        ],
    );
}

/// sqlx itself reads the history migrate-cli writes. sqlx 0.8's SQLite `Migrator` ignores
/// `-- no-transaction` (it wraps every file in a transaction, so a rebuild fails at its own
/// BEGIN; sqlx 0.9 honours it), so only the ordinary files are run through it on a fresh
/// database and their `_sqlx_migrations` rows compared; with a rebuild file applied by
/// migrate-cli, sqlx agrees that everything is applied and unchanged.
#[test]
fn sqlx_reads_the_sqlite_history_migrate_cli_writes() {
    let mut lite = Lite::new(V1);
    let mut schema = V1.to_string();
    lite.generate(&schema, &[]);
    for (from, to) in [
        (
            "pub display_name: String,",
            "#[column(renamed_from = \"display_name\")]\n    pub full_name: String,",
        ),
        (
            "    pub label: String,\n",
            "    pub label: String,\n    #[column(default = 1)]\n    pub level: i32,\n",
        ),
        (
            "    pub title: String,\n",
            "    #[column(index)]\n    pub title: String,\n",
        ),
    ] {
        schema = edited(&schema, from, to);
        let file = lite.generate(&schema, &[]);
        assert!(
            !lite.project.read(&file).starts_with("-- no-transaction"),
            "{file}"
        );
    }
    assert_has(&lite.migrate(), 0, &["applied 4 migration(s)"]);
    let fresh = lite.project.path().join("fresh.db");
    sqlx_run(&lite, &fresh).expect("sqlx applies the ordinary files");
    let by_sqlx = Lite {
        db: fresh.clone(),
        ..Lite::new("")
    };
    assert_eq!(
        by_sqlx.history(),
        lite.history(),
        "version, description, success, checksum"
    );
    assert_eq!(by_sqlx.schema(), lite.schema());
    sqlx_run(&lite, &lite.db).expect("sqlx agrees with what migrate-cli applied");

    let rebuild = lite.generate(&edited(&schema, "pub age: i32,", "pub age: String,"), &[]);
    assert!(lite
        .project
        .read(&rebuild)
        .starts_with("-- no-transaction\n"));
    assert_has(
        &lite.migrate(),
        0,
        &[&format!("applied migrations/{rebuild}")],
    );
    let v = version(&rebuild);
    let row = lite.rows(&format!(
        "SELECT success, execution_time > 0 FROM _sqlx_migrations WHERE version = {v}"
    ));
    assert_eq!(row, ["1|1"]);
    sqlx_run(&lite, &lite.db).expect("sqlx agrees that the rebuild is applied and unchanged");
    let refused =
        sqlx_run(&lite, &fresh).expect_err("sqlx 0.8 runs the rebuild inside its own transaction");
    assert!(
        refused.contains("cannot start a transaction within a transaction"),
        "{refused}"
    );
}
