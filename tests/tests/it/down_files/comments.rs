//! The `-- lint:` lines `generate` writes into a down file are exactly what `check`'s gate then
//! reports for it (`gate::down_findings` with the migration's snapshots), on every dialect, for a
//! migration creating everything, one adding columns and a table, one adding an index.

use super::{history, snapshot, MYSQL, SQLITE};
use migrate_cli::config::Dialect;
use migrate_cli::gate;
use tests::project::CONFIG;

const V1: &str = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email))]
struct Account { #[column(primary_key, identity)] id: i64, #[column(unique, sql_type = "varchar(200)")] email: String }
#[derive(Table)] #[table(name = "issues")]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
}
"#;

/// Columns and a table added (a down `generate` leaves unread: drops of what the up created).
const V2: &str = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email))]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique, sql_type = "varchar(200)")] email: String,
    nick: Option<String>,
    #[column(default = 0)] karma: i32,
}
#[derive(Table)] #[table(name = "issues")]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
    body: Option<String>,
}
#[derive(Table)] #[table(name = "labels")]
struct Label { #[column(primary_key, identity)] id: i64, name: String }
"#;

/// An index added (a down `generate` reads: on PostgreSQL its statement alone says more).
const V3: &str = r#"
#[derive(DbEnum)] #[db_enum(name = "state")] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email))] #[index(columns(karma, email))]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique, sql_type = "varchar(200)")] email: String,
    nick: Option<String>,
    #[column(default = 0)] karma: i32,
}
#[derive(Table)] #[table(name = "issues")]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
    body: Option<String>,
}
#[derive(Table)] #[table(name = "labels")]
struct Label { #[column(primary_key, identity)] id: i64, name: String }
"#;

/// For each migration of a three-step history on `dialect`: the down file's `-- lint:` lines are
/// the comments of the gate's findings, in order.
fn comments_are_the_gates(config: &str, dialect: Dialect) {
    let (p, tags) = history(config, &[V1, V2, V3], &[]);
    for (i, tag) in tags.iter().enumerate() {
        let sql = p.read(&format!("{tag}.down.sql"));
        let written: Vec<&str> = sql
            .lines()
            .filter(|l| l.starts_with("-- lint:") && !l.starts_with("-- lint:allow"))
            .collect();
        let own = snapshot(&p, Some(tag));
        let previous = snapshot(&p, i.checked_sub(1).map(|j| tags[j].as_str()));
        let gated: Vec<String> = gate::down_findings(dialect, &sql, Some((&own, &previous)))
            .into_iter()
            .map(|f| f.finding.comment())
            .collect();
        // The first down drops the foreign key before the tables (SQLite's goes with its table).
        let drops_key = sql.lines().any(|l| l.starts_with("ALTER TABLE"));
        assert!(i != 0 || drops_key == (dialect != Dialect::Sqlite), "{sql}");
        // Dropping what V1 and V2 created are findings; dropping an index may be none.
        assert!(i == 2 || !gated.is_empty(), "{dialect:?} {tag}: {sql}");
        assert_eq!(written, gated, "{dialect:?} {tag}: {sql}");
    }
}

#[test]
fn pg_down_comments_are_what_the_gate_reports() {
    comments_are_the_gates(CONFIG, Dialect::Postgres);
}

#[test]
fn sqlite_down_comments_are_what_the_gate_reports() {
    comments_are_the_gates(SQLITE, Dialect::Sqlite);
}

#[test]
fn mysql_down_comments_are_what_the_gate_reports() {
    comments_are_the_gates(MYSQL, Dialect::Mysql);
}
