//! MySQL down files: reviewed SQL (an inline enum losing the value its up appended, a column
//! added, renamed and dropped, a table created and dropped), each down applied on MariaDB after
//! its up, the catalog compared with the previous snapshot.

use super::{assert_downs_written, history, rt, up_down_up};
use migrate_cli::config::Dialect;
use tests::mysql::TestDb;

const MYSQL: &str = "dialect = \"mysql\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

const V1: &str = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique, sql_type = "varchar(200)")] email: String, nick: Option<String> }
#[derive(Table)] #[table(name = "issues")]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
}
"#;

const V2: &str = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] enum State { Open, Closed, Archived }
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email, karma))]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique, sql_type = "varchar(200)")] email: String,
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

#[test]
fn mysql_downs_are_reviewed_and_restore_each_previous_schema() {
    let (p, tags) = history(MYSQL, &[V1, V2], &[]);
    assert_downs_written(&p, &tags);
    for tag in &tags {
        let name = format!("{tag}.down.sql");
        insta::assert_snapshot!(format!("mysql_down_{}", &tag[15..]), p.read(&name));
    }
    let rt = rt();
    let Some(db) = rt.block_on(TestDb::create("down_files_mysql")) else {
        return;
    };
    let differences = rt.block_on(up_down_up(Dialect::Mysql, &db.url, &p, &tags));
    assert!(differences.is_empty(), "{differences:#?}");
}
