//! `migrate-cli verify` on MySQL/MariaDB (`MYSQL_URL`): a history `generate` wrote replays on
//! a scratch database of the url's server and matches its snapshots (introspection reads back
//! what the generate side's model says), a file whose SQL disagrees with its snapshot fails
//! naming the table and column, a failing statement is named with its line, and the scratch
//! database is gone afterwards either way, as is one a killed run left behind.

use sqlx::MySqlPool;
use std::fs;
use tests::mysql::TestDb;
use tests::project::{Project, Run, NOW};

const V1: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique)] email: String,
    nick: Option<String>,
    #[column(default_sql = "now()")] created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = true)] active: bool,
}
#[derive(Table)] #[table(name = "issues")] #[index(columns(account_id, state))]
#[check(name = "issues_score_check", expr = "score >= 0")]
struct Issue {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] account_id: i64,
    #[column(default = "open")] state: State,
    title: Option<String>,
    score: i32,
    #[column(sql_type = "decimal(10,2)", default = 0)] price: rust_decimal::Decimal,
    data: Option<serde_json::Value>,
}
#[derive(Table)] #[table(name = "comments")]
struct Comment {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Issue::id, on_delete = "restrict")] issue_id: i64,
    body: String,
    flagged: bool,
}
"#;

/// V1 with a column added with a default, a type changed, a column renamed, an index added,
/// a foreign key added and one dropped, and an enum value added.
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
        .replace(
            "    score: i32,\n",
            "    score: i64,\n    #[column(references = Account::id, on_delete = \"set null\")] reviewer_id: Option<i64>,\n",
        )
        .replace(
            "#[column(references = Issue::id, on_delete = \"restrict\")] issue_id",
            "issue_id",
        )
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

fn text(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// A project whose folder holds the two generated migrations; their tags.
fn generated() -> (Project, Vec<String>) {
    let p = mysql_project(V1);
    let run = p.run(&["generate", "--name", "init"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    p.set_schema(&v2());
    let run = p.run(&["generate", "--name", "second"], NOW + 60);
    assert_eq!(run.code, 0, "{}", text(&run));
    let tags = p.journal().entries.iter().map(|e| e.tag.clone()).collect();
    (p, tags)
}

/// A fresh database and the runtime to query it with (the CLI runs outside it).
fn database(label: &str) -> Option<(tokio::runtime::Runtime, TestDb)> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::create(label))?;
    Some((rt, db))
}

fn count(rt: &tokio::runtime::Runtime, pool: &MySqlPool, sql: &str, bind: &str) -> i64 {
    rt.block_on(sqlx::query_scalar(sql).bind(bind).fetch_one(pool))
        .expect("count")
}

/// The scratch database `verify` said it replays on, which must be gone.
fn assert_scratch_dropped(run: &Run, rt: &tokio::runtime::Runtime, admin: &MySqlPool) {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("replaying "))
        .unwrap_or_else(|| panic!("no replaying line:\n{}", text(run)));
    let name = line
        .split(" on the scratch database ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no scratch name in: {line}"));
    assert!(name.starts_with("verify_"), "{line}");
    let left = count(rt, admin, SCHEMATA, name);
    assert_eq!(left, 0, "the scratch database {name} was left behind");
}

const SCHEMATA: &str = "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?";

