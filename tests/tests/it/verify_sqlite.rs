//! `migrate-cli verify` and `check`'s drift on SQLite, with no server: a history written by
//! hand in the exact format `generate` writes for SQLite verifies, a hand-edited one fails
//! naming the column, a failing statement is named with its line, the scratch file is gone
//! afterwards either way (and a killed run's is removed by the next run), and `check --url`
//! reports a live database that drifted. A history `generate` wrote: `verify_sqlite_generated.rs`.

use schema_core::model::{
    Check, Column, ColumnType, FkAction, ForeignKey, Index, PrimaryKey, Schema, Table, Unique,
};
use schema_core::snapshot::{Journal, Snapshot, ROOT_ID};
use std::fs;
use std::path::Path;
use tests::project::{Project, Run, NOW};

const CONFIG: &str = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

const CREATE: &str = r#"CREATE TABLE "teams" (
	"id" integer NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" integer NOT NULL,
	"team_id" integer,
	"email" text NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"score" real DEFAULT -1.5,
	"handle" text DEFAULT (lower('X')) NOT NULL,
	"created_at" text DEFAULT CURRENT_TIMESTAMP NOT NULL,
	CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "accounts_email_key" UNIQUE ("email"),
	CONSTRAINT "accounts_handle_check" CHECK (length(handle) > 0),
	CONSTRAINT "accounts_state_check" CHECK ("state" IN ('open', 'closed')),
	CONSTRAINT "accounts_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"account_id" integer NOT NULL,
	"team_id" integer NOT NULL,
	CONSTRAINT "memberships_pkey" PRIMARY KEY ("account_id", "team_id"),
	CONSTRAINT "memberships_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT,
	CONSTRAINT "memberships_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
--> statement-breakpoint
CREATE INDEX "accounts_created_at_idx" ON "accounts" ("created_at");
--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_live_handle_idx" ON "accounts" ("team_id", "handle") WHERE state <> 'closed';
"#;

const ADD_ACTIVE: &str =
    "ALTER TABLE \"accounts\" ADD COLUMN \"active\" integer DEFAULT true NOT NULL;\n";

/// A rebuild of `teams` (its name made nullable, a check added) in the contract's shape.
const REBUILD_TEAMS: &str = r#"-- no-transaction
PRAGMA foreign_keys=OFF;
--> statement-breakpoint
BEGIN;
--> statement-breakpoint
CREATE TABLE "__new_teams" (
	"id" integer NOT NULL,
	"name" text,
	CONSTRAINT "teams_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "teams_name_check" CHECK (name <> '')
);
--> statement-breakpoint
INSERT INTO "__new_teams" ("id", "name") SELECT "id", "name" FROM "teams";
--> statement-breakpoint
DROP TABLE "teams";
--> statement-breakpoint
ALTER TABLE "__new_teams" RENAME TO "teams";
--> statement-breakpoint
CREATE TEMP TABLE "__migrate_fk_check" ("foreign_key_violations" integer CHECK ("foreign_key_violations" = 0));
--> statement-breakpoint
INSERT INTO "__migrate_fk_check" SELECT count(*) FROM pragma_foreign_key_check;
--> statement-breakpoint
DROP TABLE "__migrate_fk_check";
--> statement-breakpoint
COMMIT;
--> statement-breakpoint
PRAGMA foreign_keys=ON;
"#;

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

