//! `generate` with `dialect = "mysql"` against a real MariaDB: each generated file sent whole
//! (as sqlx's migrator sends it) to a fresh database, whose catalog is the reviewed snapshot; then
//! the structs change (a NOT NULL column with a default, a type, a renamed column, an index
//! and a foreign key added and dropped, an enum value added), and the next file takes the
//! database, rows and all, to the new catalog. Also: `concurrently` is noted as ignored, and a
//! second run writes nothing. The random pairs are in `mysql_property`.

use std::fs;
use tests::mysql::TestDb;
use tests::project::{Project, NOW};

const V1: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique)] email: String,
    nick: Option<String>,
    #[column(default_sql = "now()")] created_at: chrono::DateTime<chrono::Utc>,
}
#[derive(Table)] #[table(name = "issues")] #[index(columns(account_id, state))]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
    score: i32,
    #[column(sql_type = "decimal(10,2)", default = 0)] price: rust_decimal::Decimal,
}
#[derive(Table)] #[table(name = "comments")]
struct Comment {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Issue::id)] issue_id: i64,
    body: String,
    flagged: bool,
}
"#;

/// V1 with: `accounts.karma` NOT NULL DEFAULT 0 added, `issues.score` to bigint, `nick`
/// renamed to `nickname`, an index on `accounts.created_at` added, the index
/// `issues (account_id, state)` dropped (its foreign key gets an index of its own), a foreign
/// key `issues.reviewer_id` added, `comments.issue_id`'s foreign key dropped, and the enum
/// value `Archived` added.
fn v2() -> String {
    V1.replace("enum State { Open, Closed }", "enum State { Open, Closed, Archived }")
        .replace(
            "    nick: Option<String>,\n",
            "    #[column(renamed_from = \"nick\")] nickname: Option<String>,\n    #[column(default = 0)] karma: i32,\n",
        )
        .replace(
            "#[derive(Table)] #[table(name = \"accounts\")]",
            "#[derive(Table)] #[table(name = \"accounts\")] #[index(columns(created_at))]",
        )
        .replace(" #[index(columns(account_id, state))]", "")
        .replace(
            "    score: i32,\n",
            "    score: i64,\n    #[column(references = Account::id, on_delete = \"set null\")] reviewer_id: Option<i64>,\n",
        )
        .replace("#[column(references = Issue::id)] issue_id", "issue_id")
}

fn mysql_project(schema: &str) -> Project {
    let p = Project::new(schema);
    fs::write(
        p.path().join("migrate.toml"),
        "dialect = \"mysql\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
    )
    .expect("config");
    p
}

/// Runs `generate` and returns the newest migration's SQL.
fn generate(p: &Project, name: &str, now: u64) -> String {
    let run = p.run(&["generate", "--name", name], now);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let journal = p.journal();
    let tag = &journal.entries.last().expect("an entry").tag;
    assert!(tag.ends_with(name), "{tag}");
    p.read(&format!("{tag}.sql"))
}

