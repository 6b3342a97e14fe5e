//! Generated columns and identity options (issue 13) on real databases: created, altered and
//! dropped through `generate` and `migrate`, with `verify` and `check --url` finding the
//! catalog equal to the declared schema after every step, and rows kept across the changes
//! (generated values computed anew). drizzle-kit's `pg-generated` and `pg-identity` cases,
//! translated into the attribute language, are in `columns13/drizzle.rs`.

mod drizzle;

use std::fs;
use tests::project::{Project, Run, NOW};

/// Runs SQL by hand; gives the first column of the first row as text for a query.
type Hand<'a> = &'a dyn Fn(&str) -> Result<String, String>;

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}:\n{}", run.text());
}

/// The order lines of one step: `total` (indexed) generated as `total`, `virtual_sum` (where the
/// database has virtual generated columns) and `double_qty` when given.
fn lines(total: &str, virtual_sum: Option<&str>, double_qty: Option<&str>) -> String {
    // Indexed, so a column PostgreSQL drops and adds again gets its index back.
    let total = match total {
        "" => "#[column(index)]".to_string(),
        expr => format!("#[column(generated = \"{expr}\", index)]"),
    };
    let sum = virtual_sum
        .map(|e| format!("#[column(generated = \"{e}\", virtual)] pub sum: i32,"))
        .unwrap_or_default();
    let double = double_qty
        .map(|e| format!("#[column(generated = \"{e}\")] pub double_qty: i32,"))
        .unwrap_or_default();
    format!(
        r#"
#[derive(Table)]
#[table(name = "order_lines")]
pub struct OrderLine {{
    #[column(primary_key, identity)]
    pub id: i64,
    pub price: i32,
    pub quantity: i32,
    {total}
    pub total: i32,
    {sum}
    {double}
}}
"#
    )
}

fn write_config(p: &Project, dialect: &str) {
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
}

/// `generate` then `migrate`, then `check --url` finds no drift.
fn step(p: &Project, name: &str, url: &str, at: u64) -> String {
    let generated = p.run(&["generate", "--name", name], at);
    ok(&generated, &format!("generate {name}"));
    // Dropping a generated column (stored or virtual) is a warning: its values are computed
    // from other columns, so `migrate` needs no `--allow-lint-errors`.
    ok(
        &p.run(&["migrate", "--url", url], at + 1),
        &format!("migrate {name}"),
    );
    let check = p.run(&["check", "--url", url], at + 2);
    assert!(
        !check.text().contains("drift"),
        "check --url after {name}:\n{}",
        check.text()
    );
    generated.text()
}

/// The generated-column scenario on one database; `virtual_ok` where it has VIRTUAL columns.
fn generated_scenario(dialect: &str, url: &str, virtual_ok: bool, hand: Hand<'_>) {
    let sum = |e: &'static str| virtual_ok.then_some(e);
    let p = Project::new(&lines("price * quantity", sum("price + quantity"), None));
    write_config(&p, dialect);
    step(&p, "init", url, NOW);
    hand("INSERT INTO order_lines (price, quantity) VALUES (2, 3), (5, 7)").expect("rows");
    let totals = "SELECT CAST(total AS CHAR(20)) FROM order_lines ORDER BY id + 0";
    assert_eq!(values(hand, totals), ["6", "35"]);

    // A changed expression: the rows stay, their values computed anew; a new generated column.
    p.set_schema(&lines(
        "price * quantity + 1",
        sum("price + quantity + 1"),
        Some("quantity * 2"),
    ));
    let out = step(&p, "expressions", url, NOW + 10);
    assert!(out.contains("generated-expression-change"), "{out}");
    assert_eq!(values(hand, totals), ["7", "36"]);
    let doubled = "SELECT CAST(double_qty AS CHAR(20)) FROM order_lines ORDER BY id + 0";
    assert_eq!(values(hand, doubled), ["6", "14"]);
    if virtual_ok {
        let sums = "SELECT CAST(sum AS CHAR(20)) FROM order_lines ORDER BY id + 0";
        assert_eq!(values(hand, sums), ["6", "13"]);
    }

    // No longer generated: the column keeps its values and takes writes.
    p.set_schema(&lines(
        "",
        sum("price + quantity + 1"),
        Some("quantity * 2"),
    ));
    step(&p, "plain", url, NOW + 20);
    assert_eq!(values(hand, totals), ["7", "36"]);
    hand("INSERT INTO order_lines (price, quantity, total) VALUES (1, 1, 99)").expect("write");

    // The generated columns dropped (a warning each, no error), then the history verified up
    // and down, and the drop reverted: its down re-adds them generated, which is not
    // `irreversible`.
    p.set_schema(&lines("", None, None));
    let out = step(&p, "drop", url, NOW + 30);
    assert!(out.contains("warning drop-column"), "{out}");
    assert!(!out.contains("error drop-column"), "{out}");
    let verify = p.run(&["verify", "--url", url], NOW + 40);
    ok(&verify, "verify");
    let revert = p.run(&["revert", "--yes", "--url", url], NOW + 50);
    ok(&revert, "revert the drop");
    assert!(!revert.text().contains("irreversible"), "{}", revert.text());
    assert_eq!(values(hand, doubled), ["6", "14", "2"]);
}

