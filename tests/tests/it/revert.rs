//! `migrate-cli revert` on SQLite, PostgreSQL and MariaDB: a three-migration history is
//! migrated, reverted newest first (alone, `--to <first>`, `--to 0`) and migrated again, the
//! catalog compared with the database the first migration alone built and with the full
//! history; everything that must refuse does, before anything runs and with every reason;
//! `--dry-run` changes nothing; a failing down is rolled back with its row kept (PostgreSQL,
//! SQLite) or told statement by statement with a truthful row (MySQL).
//! The migrations come from `generate`; their down files are written by hand here.

use migrate_cli::config::Dialect;
use migrate_cli::database::{Target, UrlSource};
use migrate_cli::prompt::ScriptedPrompt;
use schema_core::model::Schema;
use sqlx::migrate::Migrator;
use std::fs;
use std::path::PathBuf;
use tests::project::{Project, Run, NOW};

const ONE: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
}
"#;

const TWO: &str = r#"
#[derive(Table)]
#[table(name = "projects")]
pub struct Project {
    #[column(primary_key)]
    pub id: i64,
    pub title: String,
}
"#;

const THREE: &str = r#"
    pub nickname: Option<String>,
}
"#;

/// The schema after `n` migrations.
fn schema(n: usize) -> String {
    let one = match n {
        3 => ONE.replacen(
            "    pub email: String,\n}\n",
            &format!("    pub email: String,{THREE}"),
            1,
        ),
        _ => ONE.to_string(),
    };
    match n {
        1 => one,
        _ => format!("{one}{TWO}"),
    }
}

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let text = run.text();
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

/// A database for one story.
struct Db {
    dialect: &'static str,
    url: String,
}

impl Db {
    fn kind(&self) -> Dialect {
        match self.dialect {
            "postgres" => Dialect::Postgres,
            "mysql" => Dialect::Mysql,
            _ => Dialect::Sqlite,
        }
    }

    /// An identifier as the dialect quotes it.
    fn q(&self, ident: &str) -> String {
        match self.dialect {
            "mysql" => format!("`{ident}`"),
            _ => format!("\"{ident}\""),
        }
    }

    /// The whole user schema, as migrate-cli's introspection reads it.
    fn schema(&self) -> Schema {
        let target = Target {
            url: self.url.clone(),
            source: UrlSource::Flag,
            base: PathBuf::from("."),
        };
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let mut conn = migrate_cli::backend::connect(&target, self.kind())
                .await
                .expect("connect");
            let schema = conn.introspect().await.expect("introspect");
            conn.close().await;
            schema
        })
    }

    /// Runs sqlx's own `Migrator` on the folder.
    fn sqlx_run(&self, p: &Project) {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let migrator = Migrator::new(p.migrations()).await.expect("sqlx reads");
            match self.dialect {
                "postgres" => {
                    let pool = sqlx::PgPool::connect(&self.url).await.expect("pool");
                    migrator.run(&pool).await.expect("sqlx's Migrator agrees");
                }
                "mysql" => {
                    let pool = sqlx::MySqlPool::connect(&self.url).await.expect("pool");
                    migrator.run(&pool).await.expect("sqlx's Migrator agrees");
                }
                _ => {
                    let pool = sqlx::SqlitePool::connect(&self.url).await.expect("pool");
                    migrator.run(&pool).await.expect("sqlx's Migrator agrees");
                }
            }
        });
    }
}

/// The states `status --format json` gives, in order.
fn states(p: &Project, url: &str) -> Vec<String> {
    let run = p.run(&["status", "--url", url, "--format", "json"], NOW + 9000);
    assert_eq!(run.code, 0, "{run:#?}");
    run.json()["migrations"]
        .as_array()
        .expect("migrations")
        .iter()
        .map(|m| m["state"].as_str().expect("state").to_string())
        .collect()
}