fn table(name: &str, columns: Vec<Column>, pk: &[&str]) -> Table {
    Table {
        schema: "public".into(),
        name: name.into(),
        columns,
        primary_key: Some(PrimaryKey {
            name: format!("{name}_pkey"),
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

fn fk(table: &str, column: &str, to: &str, on_delete: FkAction, on_update: FkAction) -> ForeignKey {
    ForeignKey {
        name: format!("{table}_{column}_fkey"),
        columns: strings(&[column]),
        ref_schema: "public".into(),
        ref_table: to.into(),
        ref_columns: strings(&["id"]),
        on_delete,
        on_update,
    }
}

fn check(name: &str, expr: &str) -> Check {
    Check {
        name: name.into(),
        expr: expr.into(),
    }
}

fn schema(tables: Vec<Table>) -> Schema {
    Schema {
        tables: tables.into_iter().map(|t| (t.key(), t)).collect(),
        ..Schema::default()
    }
}

/// The snapshots of [`CREATE`], [`ADD_ACTIVE`] and [`REBUILD_TEAMS`], in order.
fn snapshots() -> [Schema; 3] {
    use FkAction::{Cascade, NoAction, Restrict};
    let teams = table(
        "teams",
        vec![
            column("id", "integer", false, None),
            column("name", "text", false, None),
        ],
        &["id"],
    );
    let mut accounts = table(
        "accounts",
        vec![
            column("id", "integer", false, None),
            column("team_id", "integer", true, None),
            column("email", "text", false, None),
            column("state", "text", false, Some("'open'")),
            column("score", "real", true, Some("-1.5")),
            column("handle", "text", false, Some("lower('X')")),
            column("created_at", "text", false, Some("CURRENT_TIMESTAMP")),
        ],
        &["id"],
    );
    accounts.uniques = vec![Unique {
        name: "accounts_email_key".into(),
        columns: strings(&["email"]),
        nulls_not_distinct: false,
    }];
    accounts.checks = vec![
        check("accounts_handle_check", "length(handle) > 0"),
        check("accounts_state_check", "\"state\" IN ('open', 'closed')"),
    ];
    accounts.foreign_keys = vec![fk("accounts", "team_id", "teams", Cascade, NoAction)];
    accounts.indexes = vec![
        Index {
            keys: Vec::new(),
            with: Default::default(),
            name: "accounts_created_at_idx".into(),
            columns: strings(&["created_at"]),
            unique: false,
            predicate: None,
            using: None,
            concurrently: false,
            nulls_not_distinct: false,
        },
        Index {
            keys: Vec::new(),
            with: Default::default(),
            name: "accounts_live_handle_idx".into(),
            columns: strings(&["team_id", "handle"]),
            unique: true,
            predicate: Some("state <> 'closed'".into()),
            using: None,
            concurrently: false,
            nulls_not_distinct: false,
        },
    ];
    let mut memberships = table(
        "memberships",
        vec![
            column("account_id", "integer", false, None),
            column("team_id", "integer", false, None),
        ],
        &["account_id", "team_id"],
    );
    memberships.foreign_keys = vec![
        fk("memberships", "account_id", "accounts", Restrict, NoAction),
        fk("memberships", "team_id", "teams", Cascade, Cascade),
    ];
    let first = schema(vec![teams.clone(), accounts.clone(), memberships.clone()]);
    accounts
        .columns
        .push(column("active", "integer", false, Some("true")));
    let second = schema(vec![teams.clone(), accounts.clone(), memberships.clone()]);
    let mut teams = teams;
    teams.columns[1].nullable = true;
    teams.checks = vec![check("teams_name_check", "name <> ''")];
    let third = schema(vec![teams, accounts, memberships]);
    [first, second, third]
}

const TAGS: [&str; 3] = [
    "20261201000000_create_teams_and_2_more",
    "20261201000100_add_active_to_accounts",
    "20261201000200_rebuild_teams",
];

/// A SQLite project whose folder holds the first `count` migrations of the hand-written
/// history, each with its snapshot and journal entry.
fn hand_written(count: usize) -> Project {
    let files = [CREATE, ADD_ACTIVE, REBUILD_TEAMS];
    let history: Vec<_> = TAGS
        .into_iter()
        .zip(files)
        .zip(snapshots())
        .take(count)
        .collect();
    project_with(&history)
}

/// A SQLite project whose folder holds `history`: (tag, SQL) with the schema after it.
fn project_with(history: &[((&str, &str), Schema)]) -> Project {
    let project = Project::new("");
    fs::write(project.path().join("migrate.toml"), CONFIG).expect("config");
    let meta = project.migrations().join("meta");
    fs::create_dir_all(&meta).expect("meta dir");
    let mut journal = Journal::new("sqlite");
    let mut prev = ROOT_ID.to_string();
    for ((tag, sql), schema) in history {
        let version = &tag[..14];
        fs::write(project.migrations().join(format!("{tag}.sql")), sql).expect("migration");
        let snapshot = Snapshot::new("sqlite", &prev, schema);
        let path = meta.join(format!("{version}_snapshot.json"));
        fs::write(path, snapshot.to_json()).expect("snapshot");
        prev = snapshot.id;
        journal.push(tag, NOW * 1000);
    }
    fs::write(meta.join("_journal.json"), journal.to_json()).expect("journal");
    project
}

fn text(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// The scratch file `verify` said it replays on: it and its directory must be gone.
fn assert_scratch_removed(run: &Run) {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("replaying "))
        .unwrap_or_else(|| panic!("no replaying line:\n{}", text(run)));
    let path = line
        .split(" on the scratch database ")
        .nth(1)
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or_else(|| panic!("no scratch path in: {line}"));
    let path = Path::new(path);
    assert!(path.ends_with("scratch.db"), "{line}");
    assert!(
        !path.exists(),
        "the scratch file {} is left",
        path.display()
    );
    let dir = path.parent().expect("scratch dir");
    assert!(!dir.exists(), "the scratch dir {} is left", dir.display());
}

/// Runs `sql` on the SQLite file `db`, as a user changing the database by hand.
fn execute(db: &Path, sql: &str) {
    use sqlx::{ConnectOptions, Connection, Executor};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(db);
        let mut conn = opts.connect().await.expect("open the database");
        conn.execute(sql).await.expect("change the database");
        conn.close().await.expect("close");
    });
}

#[test]
fn sqlite_a_hand_written_history_in_the_contract_format_verifies() {
    let project = hand_written(3);
    let db = project.path().join("app.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let run = project.run(&["verify", "--url", &url], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    assert!(!db.exists(), "verify leaves the url's database alone");
    assert!(
        run.stderr
            .contains("verify does not use --url or --target on sqlite"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("(a temporary sqlite file)"),
        "{}",
        run.stdout
    );
    for tag in TAGS {
        let (version, name) = tag.split_at(14);
        let line = format!("  {version} {}  ok", &name[1..]);
        assert!(
            run.stdout.contains(&line),
            "{line} missing:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("verified 3 migrations"),
        "{}",
        run.stdout
    );
    assert_scratch_removed(&run);
    assert!(
        !project.path().join("dev.db").exists(),
        "verify leaves the project's database alone"
    );
}

#[test]
fn sqlite_a_hand_edited_history_that_lost_a_column_fails_naming_it() {
    let project = hand_written(3);
    let file = project.migrations().join(format!("{}.sql", TAGS[1]));
    fs::write(
        &file,
        "-- the active column was removed by hand\nSELECT 1;\n",
    )
    .expect("edit");
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    assert!(
        run.stderr.contains("accounts.active: missing column"),
        "{}",
        text(&run)
    );
    assert!(
        run.stderr
            .contains(&format!("after migrations/{}.sql:", TAGS[1])),
        "{}",
        text(&run)
    );
    assert!(
        !run.stderr.contains(TAGS[0]),
        "the first migration still matches: {}",
        text(&run)
    );
    assert!(
        run.stdout.contains("create_teams_and_2_more  ok"),
        "{}",
        run.stdout
    );
    assert_scratch_removed(&run);
}

#[test]
fn sqlite_a_changed_check_an_index_and_a_default_are_each_named() {
    let project = hand_written(1);
    let file = project.migrations().join(format!("{}.sql", TAGS[0]));
    let edited = CREATE
        .replace("CHECK (length(handle) > 0)", "CHECK (length(handle) > 1)")
        .replace("WHERE state <> 'closed'", "WHERE state = 'open'")
        .replace("DEFAULT -1.5", "DEFAULT 0");
    fs::write(&file, edited).expect("edit");
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    for expected in [
        "accounts: check accounts_handle_check is length(handle) > 1, snapshot says length(handle) > 0",
        "accounts: index (team_id, handle) where state <> 'closed' missing",
        "accounts.score: default 0, snapshot says default -1.5",
    ] {
        assert!(run.stderr.contains(expected), "{expected}:\n{}", text(&run));
    }
    assert_scratch_removed(&run);
}

#[test]
fn sqlite_a_migration_that_fails_to_apply_is_named_with_its_line() {
    let project = hand_written(3);
    let file = project.migrations().join(format!("{}.sql", TAGS[1]));
    fs::write(
        &file,
        "ALTER TABLE \"accounts\" ADD COLUMN \"x\" integer;\n--> statement-breakpoint\nALTER TABLE \"nowhere\" ADD COLUMN \"y\" integer;\n",
    )
    .expect("edit");
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    let expected = format!("migration migrations/{}.sql:3 failed to apply", TAGS[1]);
    assert!(run.stderr.contains(&expected), "{}", text(&run));
    assert!(run.stderr.contains("no such table"), "{}", text(&run));
    assert!(
        run.stderr.contains("verified 1 migration(s) before it"),
        "{}",
        text(&run)
    );
    assert_scratch_removed(&run);

    let project = hand_written(3);
    let file = project.migrations().join(format!("{}.sql", TAGS[2]));
    let broken = REBUILD_TEAMS.replace("FROM \"teams\";", "FROM \"nowhere\";");
    fs::write(&file, broken).expect("edit");
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    let expected = format!("migration migrations/{}.sql:13 failed to apply", TAGS[2]);
    assert!(run.stderr.contains(&expected), "{}", text(&run));
    assert!(
        run.stderr.contains("no such table: nowhere"),
        "{}",
        text(&run)
    );
    assert_scratch_removed(&run);
}

#[test]
fn sqlite_foreign_keys_a_file_leaves_off_are_enforced_again_for_the_next_migration() {
    let [first, ..] = snapshots();
    let orphan =
        "INSERT INTO \"accounts\" (\"id\", \"team_id\", \"email\") VALUES (1, 99, 'a@b.c');\n";
    let project = project_with(&[
        ((TAGS[0], CREATE), first.clone()),
        (
            (
                "20261201000100_leave_foreign_keys_off",
                "-- no-transaction\nPRAGMA foreign_keys=OFF;\n",
            ),
            first.clone(),
        ),
        (("20261201000200_insert_an_orphan", orphan), first),
    ]);
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    let expected = "migration migrations/20261201000200_insert_an_orphan.sql:1 failed to apply";
    assert!(run.stderr.contains(expected), "{}", text(&run));
    assert!(
        run.stderr.contains("FOREIGN KEY constraint failed"),
        "{}",
        text(&run)
    );
    assert_scratch_removed(&run);
}

#[test]
fn sqlite_check_with_a_url_reports_drift_by_object() {
    let project = hand_written(2);
    let db = project.path().join("app.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let run = project.run(&["migrate", "--url", &url], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    let drift = |project: &Project| -> Vec<String> {
        let run = project.run(&["check", "--url", &url, "--format", "json"], NOW);
        let problems = run.json()["problems"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        problems
            .iter()
            .filter(|p| p["kind"] == "drift")
            .map(|p| p["message"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(drift(&project), Vec::<String>::new());
    execute(
        &db,
        "ALTER TABLE accounts ADD COLUMN nickname text; DROP INDEX accounts_created_at_idx;",
    );
    let found = drift(&project);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("accounts.nickname: column not in the snapshot (on sqlite database"),
        "{found:?}"
    );
    assert!(found[0].contains(TAGS[1]), "{found:?}");
    assert!(
        found[1].starts_with("accounts: index (created_at) missing"),
        "{found:?}"
    );
}

#[test]
fn sqlite_a_killed_runs_scratch_directory_is_removed_by_the_next_run() {
    let tmp = std::env::temp_dir();
    let gone = 99_999_999; // No process has this id (above every pid_max).
    let abandoned = tmp.join(format!("verify_{gone}_sqlite_abandoned"));
    let foreign = tmp.join(format!("verify_{gone}_sqlite_foreign"));
    let live = tmp.join(format!("verify_{}_sqlite_live", std::process::id()));
    for (dir, file) in [
        (&abandoned, "scratch.db"),
        (&foreign, "notes.txt"),
        (&live, "scratch.db"),
    ] {
        fs::create_dir_all(dir).expect("dir");
        fs::write(dir.join(file), "x").expect("file");
    }
    let run = hand_written(1).run(&["verify"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    let exists = [&abandoned, &foreign, &live].map(|d| d.exists());
    for dir in [&foreign, &live] {
        let _ = fs::remove_dir_all(dir);
    }
    if std::path::Path::new("/proc/self").exists() {
        assert_eq!(
            exists,
            [false, true, true],
            "abandoned, foreign, live: only the abandoned scratch directory goes"
        );
    }
}
