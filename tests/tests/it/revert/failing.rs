//! A failing down: rolled back with its row kept on PostgreSQL and SQLite (also a SQLite
//! rebuild in its own transaction, and PostgreSQL's `-- no-transaction` concurrent index drop),
//! told statement by statement with a truthful row on MySQL.

use super::*;

/// A down whose second statement fails, on a database that rolls it back with its row.
fn failing_down_rolled_back(db: &Db) {
    let url = db.url.as_str();
    let (p, tags, full) = applied(db);
    let broken = format!(
        "-- lint:allow drop-column\nALTER TABLE {} DROP COLUMN {};\n--> statement-breakpoint\nINSERT INTO {} VALUES (1);\n",
        db.q("accounts"),
        db.q("nickname"),
        db.q("nowhere")
    );
    fs::write(down_of(&p, &tags[2]), broken).expect("broken down");
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6000);
    assert_has(
        &run,
        1,
        &[
            &format!(
                "migration migrations/{}.down.sql:4 failed at statement 2",
                tags[2]
            ),
            "nowhere",
            "the down was rolled back: nothing of it remains",
            &format!("migration {} is still recorded as applied", &tags[2][..14]),
            "fix the down file or the rows it fails on, and run revert again",
        ],
    );
    assert_eq!(states(&p, url), ["applied"; 3]);
    assert_eq!(db.schema(), full);
}

#[test]
fn sqlite_a_failing_down_is_rolled_back() {
    let dir = tempfile::tempdir().expect("dir");
    failing_down_rolled_back(&sqlite_db(&dir));
}

#[test]
fn postgres_a_failing_down_is_rolled_back() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("revert_failing")) else {
        return;
    };
    failing_down_rolled_back(&Db {
        dialect: "postgres",
        url: db.url.clone(),
    });
}

#[test]
fn mysql_a_failing_down_is_told_statement_by_statement() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(two) = rt.block_on(tests::mysql::TestDb::create("revert_failing")) else {
        return;
    };
    let db = Db {
        dialect: "mysql",
        url: two.url.clone(),
    };
    let url = db.url.as_str();
    let (p, tags, full) = applied(&db);
    let version = &tags[2][..14];
    let down = down_of(&p, &tags[2]);

    // The first statement fails: nothing ran, the migration stays applied.
    let first = "-- lint:allow drop-column\nALTER TABLE `nowhere` ADD COLUMN `x` int;\n";
    fs::write(&down, first).expect("down");
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6000);
    assert_has(
        &run,
        1,
        &[
            "failed at statement 1",
            "nothing of it ran",
            "still recorded as applied",
            "fix the down file or the rows it fails on, and run revert again",
        ],
    );
    assert_eq!(states(&p, url), ["applied"; 3]);
    assert_eq!(db.schema(), full);

    // The second fails: the first ran and remains, and the row says the migration is half
    // reverted; finished by hand and repaired, it is pending and migrate applies it again.
    let broken = "-- lint:allow drop-column\nALTER TABLE `accounts` DROP COLUMN `nickname`;\nALTER TABLE `nowhere` ADD COLUMN `x` int;\n";
    fs::write(&down, broken).expect("down");
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6100);
    assert_has(
        &run,
        1,
        &[
            "failed at statement 2",
            "statement 1 of the down ran and remains; statement 2 failed",
            &format!("keeps version {version} with success = false"),
            &format!("`migrate-cli repair --failed {version}`"),
        ],
    );
    assert_eq!(states(&p, url), ["applied", "applied", "failed"]);
    assert_ne!(db.schema(), full);
    // The row cannot tell a down that stopped from an up that stopped: status and check say
    // what to do in both cases, the down's way out among them.
    let down_advice = [
        "its up (migrate) or its down (revert)",
        "if the down stopped, finish the down by hand, then run `migrate-cli repair --failed",
        &format!("`UPDATE _sqlx_migrations SET success = TRUE WHERE version = {version}`"),
    ];
    let run = p.run(&["status", "--url", url], NOW + 6150);
    assert_has(&run, 0, &down_advice);
    let run = p.run(&["check", "--url", url], NOW + 6150);
    assert_has(&run, 1, &down_advice);
    let run = p.run(
        &["repair", "--failed", version, "--yes", "--url", url],
        NOW + 6200,
    );
    assert_has(&run, 0, &["removed the failed row"]);
    assert_eq!(states(&p, url), ["applied", "applied", "pending"]);
    migrate(&p, &db);
    assert_eq!(db.schema(), full);
}

