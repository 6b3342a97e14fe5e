//! Concurrent index builds and drops end to end on real PostgreSQL: `generate` puts them in a
//! `-- no-transaction` file of their own after the main one, `migrate` applies both, and the
//! index is valid; an index on a table created in the same migration stays a plain build.

use schema_core::snapshot::{Snapshot, ROOT_ID};
use sqlx::{Connection, PgConnection};
use std::fs;
use tests::pg::TestDb;
use tests::project::{Project, Run, NOW};

/// What these tests do with a project beyond [`Project`].
trait ConcurrentProject {
    fn generate(&self, now: u64) -> Run;
    fn migrate(&self, url: &str) -> Run;
    fn sql_files(&self) -> Vec<String>;
    fn snapshot(&self, tag: &str) -> Snapshot;
}

impl ConcurrentProject for Project {
    fn generate(&self, now: u64) -> Run {
        let run = self.run(&["generate"], now);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:#?}");
        run
    }

    fn migrate(&self, url: &str) -> Run {
        let run = self.run(&["migrate", "--url", url, "--allow-lint-errors"], NOW + 100);
        assert_eq!(run.code, 0, "{run:#?}");
        run
    }

    /// The migration file names, oldest first.
    fn sql_files(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.migrations())
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.retain(|n| tests::project::is_up_name(n));
        names.sort();
        names
    }

    fn snapshot(&self, tag: &str) -> Snapshot {
        let path = self
            .migrations()
            .join(format!("meta/{}_snapshot.json", &tag[..14]));
        Snapshot::parse(&fs::read_to_string(path).expect("snapshot")).expect("snapshot parses")
    }
}

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}
"#;

/// Accounts with a concurrent index on email, and a new table.
const ACCOUNTS_INDEXED_AND_PROJECTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[index(columns(email), concurrently)]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

#[derive(Table)]
#[table(name = "projects")]
pub struct Project {
    #[column(primary_key, identity)]
    pub id: i64,
    pub title: String,
}
"#;

/// Accounts with only the concurrent index (the projects table dropped again).
const ACCOUNTS_INDEXED: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[index(columns(email), concurrently)]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}
"#;

/// `pg_index.indisvalid` of index `name` in `public`; `None` when there is no such index.
fn index_state(db: &TestDb, name: &str) -> Option<bool> {
    // A connection of its own: the pool belongs to the runtime that created the database.
    block_on(async {
        let mut conn = PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query_scalar::<_, bool>(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relname = $1",
        )
        .bind(name)
        .fetch_optional(&mut conn)
        .await
        .expect("pg_index")
    })
}

/// Runs a future on a runtime of its own (the tests themselves are plain threads, so that
/// `migrate` can build its runtime).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn test_db(label: &str) -> Option<TestDb> {
    block_on(TestDb::create(label))
}

