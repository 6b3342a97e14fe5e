//! `revert` refuses before anything runs, with every reason at once: a down with lint errors
//! nobody acknowledged (`--allow-lint-errors` runs it), a migration without a down or with an untouched `--custom` one, an up file
//! changed since it was applied or gone, a target that is no known version.

use super::*;

/// Every refusal, before anything runs, with every reason at once.
fn refusals_story(db: &Db) {
    let url = db.url.as_str();
    let (p, tags, full) = applied(db);
    let v = |i: usize| tags[i][..14].to_string();

    // A down with a lint error nobody acknowledged (a drop of a table the up did not create,
    // harmless here); --allow-lint-errors runs it.
    let newest = down_of(&p, &tags[2]);
    let sql = fs::read_to_string(&newest).expect("down");
    let breakpoint = if db.dialect == "mysql" {
        ""
    } else {
        "--> statement-breakpoint\n"
    };
    let extra = format!(
        "{breakpoint}DROP TABLE IF EXISTS {};\n",
        db.q("never_created")
    );
    fs::write(&newest, format!("{sql}{extra}")).expect("unreviewed");
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6000);
    let down = format!("migrations/{}.down.sql", tags[2]);
    assert_has(
        &run,
        1,
        &[
            "refusing to revert on ",
            &format!("{down}:"),
            "error drop-table",
            "never_created",
            "-- lint:allow <code>",
            "--allow-lint-errors",
            "nothing was reverted",
        ],
    );
    let run = p.run(&["revert", "--dry-run", "--url", url], NOW + 6000);
    assert_has(
        &run,
        1,
        &[
            db.drops_nickname(),
            "error drop-table",
            "dry run: refusing to revert",
        ],
    );
    assert_eq!(states(&p, url), ["applied"; 3]);
    assert_eq!(db.schema(), full);
    let run = p.run(
        &["revert", "--yes", "--allow-lint-errors", "--url", url],
        NOW + 6100,
    );
    assert_has(&run, 0, &["reverted 1 migration(s)"]);
    migrate(&p, db);

    // No down, an up file changed since it was applied, and a failed row: all three at once.
    fs::remove_file(down_of(&p, &tags[2])).expect("no down");
    let up = p.migrations().join(format!("{}.sql", tags[1]));
    let sql = fs::read_to_string(&up).expect("up");
    fs::write(&up, format!("-- edited after it was applied\n{sql}")).expect("edit");
    for args in [
        &["revert", "--to", "0", "--yes", "--url", url][..],
        &["revert", "--to", "0", "--dry-run", "--url", url][..],
    ] {
        let run = p.run(args, NOW + 6200);
        assert_has(
            &run,
            1,
            &[
                &format!("migrations/{}.sql has no down file {down}", tags[2]),
                &format!("migrations/{}.sql changed since it was applied", tags[1]),
                &format!("repair --checksum {}", v(1)),
                "nothing was reverted",
            ],
        );
    }
    assert_eq!(states(&p, url), ["applied", "modified", "applied"]);
    assert_eq!(db.schema(), full);
    // Only the newest is asked for: only its reason.
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6200);
    assert_has(&run, 1, &["has no down file"]);
    assert!(!run.text().contains("changed since"), "{run:#?}");
    fs::write(&up, sql).expect("restore");

    // An applied migration whose file is gone.
    let newest_up = p.migrations().join(format!("{}.sql", tags[2]));
    let kept = fs::read_to_string(&newest_up).expect("up");
    fs::remove_file(&newest_up).expect("gone");
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6300);
    assert_has(
        &run,
        1,
        &[
            &format!("migration {} (", v(2)),
            "its file is missing from migrations",
        ],
    );
    fs::write(&newest_up, kept).expect("back");

    // Targets that are no version, or no known one.
    let run = p.run(
        &["revert", "--to", "first", "--yes", "--url", url],
        NOW + 6300,
    );
    assert_has(&run, 2, &["--to first: not a migration version"]);
    let run = p.run(
        &["revert", "--to", "20200101000000", "--yes", "--url", url],
        NOW + 6300,
    );
    assert_has(&run, 1, &["there is no migration 20200101000000"]);
    assert_eq!(states(&p, url), ["applied"; 3]);
    assert_eq!(db.schema(), full);
}