/// Sends the file to the server whole, as sqlx's own MySQL migrator does: a MySQL file has no
/// `--> statement-breakpoint` lines, which MySQL would read as a syntax error.
fn apply(rt: &tokio::runtime::Runtime, db: &TestDb, sql: &str) {
    assert!(
        !sql.contains("-->"),
        "a breakpoint line in a MySQL file:\n{sql}"
    );
    rt.block_on(db.execute(sql))
        .unwrap_or_else(|e| panic!("{e}\nin:\n{sql}"));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn generated_files_build_the_catalog_and_migrate_rows() {
    let rt = runtime();
    let Some(db) = rt.block_on(TestDb::create("mysql_generate")) else {
        return;
    };
    let p = mysql_project(V1);
    let first = generate(&p, "init", NOW);
    insta::assert_snapshot!("v1_sql", first);
    apply(&rt, &db, &first);
    insta::assert_snapshot!("v1_catalog", rt.block_on(db.catalog()));
    apply(
        &rt,
        &db,
        "INSERT INTO `accounts` (`email`, `nick`) VALUES ('a@example.com', NULL), ('b@example.com', 'bee');\n\
         INSERT INTO `issues` (`account_id`, `title`, `score`) VALUES (1, 'one', 7), (2, NULL, -3);\n\
         INSERT INTO `comments` (`issue_id`, `body`, `flagged`) VALUES (1, 'hi', 1);",
    );

    p.set_schema(&v2());
    let second = generate(&p, "change", NOW + 10);
    insta::assert_snapshot!("v2_sql", second);
    apply(&rt, &db, &second);
    insta::assert_snapshot!("v2_catalog", rt.block_on(db.catalog()));
    let rows: Vec<(String, Option<String>, i32)> = rt
        .block_on(
            sqlx::query_as("SELECT `email`, `nickname`, `karma` FROM `accounts` ORDER BY `id`")
                .fetch_all(&db.pool),
        )
        .expect("accounts");
    assert_eq!(
        rows,
        vec![
            ("a@example.com".to_string(), None, 0),
            ("b@example.com".to_string(), Some("bee".to_string()), 0),
        ]
    );
    let scores: Vec<(i64, String)> = rt
        .block_on(
            sqlx::query_as("SELECT `score`, CAST(`state` AS char) FROM `issues` ORDER BY `id`")
                .fetch_all(&db.pool),
        )
        .expect("issues");
    assert_eq!(
        scores,
        vec![(7, "open".to_string()), (-3, "open".to_string())]
    );
    rt.block_on(db.execute("UPDATE `issues` SET `state` = 'archived' WHERE `id` = 2"))
        .expect("the new enum value is accepted");

    // The snapshot is what the database holds: nothing to do the second time.
    let again = p.run(&["generate"], NOW + 20);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
    assert_eq!(p.journal().entries.len(), 2);
}

#[test]
fn concurrently_is_noted_as_ignored_and_a_second_run_writes_nothing() {
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "accounts")] #[index(columns(email), concurrently)]
struct Account { #[column(primary_key, identity)] id: i64, email: String }
"#,
    );
    let run = p.run(&["generate", "--name", "init"], NOW);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "note: mysql has no concurrent index builds, so `concurrently` is ignored on accounts_email_idx"
        ),
        "{}",
        run.stdout
    );
    let sql = p.read(&format!("{}.sql", p.journal().entries[0].tag));
    assert!(
        !sql.contains("CONCURRENTLY") && !sql.starts_with("-- no-transaction"),
        "{sql}"
    );
    let files = || fs::read_dir(p.migrations()).expect("folder").count();
    let before = files();
    let again = p.run(&["generate"], NOW + 10);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
    assert_eq!(files(), before);
    assert_eq!(p.journal().entries.len(), 1);
}

#[test]
fn what_mysql_lacks_is_an_error_naming_file_struct_and_field() {
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "tagged")] #[index(columns(label), using = "gin")]
struct Tagged { #[column(primary_key, identity)] id: i64, tags: Vec<String>, label: String }
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("Tagged: column `tagged.tags` is an array, which MySQL does not have"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("uses `gin`"), "{}", run.stderr);
    assert!(!p.migrations().exists());
}

/// A key cascading updates from a nullable column into a NOT NULL one: MariaDB refuses it
/// (errno 150), so `generate` does first.
#[test]
fn a_key_cascading_updates_from_a_nullable_column_into_a_not_null_one_is_refused() {
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "projects")] #[unique(columns(id, email))]
struct Project { #[column(primary_key)] id: i32, #[column(sql_type = "varchar(80)")] email: Option<String> }
#[derive(Table)] #[table(name = "accounts")]
#[foreign_key(columns(id, email), references = Project, ref_columns(id, email), on_update = "cascade")]
struct Account { #[column(primary_key)] id: i32, #[column(sql_type = "varchar(80)")] email: String }
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("cascades updates from the nullable column `projects.email` into the NOT NULL column `accounts.email`"),
        "{}",
        run.stderr
    );
    assert!(!p.migrations().exists());
}

