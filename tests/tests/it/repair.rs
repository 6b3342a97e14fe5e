//! `migrate-cli repair` on PostgreSQL, SQLite and MariaDB: a migration edited after it was
//! applied makes `migrate` refuse until `repair --checksum` records the file as it is (then
//! `migrate`, `status`, `check` and sqlx's own `Migrator` agree); a failed row is removed with
//! `repair --failed` (on MySQL, the row a file whose second statement failed leaves); and the
//! misuses are refused with what to do.

use migrate_cli::prompt::ScriptedPrompt;
use sqlx::migrate::Migrator;
use std::fs;
use tests::project::{Project, Run, NOW};

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
}
"#;

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let text = run.text();
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

/// A project for `dialect` with its first migration generated and applied to `url`; gives
/// the migration's tag.
fn applied(dialect: &str, url: &str) -> (Project, String) {
    let p = Project::new(ACCOUNTS);
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    assert_has(&p.run(&["generate"], NOW), 0, &[]);
    assert_has(&p.run(&["migrate", "--url", url], NOW + 5), 0, &["applied"]);
    let tag = p.journal().entries[0].tag.clone();
    (p, tag)
}

/// The states `status --format json` gives, in order.
fn states(p: &Project, url: &str) -> Vec<String> {
    let run = p.run(&["status", "--url", url, "--format", "json"], NOW + 60);
    assert_eq!(run.code, 0, "{run:#?}");
    run.json()["migrations"]
        .as_array()
        .expect("migrations")
        .iter()
        .map(|m| m["state"].as_str().expect("state").to_string())
        .collect()
}

/// The whole `--checksum` story on one database: the applied file is edited (a comment, as a
/// review adds), migrate refuses naming repair, repair records it, and everything agrees.
fn checksum_story(dialect: &str, url: &str) -> Project {
    let (p, tag) = applied(dialect, url);
    let version = &tag[..14];
    let file = p.migrations().join(format!("{tag}.sql"));
    let sql = fs::read_to_string(&file).expect("sql");
    fs::write(
        &file,
        format!("-- reviewed: the email column is unique in practice\n{sql}"),
    )
    .expect("edit");

    let run = p.run(&["migrate", "--url", url], NOW + 10);
    assert_has(
        &run,
        1,
        &[
            "changed since it was applied",
            &format!("`migrate-cli repair --checksum {version}`"),
            "nothing was applied",
        ],
    );
    assert_eq!(states(&p, url), ["modified"]);
    let run = p.run(&["check", "--url", url], NOW + 10);
    assert_has(
        &run,
        1,
        &[&format!("run `migrate-cli repair --checksum {version}`")],
    );

    // Without a terminal, repair needs --yes.
    let run = p.run(&["repair", "--checksum", version, "--url", url], NOW + 20);
    assert_has(&run, 2, &["pass --yes; nothing was changed"]);
    assert_eq!(states(&p, url), ["modified"]);

    // On a terminal it shows both checksums and asks; "no" changes nothing.
    let mut no = ScriptedPrompt {
        answers: vec![0],
        ..ScriptedPrompt::default()
    };
    let args = ["repair", "--checksum", version, "--url", url];
    let run = p.run_answering(&args, NOW + 20, Some(&mut no));
    assert_has(
        &run,
        1,
        &["stored checksum: ", "new checksum:    ", "cancelled"],
    );
    assert!(
        no.asked[0]
            .0
            .contains("record the new checksum of migrations/"),
        "{:?}",
        no.asked
    );
    assert_eq!(states(&p, url), ["modified"]);

    let run = p.run(
        &["repair", "--checksum", &tag, "--yes", "--url", url],
        NOW + 30,
    );
    assert_has(
        &run,
        0,
        &[
            "stored checksum: ",
            "new checksum:    ",
            &format!("recorded the checksum of migrations/{tag}.sql for migration {version}"),
        ],
    );
    assert_eq!(states(&p, url), ["applied"]);
    assert_has(
        &p.run(&["migrate", "--url", url], NOW + 40),
        0,
        &["nothing to apply"],
    );
    assert_has(
        &p.run(&["check", "--url", url], NOW + 40),
        0,
        &["check passed"],
    );

    // Misuses are refused, naming what to do.
    let run = p.run(
        &["repair", "--checksum", version, "--yes", "--url", url],
        NOW + 50,
    );
    assert_has(
        &run,
        1,
        &["has the checksum", "recorded for it; nothing to repair"],
    );
    let run = p.run(
        &["repair", "--failed", version, "--yes", "--url", url],
        NOW + 50,
    );
    assert_has(&run, 1, &["not failed", &format!("--checksum {version}")]);
    let run = p.run(
        &[
            "repair",
            "--checksum",
            "20200101000000",
            "--yes",
            "--url",
            url,
        ],
        NOW + 50,
    );
    assert_has(
        &run,
        1,
        &[
            "has no row for migration 20200101000000",
            &format!("it has {version}"),
        ],
    );
    let run = p.run(
        &["repair", "--failed", "latest", "--yes", "--url", url],
        NOW + 50,
    );
    assert_has(&run, 2, &["--failed latest: not a migration version"]);
    let run = p.run(&["repair", "--yes", "--url", url], NOW + 50);
    assert_eq!(run.code, 2, "{run:#?}");
    p
}

