//! Issue 13, sequences: `#[derive(Sequence)]` through `generate`, `migrate`, `verify` and
//! `check --url` on a real PostgreSQL (create, options altered, renamed by `renamed_from`, by
//! a `--rename` flag and on a terminal, dropped), a table whose default calls `nextval` keeping
//! its rows and numbering across every change; SQLite and MySQL refusing a sequence naming the
//! struct and the attribute; and drizzle-kit's `pg-sequences` cases, translated into the
//! attribute language, giving the catalog drizzle-kit's expected SQL gives.

use migrate_cli::prompt::ScriptedPrompt;
use std::fs;
use tests::pg::TestDb;
use tests::project::{Project, Run, NOW};
use tests::source::{create, migration, schema};

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}:\n{}", run.text());
}

/// The schema file: a sequence `sequence` (its `#[sequence(..)]` keys) and a table whose
/// `number` column takes its default from `nextval(default_of)`.
fn source(sequence: &str, default_of: &str) -> String {
    format!(
        r#"
use schema_macros::Sequence;

#[derive(Sequence)]
#[sequence({sequence})]
pub struct OrderNumbers;

#[derive(Table)]
#[table(name = "orders")]
pub struct Order {{
    #[column(primary_key)]
    pub id: i64,
    #[column(default_sql = "nextval('{default_of}')")]
    pub number: i64,
}}
"#
    )
}

/// The newest migration file's SQL.
fn newest(p: &Project) -> String {
    let journal = p.journal();
    let tag = &journal.last().expect("a migration").tag;
    p.read(&format!("{tag}.sql"))
}

fn numbers(rt: &tokio::runtime::Runtime, db: &TestDb) -> Vec<i64> {
    rt.block_on(sqlx::query_scalar("SELECT number FROM orders ORDER BY id").fetch_all(&db.pool))
        .expect("read the numbers")
}

/// Inserts order `id` in the test's one session: with `cache = 10` every session takes its
/// own block of numbers, so inserts from a pool's several sessions would skip numbers.
type Insert<'a> = &'a dyn Fn(i64);

/// Generates, checks the file holds `expect`, migrates, and inserts order `id`.
fn step(p: &Project, insert: Insert<'_>, db: &TestDb, at: u64, id: i64, expect: &str) {
    ok(
        &p.run(&["generate", "--name", &format!("step{id}")], at),
        "generate",
    );
    let sql = newest(p);
    assert!(sql.contains(expect), "{expect}:\n{sql}");
    ok(
        &p.run(
            &["migrate", "--url", &db.url, "--allow-lint-errors"],
            at + 1,
        ),
        "migrate",
    );
    insert(id);
}