#[test]
fn mysql_a_generated_history_verifies_and_the_scratch_database_is_dropped() {
    let Some((rt, db)) = database("verify_ok") else {
        return;
    };
    let (p, tags) = generated();
    let run = p.run(&["verify", "--url", &db.url], NOW + 600);
    assert_eq!(run.code, 0, "{}", text(&run));
    for tag in &tags {
        let (version, name) = tag.split_at(14);
        let line = format!("  {version} {}  up ok, down ok, up again ok", &name[1..]);
        assert!(
            run.stdout.contains(&line),
            "{line} missing:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("verified 2 migrations"),
        "{}",
        run.stdout
    );
    assert_scratch_dropped(&run, &rt, &db.pool);
    let tables = count(
        &rt,
        &db.pool,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ?",
        &db.name,
    );
    assert_eq!(tables, 0, "verify leaves the url's database alone");
}

#[test]
fn mysql_sql_that_disagrees_with_its_snapshot_fails_naming_the_table_and_column() {
    let Some((rt, db)) = database("verify_differs") else {
        return;
    };
    let (p, tags) = generated();
    let first = p.migrations().join(format!("{}.sql", tags[0]));
    let sql = fs::read_to_string(&first).expect("first file");
    assert!(sql.contains("`score` int NOT NULL"), "{sql}");
    let edited = format!(
        "{}\n--> statement-breakpoint\nALTER TABLE `comments` ADD COLUMN `extra` int;\n",
        sql.replace("`score` int NOT NULL", "`score` bigint NOT NULL")
            .trim_end()
    );
    fs::write(&first, edited).expect("edit");
    let run = p.run(&["verify", "--url", &db.url], NOW + 600);
    assert_eq!(run.code, 1, "{}", text(&run));
    for expected in [
        format!("after migrations/{}.sql:", tags[0]),
        "issues.score: type bigint, snapshot says int".to_string(),
        "comments.extra: column not in the snapshot".to_string(),
    ] {
        assert!(
            run.stderr.contains(&expected),
            "{expected}:\n{}",
            text(&run)
        );
    }
    assert_scratch_dropped(&run, &rt, &db.pool);
}

#[test]
fn mysql_a_migration_that_fails_to_apply_is_named_with_its_line() {
    let Some((rt, db)) = database("verify_fails") else {
        return;
    };
    let (p, tags) = generated();
    let second = p.migrations().join(format!("{}.sql", tags[1]));
    let sql = fs::read_to_string(&second).expect("second file");
    let lines = sql.lines().count();
    fs::write(
        &second,
        format!(
            "{}\n--> statement-breakpoint\nALTER TABLE `nowhere` ADD COLUMN `x` int;\n",
            sql.trim_end()
        ),
    )
    .expect("edit");
    let run = p.run(&["verify", "--url", &db.url], NOW + 600);
    assert_eq!(run.code, 1, "{}", text(&run));
    let at = format!(
        "migration migrations/{}.sql:{} failed to apply on a fresh database",
        tags[1],
        lines + 2
    );
    assert!(run.stderr.contains(&at), "{at}:\n{}", text(&run));
    assert!(
        run.stderr.contains("verified 1 migration(s) before it"),
        "{}",
        text(&run)
    );
    assert_scratch_dropped(&run, &rt, &db.pool);
}

#[test]
fn mysql_a_scratch_database_a_killed_run_left_is_dropped_by_the_next_run() {
    let Some((rt, db)) = database("verify_reclaim") else {
        return;
    };
    // A name of the scratch shape whose lock nobody holds: a run that was killed.
    let left = format!("verify_{}_1", u32::MAX);
    let create = format!("CREATE DATABASE IF NOT EXISTS `{left}`");
    rt.block_on(sqlx::query(&create).execute(&db.pool))
        .expect("create a leftover");
    let (p, _) = generated();
    let run = p.run(&["verify", "--url", &db.url], NOW + 600);
    assert_eq!(run.code, 0, "{}", text(&run));
    let still = count(&rt, &db.pool, SCHEMATA, &left);
    assert_eq!(still, 0, "the leftover {left} is still there");
}

/// The schema of the database `url` names, read back.
fn introspected(rt: &tokio::runtime::Runtime, url: &str) -> schema_core::model::Schema {
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::MySqlConnection::connect(url).await.expect("connect");
        migrate_cli::backend::Backend::introspect(&mut conn)
            .await
            .expect("introspect")
    })
}

