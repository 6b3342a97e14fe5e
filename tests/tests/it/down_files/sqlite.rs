//! SQLite down files: reviewed SQL, and up then down through sqlx's `Migrator` on a file.

use super::{assert_downs_written, history, rt, sqlite_round_trip, up_down_up, SQLITE};
use migrate_cli::config::Dialect;
use tests::project::Project;

/// Up, down, up again of every migration of `p` on a fresh SQLite file, through migrate-cli's
/// backend (which runs a `-- no-transaction` rebuild as written).
fn replayed(p: &Project, tags: &[String]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("replay.db").display());
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
    insta::assert_snapshot!("sqlite_down_of_changes", p.read(&format!("{}.down.sql", tags[1])));
    insta::assert_snapshot!("sqlite_down_of_the_way_back", p.read(&format!("{}.down.sql", tags[2])));
    replayed(&p, &tags);
}