#[test]
fn pg_a_sequence_is_created_altered_renamed_and_dropped_keeping_the_numbers() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(TestDb::create("seq13_life")) else {
        return;
    };
    let session = std::cell::RefCell::new(
        rt.block_on(<sqlx::PgConnection as sqlx::Connection>::connect(&db.url))
            .expect("a session"),
    );
    let insert = |id: i64| {
        let sql = format!("INSERT INTO orders (id) VALUES ({id})");
        let mut conn = session.borrow_mut();
        rt.block_on(sqlx::query(&sql).execute(&mut *conn))
            .expect("insert an order");
    };
    let p = Project::new(&source(
        "name = \"order_numbers\", start = 1000",
        "order_numbers",
    ));
    step(&p, &insert, &db, NOW, 1, "CREATE SEQUENCE \"public\".\"order_numbers\" START WITH 1000;\n--> statement-breakpoint\nCREATE TABLE");
    insert(2);
    assert_eq!(numbers(&rt, &db), [1000, 1001]);

    // Options change in place: the numbering goes on from where it was.
    p.set_schema(&source(
        "name = \"order_numbers\", start = 1000, increment = 5, max = 1000000, cache = 10, cycle",
        "order_numbers",
    ));
    step(&p, &insert, &db, NOW + 10, 3, "ALTER SEQUENCE \"public\".\"order_numbers\" INCREMENT BY 5 MAXVALUE 1000000 CACHE 10 CYCLE;");
    assert_eq!(numbers(&rt, &db), [1000, 1001, 1006]);

    // Renamed by its hint, with the default following it.
    p.set_schema(&source(
        "name = \"invoice_numbers\", renamed_from = \"order_numbers\", start = 1000, increment = 5, max = 1000000, cache = 10, cycle",
        "invoice_numbers",
    ));
    step(
        &p,
        &insert,
        &db,
        NOW + 20,
        4,
        "ALTER SEQUENCE \"public\".\"order_numbers\" RENAME TO \"invoice_numbers\";",
    );
    assert!(newest(&p).contains("-- lint: warning rename-sequence public.invoice_numbers"));
    assert_eq!(numbers(&rt, &db), [1000, 1001, 1006, 1011]);

    // Renamed without a hint: asked, listed with its flag when there is no terminal.
    let renamed = source(
        "name = \"doc_numbers\", start = 1000, increment = 5, max = 1000000, cache = 10, cycle",
        "doc_numbers",
    );
    p.set_schema(&renamed);
    let run = p.run(&["generate", "--name", "doc"], NOW + 30);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(
        run.text()
            .contains("sequence doc_numbers: created, or renamed from invoice_numbers?")
            && run
                .text()
                .contains("renamed: --rename sequence:invoice_numbers=doc_numbers"),
        "{}",
        run.text()
    );
    let mut prompt = ScriptedPrompt {
        answers: vec![1],
        ..ScriptedPrompt::default()
    };
    let asked = p.run_answering(
        &["generate", "--name", "doc", "--dry-run"],
        NOW + 31,
        Some(&mut prompt),
    );
    ok(&asked, "answered on a terminal");
    assert_eq!(
        prompt.asked[0].1,
        ["created", "renamed from invoice_numbers"],
        "{:?}",
        prompt.asked
    );
    assert!(
        asked
            .text()
            .contains("~ sequence public.invoice_numbers: rename to public.doc_numbers"),
        "{}",
        asked.text()
    );
    ok(
        &p.run(
            &[
                "generate",
                "--name",
                "doc",
                "--rename",
                "sequence:invoice_numbers=doc_numbers",
            ],
            NOW + 32,
        ),
        "generate with the flag",
    );
    assert!(newest(&p)
        .contains("ALTER SEQUENCE \"public\".\"invoice_numbers\" RENAME TO \"doc_numbers\";"));
    ok(
        &p.run(&["migrate", "--url", &db.url], NOW + 33),
        "migrate the flagged rename",
    );
    insert(5);
    assert_eq!(numbers(&rt, &db), [1000, 1001, 1006, 1011, 1016]);

    // The live schema is what the snapshots say, and every step and its down replays.
    ok(
        &p.run(&["check", "--url", &db.url], NOW + 40),
        "check --url",
    );
    let server = TestDb::server_url();
    ok(&p.run(&["verify", "--url", &server], NOW + 41), "verify");

    // Dropped: the default goes first, the sequence after, an error finding until acknowledged.
    p.set_schema(
        "#[derive(Table)]\n#[table(name = \"orders\")]\npub struct Order { #[column(primary_key)] pub id: i64, pub number: i64 }\n",
    );
    ok(
        &p.run(&["generate", "--name", "drop"], NOW + 50),
        "generate the drop",
    );
    let sql = newest(&p);
    assert!(
        sql.contains("-- lint: error drop-sequence public.doc_numbers"),
        "{sql}"
    );
    let (default, drop) = (
        sql.find("DROP DEFAULT").expect("the default dropped"),
        sql.find("DROP SEQUENCE \"public\".\"doc_numbers\";")
            .expect("dropped"),
    );
    assert!(default < drop, "{sql}");
    let refused = p.run(&["migrate", "--url", &db.url], NOW + 51);
    assert_eq!(refused.code, 1, "{}", refused.text());
    ok(
        &p.run(
            &["migrate", "--url", &db.url, "--allow-lint-errors"],
            NOW + 52,
        ),
        "migrate the drop",
    );
    assert_eq!(numbers(&rt, &db), [1000, 1001, 1006, 1011, 1016]);
    ok(
        &p.run(&["check", "--url", &db.url], NOW + 60),
        "check after the drop",
    );
    ok(
        &p.run(&["verify", "--url", &server], NOW + 61),
        "verify after the drop",
    );
}

/// A sequence made by another tool (in no snapshot) is no drift; one the snapshot declares and
/// someone altered by hand is.
#[test]
fn pg_a_sequence_altered_by_hand_is_drift_and_another_tools_is_not() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(TestDb::create("seq13_drift")) else {
        return;
    };
    let p = Project::new(&source("name = \"order_numbers\"", "order_numbers"));
    ok(&p.run(&["generate", "--name", "init"], NOW), "generate");
    ok(&p.run(&["migrate", "--url", &db.url], NOW + 1), "migrate");
    rt.block_on(db.apply("CREATE SEQUENCE other_tool_seq"))
        .expect("another tool's sequence");
    ok(
        &p.run(&["check", "--url", &db.url], NOW + 2),
        "another tool's sequence",
    );
    rt.block_on(db.apply("ALTER SEQUENCE order_numbers CACHE 50"))
        .expect("by hand");
    let run = p.run(&["check", "--url", &db.url], NOW + 3);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.text()
            .contains("public.order_numbers: sequence cache 50, snapshot says 1"),
        "{}",
        run.text()
    );
}