/// A project for `db` with `n` migrations generated (the first applied before the others are
/// generated: gives the schema that first migration alone built), their tags.
fn project(db: &Db, n: usize) -> (Project, Vec<String>, Schema) {
    let p = Project::new(&schema(1));
    let config = format!(
        "dialect = \"{}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
        db.dialect
    );
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    assert_has(&p.run(&["generate"], NOW), 0, &[]);
    assert_has(
        &p.run(&["migrate", "--url", &db.url], NOW + 1),
        0,
        &["applied"],
    );
    let first = db.schema();
    for i in 2..=n {
        p.set_schema(&schema(i));
        assert_has(&p.run(&["generate"], NOW + 100 * i as u64), 0, &[]);
    }
    let tags = p.journal().entries.iter().map(|e| e.tag.clone()).collect();
    (p, tags, first)
}

/// Writes the hand-written down of each migration of [`project`].
fn write_downs(p: &Project, db: &Db, tags: &[String]) {
    let downs = [
        format!(
            "-- lint:allow drop-table\nDROP TABLE {};\n",
            db.q("accounts")
        ),
        format!(
            "-- lint:allow drop-table\nDROP TABLE {};\n",
            db.q("projects")
        ),
        format!(
            "-- lint:allow drop-column\nALTER TABLE {} DROP COLUMN {};\n",
            db.q("accounts"),
            db.q("nickname")
        ),
    ];
    for (tag, down) in tags.iter().zip(downs) {
        fs::write(p.migrations().join(format!("{tag}.down.sql")), down).expect("down");
    }
}

fn migrate(p: &Project, db: &Db) {
    assert_has(
        &p.run(&["migrate", "--url", &db.url], NOW + 5000),
        0,
        &["applied"],
    );
}

/// The whole story on one database.
fn history_story(db: &Db) {
    let url = db.url.as_str();
    let (p, tags, first) = project(db, 3);
    write_downs(&p, db, &tags);
    migrate(&p, db);
    let full = db.schema();
    assert_eq!(states(&p, url), ["applied"; 3]);

    // Without a terminal revert needs --yes; a terminal's "no" changes nothing.
    assert_has(
        &p.run(&["revert", "--url", url], NOW + 6000),
        2,
        &["pass --yes"],
    );
    let mut no = ScriptedPrompt {
        answers: vec![0],
        ..ScriptedPrompt::default()
    };
    let run = p.run_answering(&["revert", "--url", url], NOW + 6000, Some(&mut no));
    assert_has(&run, 1, &["cancelled: nothing was reverted"]);
    assert!(
        no.asked[0].0.starts_with("revert 1 migration(s) on "),
        "{:?}",
        no.asked
    );
    assert_eq!(states(&p, url), ["applied"; 3]);

    // --dry-run prints the down and the verdict, and changes nothing.
    let run = p.run(&["revert", "--dry-run", "--url", url], NOW + 6000);
    let down = format!("migrations/{}.down.sql", tags[2]);
    assert_has(
        &run,
        0,
        &[
            &format!("-- {down} reverts migrations/{}.sql", tags[2]),
            "DROP COLUMN",
            "dry run: 1 migration(s) would be reverted",
        ],
    );
    assert_eq!(states(&p, url), ["applied"; 3]);
    assert_eq!(db.schema(), full);

    // The newest alone; migrate applies it again.
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6100);
    assert_has(
        &run,
        0,
        &[
            &format!("reverted migrations/{}.sql with {down}", tags[2]),
            "reverted 1 migration(s)",
        ],
    );
    assert_eq!(states(&p, url), ["applied", "applied", "pending"]);
    assert_ne!(db.schema(), full);
    migrate(&p, db);
    assert_eq!(db.schema(), full);

    // Back to the first: the catalog of the first migration alone; then the full history again.
    let run = p.run(
        &["revert", "--to", &tags[0][..14], "--yes", "--url", url],
        NOW + 6200,
    );
    assert_has(&run, 0, &["reverted 2 migration(s)"]);
    let text = run.text();
    let (newest, older) = (text.find(&tags[2]).unwrap(), text.find(&tags[1]).unwrap());
    assert!(newest < older, "newest first:\n{text}");
    assert_eq!(states(&p, url), ["applied", "pending", "pending"]);
    assert_eq!(db.schema(), first);
    migrate(&p, db);
    assert_eq!(db.schema(), full);

    // Everything; then sqlx's own Migrator applies the up files beside their downs.
    let run = p.run(&["revert", "--to", "0", "--yes", "--url", url], NOW + 6300);
    assert_has(&run, 0, &["reverted 3 migration(s)"]);
    assert_eq!(states(&p, url), ["pending"; 3]);
    assert!(db.schema().tables.is_empty(), "{:#?}", db.schema());
    assert_has(
        &p.run(&["revert", "--yes", "--url", url], NOW + 6400),
        0,
        &["nothing to revert"],
    );
    db.sqlx_run(&p);
    assert_eq!(states(&p, url), ["applied"; 3]);
    assert_eq!(db.schema(), full);
}