/// A key of its own table that updates in cascade columns it also references: InnoDB refuses
/// it (errno 150 "Foreign key constraint is incorrectly formed"), so `generate` does first.
#[test]
fn a_self_referencing_key_cascading_updates_onto_its_own_columns_is_refused() {
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "pairs")] #[primary_key(a, b)] #[unique(columns(b, a))]
#[foreign_key(columns(b, a), references = Pair, ref_columns(a, b), on_update = "cascade")]
struct Pair { a: i32, b: i32 }
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("references its own table with on_update = \"cascade\""),
        "{}",
        run.stderr
    );
    assert!(!p.migrations().exists());
}

/// Every type and kind of default, each read back from MariaDB through the contract's
/// functions ([`normalize_type`], [`canonical_default`]), equals the snapshot `generate`
/// wrote: what introspection builds from them is the model adapt made.
#[test]
fn the_snapshot_is_what_mariadb_reports_through_the_contract() {
    use schema_core::model::ColumnType;
    use schema_core::render::mysql::{canonical_default, normalize_type};
    let rt = runtime();
    let Some(db) = rt.block_on(TestDb::create("mysql_contract")) else {
        return;
    };
    let p = mysql_project(
        r#"
#[derive(DbEnum)] enum Mood { Happy, Sad }
#[derive(Table)] #[table(name = "everything")] #[index(columns(code, day), using = "btree")]
struct Everything {
    #[column(primary_key, identity)] id: i64,
    #[column(default = 1)] small: i16,
    #[column(default = -2)] normal: i32,
    ratio: f32,
    #[column(default = 1.50)] score: f64,
    #[column(default = true)] active: bool,
    #[column(default = "it's")] title: String,
    #[column(sql_type = "varchar(40)", unique)] code: Option<String>,
    bytes: Option<Vec<u8>>,
    #[column(default_sql = "uuid()")] token: uuid::Uuid,
    #[column(default_sql = "now()")] created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "2024-01-02 03:04:05")] seen_at: chrono::NaiveDateTime,
    #[column(default = "2024-01-02")] day: chrono::NaiveDate,
    #[column(default = "10:00")] at: chrono::NaiveTime,
    #[column(default = 0)] amount: rust_decimal::Decimal,
    #[column(sql_type = "numeric(10, 2)", default = 1.5)] price: rust_decimal::Decimal,
    #[column(sql_type = "json", default_sql = "'[]'")] doc: serde_json::Value,
    #[column(sql_type = "mediumtext")] body: Option<String>,
    #[column(default = "sad")] mood: Mood,
    #[column(sql_type = "int(11) unsigned")] counter: i64,
}
"#,
    );
    let sql = generate(&p, "init", NOW);
    apply(&rt, &db, &sql);
    let tag = &p.journal().entries[0].tag;
    let snapshot = fs::read_to_string(
        p.migrations()
            .join(format!("meta/{}_snapshot.json", &tag[..14])),
    )
    .expect("snapshot");
    let model = schema_core::snapshot::Snapshot::parse(&snapshot)
        .expect("parses")
        .schema;
    let table = &model.tables["public.everything"];
    let columns: Vec<(String, String, Option<String>, String, String)> = rt
        .block_on(
            sqlx::query_as(
                "SELECT column_name, CAST(column_type AS char), CAST(column_default AS char), is_nullable, extra \
                 FROM information_schema.columns WHERE table_schema = DATABASE() \
                 AND table_name = 'everything' ORDER BY ordinal_position",
            )
            .fetch_all(&db.pool),
        )
        .expect("columns");
    // By the clause: the check keeps the column's old name after a rename.
    let json_checks: Vec<String> = rt
        .block_on(
            sqlx::query_scalar(
                "SELECT check_clause FROM information_schema.check_constraints \
                 WHERE constraint_schema = DATABASE() AND check_clause LIKE 'json_valid(%'",
            )
            .fetch_all(&db.pool),
        )
        .expect("checks");
    assert_eq!(columns.len(), table.columns.len());
    for ((name, ty, default, nullable, extra), column) in columns.iter().zip(&table.columns) {
        assert_eq!(*name, column.name);
        // MariaDB's json is longtext with a json_valid check named after the column.
        let ty = if ty == "longtext" && json_checks.contains(&format!("json_valid(`{name}`)")) {
            "json".to_string()
        } else {
            normalize_type(ty)
        };
        assert_eq!(ColumnType::Builtin(ty.clone()), column.ty, "type of {name}");
        let default = default
            .as_deref()
            .filter(|d| *d != "NULL")
            .map(|d| canonical_default(d, &ty));
        assert_eq!(default, column.default, "default of {name}");
        assert_eq!(nullable == "YES", column.nullable, "nullability of {name}");
        assert_eq!(
            extra == "auto_increment",
            column.identity,
            "identity of {name}"
        );
    }
    let indexes: Vec<(String, String, i64)> = rt
        .block_on(
            sqlx::query_as(
                "SELECT index_name, GROUP_CONCAT(column_name ORDER BY seq_in_index), MIN(non_unique) \
                 FROM information_schema.statistics WHERE table_schema = DATABASE() \
                 AND table_name = 'everything' GROUP BY index_name ORDER BY index_name",
            )
            .fetch_all(&db.pool),
        )
        .expect("indexes");
    let mut expected: Vec<(String, String, i64)> = table
        .indexes
        .iter()
        .map(|i| (i.name.clone(), i.columns.join(","), i64::from(!i.unique)))
        .collect();
    let pk = table.primary_key.as_ref().expect("a primary key");
    expected.push((pk.name.clone(), pk.columns.join(","), 0));
    expected.sort();
    let mut indexes = indexes;
    indexes.sort();
    assert_eq!(indexes, expected);
    let again = p.run(&["generate"], NOW + 10);
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
}