#[test]
fn pg_concurrent_index_goes_to_a_no_transaction_file_and_is_applied_valid() {
    let Some(db) = test_db("concurrent_index") else {
        return;
    };
    let p = Project::new(ACCOUNTS);
    p.generate(NOW);
    p.migrate(&db.url);

    p.set_schema(ACCOUNTS_INDEXED_AND_PROJECTS);
    let run = p.generate(NOW + 10);
    let files = p.sql_files();
    assert_eq!(
        files[1..],
        [
            "20261118110650_create_projects_and_1_more.sql".to_string(),
            "20261118110651_create_projects_and_1_more_concurrent_indexes.sql".to_string(),
        ],
        "{run:#?}"
    );
    let main = p.read(&files[1]);
    assert!(
        main.contains("CREATE TABLE \"public\".\"projects\""),
        "{main}"
    );
    assert!(!main.contains("INDEX"), "{main}");
    let no_tx = p.read(&files[2]);
    assert_eq!(
        no_tx,
        "-- no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS \"accounts_email_idx\" ON \"public\".\"accounts\" (\"email\");\n"
    );
    assert!(
        run.stdout
            .contains("+ index public.accounts.accounts_email_idx (email) [no transaction]"),
        "{run:#?}"
    );
    assert!(
        run.stdout.contains(
            "create_projects_and_1_more_concurrent_indexes.sql, which starts with -- no-transaction"
        ),
        "{run:#?}"
    );

    // Each file has its journal entry and snapshot; the ids chain; the main file's snapshot
    // has the new table but not yet the index.
    let journal = p.journal();
    let tags: Vec<&str> = journal.entries.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(
        tags[1..],
        [
            "20261118110650_create_projects_and_1_more",
            "20261118110651_create_projects_and_1_more_concurrent_indexes"
        ]
    );
    let first = p.snapshot(tags[0]);
    let main_snapshot = p.snapshot(tags[1]);
    let last = p.snapshot(tags[2]);
    assert_eq!(first.prev_id, ROOT_ID);
    assert_eq!(main_snapshot.prev_id, first.id);
    assert_eq!(last.prev_id, main_snapshot.id);
    assert!(main_snapshot.schema.tables.contains_key("public.projects"));
    assert!(main_snapshot.schema.tables["public.accounts"]
        .indexes
        .is_empty());
    assert_eq!(last.schema.tables["public.accounts"].indexes.len(), 1);

    let applied = p.migrate(&db.url);
    assert!(
        applied.stdout.contains("applied 2 migration(s)"),
        "{applied:#?}"
    );
    assert_eq!(index_state(&db, "accounts_email_idx"), Some(true));

    // Nothing left to generate.
    let again = p.generate(NOW + 20);
    assert!(again.stdout.contains("no changes"), "{again:#?}");

    // Only a concurrent drop (and a table drop): the drop goes to its own file.
    p.set_schema(ACCOUNTS_INDEXED);
    p.generate(NOW + 30);
    p.set_schema(ACCOUNTS);
    let run = p.generate(NOW + 40);
    let files = p.sql_files();
    assert_eq!(files.len(), 5, "{files:?}");
    let drop_file = &files[4];
    assert!(
        drop_file.ends_with("_concurrent_indexes.sql"),
        "{files:?} {run:#?}"
    );
    assert_eq!(
        p.read(drop_file),
        "-- no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS \"public\".\"accounts_email_idx\";\n"
    );
    let journal = p.journal();
    let tags: Vec<&str> = journal.entries.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(tags.len(), 5);
    assert_eq!(p.snapshot(tags[4]).prev_id, p.snapshot(tags[3]).id);

    let applied = p.migrate(&db.url);
    assert!(
        applied.stdout.contains("applied 2 migration(s)"),
        "{applied:#?}"
    );
    assert_eq!(index_state(&db, "accounts_email_idx"), None);
}

#[test]
fn pg_concurrent_index_on_a_new_table_is_a_plain_index_in_the_main_file() {
    let Some(db) = test_db("concurrent_new_table") else {
        return;
    };
    let p = Project::new(ACCOUNTS_INDEXED);
    let run = p.generate(NOW);
    let files = p.sql_files();
    assert_eq!(files, ["20261118110640_create_accounts.sql"], "{run:#?}");
    let sql = p.read(&files[0]);
    assert!(!sql.starts_with("-- no-transaction"), "{sql}");
    assert!(
        sql.contains("CREATE INDEX \"accounts_email_idx\" ON \"public\".\"accounts\" (\"email\");"),
        "{sql}"
    );
    assert!(!sql.contains("CONCURRENTLY"), "{sql}");
    assert!(!run.stdout.contains("no transaction"), "{run:#?}");
    p.migrate(&db.url);
    assert_eq!(index_state(&db, "accounts_email_idx"), Some(true));
}

#[test]
fn pg_a_named_migration_with_a_column_and_a_concurrent_index() {
    let Some(db) = test_db("concurrent_named") else {
        return;
    };
    let p = Project::new(ACCOUNTS);
    p.generate(NOW);
    p.migrate(&db.url);
    p.set_schema(
        r#"
#[derive(Table)]
#[table(name = "accounts")]
#[index(columns(email), concurrently)]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub display_name: String,
}
"#,
    );
    let run = p.run(&["generate", "--name", "email_index"], NOW + 10);
    assert_eq!(run.code, 0, "{run:#?}");
    let files = p.sql_files();
    assert_eq!(
        files[1..],
        [
            "20261118110650_email_index.sql".to_string(),
            "20261118110651_email_index_concurrent_indexes.sql".to_string(),
        ]
    );
    p.migrate(&db.url);
    assert_eq!(index_state(&db, "accounts_email_idx"), Some(true));
}