/// A dialect without sequences refuses one in `generate`, naming the struct and the attribute
/// at the struct's place, and writes nothing.
#[test]
fn sqlite_and_mysql_refuse_a_sequence_naming_the_struct_and_attribute() {
    for dialect in ["sqlite", "mysql"] {
        let p = Project::new(&source("name = \"order_numbers\"", "order_numbers"));
        let config =
            format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
        fs::write(p.path().join("migrate.toml"), config).expect("config");
        let run = p.run(&["generate", "--name", "init"], NOW);
        assert_eq!(run.code, 1, "{dialect}: {}", run.text());
        let expected = format!(
            "src/schema/tables.rs:7:12: OrderNumbers: #[derive(Sequence)] with #[sequence(name = \"order_numbers\")]: {dialect} has no sequences"
        );
        assert!(
            run.stderr.contains(&expected),
            "{dialect}: {expected}\n{}",
            run.text()
        );
        assert!(!p.migrations().exists(), "{dialect}: nothing written");
    }
}

/// What the derive cannot compile, `generate` does not read past: a struct-level attribute of
/// the language the parser does not take is an error at its place.
#[test]
fn generate_refuses_an_attribute_of_the_language_on_the_wrong_item() {
    let p = Project::new(
        r#"
#[derive(Table)]
#[table(name = "issues")]
pub struct Issue { #[column(primary_key)] pub id: i64 }

// Every kind of the language is built (views: tests/tests/it/views13.rs, policies:
// policies13.rs); what is left to refuse is an attribute on the wrong item. These lines keep
// the line numbers below.

#[derive(Table)]
#[view(name = "own_rows")]
pub struct Note { #[column(primary_key)] pub id: i64 }
"#,
    );
    let run = p.run(&["generate", "--name", "init"], NOW);
    assert_eq!(run.code, 1, "{}", run.text());
    for expected in ["src/schema/tables.rs:12:3: #[view(...)] goes on a #[derive(View)] struct, not on a #[derive(Table)] struct"] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.text());
    }
    assert!(!p.migrations().exists(), "nothing written");
}

/// One drizzle-kit case: our `before` and `after` sources, migrated by our SQL, against
/// drizzle-kit's SQL for its `from` state (`setup`) and its expected statements (`expected`).
struct Drizzle {
    name: &'static str,
    before: &'static str,
    after: &'static str,
    setup: &'static str,
    expected: &'static str,
}

async fn drizzle(c: &Drizzle) {
    let (a, b) = (schema(c.before), schema(c.after));
    let sql = format!("{}{}", create(&a), migration(&a, &b));
    tests::pg::assert_same_catalog(c.name, &sql, &format!("{}{}", c.setup, c.expected)).await;
}

const SEQ_100: &str = r#"#[derive(Sequence)] #[sequence(name = "name", start = 100)] struct Seq;"#;
const SEQ_100_CUSTOM: &str =
    r#"#[derive(Sequence)] #[sequence(name = "name", schema = "custom", start = 100)] struct Seq;"#;
const ALL_FIELDS: &str = r#"#[derive(Sequence)]
    #[sequence(name = "name", start = 100, max = 10000, min = 100, cycle, cache = 10, increment = 2)]
    struct Seq;"#;
const ALL_FIELDS_CUSTOM: &str = r#"#[derive(Sequence)]
    #[sequence(name = "name", schema = "custom", start = 100, max = 10000, min = 100, cycle, cache = 10, increment = 2)]
    struct Seq;"#;
/// drizzle-kit's `CREATE SEQUENCE` for `pgSequence('name', { startWith: 100 })`.
const DRIZZLE_100: &str = "CREATE SEQUENCE \"public\".\"name\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100 CACHE 1;";
const DRIZZLE_100_CUSTOM: &str = "CREATE SCHEMA \"custom\"; CREATE SEQUENCE \"custom\".\"name\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100 CACHE 1;";

macro_rules! drizzle_cases {
    ($($test:ident => $case:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            drizzle(&$case).await;
        }
    )*};
}