/// The fixed promise of the layout: the files run unchanged under sqlx. sqlx's own MySQL
/// migrator (`Migrator::run`, as `sqlx::migrate!` and `sqlx migrate run` call it) applies the
/// generated folder, sending each file whole; the journal says the files have no breakpoint
/// lines; our `status` then sees every migration applied with its checksum, `migrate` has
/// nothing to do, and the catalog is the one our own `migrate` builds.
#[test]
fn sqlx_own_migrator_runs_the_generated_folder_unchanged() {
    let rt = runtime();
    let (Some(by_sqlx), Some(by_us)) = (
        rt.block_on(TestDb::create("sqlx_runs_mysql")),
        rt.block_on(TestDb::create("we_run_mysql")),
    ) else {
        return;
    };
    let p = mysql_project(V1);
    generate(&p, "init", NOW);
    p.set_schema(&v2());
    generate(&p, "change", NOW + 10);
    let journal = p.journal();
    assert_eq!(journal.entries.len(), 2);
    assert!(
        journal.entries.iter().all(|e| !e.breakpoints),
        "{journal:?}"
    );

    let migrator = rt
        .block_on(sqlx::migrate::Migrator::new(p.migrations()))
        .expect("sqlx reads the folder");
    rt.block_on(migrator.run(&by_sqlx.pool))
        .expect("sqlx applies every generated file");

    let status = p.run(&["status", "--url", &by_sqlx.url], NOW + 20);
    assert_eq!(status.code, 0, "{}{}", status.stdout, status.stderr);
    assert!(
        status.stdout.contains("2 migrations: 2 applied"),
        "{}",
        status.stdout
    );
    let migrate = p.run(&["migrate", "--url", &by_sqlx.url], NOW + 20);
    assert_eq!(migrate.code, 0, "{}{}", migrate.stdout, migrate.stderr);
    assert!(
        migrate.stdout.starts_with("nothing to apply"),
        "{}",
        migrate.stdout
    );

    let ours = p.run(&["migrate", "--url", &by_us.url], NOW + 20);
    assert_eq!(ours.code, 0, "{}{}", ours.stdout, ours.stderr);
    assert_eq!(rt.block_on(by_sqlx.catalog()), rt.block_on(by_us.catalog()));
}

