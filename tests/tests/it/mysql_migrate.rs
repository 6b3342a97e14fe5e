//! `migrate-cli migrate` and `status` end to end on MySQL/MariaDB (a fresh database per test,
//! `MYSQL_URL`): files with breakpoint lines apply statement by statement with sqlx's own
//! bookkeeping, a rerun is a no-op, a failing statement is reported with exactly what ran and
//! what did not (MySQL commits each statement, so nothing is rolled back), the half-applied
//! file blocks the next run until repaired, and introspection reads hand-written tables back
//! into the MySQL model.

use schema_core::model::{
    Check, Column, ColumnType, FkAction, ForeignKey, Index, PrimaryKey, Schema, Table,
};
use sqlx::migrate::{Migrate, Migrator};
use sqlx::{Connection, MySqlConnection, MySqlPool};
use std::fs;
use std::path::{Path, PathBuf};
use tests::mysql::TestDb;
use tests::project::{run_cli_blocking, Run};

#[path = "mysql_migrate/statements.rs"]
mod statements;

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join("migrations/meta")).expect("migrations dir");
        let config = "dialect = \"mysql\"\nschema = [\"src\"]\nout = \"migrations\"\n";
        fs::write(dir.path().join("migrate.toml"), config).expect("config");
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, version: i64, name: &str) -> PathBuf {
        self.path().join(format!("migrations/{version}_{name}.sql"))
    }

    fn write(&self, version: i64, name: &str, sql: &str) {
        fs::write(self.file(version, name), sql).expect("migration file");
    }

    async fn run(&self, args: &[&str]) -> Run {
        cli(self.path().to_path_buf(), args).await
    }

    /// `status --format json` as (version, state) pairs.
    async fn states(&self, url: &str) -> Vec<(i64, String)> {
        let run = self
            .run(&["status", "--url", url, "--format", "json"])
            .await;
        assert_eq!(run.code, 0, "{run:?}");
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("status json");
        json["migrations"]
            .as_array()
            .expect("migrations")
            .iter()
            .map(|m| {
                (
                    m["version"].as_i64().expect("version"),
                    m["state"].as_str().expect("state").to_string(),
                )
            })
            .collect()
    }
}

/// Runs `migrate-cli ARGS` in `dir` on a blocking thread (commands build their own runtime).
async fn cli(dir: PathBuf, args: &[&str]) -> Run {
    run_cli_blocking(&dir, args).await
}

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let all = run.text();
    for needle in needles {
        assert!(all.contains(needle), "{needle:?} missing from:\n{all}");
    }
}

async fn rows(pool: &MySqlPool) -> Vec<(i64, bool, Vec<u8>)> {
    sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
        .fetch_all(pool)
        .await
        .expect("read _sqlx_migrations")
}

async fn table_exists(pool: &MySqlPool, table: &str) -> bool {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
    )
    .bind(table)
    .fetch_one(pool)
    .await
    .expect("information_schema.tables");
    n > 0
}

const CREATE_TEAMS: &str = "-- teams and their accounts\nCREATE TABLE `teams` (\n\t`id` bigint NOT NULL AUTO_INCREMENT,\n\t`name` varchar(100) NOT NULL,\n\tCONSTRAINT PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n--> statement-breakpoint\nCREATE TABLE `accounts` (\n\t`id` bigint NOT NULL AUTO_INCREMENT,\n\t`team_id` bigint,\n\tCONSTRAINT PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n--> statement-breakpoint\nALTER TABLE `accounts` ADD CONSTRAINT `accounts_team_id_fkey` FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON DELETE CASCADE;\n";

