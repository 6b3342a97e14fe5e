//! Issue 13's index keys: `#[index(keys(..), with = "..")]` with expressions, operator
//! classes, `DESC` and `NULLS FIRST`/`LAST`, created, changed and dropped on real servers,
//! with `verify` and `check --url` finding no difference and the rows kept; what SQLite and
//! MariaDB lack refused by `generate`, naming the struct and the attribute.

mod drizzle;

use sqlx::Executor;
use std::fs;
use tests::project::{Project, NOW};

const PG_V1: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[index(keys("lower(email)"), name = "accounts_email_lower_idx", unique)]
#[index(keys("created_at DESC NULLS LAST", "id"), with = "fillfactor = 70")]
#[index(keys("title text_pattern_ops"), name = "accounts_title_pattern_idx", predicate = "title <> ''")]
#[index(keys("\"full name\" ASC NULLS FIRST"), concurrently)]
#[index(keys("(score * 2) DESC"), name = "accounts_double_score_idx", using = "btree")]
#[index(columns(score), with = "fillfactor = 80, deduplicate_items = off")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    #[column(sql_type = "varchar(320)")]
    pub email: String,
    pub title: String,
    #[column(name = "full name")]
    pub full_name: String,
    pub score: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
"#;

/// A key's order changed, storage parameters changed and dropped, one index dropped.
const PG_V2: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
#[index(keys("lower(email)"), name = "accounts_email_lower_idx", unique)]
#[index(keys("created_at ASC", "id DESC"), name = "accounts_created_at_id_idx", with = "fillfactor = 90")]
#[index(keys("title text_pattern_ops"), name = "accounts_title_pattern_idx", predicate = "title <> ''")]
#[index(keys("\"full name\" ASC NULLS FIRST"), concurrently)]
#[index(columns(score))]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    #[column(sql_type = "varchar(320)")]
    pub email: String,
    pub title: String,
    #[column(name = "full name")]
    pub full_name: String,
    pub score: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
"#;

/// Every keyed index gone.
const PG_V3: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    #[column(sql_type = "varchar(320)")]
    pub email: String,
    pub title: String,
    #[column(name = "full name")]
    pub full_name: String,
    pub score: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
"#;

fn project(dialect: &str, schema: &str) -> Project {
    let p = Project::new(schema);
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    p
}

/// The up files of the migrations folder, by path.
fn ups(p: &Project) -> Vec<std::path::PathBuf> {
    let Ok(dir) = fs::read_dir(p.migrations()) else {
        return Vec::new();
    };
    let mut ups: Vec<_> = dir
        .map(|e| e.expect("entry").path())
        .filter(|f| tests::project::is_up_file(f))
        .collect();
    ups.sort();
    ups
}

/// `generate` (the text of the up files it wrote), `verify`, `migrate`, and `check --url`
/// without drift.
fn step(p: &Project, url: &str, at: u64) -> String {
    let before = ups(p);
    let run = p.run(&["generate"], at);
    assert_eq!(run.code, 0, "generate:\n{}", run.text());
    let sql: String = ups(p)
        .iter()
        .filter(|f| !before.contains(f))
        .map(|f| fs::read_to_string(f).expect("sql"))
        .collect();
    let run = p.run(&["verify", "--url", url], at + 1);
    assert_eq!(run.code, 0, "verify:\n{}\n{sql}", run.text());
    let run = p.run(&["migrate", "--url", url, "--allow-lint-errors"], at + 2);
    assert_eq!(run.code, 0, "migrate:\n{}\n{sql}", run.text());
    let run = p.run(&["check", "--url", url], at + 3);
    assert!(
        !run.text().contains("drift"),
        "check --url:\n{}\n{sql}",
        run.text()
    );
    sql
}

