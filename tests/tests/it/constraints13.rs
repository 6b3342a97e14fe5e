//! Issue 13's constraints on real servers, through the CLI: a named primary key, struct-level
//! composite foreign keys (to a primary key and to a unique set) and `nulls_not_distinct` are
//! created, altered (a key added and dropped, a key's name changed) and dropped; after each
//! `generate` and `migrate` the database reads back into the snapshot with no difference (the
//! comparison `verify` and `check --url` make), `check --url` finds no drift, and the rows
//! stay. `drizzle` replays drizzle-kit's own cases for these kinds.

mod drizzle;

use migrate_cli::backend;
use migrate_cli::config::Dialect;
use migrate_cli::database::{Target, UrlSource};
use schema_core::model::Schema;
use schema_core::snapshot::{without_rename_hints, Snapshot};
use sqlx::Connection;
use std::fs;
use tests::project::{Project, Run, NOW};

/// A project for `dialect` whose schema file holds `schema`.
fn project(dialect: &str, schema: &str) -> Project {
    let p = Project::new(schema);
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    p
}

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what} failed:\n{}", run.text());
}

/// The snapshot of the newest migration.
fn latest_snapshot(p: &Project) -> Schema {
    let journal = p.journal();
    let tag = &journal.entries.last().expect("a migration").tag;
    let path = p
        .migrations()
        .join("meta")
        .join(format!("{}_snapshot.json", &tag[..14]));
    let snapshot = Snapshot::parse(&fs::read_to_string(path).expect("snapshot")).expect("parses");
    without_rename_hints(&snapshot.schema)
}

/// The differences between the live database and `want`, judged as `verify` judges them.
async fn differences(dialect: Dialect, url: &str, want: &Schema) -> Vec<String> {
    let target = Target {
        url: url.to_string(),
        source: UrlSource::Env,
        base: std::path::PathBuf::from("."),
    };
    let mut conn = backend::connect(&target, dialect).await.expect("connect");
    let mut have = conn.introspect().await.expect("introspect");
    have.tables.retain(|k, _| !k.ends_with("._sqlx_migrations"));
    let judged = migrate_cli::introspect::judge::compare(&mut conn, want, &have).await;
    conn.close().await;
    judged.differences
}

/// Runs SQL on the database at `url` (several statements; no result).
async fn exec(dialect: Dialect, url: &str, sql: &str) -> Result<(), sqlx::Error> {
    use sqlx::Executor;
    match dialect {
        Dialect::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await?;
            c.execute(sql).await.map(drop)
        }
        Dialect::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(url).await?;
            c.execute(sql).await.map(drop)
        }
        Dialect::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await?;
            c.execute(sql).await.map(drop)
        }
    }
}

/// The one integer `sql` gives.
async fn count(dialect: Dialect, url: &str, sql: &str) -> i64 {
    let got = match dialect {
        Dialect::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_one(&mut c).await
        }
        Dialect::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_one(&mut c).await
        }
        Dialect::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_one(&mut c).await
        }
    };
    got.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// One version of the schema, the rows inserted after migrating to it, a statement the
/// database must refuse once it is applied (a key at work), if any, and the row count of each
/// table after the step's rows.
struct Step {
    schema: &'static str,
    rows: &'static str,
    refused: &'static str,
    counts: &'static [(&'static str, i64)],
}

/// `generate` and `migrate` each step on the database at `url`; after each, the database reads
/// back into the step's snapshot, `check --url` passes, `refused` fails and no row is lost.
fn walk(dialect: Dialect, url: &str, steps: &[Step]) -> Project {
    let name = match dialect {
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mysql",
        Dialect::Sqlite => "sqlite",
    };
    let p = project(name, steps[0].schema);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for (n, step) in steps.iter().enumerate() {
        let now = NOW + 100 * n as u64;
        p.set_schema(step.schema);
        ok(
            &p.run(&["generate", "--name", &format!("step{n}")], now),
            "generate",
        );
        ok(&p.run(&["migrate", "--url", url], now + 10), "migrate");
        let want = latest_snapshot(&p);
        let diff = rt.block_on(differences(dialect, url, &want));
        assert!(diff.is_empty(), "{name} step {n}: {diff:#?}");
        let check = p.run(&["check", "--url", url], now + 20);
        assert!(
            !check.text().contains("drift"),
            "{name} step {n}:\n{}",
            check.text()
        );
        assert_eq!(check.code, 0, "{name} step {n}:\n{}", check.text());
        if !step.rows.is_empty() {
            rt.block_on(exec(dialect, url, step.rows))
                .unwrap_or_else(|e| panic!("{name} step {n}: rows: {e}"));
        }
        if !step.refused.is_empty() {
            let refused = rt.block_on(exec(dialect, url, step.refused));
            assert!(
                refused.is_err(),
                "{name} step {n}: {} was accepted",
                step.refused
            );
        }
        for (table, want) in step.counts.iter().copied() {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let have = rt.block_on(count(dialect, url, &sql));
            assert_eq!(have, want, "{name} step {n}: rows of {table}");
        }
    }
    p
}