#[tokio::test(flavor = "multi_thread")]
async fn mysql_applies_breakpoint_files_as_sqlx_records_them_and_a_rerun_is_a_no_op() {
    let Some(db) = TestDb::create("migrate_order").await else {
        return;
    };
    let p = Project::new();
    p.write(1, "create_teams", CREATE_TEAMS);
    p.write(
        2,
        "add_email",
        "ALTER TABLE `accounts` ADD COLUMN `email` varchar(320) NOT NULL DEFAULT '';\n--> statement-breakpoint\nCREATE UNIQUE INDEX `accounts_email_key` ON `accounts` (`email`);\n",
    );
    assert_eq!(
        p.states(&db.url).await,
        [(1, "pending".to_string()), (2, "pending".to_string())]
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        0,
        &[
            "applied migrations/1_create_teams.sql",
            "applied migrations/2_add_email.sql",
            "applied 2 migration(s)",
        ],
    );
    let migrator = Migrator::new(p.path().join("migrations"))
        .await
        .expect("sqlx reads the folder");
    let expected: Vec<(i64, bool, Vec<u8>)> = migrator
        .iter()
        .map(|m| (m.version, true, m.checksum.to_vec()))
        .collect();
    assert_eq!(rows(&db.pool).await, expected, "recorded as sqlx records");
    let catalog = db.catalog().await;
    for line in [
        "index accounts accounts_email_key unique (email)",
        "foreign key accounts accounts_team_id_fkey (team_id) references teams (id) on delete CASCADE on update RESTRICT",
    ] {
        assert!(catalog.lines().any(|l| l == line), "{line}:\n{catalog}");
    }
    assert_eq!(
        p.states(&db.url).await,
        [(1, "applied".to_string()), (2, "applied".to_string())]
    );
    let run = p.run(&["status", "--url", &db.url]).await;
    assert_has(&run, 0, &["2 migrations: 2 applied"]);
    // installed_on in UTC, as on the other databases: `applied 2026-11-28T03:54:00Z`.
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("create_teams"))
        .unwrap_or_default();
    let at = line.rsplit(' ').next().unwrap_or_default();
    assert!(
        at.len() == 20
            && at.ends_with('Z')
            && at.as_bytes()[10] == b'T'
            && line.contains("applied 2"),
        "{line}"
    );

    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        0,
        &["nothing to apply", "is up to date (2 migration(s) applied)"],
    );
    assert_eq!(rows(&db.pool).await, expected);

    // sqlx's own Migrator recognises the history as its own: nothing to do, no error.
    let mut conn = MySqlConnection::connect(&db.url).await.expect("connect");
    migrator
        .run(&mut conn)
        .await
        .expect("sqlx sees nothing pending");
    conn.close().await.expect("close");
}

