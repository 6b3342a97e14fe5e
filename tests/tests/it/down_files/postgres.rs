//! PostgreSQL down files: reviewed SQL of representative changes (a column added, dropped and
//! renamed, a table created and dropped, an enum value added, a concurrent index in its own
//! `-- no-transaction` file), each down applied on a real database after its up, and sqlx's own
//! `Migrator` running the up files and our downs.

use super::{assert_downs_written, checksum, history, rt, up_down_up, version};
use migrate_cli::config::Dialect;
use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection};
use tests::pg::TestDb;
use tests::project::CONFIG;

const V1: &str = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique)] email: String, nick: Option<String> }
#[derive(Table)] #[table(name = "issues")]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
}
"#;

/// A column added, one renamed, one dropped, an enum value added, a table created and a
/// concurrent index.
const V2: &str = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] enum State { Open, Closed, Archived }
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email, karma), concurrently)]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique)] email: String,
    #[column(renamed_from = "nick")] nickname: Option<String>,
    #[column(default = 0)] karma: i32,
}
#[derive(Table)] #[table(name = "issues")]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
}
#[derive(Table)] #[table(name = "labels")]
struct Label { #[column(primary_key, identity)] id: i64, name: String }
"#;

/// The table dropped again, a column narrowed.
const V3: &str = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] enum State { Open, Closed, Archived }
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email, karma), concurrently)]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique)] email: String,
    #[column(sql_type = "varchar(40)")] nickname: Option<String>,
    #[column(default = 0)] karma: i32,
}
#[derive(Table)] #[table(name = "issues")]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
}
"#;

#[test]
fn pg_downs_are_reviewed_and_restore_each_previous_schema() {
    let (p, tags) = history(CONFIG, &[V1, V2, V3], &[]);
    // V2 writes a main file and a concurrent-index file.
    assert_eq!(tags.len(), 4, "{tags:?}");
    assert_downs_written(&p, &tags);
    for tag in &tags {
        let name = format!("{}.down.sql", tag);
        insta::assert_snapshot!(format!("pg_down_{}", &tag[15..]), p.read(&name));
    }
    let rt = rt();
    let Some(db) = rt.block_on(TestDb::create("down_files_pg")) else {
        return;
    };
    let differences = rt.block_on(up_down_up(Dialect::Postgres, &db.url, &p, &tags));
    assert!(differences.is_empty(), "{differences:#?}");
}

/// sqlx's `Migrator` reads our downs beside the up files: `run` applies the up files alone
/// (their checksums recorded), `undo` runs the downs newest first (the concurrent one outside a
/// transaction) and removes the rows; `run` applies them again.
#[test]
fn pg_sqlx_migrator_runs_up_files_and_undoes_with_our_downs() {
    let (p, tags) = history(CONFIG, &[V1, V2], &[]);
    let rt = rt();
    let Some(db) = rt.block_on(TestDb::create("down_files_sqlx")) else {
        return;
    };
    rt.block_on(async {
        let migrator = Migrator::new(p.migrations().as_path()).await.expect("sqlx reads the folder");
        let mut c = PgConnection::connect(&db.url).await.expect("connect");
        migrator.run(&mut c).await.expect("run");
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&mut c)
                .await
                .expect("history");
        let want: Vec<(i64, Vec<u8>)> = tags
            .iter()
            .map(|t| (version(t), checksum(&p.read(&format!("{t}.sql")))))
            .collect();
        assert_eq!(rows, want);
        let full = db.catalog().await;
        migrator.undo(&mut c, version(&tags[0])).await.expect("undo");
        let left: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(&mut c)
            .await
            .expect("history");
        assert_eq!(left, [version(&tags[0])]);
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
        )
        .fetch_all(&mut c)
        .await
        .expect("tables");
        assert_eq!(tables, ["_sqlx_migrations", "accounts", "issues"]);
        migrator.run(&mut c).await.expect("run again");
        assert_eq!(db.catalog().await, full);
        c.close().await.expect("close");
    });
}