/// The contract: a migrated database reads back into exactly its snapshot, but for what a
/// catalog cannot hold or prints its own way: the column order after `ADD COLUMN` (appended),
/// check expressions as the server prints them (compared loosely), and `RESTRICT`, which is
/// InnoDB's `NO ACTION` and reads back as the model's default.
#[test]
fn mysql_each_generated_step_reads_back_into_its_snapshot() {
    use schema_core::model::{FkAction, Schema};
    use schema_core::snapshot::{without_rename_hints, Snapshot};
    let Some((rt, db)) = database("verify_exact") else {
        return;
    };
    let (p, tags) = generated();
    let comparable = |schema: &Schema| {
        let mut s = schema.clone();
        for t in s.tables.values_mut() {
            t.columns.sort_by(|a, b| a.name.cmp(&b.name));
            for fk in &mut t.foreign_keys {
                for action in [&mut fk.on_delete, &mut fk.on_update] {
                    if *action == FkAction::Restrict {
                        *action = FkAction::NoAction;
                    }
                }
            }
        }
        s
    };
    let files = p.migrations();
    let hidden = p.path().join("later");
    fs::create_dir_all(&hidden).expect("dir");
    // Apply one migration at a time: the later migration (file, snapshot and journal entry)
    // waits outside the folder, since migrate refuses a folder that lists a missing file.
    let later = [
        format!("{}.sql", tags[1]),
        format!("meta/{}_snapshot.json", &tags[1][..14]),
        "meta/_journal.json".to_string(),
        format!("{}.down.sql", tags[1]),
    ];
    fs::create_dir_all(hidden.join("meta")).expect("dir");
    for name in &later {
        fs::copy(files.join(name), hidden.join(name)).expect("hide");
    }
    fs::remove_file(files.join(&later[0])).expect("hide");
    fs::remove_file(files.join(&later[1])).expect("hide");
    fs::remove_file(files.join(&later[3])).expect("hide");
    let mut journal: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(files.join(&later[2])).expect("journal"))
            .expect("journal parses");
    journal["entries"]
        .as_array_mut()
        .expect("entries")
        .truncate(1);
    fs::write(files.join(&later[2]), journal.to_string()).expect("journal");
    for (n, tag) in tags.iter().enumerate() {
        if n == 1 {
            for name in &later {
                fs::copy(hidden.join(name), files.join(name)).expect("restore");
            }
        }
        let run = p.run(&["migrate", "--url", &db.url], NOW + 600);
        assert_eq!(run.code, 0, "{}", text(&run));
        let path = files.join(format!("meta/{}_snapshot.json", &tag[..14]));
        let snapshot =
            Snapshot::parse(&fs::read_to_string(path).expect("snapshot")).expect("snapshot parses");
        let mut want = comparable(&without_rename_hints(&snapshot.schema));
        let mut have = comparable(&introspected(&rt, &db.url));
        for (key, table) in want.tables.iter_mut() {
            let read = have
                .tables
                .get_mut(key)
                .unwrap_or_else(|| panic!("{key} missing"));
            assert_eq!(table.checks.len(), read.checks.len(), "{key}");
            for (w, h) in table.checks.iter().zip(&mut read.checks) {
                assert_eq!(w.name, h.name, "{key}");
                assert!(
                    migrate_cli::introspect::expr::same_mysql(&w.expr, &h.expr),
                    "{key}: {} vs {}",
                    w.expr,
                    h.expr
                );
                h.expr = w.expr.clone();
            }
        }
        assert_eq!(have, want, "after {tag}");
    }
}