#[test]
fn pg_index_keys_are_created_changed_and_dropped_with_rows_kept() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("index_keys13")) else {
        return;
    };
    let p = project("postgres", PG_V1);
    let sql = step(&p, &db.url, NOW);
    for want in [
        r#"CREATE UNIQUE INDEX "accounts_email_lower_idx" ON "public"."accounts" ((lower(email)));"#,
        r#"ON "public"."accounts" ("created_at" DESC NULLS LAST, "id") WITH ("fillfactor" = 70);"#,
        r#"("title" "text_pattern_ops") WHERE title <> '';"#,
        r#"("full name" NULLS FIRST)"#,
        r#"USING btree (((score * 2)) DESC);"#,
        r#"("score") WITH ("deduplicate_items" = off, "fillfactor" = 80);"#,
    ] {
        assert!(sql.contains(want), "{want}\n{sql}");
    }
    rt.block_on(db.apply(
        "INSERT INTO accounts VALUES (1, 'A@x', 't', 'n', 3, now()), (2, 'b@x', '', 'm', 4, now())",
    ))
    .expect("rows");
    p.set_schema(PG_V2);
    let sql = step(&p, &db.url, NOW + 100);
    for want in [
        r#"DROP INDEX "public"."accounts_created_at_id_idx";"#,
        r#"DROP INDEX "public"."accounts_double_score_idx";"#,
        r#"("created_at", "id" DESC) WITH ("fillfactor" = 90);"#,
        r#"ON "public"."accounts" ("score");"#,
    ] {
        assert!(sql.contains(want), "{want}\n{sql}");
    }
    assert!(!sql.contains("accounts_email_lower_idx"), "{sql}");
    // The live index loses its operator class, then its direction: `check --url` says so.
    for live in [
        "CREATE INDEX accounts_title_pattern_idx ON accounts (title) WHERE title <> ''",
        "CREATE INDEX accounts_title_pattern_idx ON accounts (title text_pattern_ops DESC) WHERE title <> ''",
    ] {
        rt.block_on(db.apply(&format!("DROP INDEX accounts_title_pattern_idx; {live}")))
            .expect("live change");
        let run = p.run(&["check", "--url", &db.url], NOW + 150);
        assert!(
            run.text().contains("drift") && run.text().contains("title text_pattern_ops"),
            "{}",
            run.text()
        );
    }
    rt.block_on(db.apply(
        "DROP INDEX accounts_title_pattern_idx; CREATE INDEX accounts_title_pattern_idx ON accounts (title text_pattern_ops) WHERE title <> ''",
    ))
    .expect("restore");
    p.set_schema(PG_V3);
    let sql = step(&p, &db.url, NOW + 200);
    assert!(sql.contains("accounts_title_pattern_idx"), "{sql}");
    let rows: Vec<String> = rt
        .block_on(
            sqlx::query_scalar("SELECT email || ':' || score FROM accounts ORDER BY id")
                .fetch_all(&db.pool),
        )
        .expect("rows");
    assert_eq!(rows, ["A@x:3", "b@x:4"]);
}

/// An `Account` table with `indexes` for SQLite and MySQL (no schema, lengths MySQL can index).
fn account(indexes: &str) -> String {
    format!(
        r#"
#[derive(Table)]
#[table(name = "accounts")]
{indexes}
pub struct Account {{
    #[column(primary_key)]
    pub id: i64,
    #[column(sql_type = "varchar(200)")]
    pub email: String,
    pub score: i32,
    #[column(sql_type = "varchar(40)")]
    pub created_at: String,
}}
"#
    )
}

/// `generate` refuses each of `cases` (an index attribute) naming the struct and the attribute.
fn assert_refused(dialect: &str, cases: &[(&str, &str)]) {
    for (index, says) in cases {
        let p = project(dialect, &account(index));
        let run = p.run(&["generate"], NOW);
        assert_ne!(run.code, 0, "{index}\n{}", run.text());
        let text = run.text();
        assert!(
            text.contains("Account") && text.contains(says),
            "{index}: {says}\n{text}"
        );
        assert!(!p.migrations().exists() || ups(&p).is_empty(), "{index}");
    }
}

