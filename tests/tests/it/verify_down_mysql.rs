//! `migrate-cli verify` proves the downs on MySQL/MariaDB (`MYSQL_URL`), each file run statement
//! by statement: a generated history (an inline enum, a column with its index, a table with a
//! foreign key) with hand-written downs passes up, down and up again; a down that forgets a
//! column fails naming its file and the column, and `--no-down` passes on that same folder; a
//! down with an SQL error is named with its file and line.

use std::fs;
use tests::mysql::TestDb;
use tests::project::{Project, Run, NOW};

const CONFIG: &str = "dialect = \"mysql\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

const V1: &str = r#"
#[derive(DbEnum)] enum State { Open, Closed }
#[derive(Table)] #[table(name = "accounts")] #[index(columns(state))]
struct Account {
    #[column(primary_key, identity)] id: i64,
    #[column(unique, sql_type = "varchar(200)")] email: String,
    #[column(default = "open")] state: State,
}
"#;

/// V1 with a column with a default and an index on it.
fn v2() -> String {
    V1.replace(
        "#[index(columns(state))]",
        "#[index(columns(state))] #[index(columns(karma))]",
    )
    .replace(
        "    #[column(default = \"open\")] state: State,\n",
        "    #[column(default = \"open\")] state: State,\n    #[column(default = 0)] karma: i32,\n",
    )
}

/// V2 with a table that references `accounts`.
fn v3() -> String {
    v2() + r#"
#[derive(Table)] #[table(name = "projects")] #[index(columns(name))]
struct Project {
    #[column(primary_key, identity)] id: i64,
    #[column(references = Account::id, on_delete = "cascade")] owner_id: i64,
    #[column(sql_type = "varchar(100)")] name: String,
}
"#
}

/// The downs of the three generated files, oldest first.
const DOWNS: [&str; 3] = [
    "DROP TABLE `accounts`;\n",
    "DROP INDEX `accounts_karma_idx` ON `accounts`;\n\nALTER TABLE `accounts` DROP COLUMN `karma`;\n",
    "DROP TABLE `projects`;\n",
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
    assert_eq!(tags.len(), 3, "{tags:?}");
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

/// Runs `verify` on the server of a fresh test database; `None` without a server.
fn verify(label: &str, project: &Project, args: &[&str]) -> Option<Run> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::create(label))?;
    let mut all = vec!["verify", "--url", db.url.as_str()];
    all.extend_from_slice(args);
    Some(project.run(&all, NOW + 600))
}

#[test]
fn mysql_correct_downs_verify_up_down_and_up_again() {
    let (project, tags) = history();
    let Some(run) = verify("vdown_ok", &project, &[]) else {
        return;
    };
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
fn mysql_a_down_that_forgets_a_column_fails_naming_it_and_no_down_passes() {
    let (project, tags) = history();
    write_down(
        &project,
        &tags[1],
        "DROP INDEX `accounts_karma_idx` ON `accounts`;\n",
    );
    let Some(run) = verify("vdown_column", &project, &[]) else {
        return;
    };
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

    let Some(run) = verify("vdown_skipped", &project, &["--no-down"]) else {
        return;
    };
    assert_eq!(run.code, 0, "{}", text(&run));
    assert!(
        run.stdout
            .contains("verified 3 migrations (downs skipped: --no-down)"),
        "{}",
        run.stdout
    );
}

#[test]
fn mysql_a_down_with_an_sql_error_is_named_with_its_file_and_line() {
    let (project, tags) = history();
    write_down(
        &project,
        &tags[2],
        "DROP TABLE `projects`;\n\nDROP TABLE `nowhere`;\n",
    );
    let Some(run) = verify("vdown_error", &project, &[]) else {
        return;
    };
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
    assert!(run.stderr.contains("nowhere"), "{}", text(&run));
}
