//! Issue 13's index keys: `#[index(keys(..), with = "..")]` with expressions, operator
//! classes, `DESC` and `NULLS FIRST`/`LAST`, created, changed and dropped on real servers,
//! with `verify` and `check --url` finding no difference and the rows kept; what SQLite and
//! MariaDB lack refused by `generate`, naming the struct and the attribute.

mod drizzle;

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