/// A `-- no-transaction` down on PostgreSQL (`DROP INDEX CONCURRENTLY`, which cannot run in a
/// transaction) runs on the bare connection, then its row goes; one that fails says so.
#[test]
fn postgres_a_concurrent_index_is_dropped_by_a_no_transaction_down() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(test_db) = rt.block_on(tests::pg::TestDb::create("revert_concurrently")) else {
        return;
    };
    let db = Db {
        dialect: "postgres",
        url: test_db.url.clone(),
    };
    let url = db.url.as_str();
    let (p, _, _) = project(&db, 1);
    let custom = ["generate", "--custom", "--name", "email_index"];
    assert_has(&p.run(&custom, NOW + 100), 0, &[]);
    let tag = p.journal().entries[1].tag.clone();
    let up = "-- no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS \"accounts_email_idx\" ON \"public\".\"accounts\" (\"email\");\n";
    fs::write(p.migrations().join(format!("{tag}.sql")), up).expect("up");
    let down = down_of(&p, &tag);
    fs::write(
        &down,
        "-- no-transaction\nDROP INDEX CONCURRENTLY \"public\".\"accounts_email_ix\";\n",
    )
    .expect("down");
    migrate(&p, &db);
    let indexed = db.schema();
    assert_eq!(indexes(&indexed), 1, "{indexed:#?}");

    let run = p.run(&["revert", "--dry-run", "--url", url], NOW + 6000);
    assert_has(&run, 0, &["would run without a transaction"]);
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6000);
    assert_has(
        &run,
        1,
        &[
            "accounts_email_ix",
            "at most an invalid index",
            "still recorded as applied",
        ],
    );
    assert_eq!(states(&p, url), ["applied", "applied"]);
    assert_eq!(db.schema(), indexed);

    fs::write(
        &down,
        "-- no-transaction\nDROP INDEX CONCURRENTLY \"public\".\"accounts_email_idx\";\n",
    )
    .expect("down");
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6100);
    assert_has(
        &run,
        0,
        &["(without a transaction)", "reverted 1 migration(s)"],
    );
    assert_eq!(states(&p, url), ["applied", "pending"]);
    assert_eq!(indexes(&db.schema()), 0);
    migrate(&p, &db);
    assert_eq!(db.schema(), indexed);
}

/// The indexes of every table of `schema`.
fn indexes(schema: &Schema) -> usize {
    schema.tables.values().map(|t| t.indexes.len()).sum()
}

/// A SQLite table rebuild as a down (`-- no-transaction`, its own transaction with foreign
/// keys off), written by `generate` as the migration back and moved beside the up file: its
/// row goes inside the rebuild's transaction, the rows stay, and a failure rolls all back.
#[test]
fn sqlite_a_rebuild_down_runs_in_its_own_transaction() {
    let dir = tempfile::tempdir().expect("dir");
    let db = sqlite_db(&dir);
    let url = db.url.as_str();
    let (p, _, first) = project(&db, 1);
    p.set_schema(&ONE.replace("pub email: String", "pub email: Option<String>"));
    assert_has(&p.run(&["generate"], NOW + 100), 0, &[]);
    p.set_schema(ONE);
    assert_has(&p.run(&["generate"], NOW + 200), 0, &[]);
    let tags: Vec<String> = p.journal().entries.iter().map(|e| e.tag.clone()).collect();
    let back = p.read(&format!("{}.sql", tags[2]));
    assert!(
        back.starts_with("-- no-transaction\n") && back.contains("BEGIN"),
        "{back}"
    );
    assert_has(&p.run(&["drop", "--yes"], NOW + 300), 0, &[]);
    let down = down_of(&p, &tags[1]);
    fs::write(&down, &back).expect("down");
    migrate(&p, &db);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pool = rt.block_on(sqlx::SqlitePool::connect(url)).expect("pool");
    let insert = "INSERT INTO accounts (id, email) VALUES (1, 'a@example.com')";
    rt.block_on(sqlx::query(insert).execute(&pool))
        .expect("row");
    let nullable = db.schema();

    // A failure inside the rebuild's transaction rolls it back, row and all.
    let broken = back.replace(
        "COMMIT;",
        "INSERT INTO \"nowhere\" VALUES (1);\n--> statement-breakpoint\nCOMMIT;",
    );
    fs::write(&down, broken).expect("broken");
    let run = p.run(
        &["revert", "--yes", "--allow-lint-errors", "--url", url],
        NOW + 6000,
    );
    assert_has(
        &run,
        1,
        &[
            "nowhere",
            "the down was rolled back",
            "still recorded as applied",
        ],
    );
    assert_eq!(states(&p, url), ["applied", "applied"]);
    assert_eq!(db.schema(), nullable);

    fs::write(&down, &back).expect("down");
    let run = p.run(
        &["revert", "--dry-run", "--allow-lint-errors", "--url", url],
        NOW + 6100,
    );
    assert_has(
        &run,
        0,
        &["in the transaction it opens itself, with foreign keys off"],
    );
    let run = p.run(
        &["revert", "--yes", "--allow-lint-errors", "--url", url],
        NOW + 6100,
    );
    assert_has(&run, 0, &["reverted 1 migration(s)"]);
    assert_eq!(states(&p, url), ["applied", "pending"]);
    assert_eq!(db.schema(), first);
    let count: i64 = rt
        .block_on(
            sqlx::query_scalar("SELECT count(*) FROM accounts WHERE email = 'a@example.com'")
                .fetch_one(&pool),
        )
        .expect("count");
    assert_eq!(count, 1);
    migrate(&p, &db);
    assert_eq!(db.schema(), nullable);
}