#[test]
fn sqlite_refuses_before_anything_runs() {
    let dir = tempfile::tempdir().expect("dir");
    refusals_story(&sqlite_db(&dir));
}

#[test]
fn postgres_refuses_before_anything_runs() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("revert_refusals")) else {
        return;
    };
    refusals_story(&Db {
        dialect: "postgres",
        url: db.url.clone(),
    });
}

#[test]
fn mysql_refuses_before_anything_runs() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("revert_refusals")) else {
        return;
    };
    refusals_story(&Db {
        dialect: "mysql",
        url: db.url.clone(),
    });
}

/// A down's locking warning on a table above `large_table_rows` is an error, as `migrate`
/// judges an up file: the row count comes from the database.
#[test]
fn postgres_a_down_that_locks_a_large_table_is_refused() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(test_db) = rt.block_on(tests::pg::TestDb::create("revert_large")) else {
        return;
    };
    let db = Db {
        dialect: "postgres",
        url: test_db.url.clone(),
    };
    let url = db.url.as_str();
    let (p, _, _) = project(&db, 1);
    let config = p.path().join("migrate.toml");
    let text = fs::read_to_string(&config).expect("config");
    fs::write(&config, format!("{text}[lint]\nlarge_table_rows = 10\n")).expect("config");
    assert_has(
        &p.run(&["generate", "--custom", "--name", "note"], NOW + 100),
        0,
        &[],
    );
    let tag = p.journal().entries[1].tag.clone();
    let up = "COMMENT ON TABLE \"public\".\"accounts\" IS 'people';\n";
    fs::write(p.migrations().join(format!("{tag}.sql")), up).expect("up");
    let down = "CREATE INDEX \"accounts_email_ix\" ON \"public\".\"accounts\" (\"email\");\n";
    fs::write(down_of(&p, &tag), down).expect("down");
    migrate(&p, &db);
    let rows = "INSERT INTO accounts (id, email) SELECT g, 'a' || g FROM generate_series(1, 50) g";
    rt.block_on(sqlx::query(rows).execute(&test_db.pool))
        .expect("rows");

    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6000);
    assert_has(&run, 1, &["error index-without-concurrently", "50 rows"]);
    assert_eq!(states(&p, url), ["applied", "applied"]);
    let run = p.run(
        &["revert", "--yes", "--allow-lint-errors", "--url", url],
        NOW + 6100,
    );
    assert_has(&run, 0, &["reverted 1 migration(s)"]);
}

/// An untouched `generate --custom` down (its placeholder comment, no statement) is no way
/// back: revert refuses it before anything runs, and the migration stays applied.
fn untouched_custom_down_story(db: &Db) {
    let url = db.url.as_str();
    let (p, _, _) = project(db, 1);
    assert_has(
        &p.run(&["generate", "--custom", "--name", "note"], NOW + 100),
        0,
        &[],
    );
    let tag = p.journal().entries[1].tag.clone();
    let up = format!("CREATE TABLE {} (id integer);\n", db.q("notes"));
    fs::write(p.migrations().join(format!("{tag}.sql")), up).expect("up");
    migrate(&p, db);
    let down = format!("migrations/{tag}.down.sql");
    for args in [
        &["revert", "--yes", "--url", url][..],
        &["revert", "--dry-run", "--url", url][..],
    ] {
        let run = p.run(args, NOW + 6000);
        assert_has(
            &run,
            1,
            &[
                &format!("its down file {down} has no statements: write the way back by hand"),
                "nothing was reverted",
            ],
        );
        assert!(!run.text().contains("reverted 1"), "{run:#?}");
    }
    assert_eq!(states(&p, url), ["applied", "applied"]);
    assert!(db.schema().tables.keys().any(|k| k.ends_with("notes")));
}

#[test]
fn sqlite_refuses_an_untouched_custom_down() {
    let dir = tempfile::tempdir().expect("dir");
    untouched_custom_down_story(&sqlite_db(&dir));
}

#[test]
fn postgres_refuses_an_untouched_custom_down() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("revert_custom")) else {
        return;
    };
    untouched_custom_down_story(&Db {
        dialect: "postgres",
        url: db.url.clone(),
    });
}

#[test]
fn mysql_refuses_an_untouched_custom_down() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("revert_custom")) else {
        return;
    };
    untouched_custom_down_story(&Db {
        dialect: "mysql",
        url: db.url.clone(),
    });
}
