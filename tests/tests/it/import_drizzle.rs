//! `import drizzle` on folders the real drizzle-kit 0.31.11 wrote
//! (`tests/fixtures/drizzle-kit-0.31.11`, with the script that made them): the schema read
//! from the last snapshot is the schema of a database drizzle-kit's SQL built, judged as
//! `verify` and `check --url` judge a database against a snapshot.

use migrate_cli::backend;
use migrate_cli::config::Dialect;
use migrate_cli::database::{Target, UrlSource};
use migrate_cli::import::drizzle;
use std::path::{Path, PathBuf};
use tests::project::NOW;
use tests::server::TestDb;

fn fixture(dialect: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/drizzle-kit-0.31.11")
        .join(dialect)
}

/// Runs drizzle-kit's SQL files of `folder` on the database at `url`, statement by statement
/// as drizzle-kit's migrator does (split at `--> statement-breakpoint`).
async fn apply_drizzle_sql(dialect: Dialect, url: &str, imported: &drizzle::Imported) {
    use sqlx::{Connection, Executor};
    for entry in &imported.entries {
        let sql = std::fs::read_to_string(&entry.sql).expect("drizzle SQL");
        for statement in sql.split("--> statement-breakpoint") {
            let result = match dialect {
                Dialect::Postgres => {
                    let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
                    c.execute(statement).await.map(drop)
                }
                Dialect::Mysql => {
                    let mut c = sqlx::MySqlConnection::connect(url).await.expect("connect");
                    c.execute(statement).await.map(drop)
                }
                Dialect::Sqlite => {
                    let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
                    c.execute(statement).await.map(drop)
                }
            };
            result.unwrap_or_else(|e| panic!("{}: {e}\n{statement}", entry.tag));
        }
    }
}

/// The differences between the database at `url` and the imported schema.
async fn differences(dialect: Dialect, url: &str, imported: &drizzle::Imported) -> Vec<String> {
    let target = Target {
        url: url.to_string(),
        source: UrlSource::Env,
        base: PathBuf::from("."),
    };
    let mut conn = backend::connect(&target, dialect).await.expect("connect");
    let have = conn.introspect().await.expect("introspect");
    let judged = migrate_cli::introspect::judge::compare(&mut conn, &imported.schema, &have).await;
    conn.close().await;
    judged.differences
}

async fn snapshot_is_the_database(dialect: Dialect, folder: &str, url: &str) {
    let imported = drizzle::read(&fixture(folder).join("out")).expect("reads");
    apply_drizzle_sql(dialect, url, &imported).await;
    let found = differences(dialect, url, &imported).await;
    assert!(found.is_empty(), "{folder}: {found:#?}");
}

#[tokio::test]
async fn postgres_snapshot_reads_as_the_database_drizzle_built() {
    let Some(db) = TestDb::<sqlx::Postgres>::create("import_drizzle_pg").await else {
        return;
    };
    snapshot_is_the_database(Dialect::Postgres, "pg", &db.url).await;
}

#[tokio::test]
async fn mysql_snapshot_reads_as_the_database_drizzle_built() {
    let Some(db) = TestDb::<sqlx::MySql>::create("import_drizzle_my").await else {
        return;
    };
    snapshot_is_the_database(Dialect::Mysql, "mysql", &db.url).await;
}

#[tokio::test]
async fn sqlite_snapshot_reads_as_the_database_drizzle_built() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
    snapshot_is_the_database(Dialect::Sqlite, "sqlite", &url).await;
}

/// SQL run by hand on the test database.
type Exec<'a> = &'a dyn Fn(&str) -> Result<(), String>;

/// A project for `dialect` whose schema folder is empty (import writes it).
fn empty_project(dialect: &str) -> tests::project::Project {
    let p = tests::project::Project::new("");
    std::fs::remove_file(p.path().join("src/schema/tables.rs")).expect("no schema file");
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    std::fs::write(p.path().join("migrate.toml"), config).expect("config");
    p
}

fn assert_has(run: &tests::project::Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{}", run.text());
    for needle in needles {
        assert!(
            run.text().contains(needle),
            "{needle:?} missing:\n{}",
            run.text()
        );
    }
}

/// The story on one database that drizzle-kit migrated (its SQL files run, then its
/// migrations table as `drizzle-kit migrate` left it): `import drizzle --url` writes the
/// sources and the baseline and records it; `generate` says `no changes`; `migrate` has
/// nothing to run; `verify` rebuilds the baseline; drizzle's table is untouched.
fn adopt_story(
    dialect: Dialect,
    folder: &str,
    url: &str,
    exec: Exec<'_>,
    rows: &dyn Fn(&str) -> i64,
) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let fixture = fixture(folder);
    let imported = drizzle::read(&fixture.join("out")).expect("reads");
    rt.block_on(apply_drizzle_sql(dialect, url, &imported));
    let dump = std::fs::read_to_string(fixture.join("drizzle_migrations.sql")).expect("dump");
    exec(&dump).expect("drizzle's table");
    let drizzle_table = match dialect {
        Dialect::Postgres => "drizzle.__drizzle_migrations",
        _ => "__drizzle_migrations",
    };
    let before = rows(drizzle_table);
    assert_eq!(before, imported.entries.len() as i64);

    let p = empty_project(dialect.as_str());
    let out = fixture.join("out");
    let out = out.to_str().expect("utf-8 path");
    let run = p.run(&["import", "drizzle", out, "--url", url], NOW);
    let count = format!(
        "imported {} drizzle-kit migration(s)",
        imported.entries.len()
    );
    assert_has(
        &run,
        0,
        &[&count, "src/schema/mod.rs", "_baseline.sql", "recorded"],
    );
    assert_eq!(rows("_sqlx_migrations"), 1, "the baseline's row");
    assert_eq!(
        rows(drizzle_table),
        before,
        "drizzle's table is left as it is"
    );
    let entry = &p.journal().entries[0];
    assert!(entry.baseline, "{entry:?}");

    assert_has(&p.run(&["generate"], NOW + 10), 0, &["no changes"]);
    let migrate = p.run(&["migrate", "--url", url], NOW + 20);
    assert_eq!(migrate.code, 0, "{}", migrate.text());
    assert_eq!(rows("_sqlx_migrations"), 1, "nothing ran");
    let verify = p.run(&["verify", "--url", url], NOW + 30);
    assert_eq!(verify.code, 0, "{}", verify.text());

    // Again into a project whose folder now has a history: refused, nothing written.
    let again = p.run(&["import", "drizzle", out], NOW + 40);
    assert_has(&again, 1, &["already has a history", "nothing was written"]);
}

