//! `migrate-cli verify` proves the downs on SQLite: a generated history of three migrations
//! with hand-written downs (one a `-- no-transaction` rebuild with its own `BEGIN`/`COMMIT`, the
//! others run as `sqlx migrate revert` runs them) passes up, down and up again; a down that
//! forgets a column fails naming its file and the column, and `--no-down` passes on that same
//! folder; a down with an SQL error is named with its file and line.

use std::fs;
use tests::project::{Project, Run, NOW};

const CONFIG: &str = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

const V1: &str = r#"
#[derive(Table)] #[table(name = "accounts")]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique)] email: String,
}
"#;

/// V1 with a column with a default and an index on it.
fn v2() -> String {
    V1.replace(
        "#[table(name = \"accounts\")]",
        "#[table(name = \"accounts\")] #[index(columns(karma))]",
    )
    .replace(
        "    #[column(unique)] email: String,\n",
        "    #[column(unique)] email: String,\n    #[column(default = 0)] karma: i32,\n",
    )
}

/// V2 with a table that references `accounts`.
fn v3() -> String {
    v2() + r#"
#[derive(Table)] #[table(name = "projects")]
struct Project {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] owner_id: i64,
    name: String,
}
"#
}

const DOWN_INIT: &str = "DROP TABLE \"accounts\";\n";

/// The down of V1 → V2: `accounts` rebuilt without `karma`, in the shape `generate` writes.
const DOWN_KARMA: &str = r#"-- no-transaction
PRAGMA foreign_keys=OFF;
--> statement-breakpoint
BEGIN;
--> statement-breakpoint
CREATE TABLE "__new_accounts" (
	"id" integer NOT NULL,
	"email" text NOT NULL,
	CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "accounts_email_key" UNIQUE ("email")
);
--> statement-breakpoint
INSERT INTO "__new_accounts" ("id", "email") SELECT "id", "email" FROM "accounts";
--> statement-breakpoint
DROP TABLE "accounts";
--> statement-breakpoint
ALTER TABLE "__new_accounts" RENAME TO "accounts";
--> statement-breakpoint
COMMIT;
--> statement-breakpoint
PRAGMA foreign_keys=ON;
"#;

const DOWN_PROJECTS: &str = "DROP TABLE \"projects\";\n";

