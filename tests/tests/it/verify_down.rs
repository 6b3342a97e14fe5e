//! `migrate-cli verify` proves the downs on real PostgreSQL: a generated history (an enum, a
//! column, a concurrent index in its own `-- no-transaction` file, a table with a foreign key)
//! with hand-written downs passes up, down and up again, the concurrent index dropped
//! concurrently; a down that drops the wrong index fails naming its file and both indexes (by their columns), and
//! `--no-down` passes on that same folder; a down with an SQL error is named with its file and
//! line. SQLite's are in `verify_down_sqlite.rs`, MySQL's in `verify_down_mysql.rs`.

use std::fs;
use tests::pg::TestDb;
use tests::project::{Project, Run, NOW};

const CONFIG: &str = "dialect = \"postgres\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

const V1: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")] #[index(columns(state))]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique)] email: String,
    #[column(default = "open")] state: State,
}
"#;

/// V1 with a column with a default and a concurrent index on it (two files).
fn v2() -> String {
    V1.replace(
        "#[index(columns(state))]",
        "#[index(columns(state))] #[index(columns(karma), concurrently)]",
    )
    .replace(
        "    #[column(unique)] email: String,\n",
        "    #[column(unique)] email: String,\n    #[column(default = 0)] karma: i32,\n",
    )
}

/// V2 with a table that references `accounts`.
fn v3() -> String {
    v2() + r#"
#[derive(Table)] #[table(name = "projects")] #[index(columns(name))]
struct Project {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] owner_id: i64,
    name: String,
}
"#
}

/// The downs of the four generated files, oldest first.
const DOWNS: [&str; 4] = [
    "DROP TABLE \"public\".\"accounts\";\n--> statement-breakpoint\nDROP TYPE \"public\".\"state\";\n",
    "ALTER TABLE \"public\".\"accounts\" DROP COLUMN \"karma\";\n",
    "-- no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS \"public\".\"accounts_karma_idx\";\n",
    "DROP TABLE \"public\".\"projects\";\n",
];

fn text(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// A project whose folder holds the generated migrations with their correct downs; the tags.
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
    assert_eq!(tags.len(), 4, "{tags:?}");
    let concurrent = project.read(&format!("{}.sql", tags[2]));
    assert!(
        concurrent.starts_with("-- no-transaction\nCREATE INDEX CONCURRENTLY"),
        "{concurrent}"
    );
    for (tag, down) in tags.iter().zip(DOWNS) {
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

/// Runs `verify` on the server of a fresh test database, one `verify` of this process at a time
/// (other tests look for the scratch databases this process left); `None` without a server.
fn verify(label: &str, project: &Project, args: &[&str]) -> Option<Run> {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::create(label))?;
    let mut all = vec!["verify", "--url", db.url.as_str()];
    all.extend_from_slice(args);
    Some(project.run(&all, NOW + 600))
}

#[test]
fn pg_correct_downs_verify_up_down_and_up_again() {
    let (project, tags) = history();
    let Some(run) = verify("verify_down_ok", &project, &[]) else {
        return;
    };
    assert_eq!(run.code, 0, "{}", text(&run));
    for tag in &tags {
        let line = format!("{}  up ok, down ok, up again ok", head(tag));
        assert!(run.stdout.contains(&line), "{line}:\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains("verified 4 migrations and 4 downs"),
        "{}",
        run.stdout
    );
}

#[test]
fn pg_a_down_that_drops_the_wrong_index_fails_naming_both_and_no_down_passes() {
    let (project, tags) = history();
    write_down(
        &project,
        &tags[2],
        "-- no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS \"public\".\"accounts_state_idx\";\n",
    );
    let Some(run) = verify("verify_down_wrong", &project, &[]) else {
        return;
    };
    assert_eq!(run.code, 1, "{}", text(&run));
    let header = format!(
        "after migrations/{}.down.sql, which must restore the schema of migrations/{}.sql:",
        tags[2], tags[1]
    );
    for expected in [
        header.as_str(),
        "  public.accounts: index (state) missing",
        "  public.accounts: index (karma) not in the snapshot",
        "verify stopped at",
    ] {
        assert!(run.stderr.contains(expected), "{expected}:\n{}", text(&run));
    }
    let line = format!("{}  up ok, down 2 difference(s)", head(&tags[2]));
    assert!(run.stdout.contains(&line), "{line}:\n{}", run.stdout);

    let Some(run) = verify("verify_down_skipped", &project, &["--no-down"]) else {
        return;
    };
    assert_eq!(run.code, 0, "{}", text(&run));
    assert!(
        run.stdout
            .contains("verified 4 migrations (downs skipped: --no-down)"),
        "{}",
        run.stdout
    );
}

#[test]
fn pg_a_down_that_forgets_a_column_fails_naming_it() {
    let (project, tags) = history();
    write_down(&project, &tags[1], "SELECT 1;\n");
    let Some(run) = verify("verify_down_column", &project, &[]) else {
        return;
    };
    assert_eq!(run.code, 1, "{}", text(&run));
    let header = format!("after migrations/{}.down.sql", tags[1]);
    for expected in [header.as_str(), "accounts.karma"] {
        assert!(run.stderr.contains(expected), "{expected}:\n{}", text(&run));
    }
}

#[test]
fn pg_a_down_with_an_sql_error_is_named_with_its_file_and_line() {
    let (project, tags) = history();
    write_down(
        &project,
        &tags[3],
        "DROP TABLE \"public\".\"projects\";\n--> statement-breakpoint\nDROP TABLE \"public\".\"nowhere\";\n",
    );
    let Some(run) = verify("verify_down_error", &project, &[]) else {
        return;
    };
    assert_eq!(run.code, 1, "{}", text(&run));
    let expected = format!(
        "down migration migrations/{}.down.sql:3 failed to run on the scratch database after its up",
        tags[3]
    );
    assert!(
        run.stderr.contains(&expected),
        "{expected}:\n{}",
        text(&run)
    );
    assert!(run.stderr.contains("nowhere"), "{}", text(&run));
}