/// A file whose third statement fails on something it triggers (rebuilding an expression
/// index on a column whose type changes): PostgreSQL's error position points into the index
/// definition it parsed again, not into the file, so the failing statement is found by a
/// replay; `revert` and `migrate` name line 5, statement 3.
#[test]
fn postgres_a_statement_failing_in_what_it_triggers_is_located() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(test_db) = rt.block_on(tests::pg::TestDb::create("revert_located")) else {
        return;
    };
    let db = Db {
        dialect: "postgres",
        url: test_db.url.clone(),
    };
    let url = db.url.as_str();
    let (p, _, _) = project(&db, 1);
    let three = "COMMENT ON TABLE \"public\".\"accounts\" IS 'people';\n--> statement-breakpoint\nCOMMENT ON COLUMN \"public\".\"accounts\".\"email\" IS 'mail';\n--> statement-breakpoint\nALTER TABLE \"public\".\"accounts\" ALTER COLUMN \"email\" SET DATA TYPE integer USING length(\"email\");\n";
    assert_has(
        &p.run(&["generate", "--custom", "--name", "lower"], NOW + 100),
        0,
        &[],
    );
    let tag = p.journal().entries[1].tag.clone();
    let up =
        "CREATE INDEX \"accounts_email_lower\" ON \"public\".\"accounts\" (lower(\"email\"));\n";
    fs::write(p.migrations().join(format!("{tag}.sql")), up).expect("up");
    fs::write(down_of(&p, &tag), three).expect("down");
    let run = p.run(&["migrate", "--allow-lint-errors", "--url", url], NOW + 200);
    assert_has(&run, 0, &["applied"]);

    let run = p.run(
        &["revert", "--yes", "--allow-lint-errors", "--url", url],
        NOW + 6000,
    );
    assert_has(
        &run,
        1,
        &[
            &format!("migrations/{tag}.down.sql:5 failed at statement 3"),
            "lower(integer)",
            "SET DATA TYPE integer",
            "still recorded as applied",
        ],
    );
    assert_eq!(states(&p, url), ["applied", "applied"]);

    // The same file as an up: migrate locates it alike.
    assert_has(
        &p.run(&["generate", "--custom", "--name", "retype"], NOW + 300),
        0,
        &[],
    );
    let later = p.journal().entries[2].tag.clone();
    fs::write(p.migrations().join(format!("{later}.sql")), three).expect("up");
    // The custom up's index is in no snapshot: drift, which this story goes past.
    let args = [
        "migrate",
        "--allow-lint-errors",
        "--allow-drift",
        "--url",
        url,
    ];
    let run = p.run(&args, NOW + 400);
    assert_has(
        &run,
        1,
        &[
            &format!("migrations/{later}.sql:5 failed at statement 3"),
            "SET DATA TYPE integer",
        ],
    );
}