fn text(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// A project whose folder holds the three generated migrations with their correct downs; the
/// tags.
fn history() -> (Project, Vec<String>) {
    let project = Project::new(V1);
    fs::write(project.path().join("migrate.toml"), CONFIG).expect("config");
    for (i, (schema, name)) in [
        (V1.to_string(), "init"),
        (v2(), "karma"),
        (v3(), "projects"),
    ]
    .iter()
    .enumerate()
    {
        project.set_schema(schema);
        let run = project.run(&["generate", "--name", name], NOW + 60 * i as u64);
        assert_eq!(run.code, 0, "generate {name}: {}", text(&run));
    }
    let tags: Vec<String> = project
        .journal()
        .entries
        .iter()
        .map(|e| e.tag.clone())
        .collect();
    assert_eq!(tags.len(), 3, "{tags:?}");
    for (tag, down) in tags.iter().zip([DOWN_INIT, DOWN_KARMA, DOWN_PROJECTS]) {
        write_down(&project, tag, down);
    }
    (project, tags)
}

fn write_down(project: &Project, tag: &str, sql: &str) {
    fs::write(project.migrations().join(format!("{tag}.down.sql")), sql).expect("down file");
}

/// `  <version> <name>` as verify's progress lines start.
fn head(tag: &str) -> String {
    let (version, name) = tag.split_at(14);
    format!("  {version} {}", &name[1..])
}

#[test]
fn sqlite_correct_downs_verify_up_down_and_up_again() {
    let (project, tags) = history();
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    for tag in &tags {
        let line = format!("{}  up ok, down ok, up again ok", head(tag));
        assert!(run.stdout.contains(&line), "{line}:\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains("verified 3 migrations and 3 downs"),
        "{}",
        run.stdout
    );
}

#[test]
fn sqlite_a_migration_without_a_down_is_counted_not_failed() {
    let (project, tags) = history();
    fs::remove_file(project.migrations().join(format!("{}.down.sql", tags[1]))).expect("rm");
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    let line = format!("{}  ok (no down)", head(&tags[1]));
    assert!(run.stdout.contains(&line), "{line}:\n{}", run.stdout);
    let summary =
        "verified 3 migrations and 2 downs; 1 migration has no down (check reports missing-down)";
    assert!(run.stdout.contains(summary), "{}", run.stdout);
}

#[test]
fn sqlite_a_down_that_forgets_a_column_fails_naming_it_and_no_down_passes() {
    let (project, tags) = history();
    write_down(&project, &tags[1], "DROP INDEX \"accounts_karma_idx\";\n");
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    let header = format!(
        "after migrations/{}.down.sql, which must restore the schema of migrations/{}.sql:",
        tags[1], tags[0]
    );
    for expected in [
        header.as_str(),
        "  accounts.karma: column not in the snapshot",
        "verify stopped at",
    ] {
        assert!(run.stderr.contains(expected), "{expected}:\n{}", text(&run));
    }
    let line = format!("{}  up ok, down 1 difference(s)", head(&tags[1]));
    assert!(run.stdout.contains(&line), "{line}:\n{}", run.stdout);

    let run = project.run(&["verify", "--no-down"], NOW);
    assert_eq!(run.code, 0, "{}", text(&run));
    assert!(
        run.stdout
            .contains("verified 3 migrations (downs skipped: --no-down)"),
        "{}",
        run.stdout
    );
}

#[test]
fn sqlite_a_down_that_restores_the_wrong_index_fails_naming_it() {
    let (project, tags) = history();
    let wrong = DOWN_KARMA.replace(
        "DROP TABLE \"accounts\";",
        "DROP TABLE \"accounts\";\n--> statement-breakpoint\nCREATE INDEX \"accounts_email_idx\" ON \"__new_accounts\" (\"email\");",
    );
    write_down(&project, &tags[1], &wrong);
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    let file = format!("migrations/{}.down.sql", tags[1]);
    assert!(run.stderr.contains(&file), "{}", text(&run));
    assert!(
        run.stderr
            .contains("accounts: index (email) not in the snapshot"),
        "{}",
        text(&run)
    );
}

#[test]
fn sqlite_a_down_with_an_sql_error_is_named_with_its_file_and_line() {
    let (project, tags) = history();
    write_down(
        &project,
        &tags[2],
        "DROP TABLE \"projects\";\n--> statement-breakpoint\nDROP TABLE \"nowhere\";\n",
    );
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    let expected = format!(
        "down migration migrations/{}.down.sql:3 failed to run on the scratch database after its up",
        tags[2]
    );
    assert!(
        run.stderr.contains(&expected),
        "{expected}:\n{}",
        text(&run)
    );
    assert!(
        run.stderr.contains("no such table: nowhere"),
        "{}",
        text(&run)
    );
}

#[test]
fn sqlite_a_failing_no_transaction_down_is_named_with_its_line() {
    let (project, tags) = history();
    let broken = DOWN_KARMA.replace("SELECT \"id\", \"email\"", "SELECT \"id\", mail");
    write_down(&project, &tags[1], &broken);
    let run = project.run(&["verify"], NOW);
    assert_eq!(run.code, 1, "{}", text(&run));
    let line = broken
        .lines()
        .position(|l| l.starts_with("INSERT INTO"))
        .expect("insert line")
        + 1;
    let expected = format!(
        "down migration migrations/{}.down.sql:{line} failed",
        tags[1]
    );
    assert!(
        run.stderr.contains(&expected),
        "{expected}:\n{}",
        text(&run)
    );
    assert!(
        run.stderr.contains("no such column: mail"),
        "{}",
        text(&run)
    );
}