#[test]
fn sqlite_expression_and_desc_keys_are_created_changed_and_dropped_with_rows_kept() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    let p = project(
        "sqlite",
        &account(
            r#"#[index(keys("lower(email)"), name = "accounts_email_lower_idx", unique)]
#[index(keys("created_at DESC", "id"))]"#,
        ),
    );
    let sql = step(&p, &url, NOW);
    assert!(
        sql.contains(
            r#"CREATE UNIQUE INDEX "accounts_email_lower_idx" ON "accounts" ((lower(email)));"#
        ) && sql.contains(r#"ON "accounts" ("created_at" DESC, "id");"#),
        "{sql}"
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pool = rt
        .block_on(sqlx::SqlitePool::connect(&url))
        .expect("connect");
    rt.block_on(
        sqlx::query("INSERT INTO accounts VALUES (1, 'A@x', 3, '2026'), (2, 'b@x', 4, '2027')")
            .execute(&pool),
    )
    .expect("rows");
    p.set_schema(&account(
        r#"#[index(keys("created_at ASC", "id DESC"), name = "accounts_created_at_id_idx")]"#,
    ));
    let sql = step(&p, &url, NOW + 100);
    assert!(
        sql.contains(r#"DROP INDEX "accounts_email_lower_idx";"#)
            && sql.contains(r#"DROP INDEX "accounts_created_at_id_idx";"#)
            && sql.contains(r#"("created_at", "id" DESC);"#),
        "{sql}"
    );
    p.set_schema(&account(""));
    let sql = step(&p, &url, NOW + 200);
    assert!(
        sql.contains(r#"DROP INDEX "accounts_created_at_id_idx";"#),
        "{sql}"
    );
    let rows: Vec<String> = rt
        .block_on(
            sqlx::query_scalar("SELECT email || ':' || score FROM accounts ORDER BY id")
                .fetch_all(&pool),
        )
        .expect("rows");
    assert_eq!(rows, ["A@x:3", "b@x:4"]);
}

#[test]
fn sqlite_refuses_operator_classes_nulls_order_and_storage_parameters() {
    assert_refused(
        "sqlite",
        &[
            (
                r#"#[index(keys("email text_pattern_ops"), name = "i")]"#,
                "operator class `text_pattern_ops`, which SQLite does not have; drop `text_pattern_ops` from #[index(keys(..))]",
            ),
            (
                r#"#[index(keys("email NULLS LAST"))]"#,
                "NULLS LAST, which a SQLite index cannot; drop `NULLS LAST` from #[index(keys(..))]",
            ),
            (
                r#"#[index(columns(email), with = "fillfactor = 70")]"#,
                "storage parameters, which SQLite does not have; drop `with = \"...\"`",
            ),
        ],
    );
}

#[test]
fn mysql_desc_keys_are_created_changed_and_dropped_with_rows_kept() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("index_keys13")) else {
        return;
    };
    let p = project(
        "mysql",
        &account(
            r#"#[index(keys("created_at DESC", "id"))]
#[index(keys("email DESC"), name = "accounts_email_desc_idx", unique)]"#,
        ),
    );
    let sql = step(&p, &db.url, NOW);
    assert!(
        sql.contains("(`created_at` DESC, `id`)") && sql.contains("(`email` DESC)"),
        "{sql}"
    );
    rt.block_on(
        db.pool
            .execute("INSERT INTO accounts VALUES (1, 'A@x', 3, '2026'), (2, 'b@x', 4, '2027')"),
    )
    .expect("rows");
    p.set_schema(&account(
        r#"#[index(keys("created_at", "id DESC"), name = "accounts_created_at_id_idx")]
#[index(keys("email DESC"), name = "accounts_email_desc_idx", unique)]"#,
    ));
    let sql = step(&p, &db.url, NOW + 100);
    assert!(sql.contains("(`created_at`, `id` DESC)"), "{sql}");
    assert!(!sql.contains("accounts_email_desc_idx"), "{sql}");
    // The live key loses its DESC: `check --url` says so.
    rt.block_on(db.pool.execute(
        "DROP INDEX accounts_email_desc_idx ON accounts; CREATE UNIQUE INDEX accounts_email_desc_idx ON accounts (email)",
    ))
    .expect("live change");
    let run = p.run(&["check", "--url", &db.url], NOW + 150);
    assert!(
        run.text().contains("drift") && run.text().contains("index (email DESC)"),
        "{}",
        run.text()
    );
    rt.block_on(db.pool.execute(
        "DROP INDEX accounts_email_desc_idx ON accounts; CREATE UNIQUE INDEX accounts_email_desc_idx ON accounts (email DESC)",
    ))
    .expect("restore");
    p.set_schema(&account(""));
    step(&p, &db.url, NOW + 200);
    let rows: Vec<String> = rt
        .block_on(
            sqlx::query_scalar("SELECT CONCAT(email, ':', score) FROM accounts ORDER BY id")
                .fetch_all(&db.pool),
        )
        .expect("rows");
    assert_eq!(rows, ["A@x:3", "b@x:4"]);
}

#[test]
fn mysql_refuses_expressions_operator_classes_nulls_order_and_storage_parameters() {
    assert_refused(
        "mysql",
        &[
            (
                r#"#[index(keys("lower(email)"), name = "i")]"#,
                "has the expression key `lower(email)`, which MariaDB cannot index",
            ),
            (
                r#"#[index(keys("email text_pattern_ops"), name = "i")]"#,
                "operator class `text_pattern_ops`, which MySQL does not have",
            ),
            (
                r#"#[index(keys("email DESC NULLS FIRST"))]"#,
                "NULLS FIRST, which MySQL cannot",
            ),
            (
                r#"#[index(columns(email), with = "fillfactor = 70")]"#,
                "storage parameters, which MySQL does not have",
            ),
        ],
    );
}

#[test]
fn an_expression_key_is_read_by_the_dialects_parser() {
    for dialect in ["postgres", "sqlite"] {
        assert_refused(
            dialect,
            &[(
                r#"#[index(keys("lower(email) upper(email)"), name = "accounts_two_idx")]"#,
                "Account: the key `lower(email) upper(email)` of index `accounts_two_idx` on table `accounts` must be exactly one SQL expression, but `upper` follows the expression `lower(email)`",
            )],
        );
    }
}