/// The rows `sql` gives, first column as text.
fn values(hand: Hand<'_>, sql: &str) -> Vec<String> {
    hand(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .split('\n')
        .map(str::to_string)
        .collect()
}

#[test]
fn pg_generated_columns_are_created_changed_and_dropped_with_their_rows() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("columns13_generated")) else {
        return;
    };
    let hand = |sql: &str| pg_hand(&rt, &db, sql);
    generated_scenario("postgres", &db.url, false, &hand);
}

#[test]
fn mysql_generated_columns_are_created_changed_and_dropped_with_their_rows() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("columns13_generated")) else {
        return;
    };
    let hand = |sql: &str| {
        rt.block_on(async {
            if !sql.starts_with("SELECT") {
                return db
                    .execute(sql)
                    .await
                    .map(|_| String::new())
                    .map_err(|e| e.to_string());
            }
            let rows: Vec<String> = sqlx::query_scalar(sql)
                .fetch_all(&db.pool)
                .await
                .map_err(|e| e.to_string())?;
            Ok(rows.join("\n"))
        })
    };
    generated_scenario("mysql", &db.url, true, &hand);
}

#[test]
fn sqlite_generated_columns_are_created_changed_and_dropped_with_their_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("app.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let hand = |sql: &str| {
        use sqlx::{ConnectOptions, Connection, Executor};
        rt.block_on(async {
            let opts = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&file)
                .create_if_missing(true);
            let mut conn = opts.connect().await.map_err(|e| e.to_string())?;
            let done = match sql.starts_with("SELECT") {
                true => sqlx::query_scalar::<_, String>(&sql.replace("CHAR(20)", "TEXT"))
                    .fetch_all(&mut conn)
                    .await
                    .map(|rows| rows.join("\n")),
                false => conn.execute(sql).await.map(|_| String::new()),
            };
            let _ = conn.close().await;
            done.map_err(|e| e.to_string())
        })
    };
    generated_scenario("sqlite", &url, true, &hand);
}

/// SQL by hand on PostgreSQL: a query's rows, first column, one a line.
fn pg_hand(
    rt: &tokio::runtime::Runtime,
    db: &tests::pg::TestDb,
    sql: &str,
) -> Result<String, String> {
    rt.block_on(async {
        if !sql.starts_with("SELECT") {
            return db
                .apply(sql)
                .await
                .map(|_| String::new())
                .map_err(|e| e.to_string());
        }
        let sql = sql.replace("CHAR(20)", "text");
        let rows: Vec<String> = sqlx::query_scalar(&sql)
            .fetch_all(&db.pool)
            .await
            .map_err(|e| e.to_string())?;
        Ok(rows.join("\n"))
    })
}

/// The tickets of one step, numbered by an identity with `options`.
fn tickets(options: &str) -> String {
    format!(
        r#"
#[derive(Table)]
#[table(name = "tickets")]
pub struct Ticket {{
    #[column(primary_key, identity{options})]
    pub id: i64,
    pub title: String,
}}
"#
    )
}