/// A generated check on a column with a non-ASCII name (`montant_€`, unquoted in the check)
/// is split by the tokenizer: verify replays it without a panic, and migrate applies it.
#[test]
fn mysql_a_check_on_a_non_ascii_column_replays_and_applies() {
    let Some((rt, db)) = database("verify_non_ascii") else {
        return;
    };
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "comptes")]
#[check(name = "comptes_montant_check", expr = "montant_€ >= 0")]
struct Compte {
    #[column(primary_key, identity)] id: i64,
    #[column(name = "montant_€")] montant: i32,
}
"#,
    );
    let run = p.run(&["generate", "--name", "comptes"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    let run = p.run(&["verify", "--url", &db.url], NOW + 600);
    // The file replays whole, and the server's spelling of the check (`montant_€` in
    // backticks) is judged the same as the snapshot's.
    assert_eq!(run.code, 0, "{}", text(&run));
    let out = text(&run);
    assert!(out.contains("replaying 1 migration(s)"), "{out}");
    assert!(
        !out.contains("char boundary") && !out.contains("failed at"),
        "{out}"
    );
    assert!(!out.contains("cannot be cut"), "{out}");
    assert_scratch_dropped(&run, &rt, &db.pool);
    let run = p.run(&["migrate", "--url", &db.url], NOW + 600);
    assert_eq!(run.code, 0, "{}", text(&run));
    let recorded = count(
        &rt,
        &db.pool,
        "SELECT count(*) FROM _sqlx_migrations WHERE success AND description = ?",
        "comptes",
    );
    assert_eq!(recorded, 1);
}

/// A hand-written statement with a non-ASCII name outside quotes replays in verify.
#[test]
fn mysql_a_non_ascii_name_in_a_hand_written_statement_verifies() {
    let Some((rt, db)) = database("verify_non_ascii_hand") else {
        return;
    };
    let (p, tags) = generated();
    let first = p.migrations().join(format!("{}.sql", tags[0]));
    let sql = fs::read_to_string(&first).expect("first file");
    fs::write(&first, format!("{sql}\nSELECT 1 AS données; SELECT 2;\n")).expect("edit");
    let run = p.run(&["verify", "--url", &db.url], NOW + 600);
    assert_eq!(run.code, 0, "{}", text(&run));
    assert!(
        run.stdout.contains("verified 2 migrations"),
        "{}",
        run.stdout
    );
    assert_scratch_dropped(&run, &rt, &db.pool);
}

/// A file that cannot be cut into statements fails verify with its line, before it runs.
#[test]
fn mysql_a_file_with_delimiter_lines_fails_verify_with_its_line() {
    let Some((rt, db)) = database("verify_delimiter") else {
        return;
    };
    let (p, tags) = generated();
    let first = p.migrations().join(format!("{}.sql", tags[0]));
    let sql = fs::read_to_string(&first).expect("first file");
    let line = sql.lines().count() + 1;
    fs::write(&first, format!("{sql}DELIMITER //\n")).expect("edit");
    let run = p.run(&["verify", "--url", &db.url], NOW + 600);
    assert_eq!(run.code, 1, "{}", text(&run));
    let expected = format!(
        "migration migrations/{}.sql:{line} failed to apply on a fresh database: cannot be cut into statements: DELIMITER is a command of the mysql client, not SQL",
        tags[0]
    );
    assert!(text(&run).contains(&expected), "{expected}\n{}", text(&run));
    assert_scratch_dropped(&run, &rt, &db.pool);
}

/// A user who may not create databases is told what MySQL needs (CREATE and DROP), not
/// PostgreSQL's CREATEDB privilege.
#[test]
fn mysql_a_user_who_may_not_create_databases_gets_mysqls_hint() {
    let Some((rt, db)) = database("verify_hint") else {
        return;
    };
    if !db.url.contains("://root@") {
        eprintln!("SKIPPED mysql_a_user_who_may_not_create_databases_gets_mysqls_hint: MYSQL_URL is not root without a password");
        return;
    }
    let user = format!("nocreate_{}", std::process::id());
    let admin = |sql: String| {
        rt.block_on(sqlx::query(&sql).execute(&db.pool))
            .expect("admin statement");
    };
    admin(format!("DROP USER IF EXISTS '{user}'@'%'"));
    admin(format!("CREATE USER '{user}'@'%'"));
    admin(format!("GRANT SELECT ON `{}`.* TO '{user}'@'%'", db.name));
    let (p, _) = generated();
    let url = db.url.replacen("://root@", &format!("://{user}@"), 1);
    let run = p.run(&["verify", "--url", &url], NOW + 120);
    admin(format!("DROP USER IF EXISTS '{user}'@'%'"));
    assert_eq!(run.code, 1, "{}", text(&run));
    let all = text(&run);
    assert!(all.contains("cannot create the scratch database"), "{all}");
    assert!(
        all.contains("the url's user needs the CREATE and DROP privileges"),
        "{all}"
    );
    assert!(!all.contains("CREATEDB"), "{all}");
}

/// MariaDB's own check of a `json` column is a column-level one; a table-level `json_valid`
/// check the user declared on that column is a check like any other, and both verify and
/// `check --url` find the history as generated (found in review).
#[test]
fn mysql_a_users_json_valid_check_beside_mariadbs_own_is_no_difference() {
    let Some((_rt, db)) = database("verify_json_check") else {
        return;
    };
    let p = mysql_project(
        r#"
#[derive(Table)] #[table(name = "docs")]
#[check(name = "c07", expr = "json_valid(doc)")]
struct Doc {
    #[column(primary_key)] id: i64,
    #[column(sql_type = "json")] doc: serde_json::Value,
}
"#,
    );
    let run = p.run(&["generate", "--name", "docs"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    let run = p.run(&["verify", "--url", &db.url], NOW + 60);
    assert_eq!(run.code, 0, "{}", text(&run));
    let run = p.run(&["migrate", "--url", &db.url], NOW + 60);
    assert_eq!(run.code, 0, "{}", text(&run));
    let run = p.run(&["check", "--url", &db.url], NOW + 60);
    assert_eq!(run.code, 0, "{}", text(&run));
}
