//! SQLite down files: reviewed SQL, and up then down through sqlx's `Migrator` on a file.

use super::{assert_downs_written, history, rt, sqlite_round_trip, up_down_up, SQLITE};
use migrate_cli::config::Dialect;
use tests::project::Project;

/// Up, down, up again of every migration of `p` on a fresh SQLite file, through migrate-cli's
/// backend (which runs a `-- no-transaction` rebuild as written).
fn replayed(p: &Project, tags: &[String]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("replay.db").display()
    );
    let differences = rt().block_on(up_down_up(Dialect::Sqlite, &url, p, tags));
    assert!(differences.is_empty(), "{differences:#?}");
}

const ACCOUNTS: &str = r#"
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique)] email: String }
"#;

const WITH_NICK: &str = r#"
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique)] email: String, nick: Option<String> }
"#;

#[test]
fn an_added_column_is_dropped_by_its_down() {
    let (p, tags) = history(SQLITE, &[ACCOUNTS, WITH_NICK], &[]);
    assert_downs_written(&p, &tags);
    insta::assert_snapshot!(p.read(&format!("{}.down.sql", tags[1])));
    replayed(&p, &tags);
}

const WITH_INDEX: &str = r#"
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email, id))]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique)] email: String }
"#;

/// sqlx 0.8's SQLite migrator runs every file in a transaction: it runs a down that needs none
/// (dropping an index), and the up files alone with their own checksums.
#[test]
fn sqlx_migrator_runs_the_up_files_and_undo_runs_the_downs() {
    let (p, tags) = history(SQLITE, &[ACCOUNTS, WITH_INDEX], &[]);
    assert_downs_written(&p, &tags);
    insta::assert_snapshot!(p.read(&format!("{}.down.sql", tags[1])));
    sqlite_round_trip(&p, &tags[..], 1);
}

const PARENT_AND_CHILD: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique)] email: String, nick: Option<String> }
#[derive(Table)] #[table(name = "issues")] #[index(columns(account_id, state))]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
}
"#;

/// A rename, an enum value added (a check on SQLite), a column turned NOT NULL with a default
/// (a rebuild), a table created: the downs rename back, rebuild back with foreign keys off, and
/// drop the table.
const CHANGED: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed, Archived }
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique)] email: String, #[column(renamed_from = "nick")] nickname: Option<String> }
#[derive(Table)] #[table(name = "issues")] #[index(columns(account_id, state))]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    #[column(default = "untitled")] title: String,
}
#[derive(Table)] #[table(name = "labels")]
struct Label { #[column(primary_key, identity)] id: i64, name: String }
"#;

#[test]
fn renames_rebuilds_and_tables_are_undone_by_their_downs() {
    let back = PARENT_AND_CHILD.replace(
        "nick: Option<String>",
        "#[column(renamed_from = \"nickname\")] nick: Option<String>",
    );
    let (p, tags) = history(SQLITE, &[PARENT_AND_CHILD, CHANGED, &back], &[]);
    assert_downs_written(&p, &tags);
    insta::assert_snapshot!(
        "sqlite_down_of_changes",
        p.read(&format!("{}.down.sql", tags[1]))
    );
    insta::assert_snapshot!(
        "sqlite_down_of_the_way_back",
        p.read(&format!("{}.down.sql", tags[2]))
    );
    replayed(&p, &tags);
}

/// What the README says of sqlx 0.8 on SQLite: its `undo` wraps every down in a transaction, so
/// a down that rebuilds a table (opening its own) fails there and changes nothing.
#[test]
fn sqlx_08_cannot_undo_a_sqlite_rebuild_and_changes_nothing() {
    use sqlx::migrate::Migrator;
    use sqlx::{Connection, SqliteConnection};
    let (p, tags) = history(SQLITE, &[ACCOUNTS, WITH_NICK], &[]);
    assert!(p
        .read(&format!("{}.down.sql", tags[1]))
        .starts_with("-- no-transaction"));
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("undo.db").display());
    rt().block_on(async {
        let migrator = Migrator::new(p.migrations().as_path())
            .await
            .expect("folder");
        let mut c = SqliteConnection::connect(&url).await.expect("open");
        migrator.run(&mut c).await.expect("run");
        let columns = "SELECT count(*) FROM pragma_table_info('accounts')";
        let before: i64 = sqlx::query_scalar(columns)
            .fetch_one(&mut c)
            .await
            .expect("columns");
        let undo = migrator.undo(&mut c, super::version(&tags[0])).await;
        let error = undo
            .expect_err("sqlx 0.8 runs the rebuild inside its transaction")
            .to_string();
        assert!(
            error.contains("cannot start a transaction within a transaction"),
            "{error}"
        );
        let after: i64 = sqlx::query_scalar(columns)
            .fetch_one(&mut c)
            .await
            .expect("columns");
        assert_eq!((before, after), (3, 3));
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(&mut c)
            .await
            .expect("history");
        assert_eq!(rows, 2);
    });
}