/// Identity options on PostgreSQL: created with options, changed in place (the sequence goes
/// on from where it was, with the new increment), back to a bare identity; rows kept.
#[test]
fn pg_identity_options_are_created_and_altered_in_place() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("columns13_identity")) else {
        return;
    };
    let hand = |sql: &str| pg_hand(&rt, &db, sql);
    let p = Project::new(&tickets("(always, start = 100, increment = 10)"));
    step(&p, "init", &db.url, NOW);
    hand("INSERT INTO tickets (title) VALUES ('a'), ('b')").expect("rows");
    let ids = "SELECT CAST(id AS CHAR(20)) FROM tickets ORDER BY id + 0";
    assert_eq!(values(&hand, ids), ["100", "110"]);
    let refused = hand("INSERT INTO tickets (id, title) VALUES (1, 'x')");
    assert!(refused.is_err(), "GENERATED ALWAYS takes no value");

    p.set_schema(&tickets(
        "(start = 100, increment = 5, max = 1000000, cache = 20, cycle)",
    ));
    let out = step(&p, "options", &db.url, NOW + 10);
    let file = migration_sql(&p, "options");
    assert!(
        file.contains("SET GENERATED BY DEFAULT SET INCREMENT BY 5 SET MAXVALUE 1000000 SET CACHE 20 SET CYCLE")
            && !file.contains("DROP IDENTITY"),
        "{out}\n{file}"
    );
    hand("INSERT INTO tickets (title) VALUES ('c')").expect("rows");
    hand("INSERT INTO tickets (id, title) VALUES (7, 'given')").expect("by default");
    assert_eq!(values(&hand, ids), ["7", "100", "110", "115"]);

    p.set_schema(&tickets(""));
    step(&p, "bare", &db.url, NOW + 20);
    assert_eq!(values(&hand, ids), ["7", "100", "110", "115"]);

    // A plain column of a table with rows becomes an identity with options: numbered after
    // its largest value, with the declared options in the catalog (`check --url` in `step`).
    let with_seq = |seq: &str| {
        format!("{}\n#[derive(Table)] #[table(name = \"queue\")] pub struct Queue {{ #[column(primary_key)] pub name: String, {seq} pub seq: i64 }}", tickets(""))
    };
    p.set_schema(&with_seq(""));
    step(&p, "queue", &db.url, NOW + 30);
    hand("INSERT INTO queue (name, seq) VALUES ('a', 41)").expect("rows");
    p.set_schema(&with_seq(
        "#[column(identity(always, increment = 2, cache = 5))]",
    ));
    step(&p, "numbered", &db.url, NOW + 40);
    hand("INSERT INTO queue (name) VALUES ('b')").expect("numbered");
    let seqs = "SELECT CAST(seq AS CHAR(20)) FROM queue ORDER BY seq + 0";
    assert_eq!(values(&hand, seqs), ["41", "42"]);
    ok(&p.run(&["verify", "--url", &db.url], NOW + 30), "verify");
}

/// The up file of the migration named `name`.
fn migration_sql(p: &Project, name: &str) -> String {
    let file = fs::read_dir(p.migrations())
        .expect("migrations")
        .map(|e| e.expect("entry").path())
        .find(|f| {
            tests::project::is_up_file(f)
                && f.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(&format!("_{name}.sql")))
        })
        .expect("the migration");
    fs::read_to_string(file).expect("sql")
}

/// Identity options where the identity has none (SQLite's rowid alias, MySQL's
/// AUTO_INCREMENT), and `virtual` on PostgreSQL 15: `generate` refuses, naming the struct and
/// the attribute, and writes nothing.
#[test]
fn generate_refuses_what_the_database_lacks() {
    for (dialect, schema, says) in [
        ("sqlite", tickets("(start = 100)"), "Ticket"),
        ("mysql", tickets("(always)"), "Ticket"),
        (
            "postgres",
            lines("price * quantity", Some("price + quantity"), None),
            "OrderLine",
        ),
    ] {
        let p = Project::new(&schema);
        write_config(&p, dialect);
        let run = p.run(&["generate"], NOW);
        assert_eq!(run.code, 1, "{dialect}:\n{}", run.text());
        let attribute = match dialect {
            "postgres" => "virtual",
            _ => "identity(..)",
        };
        assert!(
            run.text().contains(says) && run.text().contains(attribute),
            "{dialect}:\n{}",
            run.text()
        );
        if dialect == "postgres" {
            assert!(
                run.text().contains("PostgreSQL 18") || run.text().contains("version 18"),
                "{}",
                run.text()
            );
        }
        assert!(!p.migrations().exists(), "{dialect}: nothing written");
    }
}