/// PostgreSQL runs a multi-statement file as one implicit transaction, which CONCURRENTLY
/// refuses, under sqlx-cli and `sqlx::migrate!` as under `migrate`; so each concurrent change
/// gets a no-transaction file of its own, with its own snapshot.
#[test]
fn pg_two_concurrent_indexes_in_one_migration() {
    let Some(db) = test_db("concurrent_two") else {
        return;
    };
    let p = Project::new(ACCOUNTS);
    p.generate(NOW);
    p.migrate(&db.url);
    p.set_schema(
        r#"
#[derive(Table)]
#[table(name = "accounts")]
#[index(columns(email), concurrently)]
#[index(columns(id, email), concurrently)]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}
"#,
    );
    p.generate(NOW + 10);
    let files = p.sql_files();
    assert_eq!(files.len(), 3, "{files:?}");
    for file in &files[1..] {
        let sql = p.read(file);
        assert!(sql.starts_with("-- no-transaction\n"), "{sql}");
        assert_eq!(
            sql.matches("CONCURRENTLY IF NOT EXISTS").count(),
            1,
            "{sql}"
        );
    }
    p.migrate(&db.url);
    assert_eq!(index_state(&db, "accounts_email_idx"), Some(true));
    assert_eq!(index_state(&db, "accounts_id_email_idx"), Some(true));
}

#[test]
fn pg_a_concurrent_drop_on_a_renamed_table_runs_after_the_rename() {
    let Some(db) = test_db("concurrent_renamed") else {
        return;
    };
    let p = Project::new(ACCOUNTS_INDEXED);
    p.generate(NOW);
    p.migrate(&db.url);
    p.set_schema(
        r#"
#[derive(Table)]
#[table(name = "users", renamed_from = "accounts")]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}
"#,
    );
    let run = p.generate(NOW + 10);
    let files = p.sql_files();
    assert_eq!(files.len(), 3, "{files:?} {run:#?}");
    let main = p.read(&files[1]);
    assert!(main.contains("RENAME TO \"users\""), "{main}");
    assert!(!main.contains("DROP INDEX"), "{main}");
    assert_eq!(
        p.read(&files[2]),
        "-- no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS \"public\".\"accounts_email_idx\";\n"
    );
    // Between the files the renamed table still has its index.
    let journal = p.journal();
    let main_snapshot = p.snapshot(&journal.entries[1].tag);
    let users = &main_snapshot.schema.tables["public.users"];
    assert_eq!(users.indexes.len(), 1, "{users:?}");
    p.migrate(&db.url);
    assert_eq!(index_state(&db, "accounts_email_idx"), None);
}

/// Runs one statement on its own connection.
fn exec(db: &TestDb, sql: &str) {
    block_on(async {
        let mut conn = PgConnection::connect(&db.url).await.expect("connect");
        sqlx::raw_sql(sql).execute(&mut conn).await.expect(sql);
    });
}

/// An interrupted `CREATE INDEX CONCURRENTLY` (here: a unique build that meets duplicates)
/// leaves an invalid index; the next `migrate` drops it and builds it again.
#[test]
fn pg_an_interrupted_concurrent_build_is_rebuilt_by_the_next_migrate() {
    let Some(db) = test_db("concurrent_repair") else {
        return;
    };
    let p = Project::new(ACCOUNTS);
    p.generate(NOW);
    p.migrate(&db.url);
    exec(&db, "INSERT INTO accounts (email) VALUES ('a@x'), ('a@x')");
    p.set_schema(&ACCOUNTS.replace(
        "#[table(name = \"accounts\")]",
        "#[table(name = \"accounts\")]\n#[index(columns(email), unique, concurrently)]",
    ));
    p.generate(NOW + 10);
    let failed = p.run(&["migrate", "--url", &db.url], NOW + 100);
    assert_ne!(failed.code, 0, "{failed:#?}");
    assert_eq!(index_state(&db, "accounts_email_idx"), Some(false));

    exec(
        &db,
        "DELETE FROM accounts WHERE id = (SELECT max(id) FROM accounts)",
    );
    let run = p.migrate(&db.url);
    assert!(
        run.stdout
            .contains("dropped the invalid index public.accounts_email_idx"),
        "{run:#?}"
    );
    assert_eq!(index_state(&db, "accounts_email_idx"), Some(true));
}