/// A failed row (as a run that stopped part way leaves it) for a version without a file:
/// `--checksum` refuses it, `--failed` removes it.
fn failed_row_story(p: &Project, url: &str, version: i64) {
    assert_eq!(states(p, url).last().map(String::as_str), Some("failed"));
    let v = version.to_string();
    let run = p.run(
        &["repair", "--checksum", &v, "--yes", "--url", url],
        NOW + 70,
    );
    assert_has(
        &run,
        1,
        &["recorded as failed", &format!("repair --failed {v}")],
    );
    let run = p.run(&["repair", "--failed", &v, "--yes", "--url", url], NOW + 70);
    assert_has(
        &run,
        0,
        &[
            &format!("removed the failed row of migration {v}"),
            "its file is no longer in migrations (dropped), so migrate will not run it again",
        ],
    );
    assert!(
        !run.stdout.contains("apply the fixed file") && !run.stdout.contains("apply it again"),
        "{run:#?}"
    );
    assert_eq!(states(p, url), ["applied"]);
}

#[test]
fn postgres_a_fixed_file_is_recorded_and_a_failed_row_removed() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("repair")) else {
        return;
    };
    let p = checksum_story("postgres", &db.url);
    let migrator = rt
        .block_on(Migrator::new(p.migrations()))
        .expect("sqlx reads the folder");
    rt.block_on(migrator.run(&db.pool))
        .expect("sqlx's Migrator agrees");
    rt.block_on(
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'half done', false, '\\x00', -1)")
            .execute(&db.pool),
    )
    .expect("failed row");
    failed_row_story(&p, &db.url, 99990101000000);
    rt.block_on(migrator.run(&db.pool))
        .expect("sqlx's Migrator agrees");
}

#[test]
fn sqlite_a_fixed_file_is_recorded_and_a_failed_row_removed() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    let p = checksum_story("sqlite", &url);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pool = rt.block_on(sqlx::SqlitePool::connect(&url)).expect("pool");
    let migrator = rt
        .block_on(Migrator::new(p.migrations()))
        .expect("sqlx reads the folder");
    rt.block_on(migrator.run(&pool))
        .expect("sqlx's Migrator agrees");
    rt.block_on(
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'half done', false, x'00', -1)")
            .execute(&pool),
    )
    .expect("failed row");
    failed_row_story(&p, &url, 99990101000000);
    rt.block_on(migrator.run(&pool))
        .expect("sqlx's Migrator agrees");
}

#[test]
fn mysql_a_fixed_file_is_recorded_and_a_half_applied_file_repaired() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("repair")) else {
        return;
    };
    let p = checksum_story("mysql", &db.url);
    let migrator = rt
        .block_on(Migrator::new(p.migrations()))
        .expect("sqlx reads the folder");
    rt.block_on(migrator.run(&db.pool))
        .expect("sqlx's Migrator agrees");

    // A custom migration whose second statement fails: the first ran and remains, and the
    // row says failed.
    assert_has(
        &p.run(&["generate", "--custom", "--name", "notes"], NOW + 100),
        0,
        &[],
    );
    let tag = p.journal().entries[1].tag.clone();
    let version = tag[..14].to_string();
    let file = p.migrations().join(format!("{tag}.sql"));
    let broken = "CREATE TABLE `notes` (`id` int);\nALTER TABLE `nowhere` ADD COLUMN `x` int;\n";
    fs::write(&file, broken).expect("broken file");
    let run = p.run(&["migrate", "--url", &db.url], NOW + 110);
    assert_has(
        &run,
        1,
        &[&format!("then run `migrate-cli repair --failed {version}`")],
    );
    assert_eq!(states(&p, &db.url), ["applied", "failed"]);
    let run = p.run(&["migrate", "--url", &db.url], NOW + 120);
    assert_has(
        &run,
        1,
        &[
            &format!("`migrate-cli repair --failed {version}`"),
            "nothing was applied",
        ],
    );
    let run = p.run(&["status", "--url", &db.url], NOW + 120);
    assert_has(
        &run,
        0,
        &[&format!("then run `migrate-cli repair --failed {version}`")],
    );

    // Fixed: what ran is undone, the file corrected, the row removed; migrate applies it.
    rt.block_on(db.execute("DROP TABLE `notes`")).expect("undo");
    fs::write(&file, broken.replace("`nowhere`", "`notes`")).expect("fix");
    let run = p.run(
        &["repair", "--checksum", &version, "--yes", "--url", &db.url],
        NOW + 130,
    );
    assert_has(
        &run,
        1,
        &[
            "is recorded as failed",
            &format!("repair --failed {version}"),
        ],
    );
    let run = p.run(
        &["repair", "--failed", &version, "--yes", "--url", &db.url],
        NOW + 130,
    );
    assert_has(
        &run,
        0,
        &[
            &format!("removed the failed row of migration {version}"),
            "run migrate to apply the fixed file",
        ],
    );
    assert_has(
        &p.run(&["migrate", "--url", &db.url], NOW + 140),
        0,
        &[&format!("applied migrations/{tag}.sql")],
    );
    assert_eq!(states(&p, &db.url), ["applied", "applied"]);
    let rows: Vec<(i64, bool)> = rt
        .block_on(
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&db.pool),
        )
        .expect("rows");
    assert!(rows.iter().all(|(_, ok)| *ok), "{rows:?}");
    let migrator = rt
        .block_on(Migrator::new(p.migrations()))
        .expect("sqlx reads the folder");
    rt.block_on(migrator.run(&db.pool))
        .expect("sqlx's Migrator agrees");
}