/// Why MySQL files do not go through sqlx 0.8's `Migrate::apply`: it sends the file whole, and
/// MySQL reads `-->` (no space after `--`) as operators, not as a comment.
#[tokio::test(flavor = "multi_thread")]
async fn mysql_sqlx_apply_cannot_run_a_file_with_breakpoint_lines() {
    let Some(db) = TestDb::create("sqlx_apply").await else {
        return;
    };
    let p = Project::new();
    p.write(1, "create_teams", CREATE_TEAMS);
    let migrator = Migrator::new(p.path().join("migrations"))
        .await
        .expect("sqlx reads the folder");
    let mut conn = MySqlConnection::connect(&db.url).await.expect("connect");
    conn.ensure_migrations_table().await.expect("history table");
    let m = migrator.iter().next().expect("one migration");
    let error = conn
        .apply(m)
        .await
        .expect_err("a breakpoint line is SQL to MySQL");
    assert!(error.to_string().contains("syntax"), "{error}");
    conn.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_a_failing_second_statement_is_reported_with_what_ran_and_blocks_until_repaired() {
    let Some(db) = TestDb::create("migrate_failing").await else {
        return;
    };
    let p = Project::new();
    p.write(1, "create_teams", CREATE_TEAMS);
    let broken = "CREATE TABLE `made_by_two` (`id` int);\n--> statement-breakpoint\n\nALTER TABLE `nowhere` ADD COLUMN `x` int;\n--> statement-breakpoint\nCREATE TABLE `never_made` (`id` int);\n";
    p.write(2, "broken", broken);
    p.write(3, "after", "CREATE TABLE `after_two` (`id` int);\n");
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        1,
        &[
            "applied migrations/1_create_teams.sql",
            "migration migrations/2_broken.sql:4 failed at statement 2: Table",
            "ALTER TABLE `nowhere`",
            "statement 1 ran and remains",
            "statement 2 failed; statement 3 did not run",
            "not recorded as applied",
            "_sqlx_migrations keeps version 2 with success = false",
            "then run `migrate-cli repair --failed 2`",
            "1 migration(s) before it were applied",
        ],
    );
    assert!(!run.text().contains("rolled back"), "{}", run.text());
    assert!(
        table_exists(&db.pool, "made_by_two").await,
        "statement 1 ran"
    );
    assert!(
        !table_exists(&db.pool, "never_made").await,
        "statement 3 did not run"
    );
    assert!(
        !table_exists(&db.pool, "after_two").await,
        "migration 3 did not run"
    );
    let recorded: Vec<(i64, bool)> = rows(&db.pool).await.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(recorded, [(1, true), (2, false)]);
    assert_eq!(
        p.states(&db.url).await,
        [
            (1, "applied".to_string()),
            (2, "failed".to_string()),
            (3, "pending".to_string())
        ]
    );
    let run = p.run(&["status", "--url", &db.url]).await;
    assert_has(
        &run,
        0,
        &[
            "failed: a run stopped part way through its up (migrate) or its down (revert)",
            "if the up stopped, undo by hand what it ran, then run `migrate-cli repair --failed 2`",
        ],
    );

    // The half-applied file blocks the next run, which says what to do.
    p.write(2, "broken", &broken.replace("`nowhere`", "`made_by_two`"));
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        1,
        &[
            "migration 2 (migrations/2_broken.sql) is recorded as failed",
            "then run `migrate-cli repair --failed 2`",
            "nothing was applied",
        ],
    );
    assert!(!table_exists(&db.pool, "after_two").await);

    // Repaired as the message says: undo what ran, remove the row with repair, run again.
    db.execute("DROP TABLE `made_by_two`").await.expect("undo");
    let run = p
        .run(&["repair", "--failed", "2", "--yes", "--url", &db.url])
        .await;
    assert_has(&run, 0, &["removed the failed row of migration 2"]);
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        0,
        &[
            "applied migrations/2_broken.sql",
            "applied migrations/3_after.sql",
        ],
    );
    let recorded: Vec<(i64, bool)> = rows(&db.pool).await.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(recorded, [(1, true), (2, true), (3, true)]);
    assert!(table_exists(&db.pool, "never_made").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_a_failing_first_statement_leaves_nothing_and_records_nothing() {
    let Some(db) = TestDb::create("migrate_first").await else {
        return;
    };
    let p = Project::new();
    p.write(
        1,
        "broken",
        "ALTER TABLE `nowhere` ADD COLUMN `x` int;\n--> statement-breakpoint\nCREATE TABLE `never_made` (`id` int);\n",
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        1,
        &[
            "migrations/1_broken.sql:1 failed at statement 1",
            "nothing of this migration ran; statement 2 did not run, and nothing was recorded",
        ],
    );
    assert!(rows(&db.pool).await.is_empty());
    assert!(!table_exists(&db.pool, "never_made").await);
    assert_eq!(p.states(&db.url).await, [(1, "pending".to_string())]);
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_a_hand_written_chunk_of_several_statements_says_which_of_them_ran() {
    let Some(db) = TestDb::create("migrate_chunk").await else {
        return;
    };
    let p = Project::new();
    p.write(
        1,
        "by_hand",
        "CREATE TABLE `a` (`id` int);\nCREATE TABLE `b` (`id` int);\nCREATE TABLE `a` (`id` int);\nCREATE TABLE `c` (`id` int);\n",
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        1,
        &[
            "migrations/1_by_hand.sql:3 failed at statement 3: Table 'a' already exists",
            "statements 1 to 2 ran and remain; statement 3 failed; statement 4 did not run",
            "version 1 with success = false",
        ],
    );
    assert!(table_exists(&db.pool, "b").await);
    assert!(!table_exists(&db.pool, "c").await);
}

/// sqlx's `GET_LOCK` serializes deployers: each migration is applied once, and the runs that
/// waited find nothing left to do.
#[tokio::test(flavor = "multi_thread")]
async fn mysql_four_concurrent_migrate_runs_apply_each_migration_once() {
    let Some(db) = TestDb::create("migrate_concurrent").await else {
        return;
    };
    let p = Project::new();
    p.write(1, "create_teams", CREATE_TEAMS);
    p.write(2, "slow", "CREATE TABLE `slow` (`id` int);\n--> statement-breakpoint\nDO SLEEP(0.3);\n--> statement-breakpoint\nINSERT INTO `slow` VALUES (1);\n");
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let (dir, url) = (p.path().to_path_buf(), db.url.clone());
            tokio::spawn(async move { cli(dir, &["migrate", "--url", &url]).await })
        })
        .collect();
    let mut applied = 0;
    for run in runs {
        let run = run.await.expect("run");
        assert_eq!(run.code, 0, "{run:#?}");
        applied += run.stdout.matches("applied migrations/2_slow.sql").count();
    }
    assert_eq!(applied, 1, "migration 2 applied by exactly one run");
    let recorded: Vec<(i64, bool)> = rows(&db.pool).await.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(recorded, [(1, true), (2, true)]);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM `slow`")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(n, 1, "the file ran once");
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_a_url_without_a_database_is_explained() {
    let Some(_db) = TestDb::create("migrate_nodb").await else {
        return;
    };
    let server = tests::mysql::TestDb::server_url();
    let without = match server.rsplit_once('/') {
        Some((root, _)) if root.contains("://") && root.len() > "mysql://".len() => {
            root.to_string()
        }
        _ => server.clone(),
    };
    let p = Project::new();
    p.write(1, "create_teams", CREATE_TEAMS);
    for command in ["migrate", "status"] {
        let run = p.run(&[command, "--url", &without]).await;
        assert_has(
            &run,
            1,
            &["the url names no database; add its name to the url"],
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_dry_run_prints_the_sql_and_applies_nothing() {
    let Some(db) = TestDb::create("migrate_dry").await else {
        return;
    };
    let p = Project::new();
    p.write(1, "create_teams", CREATE_TEAMS);
    let run = p.run(&["migrate", "--url", &db.url, "--dry-run"]).await;
    assert_has(
        &run,
        0,
        &[
            "would run statement by statement, each committing on its own",
            "CREATE TABLE `teams`",
            "dry run: 1 migration(s) would be applied",
        ],
    );
    assert!(!table_exists(&db.pool, "teams").await);
    assert!(!table_exists(&db.pool, "_sqlx_migrations").await);
}

fn column(name: &str, ty: &str, nullable: bool, default: Option<&str>) -> Column {
    Column {
        name: name.into(),
        ty: ColumnType::Builtin(ty.into()),
        nullable,
        default: default.map(str::to_string),
        identity: false,
        identity_options: Default::default(),
        generated: None,
        renamed_from: None,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn index(name: &str, columns: &[&str], unique: bool) -> Index {
    Index {
        keys: Vec::new(),
        with: Default::default(),
        name: name.into(),
        columns: strings(columns),
        unique,
        predicate: None,
        using: None,
        concurrently: false,
        nulls_not_distinct: false,
    }
}

fn table(name: &str, columns: Vec<Column>, pk: &[&str]) -> Table {
    Table {
        schema: "public".into(),
        name: name.into(),
        columns,
        primary_key: Some(PrimaryKey {
            name: "PRIMARY".into(),
            columns: strings(pk),
        }),
        uniques: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        rls: false,
        policies: Vec::new(),
        renamed_from: None,
    }
}

/// Hand-written tables with every type of the contract, read back into the MySQL model.
#[tokio::test(flavor = "multi_thread")]
async fn mysql_hand_written_tables_read_back_into_the_mysql_model() {
    let Some(db) = TestDb::create("introspect").await else {
        return;
    };
    db.execute(
        "CREATE TABLE `teams` (`id` bigint NOT NULL AUTO_INCREMENT, `name` varchar(100) NOT NULL, \
           CONSTRAINT PRIMARY KEY (`id`)) ENGINE=InnoDB;\
         CREATE TABLE `accounts` (\
           `id` bigint NOT NULL AUTO_INCREMENT,\
           `team_id` bigint NULL,\
           `email` varchar(320) NOT NULL,\
           `state` enum('open','closed','it''s') NOT NULL DEFAULT 'open',\
           `score` double DEFAULT -1.5,\
           `n` int NOT NULL DEFAULT 0,\
           `s` smallint,\
           `f` float,\
           `active` tinyint(1) NOT NULL DEFAULT 1,\
           `code` char(4) NOT NULL DEFAULT 'it''s',\
           `data` longblob,\
           `meta` json,\
           `body` text,\
           `price` decimal(10,2) NOT NULL DEFAULT 0.50,\
           `born` date,\
           `at` time(6),\
           `created_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\
           CONSTRAINT PRIMARY KEY (`id`),\
           CONSTRAINT `accounts_n_check` CHECK (n >= 0 AND `state` IN ('open','closed')),\
           CONSTRAINT `accounts_email_check` CHECK (length(email) > 0)\
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\
         CREATE UNIQUE INDEX `accounts_email_key` ON `accounts` (`email`);\
         CREATE INDEX `accounts_team_id_fkey` ON `accounts` (`team_id`);\
         CREATE INDEX `accounts_state_created_at_idx` ON `accounts` (`state`, `created_at`);\
         ALTER TABLE `accounts` ADD CONSTRAINT `accounts_team_id_fkey` FOREIGN KEY (`team_id`) REFERENCES `teams` (`id`) ON DELETE CASCADE;\
         CREATE TABLE `memberships` (`account_id` bigint NOT NULL, `team_id` bigint NULL, \
           CONSTRAINT PRIMARY KEY (`account_id`), \
           CONSTRAINT `memberships_account_id_fkey` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE RESTRICT ON UPDATE CASCADE, \
           CONSTRAINT `memberships_team_id_fkey` FOREIGN KEY (`team_id`) REFERENCES `teams` (`id`) ON DELETE SET NULL) ENGINE=InnoDB;\
         CREATE TABLE `_sqlx_migrations` (`version` bigint PRIMARY KEY);\
         ALTER TABLE `accounts` ADD COLUMN `old_name` json;\
         ALTER TABLE `accounts` RENAME COLUMN `old_name` TO `settings`;",
    )
    .await
    .expect("create tables");

    let mut teams = table(
        "teams",
        vec![
            column("id", "bigint", false, None),
            column("name", "varchar(100)", false, None),
        ],
        &["id"],
    );
    teams.columns[0].identity = true;
    let mut accounts = table(
        "accounts",
        vec![
            column("id", "bigint", false, None),
            column("team_id", "bigint", true, None),
            column("email", "varchar(320)", false, None),
            column(
                "state",
                "enum('open','closed','it''s')",
                false,
                Some("'open'"),
            ),
            column("score", "double", true, Some("-1.5")),
            column("n", "int", false, Some("0")),
            column("s", "smallint", true, None),
            column("f", "float", true, None),
            column("active", "tinyint(1)", false, Some("1")),
            column("code", "char(4)", false, Some("'it''s'")),
            column("data", "longblob", true, None),
            column("meta", "json", true, None),
            column("body", "text", true, None),
            column("price", "decimal(10,2)", false, Some("0.50")),
            column("born", "date", true, None),
            column("at", "time(6)", true, None),
            column(
                "created_at",
                "datetime(6)",
                false,
                Some("CURRENT_TIMESTAMP(6)"),
            ),
            // MariaDB's check for it keeps the name `old_name`.
            column("settings", "json", true, None),
        ],
        &["id"],
    );
    accounts.columns[0].identity = true;
    accounts.indexes = vec![
        index("accounts_email_key", &["email"], true),
        index(
            "accounts_state_created_at_idx",
            &["state", "created_at"],
            false,
        ),
        index("accounts_team_id_fkey", &["team_id"], false),
    ];
    accounts.foreign_keys = vec![ForeignKey {
        name: "accounts_team_id_fkey".into(),
        columns: strings(&["team_id"]),
        ref_schema: "public".into(),
        ref_table: "teams".into(),
        ref_columns: strings(&["id"]),
        on_delete: FkAction::Cascade,
        on_update: FkAction::NoAction,
    }];
    let mut memberships = table(
        "memberships",
        vec![
            column("account_id", "bigint", false, None),
            column("team_id", "bigint", true, None),
        ],
        &["account_id"],
    );
    memberships.indexes = vec![index("memberships_team_id_fkey", &["team_id"], false)];
    memberships.foreign_keys = vec![
        ForeignKey {
            name: "memberships_account_id_fkey".into(),
            columns: strings(&["account_id"]),
            ref_schema: "public".into(),
            ref_table: "accounts".into(),
            ref_columns: strings(&["id"]),
            on_delete: FkAction::NoAction,
            on_update: FkAction::Cascade,
        },
        ForeignKey {
            name: "memberships_team_id_fkey".into(),
            columns: strings(&["team_id"]),
            ref_schema: "public".into(),
            ref_table: "teams".into(),
            ref_columns: strings(&["id"]),
            on_delete: FkAction::SetNull,
            on_update: FkAction::NoAction,
        },
    ];

    let mut conn = MySqlConnection::connect(&db.url).await.expect("connect");
    let actual = migrate_cli::backend::Backend::introspect(&mut conn)
        .await
        .expect("introspect");
    conn.close().await.expect("close");

    // Checks: names as written, expressions as the server prints them back.
    let checks = &actual.tables["public.accounts"].checks;
    let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["accounts_email_check", "accounts_n_check"]);
    accounts.checks = vec![
        Check {
            name: "accounts_email_check".into(),
            expr: "length(email) > 0".into(),
        },
        Check {
            name: "accounts_n_check".into(),
            expr: "n >= 0 AND state IN ('open', 'closed')".into(),
        },
    ];
    let expected = Schema {
        tables: [teams, accounts, memberships]
            .into_iter()
            .map(|t| (t.key(), t))
            .collect(),
        ..Schema::default()
    };
    let diff =
        migrate_cli::backend::of(migrate_cli::config::Dialect::Mysql).compare(&expected, &actual);
    assert!(diff.is_empty(), "{diff:#?}");
    // Everything but the check texts is exactly the model.
    let mut exact = actual.clone();
    for t in exact.tables.values_mut() {
        let key = t.key();
        for c in &mut t.checks {
            c.expr = expected.tables[&key]
                .checks
                .iter()
                .find(|e| e.name == c.name)
                .map(|e| e.expr.clone())
                .unwrap_or_default();
        }
    }
    assert_eq!(exact, expected);
}

/// A generated MySQL file has no breakpoint lines (sqlx sends a file whole, and MySQL reads
/// `-->` as SQL): its statements end at their `;`s, and a failure still names the statement,
/// its line, and which statements ran.
#[tokio::test(flavor = "multi_thread")]
async fn mysql_a_failure_in_a_file_without_breakpoints_names_the_statement() {
    let Some(db) = TestDb::create("migrate_plain").await else {
        return;
    };
    let p = Project::new();
    let broken = "-- lint: warning add-check public.x: note; with a semicolon\nCREATE TABLE `made_first` (`id` int, `note` varchar(9) DEFAULT 'a;b');\n\nALTER TABLE `nowhere` ADD COLUMN `x` int;\n\nCREATE TABLE `never_made` (`id` int);\n";
    p.write(1, "plain", broken);
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        1,
        &[
            "migration migrations/1_plain.sql:4 failed at statement 2",
            "ALTER TABLE `nowhere`",
            "statement 1 ran and remains",
            "statement 2 failed; statement 3 did not run",
            "not recorded as applied",
        ],
    );
    assert!(
        table_exists(&db.pool, "made_first").await,
        "statement 1 ran"
    );
    assert!(
        !table_exists(&db.pool, "never_made").await,
        "statement 3 did not run"
    );
}