/// A plain `String` is `varchar(255)` on MySQL, and `sql_type = "text"` is MySQL's `text`:
/// written, applied, read back and generated again without churn.
#[test]
fn a_written_text_type_is_text_and_a_plain_string_is_a_varchar() {
    let rt = runtime();
    let Some(db) = rt.block_on(TestDb::create("mysql_text")) else {
        return;
    };
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "notes")]
struct Note {
    #[column(primary_key, identity)] id: i64,
    title: String,
    #[column(sql_type = "text")] body: String,
    #[column(sql_type = "TEXT")] extra: Option<String>,
    #[column(sql_type = "varchar(40)")] slug: String,
}
"#,
    );
    let sql = generate(&p, "notes", NOW);
    for column in [
        "`title` varchar(255) NOT NULL",
        "`body` text NOT NULL",
        "`extra` text,",
        "`slug` varchar(40) NOT NULL",
    ] {
        assert!(sql.contains(column), "{column} missing from:\n{sql}");
    }
    let migrate = p.run(&["migrate", "--url", &db.url], NOW + 1);
    assert_eq!(migrate.code, 0, "{}{}", migrate.stdout, migrate.stderr);
    let again = p.run(&["generate"], NOW + 2);
    assert!(again.stdout.starts_with("no changes"), "{}", again.stdout);
    let check = p.run(&["check", "--url", &db.url], NOW + 3);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

/// A backslash in a string default or an enum value is a backslash in the database (MySQL reads
/// `\t` in a literal as a tab), and reads back equal to the snapshot.
#[test]
fn backslashes_in_defaults_and_enum_values_are_kept() {
    let rt = runtime();
    let Some(db) = rt.block_on(TestDb::create("mysql_backslash")) else {
        return;
    };
    let p = mysql_project(
        r#"
#[derive(DbEnum)] enum Kind { #[db_enum(rename = "a\\b")] Slashed, Plain }
#[derive(Table)] #[table(name = "paths")]
struct Path {
    #[column(primary_key, identity)] id: i64,
    #[column(default = "C:\\temp\\new")] dir: String,
    #[column(default = "it's")] quote: String,
    #[column(default = "a\\b")] kind: Kind,
}
"#,
    );
    generate(&p, "paths", NOW);
    let migrate = p.run(&["migrate", "--url", &db.url], NOW + 1);
    assert_eq!(migrate.code, 0, "{}{}", migrate.stdout, migrate.stderr);
    rt.block_on(db.execute("INSERT INTO `paths` () VALUES ()"))
        .expect("insert defaults");
    let row: (String, String, String) = rt
        .block_on(
            sqlx::query_as("SELECT `dir`, `quote`, CAST(`kind` AS CHAR) FROM `paths`")
                .fetch_one(&db.pool),
        )
        .expect("row");
    assert_eq!(
        row,
        (
            r"C:\temp\new".to_string(),
            "it's".to_string(),
            r"a\b".to_string()
        )
    );
    let check = p.run(&["check", "--url", &db.url], NOW + 2);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let verify = p.run(&["verify", "--url", &db.url], NOW + 3);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

/// What MySQL refuses only when the DDL runs (and so half way through a file) is refused by
/// `generate`: a foreign key between columns of different types, and a key over InnoDB's
/// 3,072 bytes; nothing is written.
#[test]
fn mismatched_foreign_keys_and_overlong_keys_are_refused_before_writing() {
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "customers")]
struct Customer { #[column(primary_key, identity)] id: i64 }
#[derive(Table)] #[table(name = "orders")] #[index(columns(a, b, c))]
struct Order {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Customer::id)] customer_id: i32,
    a: String,
    b: String,
    #[column(sql_type = "varchar(320)")] c: String,
}
"#,
    );
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for part in [
        "foreign key `orders_customer_id_fkey` joins column `orders.customer_id` of type `int` to `customers.id` of type `bigint`",
        "index `orders_a_b_c_idx` of table `orders` on (a, b, c) takes up to 3320 bytes, more than the 3072",
    ] {
        assert!(run.stderr.contains(part), "{part:?} missing from:\n{}", run.stderr);
    }
    assert!(!p.migrations().exists(), "nothing is written");
}