fn sqlite_db(dir: &tempfile::TempDir) -> Db {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    Db {
        dialect: "sqlite",
        url,
    }
}

#[test]
fn sqlite_revert_newest_to_first_and_all_then_migrate_again() {
    let dir = tempfile::tempdir().expect("dir");
    history_story(&sqlite_db(&dir));
}

#[test]
fn postgres_revert_newest_to_first_and_all_then_migrate_again() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(test_db) = rt.block_on(tests::pg::TestDb::create("revert")) else {
        return;
    };
    history_story(&Db {
        dialect: "postgres",
        url: test_db.url.clone(),
    });
}

#[test]
fn mysql_revert_newest_to_first_and_all_then_migrate_again() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(test_db) = rt.block_on(tests::mysql::TestDb::create("revert")) else {
        return;
    };
    history_story(&Db {
        dialect: "mysql",
        url: test_db.url.clone(),
    });
}

/// A project with three applied migrations and their downs, and the schema they built.
fn applied(db: &Db) -> (Project, Vec<String>, Schema) {
    let (p, tags, _) = project(db, 3);
    write_downs(&p, db, &tags);
    migrate(&p, db);
    (p, tags, db.schema())
}

fn down_of(p: &Project, tag: &str) -> PathBuf {
    p.migrations().join(format!("{tag}.down.sql"))
}

/// Every refusal, before anything runs, with every reason at once.
fn refusals_story(db: &Db) {
    let url = db.url.as_str();
    let (p, tags, full) = applied(db);
    let v = |i: usize| tags[i][..14].to_string();

    // A down with a lint error nobody acknowledged; --allow-lint-errors runs it.
    let newest = down_of(&p, &tags[2]);
    let sql = fs::read_to_string(&newest).expect("down");
    fs::write(&newest, sql.replace("-- lint:allow drop-column\n", "")).expect("unreviewed");
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6000);
    let down = format!("migrations/{}.down.sql", tags[2]);
    assert_has(
        &run,
        1,
        &[
            "refusing to revert on ",
            &format!("{down}:"),
            "error drop-column",
            "nickname",
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
            "DROP COLUMN",
            "error drop-column",
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
        ],
    );
    assert_eq!(states(&p, url), ["applied"; 3]);
    assert_eq!(db.schema(), full);
}

#[test]
fn sqlite_refusals_and_a_failing_down() {
    let dir = tempfile::tempdir().expect("dir");
    refusals_story(&sqlite_db(&dir));
    let dir = tempfile::tempdir().expect("dir");
    failing_down_rolled_back(&sqlite_db(&dir));
}

#[test]
fn postgres_refusals_and_a_failing_down() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(one) = rt.block_on(tests::pg::TestDb::create("revert_refusals")) else {
        return;
    };
    refusals_story(&Db {
        dialect: "postgres",
        url: one.url.clone(),
    });
    let two = rt
        .block_on(tests::pg::TestDb::create("revert_failing"))
        .expect("db");
    failing_down_rolled_back(&Db {
        dialect: "postgres",
        url: two.url.clone(),
    });
}

#[test]
fn mysql_refusals_and_a_failing_down_told_statement_by_statement() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(one) = rt.block_on(tests::mysql::TestDb::create("revert_refusals")) else {
        return;
    };
    refusals_story(&Db {
        dialect: "mysql",
        url: one.url.clone(),
    });

    let two = rt
        .block_on(tests::mysql::TestDb::create("revert_failing"))
        .expect("db");
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