const ORDERS_1: &str = r#"
#[derive(Table)]
#[table(name = "orders")]
#[primary_key(region, number, name = "orders_pk")]
pub struct Order { pub region: i32, pub number: i64, pub note: Option<String> }

#[derive(Table)]
#[table(name = "order_lines")]
#[primary_key(id, name = "order_lines_pk")]
#[unique(columns(order_region, order_number, line))]
pub struct OrderLine { pub id: i64, pub order_region: i32, pub order_number: i64, pub line: i32 }
"#;

/// A composite key to the orders' primary key, and a new table whose key points at the
/// lines' unique set.
const ORDERS_2: &str = r#"
#[derive(Table)]
#[table(name = "orders")]
#[primary_key(region, number, name = "orders_pk")]
pub struct Order { pub region: i32, pub number: i64, pub note: Option<String> }

#[derive(Table)]
#[table(name = "order_lines")]
#[primary_key(id, name = "order_lines_pk")]
#[unique(columns(order_region, order_number, line))]
#[foreign_key(columns(order_region, order_number), references = Order, ref_columns(region, number), name = "order_lines_order_fk", on_delete = "cascade")]
pub struct OrderLine { pub id: i64, pub order_region: i32, pub order_number: i64, pub line: i32 }

#[derive(Table)]
#[table(name = "shipments")]
#[foreign_key(columns(region, number, line), references = OrderLine, ref_columns(order_region, order_number, line))]
pub struct Shipment { #[column(primary_key)] pub id: i64, pub region: i32, pub number: i64, pub line: i32 }
"#;

/// The primary keys renamed, the first key's action changed.
const ORDERS_3: &str = r#"
#[derive(Table)]
#[table(name = "orders")]
#[primary_key(region, number, name = "orders_region_number_pk")]
pub struct Order { pub region: i32, pub number: i64, pub note: Option<String> }

#[derive(Table)]
#[table(name = "order_lines")]
#[primary_key(id)]
#[unique(columns(order_region, order_number, line))]
#[foreign_key(columns(order_region, order_number), references = Order, ref_columns(region, number), name = "order_lines_order_fk", on_delete = "restrict", on_update = "cascade")]
pub struct OrderLine { pub id: i64, pub order_region: i32, pub order_number: i64, pub line: i32 }

#[derive(Table)]
#[table(name = "shipments")]
#[foreign_key(columns(region, number, line), references = OrderLine, ref_columns(order_region, order_number, line))]
pub struct Shipment { #[column(primary_key)] pub id: i64, pub region: i32, pub number: i64, pub line: i32 }
"#;

/// Both composite keys dropped.
const ORDERS_4: &str = r#"
#[derive(Table)]
#[table(name = "orders")]
#[primary_key(region, number, name = "orders_region_number_pk")]
pub struct Order { pub region: i32, pub number: i64, pub note: Option<String> }

#[derive(Table)]
#[table(name = "order_lines")]
#[primary_key(id)]
#[unique(columns(order_region, order_number, line))]
pub struct OrderLine { pub id: i64, pub order_region: i32, pub order_number: i64, pub line: i32 }

#[derive(Table)]
#[table(name = "shipments")]
pub struct Shipment { #[column(primary_key)] pub id: i64, pub region: i32, pub number: i64, pub line: i32 }
"#;

fn order_steps() -> Vec<Step> {
    vec![
        Step {
            schema: ORDERS_1,
            rows: "INSERT INTO orders (region, number) VALUES (1, 10); \
                   INSERT INTO order_lines (id, order_region, order_number, line) VALUES (1, 1, 10, 1)",
            refused: "INSERT INTO orders (region, number) VALUES (1, 10)",
            counts: &[("orders", 1), ("order_lines", 1)],
        },
        Step {
            schema: ORDERS_2,
            rows: "INSERT INTO shipments (id, region, number, line) VALUES (1, 1, 10, 1)",
            refused: "INSERT INTO order_lines (id, order_region, order_number, line) VALUES (2, 9, 9, 1)",
            counts: ORDER_COUNTS,
        },
        Step {
            schema: ORDERS_3,
            rows: "",
            refused: "INSERT INTO shipments (id, region, number, line) VALUES (2, 1, 10, 7)",
            counts: ORDER_COUNTS,
        },
        Step {
            schema: ORDERS_4,
            rows: "INSERT INTO shipments (id, region, number, line) VALUES (3, 5, 5, 5)",
            refused: "",
            counts: &[("orders", 1), ("order_lines", 1), ("shipments", 2)],
        },
    ]
}

const ORDER_COUNTS: &[(&str, i64)] = &[("orders", 1), ("order_lines", 1), ("shipments", 1)];

#[test]
fn postgres_named_primary_keys_and_composite_foreign_keys_through_their_lifecycle() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("c13_orders")) else {
        return;
    };
    let p = walk(Dialect::Postgres, &db.url, &order_steps());
    // The renamed primary key is a rename, not a drop and an add.
    let sql = step_sql(&p, 2);
    assert!(
        sql.contains(r#"RENAME CONSTRAINT "orders_pk" TO "orders_region_number_pk""#),
        "{sql}"
    );
    assert!(!sql.contains(r#"DROP CONSTRAINT "orders_pk""#), "{sql}");
}

#[test]
fn mysql_composite_foreign_keys_through_their_lifecycle() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("c13_orders")) else {
        return;
    };
    let p = walk(Dialect::Mysql, &db.url, &order_steps());
    // MySQL calls every primary key PRIMARY: a new name changes nothing there.
    let sql = step_sql(&p, 2);
    assert!(!sql.contains("PRIMARY KEY"), "{sql}");
}

#[test]
fn sqlite_named_primary_keys_and_composite_foreign_keys_through_their_lifecycle() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("dev.db").display());
    let p = walk(Dialect::Sqlite, &url, &order_steps());
    let sql = step_sql(&p, 0);
    assert!(
        sql.contains(r#"CONSTRAINT "orders_pk" PRIMARY KEY ("region", "number")"#),
        "{sql}"
    );
}

/// The up file of step `n`.
fn step_sql(p: &Project, n: usize) -> String {
    let journal = p.journal();
    p.read(&format!("{}.sql", journal.entries[n].tag))
}

const EMAILS_1: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[unique(columns(email))]
#[index(columns(handle), unique, name = "accounts_handle_idx")]
pub struct Account { #[column(primary_key)] pub id: i64, pub email: Option<String>, pub handle: Option<String> }
"#;

const EMAILS_2: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[unique(columns(email), nulls_not_distinct)]
#[index(columns(handle), unique, nulls_not_distinct, name = "accounts_handle_idx")]
pub struct Account { #[column(primary_key)] pub id: i64, pub email: Option<String>, pub handle: Option<String> }
"#;

#[test]
fn postgres_nulls_not_distinct_is_added_and_dropped_keeping_the_rows() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("c13_nulls")) else {
        return;
    };
    let steps = [
        Step {
            schema: EMAILS_1,
            // NULLs are distinct: a second NULL handle goes in (and out again).
            rows: "INSERT INTO accounts (id, email, handle) VALUES (1, 'a', NULL), (2, NULL, 'b'), (3, 'c', 'c'); \
                   INSERT INTO accounts (id, email, handle) VALUES (4, 'd', NULL); \
                   DELETE FROM accounts WHERE id = 4",
            refused: "INSERT INTO accounts (id, email) VALUES (9, 'c')",
            counts: &[("accounts", 3)],
        },
        Step {
            schema: EMAILS_2,
            rows: "",
            refused: "INSERT INTO accounts (id, email, handle) VALUES (9, NULL, 'z')",
            counts: &[("accounts", 3)],
        },
        Step {
            schema: EMAILS_1,
            rows: "INSERT INTO accounts (id, email, handle) VALUES (5, NULL, NULL)",
            refused: "",
            counts: &[("accounts", 4)],
        },
    ];
    let p = walk(Dialect::Postgres, &db.url, &steps);
    let sql = step_sql(&p, 1);
    assert!(
        sql.contains(r#"UNIQUE NULLS NOT DISTINCT ("email")"#),
        "{sql}"
    );
    assert!(sql.contains(r#"("handle") NULLS NOT DISTINCT;"#), "{sql}");
}

/// On SQLite and MySQL, `nulls_not_distinct` is refused by `generate`, naming the struct and
/// the attribute, and nothing is written.
#[test]
fn sqlite_and_mysql_refuse_nulls_not_distinct_naming_the_struct_and_attribute() {
    for dialect in ["sqlite", "mysql"] {
        let p = project(dialect, EMAILS_2);
        let run = p.run(&["generate"], NOW);
        assert_eq!(run.code, 1, "{dialect}:\n{}", run.text());
        let text = run.text();
        for part in [
            "Account",
            "unique constraint `accounts_email_key` of table `accounts` has `nulls_not_distinct`",
            "drop `nulls_not_distinct` from its #[unique(..)]",
            "unique index `accounts_handle_idx`",
            "from its #[index(..)]",
        ] {
            assert!(text.contains(part), "{dialect}: {part:?} not in:\n{text}");
        }
        assert!(
            !p.migrations().join("meta/_journal.json").exists(),
            "{dialect}"
        );
    }
}

/// A composite key must point at the target's primary key or a unique set.
#[test]
fn a_foreign_key_to_columns_that_are_no_key_is_refused_naming_struct_and_attribute() {
    let p = project(
        "postgres",
        r#"
        #[derive(Table)]
        #[table(name = "orders")]
        #[primary_key(region, number)]
        pub struct Order { pub region: i32, pub number: i64, pub note: i32 }

        #[derive(Table)]
        #[table(name = "order_lines")]
        #[foreign_key(columns(order_region, note), references = Order, ref_columns(region, note))]
        pub struct OrderLine { #[column(primary_key)] pub id: i64, pub order_region: i32, pub note: i32 }
    "#,
    );
    let run = p.run(&["generate"], NOW);
    assert_ne!(run.code, 0, "{}", run.text());
    let text = run.text();
    assert!(
        text.contains("OrderLine: #[foreign_key(columns(order_region, note), references = Order, ref_columns(region, note))] references (region, note) of `Order`, which are neither its primary key nor a unique set"),
        "{text}"
    );
}