drizzle_cases! {
    drizzle_create_sequence => Drizzle {
        name: "seq13_create", before: "", after: SEQ_100, setup: "", expected: DRIZZLE_100,
    };
    drizzle_create_sequence_all_fields => Drizzle {
        name: "seq13_create_all", before: "", after: ALL_FIELDS, setup: "",
        expected: "CREATE SEQUENCE \"public\".\"name\" INCREMENT BY 2 MINVALUE 100 MAXVALUE 10000 START WITH 100 CACHE 10 CYCLE;",
    };
    // drizzle-kit's case does not create the schema (its `pgSchema` is not exported), which a
    // real database needs first.
    drizzle_create_sequence_custom_schema => Drizzle {
        name: "seq13_create_custom", before: "", after: SEQ_100_CUSTOM, setup: "CREATE SCHEMA \"custom\";",
        expected: "CREATE SEQUENCE \"custom\".\"name\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100 CACHE 1;",
    };
    drizzle_create_sequence_custom_schema_all_fields => Drizzle {
        name: "seq13_create_custom_all", before: "", after: ALL_FIELDS_CUSTOM, setup: "CREATE SCHEMA \"custom\";",
        expected: "CREATE SEQUENCE \"custom\".\"name\" INCREMENT BY 2 MINVALUE 100 MAXVALUE 10000 START WITH 100 CACHE 10 CYCLE;",
    };
    drizzle_drop_sequence => Drizzle {
        name: "seq13_drop", before: SEQ_100, after: "", setup: DRIZZLE_100,
        expected: "DROP SEQUENCE \"public\".\"name\";",
    };
    // A schema nothing uses any more is dropped here; drizzle-kit leaves the undeclared one.
    drizzle_drop_sequence_custom_schema => Drizzle {
        name: "seq13_drop_custom", before: SEQ_100_CUSTOM, after: "", setup: DRIZZLE_100_CUSTOM,
        expected: "DROP SEQUENCE \"custom\".\"name\"; DROP SCHEMA \"custom\";",
    };
    drizzle_rename_sequence => Drizzle {
        name: "seq13_rename", before: SEQ_100,
        after: r#"#[derive(Sequence)] #[sequence(name = "name_new", renamed_from = "name", start = 100)] struct Seq;"#,
        setup: DRIZZLE_100,
        expected: "ALTER SEQUENCE \"public\".\"name\" RENAME TO \"name_new\";",
    };
    drizzle_rename_sequence_in_custom_schema => Drizzle {
        name: "seq13_rename_custom", before: SEQ_100_CUSTOM,
        after: r#"#[derive(Sequence)] #[sequence(name = "name_new", schema = "custom", renamed_from = "name", start = 100)] struct Seq;"#,
        setup: DRIZZLE_100_CUSTOM,
        expected: "ALTER SEQUENCE \"custom\".\"name\" RENAME TO \"name_new\";",
    };
    drizzle_move_sequence_between_schemas_1 => Drizzle {
        name: "seq13_move_1", before: SEQ_100,
        after: r#"#[derive(Sequence)] #[sequence(name = "name", schema = "custom", renamed_from = "public.name", start = 100)] struct Seq;"#,
        setup: DRIZZLE_100,
        expected: "CREATE SCHEMA \"custom\"; ALTER SEQUENCE \"public\".\"name\" SET SCHEMA \"custom\";",
    };
    // The emptied schema is dropped here; drizzle-kit leaves the undeclared one.
    drizzle_move_sequence_between_schemas_2 => Drizzle {
        name: "seq13_move_2", before: SEQ_100_CUSTOM,
        after: r#"#[derive(Sequence)] #[sequence(name = "name", renamed_from = "custom.name", start = 100)] struct Seq;"#,
        setup: DRIZZLE_100_CUSTOM,
        expected: "ALTER SEQUENCE \"custom\".\"name\" SET SCHEMA \"public\"; DROP SCHEMA \"custom\";",
    };
    drizzle_alter_sequence => Drizzle {
        name: "seq13_alter", before: SEQ_100,
        after: r#"#[derive(Sequence)] #[sequence(name = "name", start = 105)] struct Seq;"#,
        setup: DRIZZLE_100,
        expected: "ALTER SEQUENCE \"public\".\"name\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 105 CACHE 1;",
    };
}

/// On MySQL a default calling `nextval(..)` (found by parsing it) is refused in `generate`,
/// naming the struct and field, rather than failing at `migrate`.
#[test]
fn mysql_refuses_a_nextval_default_naming_the_struct_and_field() {
    let p = Project::new(
        r#"
#[derive(Table)]
#[table(name = "orders")]
pub struct Order {
    #[column(primary_key)]
    pub id: i64,
    #[column(default_sql = "nextval('order_numbers')")]
    pub number: i64,
}
"#,
    );
    let config = "dialect = \"mysql\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    let run = p.run(&["generate", "--name", "init"], NOW);
    assert_eq!(run.code, 1, "{}", run.text());
    let expected = "Order: column `orders.number` has a default that calls nextval('order_numbers'), but MySQL has no sequences";
    assert!(run.stderr.contains(expected), "{expected}\n{}", run.text());
    assert!(!p.migrations().exists(), "nothing written");
}