/// Refused before anything is written: a database whose schema differs from the last
/// snapshot, one where a file changed since drizzle-kit applied it, and one where drizzle-kit
/// has not applied the newest migration.
fn refuse_story(dialect: Dialect, folder: &str, url: &str, exec: Exec<'_>) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let fixture = fixture(folder);
    let imported = drizzle::read(&fixture.join("out")).expect("reads");
    rt.block_on(apply_drizzle_sql(dialect, url, &imported));
    let dump = std::fs::read_to_string(fixture.join("drizzle_migrations.sql")).expect("dump");
    exec(&dump).expect("drizzle's table");
    let table = match dialect {
        Dialect::Postgres => "drizzle.__drizzle_migrations",
        _ => "__drizzle_migrations",
    };
    let p = empty_project(dialect.as_str());
    let out = fixture.join("out");
    let out = out.to_str().expect("utf-8");
    let refused = |needles: &[&str]| {
        let run = p.run(&["import", "drizzle", out, "--url", url], NOW);
        assert_has(&run, 1, needles);
        assert!(!p.migrations().exists(), "no migrations folder");
        assert!(!p.path().join("src/schema/mod.rs").exists(), "no sources");
    };

    // (A table, not a column: SQLite 3.46 refuses to drop a column of drizzle-kit's users.)
    exec("CREATE TABLE extra_by_hand (id integer)").expect("a table by hand");
    refused(&[
        "differs from the last drizzle-kit snapshot",
        "extra_by_hand",
        "nothing was written",
    ]);
    exec("DROP TABLE extra_by_hand").expect("dropped again");

    let first = &imported.entries[0];
    exec(&format!(
        "UPDATE {table} SET hash = 'edited' WHERE hash = '{}'",
        first.hash
    ))
    .expect("another hash");
    refused(&[
        &first.tag,
        "changed since drizzle-kit applied it",
        "restore the file",
    ]);
    exec(&format!(
        "UPDATE {table} SET hash = '{}' WHERE hash = 'edited'",
        first.hash
    ))
    .expect("the hash again");

    let last = &imported.entries.last().expect("a migration");
    exec(&format!("DELETE FROM {table} WHERE hash = '{}'", last.hash)).expect("delete");
    refused(&[&last.tag, "drizzle-kit migrate", "nothing was written"]);
}

#[test]
fn postgres_drizzle_folder_is_adopted_and_generate_says_no_changes() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("import_drizzle_cli_pg")) else {
        return;
    };
    let Some(other) = rt.block_on(tests::pg::TestDb::create("import_drizzle_cli_pg2")) else {
        return;
    };
    let exec = |sql: &str| rt.block_on(db.apply(sql)).map_err(|e| e.to_string());
    let rows = |table: &str| {
        rt.block_on(
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&db.pool),
        )
        .expect("count")
    };
    adopt_story(Dialect::Postgres, "pg", &db.url, &exec, &rows);
    let exec_other = |sql: &str| rt.block_on(other.apply(sql)).map_err(|e| e.to_string());
    refuse_story(Dialect::Postgres, "pg", &other.url, &exec_other);
}

#[test]
fn sqlite_drizzle_folder_is_adopted_and_generate_says_no_changes() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, adopt) in [("a.db", true), ("b.db", false)] {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
        let pool = rt.block_on(sqlx::SqlitePool::connect(&url)).expect("pool");
        let exec = |sql: &str| {
            rt.block_on(sqlx::raw_sql(sql).execute(&pool))
                .map(drop)
                .map_err(|e| e.to_string())
        };
        let rows = |table: &str| {
            rt.block_on(
                sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                    .fetch_one(&pool),
            )
            .expect("count")
        };
        match adopt {
            true => adopt_story(Dialect::Sqlite, "sqlite", &url, &exec, &rows),
            false => refuse_story(Dialect::Sqlite, "sqlite", &url, &exec),
        }
    }
}

#[test]
fn mysql_drizzle_folder_is_adopted_and_generate_says_no_changes() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("import_drizzle_cli_my")) else {
        return;
    };
    let exec = |sql: &str| rt.block_on(db.execute(sql)).map_err(|e| e.to_string());
    let rows = |table: &str| {
        rt.block_on(
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&db.pool),
        )
        .expect("count")
    };
    adopt_story(Dialect::Mysql, "mysql", &db.url, &exec, &rows);
}