/// A column that leaves its index, unique key or composite index in the same change that
/// makes it a blob, text or json column (which MySQL cannot index whole): the file drops the
/// keys before the `MODIFY COLUMN`, so it runs (found by `mysql_property`: MySQL refused
/// "BLOB/TEXT column used in key specification without a key length"); and a column that keeps
/// its key is refused by `generate`, naming the table and column.
#[test]
fn a_column_made_a_blob_loses_its_keys_before_its_type_changes() {
    let rt = runtime();
    let Some(db) = rt.block_on(TestDb::create("mysql_blob_key")) else {
        return;
    };
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "owners")]
struct Owner { #[column(primary_key, identity)] id: i64 }
#[derive(Table)] #[table(name = "docs")] #[index(columns(title, n))] #[index(columns(owner_id, tag))]
struct Doc {
    #[column(primary_key, identity)] id: i64,
    #[column(index)] body: String,
    #[column(unique)] data: String,
    title: String,
    n: i32,
    #[column(references = Owner::id)] owner_id: i64,
    tag: String,
}
"#,
    );
    apply(&rt, &db, &generate(&p, "docs", NOW));
    rt.block_on(db.execute(
        "INSERT INTO `owners` () VALUES (); INSERT INTO `docs` (`body`, `data`, `title`, `n`, `owner_id`, `tag`) VALUES ('b', 'd', 't', 1, 1, 'g')",
    ))
    .expect("a row");
    p.set_schema(
        r#"
#[derive(Table)] #[table(name = "owners")]
struct Owner { #[column(primary_key, identity)] id: i64 }
#[derive(Table)] #[table(name = "docs")]
struct Doc {
    #[column(primary_key, identity)] id: i64,
    #[column(sql_type = "text")] body: String,
    data: Vec<u8>,
    #[column(sql_type = "json")] title: serde_json::Value,
    n: i32,
    #[column(references = Owner::id)] owner_id: i64,
    #[column(sql_type = "text")] tag: String,
}
"#,
    );
    let second = generate(&p, "blobs", NOW + 10);
    rt.block_on(db.execute("UPDATE `docs` SET `title` = '{}'"))
        .expect("json text");
    apply(&rt, &db, &second);
    // Keeping the key on the blob column is refused before anything is written.
    p.set_schema(
        r#"
#[derive(Table)] #[table(name = "owners")]
struct Owner { #[column(primary_key, identity)] id: i64 }
#[derive(Table)] #[table(name = "docs")]
struct Doc {
    #[column(primary_key, identity)] id: i64,
    #[column(sql_type = "text")] body: String,
    data: Vec<u8>,
    #[column(sql_type = "json")] title: serde_json::Value,
    #[column(index, sql_type = "text")] n: String,
    #[column(references = Owner::id)] owner_id: i64,
    #[column(sql_type = "text")] tag: String,
}
"#,
    );
    let before = p.journal().entries.len();
    let run = p.run(&["generate"], NOW + 20);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "of table `docs` covers column `n` of type `text`, which MySQL cannot index whole"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(p.journal().entries.len(), before, "nothing written");
}
