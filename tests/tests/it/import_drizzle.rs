//! `import drizzle` on folders the real drizzle-kit 0.31.11 wrote
//! (`tests/fixtures/drizzle-kit-0.31.11`, with the script that made them): the schema read
//! from the last snapshot is the schema of a database drizzle-kit's SQL built, judged as
//! `verify` and `check --url` judge a database against a snapshot.

use migrate_cli::backend;
use migrate_cli::config::Dialect;
use migrate_cli::database::{Target, UrlSource};
use migrate_cli::import::drizzle;
use std::path::{Path, PathBuf};
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
