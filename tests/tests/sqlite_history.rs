//! SQLite end to end, as a user works: a schema history written by `generate` and applied by
//! `migrate` to a real database file, with rows inserted before each migration and read after
//! it, above all the rows of the tables that reference a rebuilt parent (ON DELETE CASCADE and
//! RESTRICT); `status` in every state; a failing rebuild rolled back whole, then fixed; a
//! tampered history refused; and the history as sqlx itself reads it.

use migrate_cli::commands::migrate::BREAKPOINT;
use sqlx::migrate::Migrator;
use sqlx::{Connection, Executor, Row, SqliteConnection, TypeInfo, ValueRef};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tests::project::{Project, Run, NOW};

const CONFIG: &str = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

/// A SQLite project and its database file `app.db`.
struct Lite {
    project: Project,
    db: PathBuf,
    now: u64,
    rt: tokio::runtime::Runtime,
}

impl Lite {
    fn new(schema: &str) -> Lite {
        let project = Project::new(schema);
        fs::write(project.path().join("migrate.toml"), CONFIG).expect("config");
        let db = project.path().join("app.db");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Lite {
            project,
            db,
            now: NOW,
            rt,
        }
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.db.display())
    }

    /// `generate` for `schema` (a minute after the last one), which must write exactly one
    /// migration: its file name.
    fn generate(&mut self, schema: &str, args: &[&str]) -> String {
        self.project.set_schema(schema);
        self.now += 60;
        let before = self.files();
        let argv: Vec<&str> = ["generate"].iter().chain(args).copied().collect();
        let run = self.project.run(&argv, self.now);
        assert_eq!(run.code, 0, "{run:#?}");
        let new: Vec<String> = self
            .files()
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        assert_eq!(new.len(), 1, "{new:?} {run:#?}");
        new[0].clone()
    }

    /// The migration files, by name.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.project.migrations())
            .map(|d| d.filter_map(Result::ok).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        names
    }

    fn run(&self, args: &[&str]) -> Run {
        let url = self.url();
        let argv: Vec<&str> = args.iter().copied().chain(["--url", &url]).collect();
        self.project.run(&argv, self.now)
    }

    fn migrate(&self) -> Run {
        self.run(&["migrate"])
    }

    /// Runs `sql` (several statements allowed) on a connection of its own, foreign keys on.
    fn exec(&self, sql: &str) {
        self.rt.block_on(async {
            let mut c = connect(&self.db).await;
            c.execute(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            c.close().await.expect("close");
        })
    }

    /// The rows of one query, each as its values joined by `|` (NULL as `NULL`), or the error.
    fn query(&self, sql: &str) -> Result<Vec<String>, String> {
        self.rt.block_on(async {
            let mut c = connect(&self.db).await;
            let rows = sqlx::query(sql).fetch_all(&mut c).await;
            c.close().await.expect("close");
            let rows = rows.map_err(|e| e.to_string())?;
            Ok(rows.iter().map(row_text).collect())
        })
    }

    fn rows(&self, sql: &str) -> Vec<String> {
        self.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Each table's row count (sqlite's own tables and sqlx's history left out).
    fn counts(&self) -> BTreeMap<String, String> {
        let tables = self.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name");
        tables
            .into_iter()
            .map(|t| {
                let n = self.rows(&format!("SELECT count(*) FROM \"{t}\""));
                (t, n.concat())
            })
            .collect()
    }

    /// The whole schema as SQLite stores it.
    fn schema(&self) -> Vec<String> {
        self.rows("SELECT type, name, sql FROM sqlite_master WHERE name <> '_sqlx_migrations' ORDER BY type, name")
    }

    fn history(&self) -> Vec<String> {
        self.rows("SELECT version, description, success, hex(checksum) FROM _sqlx_migrations ORDER BY version")
    }

    /// `status --format json` as `version name state` lines.
    fn states(&self) -> Vec<String> {
        let run = self.run(&["status", "--format", "json"]);
        assert_eq!(run.code, 0, "{run:#?}");
        let json = run.json();
        let list = json["migrations"].as_array().expect("migrations").clone();
        list.iter()
            .map(|m| {
                format!(
                    "{} {} {}",
                    m["version"],
                    m["name"].as_str().unwrap_or("?"),
                    m["state"].as_str().unwrap_or("?")
                )
            })
            .collect()
    }
}

async fn connect(db: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open the database")
}

fn row_text(row: &sqlx::sqlite::SqliteRow) -> String {
    let mut values = Vec::new();
    for i in 0..row.len() {
        let raw = row.try_get_raw(i).expect("column");
        let text = if raw.is_null() {
            "NULL".to_string()
        } else {
            match raw.type_info().name() {
                "INTEGER" => row.try_get::<i64, _>(i).expect("integer").to_string(),
                "REAL" => row.try_get::<f64, _>(i).expect("real").to_string(),
                "BLOB" => format!("{:?}", row.try_get::<Vec<u8>, _>(i).expect("blob")),
                _ => row.try_get::<String, _>(i).expect("text"),
            }
        };
        values.push(text);
    }
    values.join("|")
}

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    for needle in needles {
        assert!(all.contains(needle), "{needle:?} missing from:\n{all}");
    }
}

/// The first schema of the history: `accounts` is the parent of `posts` (ON DELETE CASCADE)
/// and of `badges` (ON DELETE RESTRICT).
const V1: &str = r#"
#[derive(DbEnum)]
#[db_enum(name = "mood")]
pub enum Mood { Happy, Sad, Meh }

#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub display_name: String,
    pub age: i32,
    pub nickname: Option<String>,
    pub mood: Mood,
}

#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    pub body: String,
}

#[derive(Table)]
#[table(name = "posts")]
pub struct Post {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = Account::id, on_delete = "cascade", index)]
    pub account_id: i64,
    pub title: String,
    pub draft: Option<String>,
}

#[derive(Table)]
#[table(name = "badges")]
pub struct Badge {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = Account::id, on_delete = "restrict")]
    pub account_id: i64,
    pub label: String,
}
"#;

/// One migration of the history.
struct Step {
    name: &'static str,
    /// Text replacements that turn the previous schema into this one.
    edits: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    /// Whether the file rebuilds a table (a `-- no-transaction` file with its own transaction).
    rebuild: bool,
    /// Rows inserted before the migration, into the schema before it.
    before: &'static str,
    /// A table rename, so that row counts can be compared across it.
    renamed: Option<(&'static str, &'static str)>,
    /// Queries after the migration and their rows (`error: ...` for an expected failure).
    after: &'static [(&'static str, &'static [&'static str])],
}

const ACCOUNTS: &str = "SELECT id, full_name, age, nickname, mood FROM accounts ORDER BY id";

const HISTORY: &[Step] = &[
    Step {
        name: "column rename",
        edits: &[("pub display_name: String,", "#[column(renamed_from = \"display_name\")]\n    pub full_name: String,")],
        args: &[],
        rebuild: false,
        before: "INSERT INTO accounts (id, display_name, age, nickname, mood) VALUES (1, 'Ada', 36, NULL, 'happy'), (2, 'Bob', 41, 'bobby', 'sad');
                 INSERT INTO notes (id, body) VALUES (1, 'first');
                 INSERT INTO posts (id, account_id, title, draft) VALUES (1, 1, 'hello', 'd1'), (2, 2, 'world', NULL);
                 INSERT INTO badges (id, account_id, label) VALUES (1, 1, 'gold'), (2, 2, 'silver');",
        renamed: None,
        after: &[("SELECT id, full_name FROM accounts ORDER BY id", &["1|Ada", "2|Bob"])],
    },
    Step {
        name: "table rename",
        edits: &[("#[table(name = \"notes\")]", "#[table(name = \"memos\")]")],
        args: &["--rename", "table:notes=memos"],
        // The primary key's derived name changes too (notes_pkey to memos_pkey), and SQLite
        // keeps constraint names only in the CREATE TABLE text: a rebuild.
        rebuild: true,
        before: "INSERT INTO notes (id, body) VALUES (2, 'second');
                 INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (3, 'Cy', 29, NULL, 'sad');
                 INSERT INTO posts (id, account_id, title, draft) VALUES (3, 3, 'cy', 'd3');
                 INSERT INTO badges (id, account_id, label) VALUES (3, 3, 'tin');",
        renamed: Some(("notes", "memos")),
        after: &[
            ("SELECT id, body FROM memos ORDER BY id", &["1|first", "2|second"]),
            ("SELECT count(*) FROM sqlite_master WHERE name = 'notes'", &["0"]),
        ],
    },
    Step {
        name: "type change on the parent",
        edits: &[("pub age: i32,", "pub age: String,")],
        args: &[],
        rebuild: true,
        before: "INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (4, 'Di', 52, NULL, 'happy');
                 INSERT INTO posts (id, account_id, title, draft) VALUES (4, 4, 'di', 'd4');
                 INSERT INTO badges (id, account_id, label) VALUES (4, 4, 'iron');",
        renamed: None,
        after: &[("SELECT id, age, typeof(age) FROM accounts ORDER BY id", &["1|36|text", "2|41|text", "3|29|text", "4|52|text"])],
    },
    Step {
        name: "not null with a default",
        edits: &[("pub nickname: Option<String>,", "#[column(default = \"anon\")]\n    pub nickname: String,")],
        args: &[],
        rebuild: true,
        before: "INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (5, 'Ed', '60', NULL, 'sad');",
        renamed: None,
        after: &[
            ("SELECT id, nickname FROM accounts ORDER BY id", &["1|anon", "2|bobby", "3|anon", "4|anon", "5|anon"]),
            ("INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (9, 'Null', '1', NULL, 'sad')", &["error: NOT NULL constraint failed: accounts.nickname"]),
        ],
    },
    Step {
        name: "dropped column on a child",
        edits: &[("    pub draft: Option<String>,\n", "")],
        args: &[],
        rebuild: true,
        before: "INSERT INTO posts (id, account_id, title, draft) VALUES (5, 5, 'ed', 'd5');",
        renamed: None,
        after: &[
            ("SELECT id, account_id, title FROM posts ORDER BY id", &["1|1|hello", "2|2|world", "3|3|cy", "4|4|di", "5|5|ed"]),
            ("SELECT group_concat(name, ',') FROM pragma_table_info('posts')", &["id,account_id,title"]),
            ("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'posts' AND sql IS NOT NULL", &["1"]),
        ],
    },
    Step {
        name: "enum value added and one removed",
        edits: &[("Happy, Sad, Meh", "Happy, Sad, Excited")],
        args: &[],
        rebuild: true,
        before: "INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (6, 'Fay', '33', 'fay', 'happy');",
        renamed: None,
        after: &[
            ("SELECT id, mood FROM accounts ORDER BY id", &["1|happy", "2|sad", "3|sad", "4|happy", "5|sad", "6|happy"]),
            ("INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (7, 'Gus', '20', 'gus', 'excited')", &[]),
            ("INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (9, 'Meh', '20', 'meh', 'meh')", &["error: CHECK constraint failed"]),
        ],
    },
    Step {
        name: "new not null column with a default",
        edits: &[("    pub label: String,\n", "    pub label: String,\n    #[column(default = 1)]\n    pub level: i32,\n")],
        args: &[],
        rebuild: false,
        before: "INSERT INTO badges (id, account_id, label) VALUES (5, 7, 'bronze');",
        renamed: None,
        after: &[("SELECT id, account_id, label, level FROM badges ORDER BY id", &["1|1|gold|1", "2|2|silver|1", "3|3|tin|1", "4|4|iron|1", "5|7|bronze|1"])],
    },
    Step {
        name: "check added",
        edits: &[("#[table(name = \"memos\")]", "#[table(name = \"memos\")]\n#[check(name = \"memos_body_check\", expr = \"length(body) > 0\")]")],
        args: &[],
        rebuild: true,
        before: "INSERT INTO memos (id, body) VALUES (3, 'third');",
        renamed: None,
        after: &[
            ("SELECT id, body FROM memos ORDER BY id", &["1|first", "2|second", "3|third"]),
            ("INSERT INTO memos (id, body) VALUES (4, '')", &["error: CHECK constraint failed"]),
        ],
    },
    Step {
        name: "parent rebuilt with children through cascade and restrict",
        edits: &[("#[column(renamed_from = \"display_name\")]", "#[column(renamed_from = \"display_name\", unique)]")],
        args: &[],
        rebuild: true,
        before: "INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (8, 'Hal', '70', 'hal', 'sad');
                 INSERT INTO posts (id, account_id, title) VALUES (6, 8, 'hal');
                 INSERT INTO badges (id, account_id, label, level) VALUES (6, 8, 'wood', 2);",
        renamed: None,
        after: &[
            (ACCOUNTS, &["1|Ada|36|anon|happy", "2|Bob|41|bobby|sad", "3|Cy|29|anon|sad", "4|Di|52|anon|happy", "5|Ed|60|anon|sad", "6|Fay|33|fay|happy", "7|Gus|20|gus|excited", "8|Hal|70|hal|sad"]),
            ("SELECT id, account_id, title FROM posts ORDER BY id", &["1|1|hello", "2|2|world", "3|3|cy", "4|4|di", "5|5|ed", "6|8|hal"]),
            ("SELECT id, account_id, label, level FROM badges ORDER BY id", &["1|1|gold|1", "2|2|silver|1", "3|3|tin|1", "4|4|iron|1", "5|7|bronze|1", "6|8|wood|2"]),
            ("INSERT INTO accounts (id, full_name, age, nickname, mood) VALUES (9, 'Ada', '1', 'x', 'sad')", &["error: UNIQUE constraint failed: accounts.full_name"]),
        ],
    },
];

/// Applies the whole history step by step and checks the rows after each migration.
#[test]
fn a_generated_history_keeps_every_row_through_renames_and_rebuilds() {
    let mut lite = Lite::new(V1);
    let first = lite.generate(V1, &[]);
    assert_has(&lite.migrate(), 0, &[&first, "applied 1 migration(s)"]);
    let mut schema = V1.to_string();
    for (n, step) in HISTORY.iter().enumerate() {
        let at = format!("step {} ({})", n + 1, step.name);
        for (from, to) in step.edits {
            assert!(schema.contains(from), "{at}: {from:?} is not in the schema");
            schema = schema.replacen(from, to, 1);
        }
        lite.exec(step.before);
        let mut counts = lite.counts();
        if let Some((from, to)) = step.renamed {
            let n = counts.remove(from).expect("renamed table");
            counts.insert(to.to_string(), n);
        }
        let file = lite.generate(&schema, step.args);
        let sql = lite.project.read(&file);
        assert_eq!(
            sql.starts_with("-- no-transaction\n"),
            step.rebuild,
            "{at}: {file}\n{sql}"
        );
        let run = lite.migrate();
        assert_has(
            &run,
            0,
            &[
                &format!("applied migrations/{file}"),
                "applied 1 migration(s)",
            ],
        );

        assert_eq!(lite.counts(), counts, "{at}: rows lost or gained");
        assert_eq!(
            lite.rows("SELECT * FROM pragma_foreign_key_check"),
            Vec::<String>::new(),
            "{at}"
        );
        assert_eq!(lite.rows("PRAGMA integrity_check"), ["ok"], "{at}");
        for (query, expected) in step.after {
            let got = lite.query(query);
            match expected.first().and_then(|e| e.strip_prefix("error: ")) {
                Some(error) => {
                    let e = got.expect_err(&format!("{at}: {query} should fail"));
                    assert!(e.contains(error), "{at}: {query}: {e}");
                }
                None => assert_eq!(
                    got,
                    Ok(expected.iter().map(|e| e.to_string()).collect()),
                    "{at}: {query}"
                ),
            }
        }
        let states = lite.states();
        assert!(
            states.iter().all(|s| s.ends_with(" applied")),
            "{at}: {states:?}"
        );
        assert_eq!(states.len(), n + 2);
    }
    // The rebuilt parent's foreign keys still act: RESTRICT refuses, CASCADE deletes.
    let delete = lite.query("DELETE FROM accounts WHERE id = 1");
    assert!(delete.is_err_and(|e| e.contains("FOREIGN KEY constraint failed")));
    lite.exec("DELETE FROM badges WHERE account_id = 1; DELETE FROM accounts WHERE id = 1;");
    assert_eq!(
        lite.rows("SELECT count(*) FROM posts WHERE account_id = 1"),
        ["0"]
    );
    assert_eq!(lite.rows("SELECT count(*) FROM posts"), ["5"]);
    assert_has(&lite.run(&["generate"]), 0, &["no changes"]);
}

/// `V1` after `edit` (which must apply).
fn edited(schema: &str, from: &str, to: &str) -> String {
    assert!(schema.contains(from), "{from:?} is not in the schema");
    schema.replacen(from, to, 1)
}

/// The 1-based line of the first line of `sql` that starts with `prefix`, and the number of
/// its statement (statements are separated by breakpoint lines).
fn locate(sql: &str, prefix: &str) -> (usize, usize) {
    let lines: Vec<&str> = sql.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?} in\n{sql}"));
    let statement = lines[..i].iter().filter(|l| l.trim() == BREAKPOINT).count() + 1;
    (i + 1, statement)
}

const ALL_ROWS: [&str; 3] = [
    "SELECT * FROM accounts ORDER BY id",
    "SELECT * FROM posts ORDER BY id",
    "SELECT * FROM badges ORDER BY id",
];

fn all_rows(lite: &Lite) -> Vec<Vec<String>> {
    ALL_ROWS.iter().map(|q| lite.rows(q)).collect()
}

/// A rebuild of the parent whose closing foreign-key check fails (a post references an account
/// that does not exist): after the parent was dropped and its copy renamed, all of it is rolled
/// back, nothing is recorded, and once the rows are repaired the same file applies.
#[test]
fn a_rebuild_that_would_leave_broken_references_is_rolled_back_whole_then_applies() {
    let mut lite = Lite::new(V1);
    lite.generate(V1, &[]);
    assert_has(&lite.migrate(), 0, &[]);
    lite.exec(
        "INSERT INTO accounts (id, display_name, age, mood) VALUES (1, 'Ada', 36, 'happy'), (2, 'Bob', 41, 'sad');
         INSERT INTO posts (id, account_id, title) VALUES (1, 1, 'a'), (2, 2, 'b');
         INSERT INTO badges (id, account_id, label) VALUES (1, 1, 'gold');
         PRAGMA foreign_keys=OFF;
         INSERT INTO posts (id, account_id, title) VALUES (3, 99, 'orphan');",
    );
    let (schema, rows, history) = (lite.schema(), all_rows(&lite), lite.history());
    let file = lite.generate(&edited(V1, "pub age: i32,", "pub age: String,"), &[]);
    let sql = lite.project.read(&file);
    let dry = lite.run(&["migrate", "--dry-run"]);
    let how = "(would run in the transaction it opens itself, with foreign keys off)";
    assert_has(
        &dry,
        0,
        &[
            &format!("-- migrations/{file} {how}"),
            "dry run: 1 migration(s)",
        ],
    );

    let (line, n) = locate(&sql, "INSERT INTO \"__migrate_fk_check\"");
    let run = lite.migrate();
    assert_has(
        &run,
        1,
        &[
            &format!("migration migrations/{file}:{line} failed at statement {n}: CHECK constraint failed"),
            "foreign keys would be broken: 1 row(s) of \"posts\" reference missing rows of \"accounts\"",
            "INSERT INTO \"__migrate_fk_check\" SELECT count(*) FROM pragma_foreign_key_check;",
            "nothing of this migration remains and nothing was recorded; fix the file and run migrate again",
        ],
    );
    assert!(
        !run.stderr
            .contains("statements before the failing one remain"),
        "{}",
        run.stderr
    );
    assert_eq!(lite.schema(), schema, "the rebuild was not rolled back");
    assert_eq!(all_rows(&lite), rows);
    assert_eq!(lite.history(), history);
    assert!(lite
        .states()
        .last()
        .is_some_and(|s| s.ends_with(" pending")));

    lite.exec("DELETE FROM posts WHERE id = 3");
    assert_has(&lite.migrate(), 0, &[&format!("applied migrations/{file}")]);
    assert_eq!(
        lite.rows("SELECT id, age, typeof(age) FROM accounts"),
        ["1|36|text", "2|41|text"]
    );
    assert_eq!(
        lite.rows("SELECT id, account_id FROM posts ORDER BY id"),
        ["1|1", "2|2"]
    );
    assert_eq!(lite.rows("SELECT id, account_id FROM badges"), ["1|1"]);
    assert_eq!(lite.history().len(), 2);
}

/// A new NOT NULL column without a default fails the copy into the new table: the statement
/// and its line are named, nothing remains; the file fixed by hand then applies.
#[test]
fn a_failing_statement_inside_a_rebuild_is_located_and_the_fixed_file_applies() {
    let mut lite = Lite::new(V1);
    lite.generate(V1, &[]);
    assert_has(&lite.migrate(), 0, &[]);
    lite.exec(
        "INSERT INTO accounts (id, display_name, age, mood) VALUES (1, 'Ada', 36, 'happy');
         INSERT INTO posts (id, account_id, title) VALUES (1, 1, 'a');
         INSERT INTO badges (id, account_id, label) VALUES (1, 1, 'gold');",
    );
    let (schema, rows) = (lite.schema(), all_rows(&lite));
    let level = edited(V1, "pub age: i32,", "pub age: i32,\n    pub level: i32,");
    let file = lite.generate(&level, &[]);
    let sql = lite.project.read(&file);
    let (line, n) = locate(&sql, "INSERT INTO \"__new_accounts\"");
    let run = lite.migrate();
    assert_has(
        &run,
        1,
        &[
            &format!("migration migrations/{file}:{line} failed at statement {n}: NOT NULL constraint failed: __new_accounts.level"),
            "nothing of this migration remains and nothing was recorded",
        ],
    );
    assert_eq!(lite.schema(), schema);
    assert_eq!(all_rows(&lite), rows);
    assert_eq!(lite.history().len(), 1);

    let fixed = sql.replace(
        "\"level\" integer NOT NULL",
        "\"level\" integer DEFAULT 0 NOT NULL",
    );
    assert_ne!(fixed, sql);
    fs::write(lite.project.migrations().join(&file), fixed).expect("fix the file");
    assert_has(&lite.migrate(), 0, &[&format!("applied migrations/{file}")]);
    assert_eq!(lite.rows("SELECT id, level FROM accounts"), ["1|0"]);
    assert_eq!(lite.rows("SELECT id, account_id FROM posts"), ["1|1"]);
    assert_eq!(lite.rows("SELECT id, account_id FROM badges"), ["1|1"]);
    assert_eq!(lite.history().len(), 2);
}

/// sqlx's own `Migrator::run` with the project's folder on the database file `db`.
fn sqlx_run(lite: &Lite, db: &Path) -> Result<(), String> {
    lite.rt.block_on(async {
        let migrations = lite.project.migrations();
        let migrator = Migrator::new(migrations.as_path())
            .await
            .expect("sqlx reads the folder");
        let url = format!("sqlite://{}?mode=rwc", db.display());
        let mut c = SqliteConnection::connect(&url).await.expect("open");
        let ran = migrator.run(&mut c).await.map_err(|e| e.to_string());
        c.close().await.expect("close");
        ran
    })
}

fn version(file: &str) -> &str {
    file.split('_').next().unwrap_or(file)
}

#[test]
fn status_shows_every_state_on_sqlite() {
    let mut lite = Lite::new(V1);
    let f1 = lite.generate(V1, &[]);
    let v2 = edited(V1, "pub age: i32,", "pub age: String,");
    let f2 = lite.generate(&v2, &[]);
    let (n1, n2) = (version(&f1), version(&f2));
    let names = (f1.trim_end_matches(".sql"), f2.trim_end_matches(".sql"));
    let line = |name: &str, state: &str| format!("{} {state}", name.replacen('_', " ", 1));
    assert_eq!(
        lite.states(),
        [line(names.0, "pending"), line(names.1, "pending")]
    );
    assert_has(
        &lite.run(&["status"]),
        0,
        &["(not created yet)", "2 migrations: 2 pending"],
    );
    assert!(!lite.db.exists(), "status created the database");

    assert_has(&lite.migrate(), 0, &["applied 2 migration(s)"]);
    assert_eq!(
        lite.states(),
        [line(names.0, "applied"), line(names.1, "applied")]
    );
    assert_has(
        &lite.run(&["status"]),
        0,
        &[&format!("{n1}  "), "applied 20", "2 migrations: 2 applied"],
    );

    let f3 = lite.generate(
        &edited(&v2, "pub label: String,", "pub label: Option<String>,"),
        &[],
    );
    let path = |f: &str| lite.project.migrations().join(f);
    let first = lite.project.read(&f1);
    fs::write(
        path(&f1),
        format!("{first}-- edited after it was applied\n"),
    )
    .expect("edit");
    fs::remove_file(path(&f2)).expect("remove");
    // migrate-cli never records a failed migration on SQLite (a failing file is rolled back
    // whole); a row like this one comes from another tool.
    lite.exec("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'half done', false, x'00', -1)");
    assert_eq!(
        lite.states(),
        [
            line(names.0, "modified"),
            line(names.1, "missing"),
            line(f3.trim_end_matches(".sql"), "pending"),
            "99990101000000 half_done failed".to_string(),
        ]
    );
    let text = lite.run(&["status"]);
    assert_has(
        &text,
        0,
        &[
            &format!("{n1}  "),
            "modified since it was applied",
            &format!("{n2}  "),
            "missing from migrations (applied 20",
            "pending",
            "failed: repair by hand",
            "4 migrations: 1 failed, 1 missing, 1 modified, 1 pending",
        ],
    );
}

/// An applied rebuild file edited afterwards: `migrate` names it and applies nothing, not
/// even the pending migration after it; restored, the history goes on.
#[test]
fn a_tampered_applied_file_is_refused_before_anything_is_applied() {
    let mut lite = Lite::new(V1);
    lite.generate(V1, &[]);
    let v2 = edited(V1, "pub age: i32,", "pub age: String,");
    let f2 = lite.generate(&v2, &[]);
    assert_has(&lite.migrate(), 0, &["applied 2 migration(s)"]);
    let v3 = edited(&v2, "pub label: String,", "pub label: Option<String>,");
    let f3 = lite.generate(&v3, &[]);
    let original = lite.project.read(&f2);
    let tampered = original.replace("\"age\" text NOT NULL", "\"age\" text");
    assert_ne!(tampered, original);
    let path = lite.project.migrations().join(&f2);
    fs::write(&path, &tampered).expect("tamper");
    let (schema, history) = (lite.schema(), lite.history());

    let changed = format!(
        "migration {} (migrations/{f2}) changed since it was applied",
        version(&f2)
    );
    let run = lite.migrate();
    assert_has(
        &run,
        1,
        &[
            "refusing to migrate",
            "nothing was applied",
            &changed,
            "restore the applied version",
        ],
    );
    assert_has(&lite.run(&["migrate", "--dry-run"]), 1, &[&changed]);
    assert_eq!(lite.schema(), schema);
    assert_eq!(lite.history(), history);

    fs::write(&path, &original).expect("restore");
    assert_has(&lite.migrate(), 0, &[&format!("applied migrations/{f3}")]);
    assert_eq!(
        lite.rows("SELECT \"notnull\" FROM pragma_table_info('badges') WHERE name = 'label'"),
        ["0"]
    );
}

/// sqlx itself reads the history migrate-cli writes. sqlx 0.8's SQLite `Migrator` ignores
/// `-- no-transaction` (it wraps every file in a transaction, so a rebuild fails at its own
/// BEGIN; sqlx 0.9 honours it), so only the ordinary files are run through it on a fresh
/// database and their `_sqlx_migrations` rows compared; with a rebuild file applied by
/// migrate-cli, sqlx agrees that everything is applied and unchanged.
#[test]
fn sqlx_reads_the_sqlite_history_migrate_cli_writes() {
    let mut lite = Lite::new(V1);
    let mut schema = V1.to_string();
    lite.generate(&schema, &[]);
    for (from, to) in [
        (
            "pub display_name: String,",
            "#[column(renamed_from = \"display_name\")]\n    pub full_name: String,",
        ),
        (
            "    pub label: String,\n",
            "    pub label: String,\n    #[column(default = 1)]\n    pub level: i32,\n",
        ),
        (
            "    pub title: String,\n",
            "    #[column(index)]\n    pub title: String,\n",
        ),
    ] {
        schema = edited(&schema, from, to);
        let file = lite.generate(&schema, &[]);
        assert!(
            !lite.project.read(&file).starts_with("-- no-transaction"),
            "{file}"
        );
    }
    assert_has(&lite.migrate(), 0, &["applied 4 migration(s)"]);
    let fresh = lite.project.path().join("fresh.db");
    sqlx_run(&lite, &fresh).expect("sqlx applies the ordinary files");
    let by_sqlx = Lite {
        db: fresh.clone(),
        ..Lite::new("")
    };
    assert_eq!(
        by_sqlx.history(),
        lite.history(),
        "version, description, success, checksum"
    );
    assert_eq!(by_sqlx.schema(), lite.schema());
    sqlx_run(&lite, &lite.db).expect("sqlx agrees with what migrate-cli applied");

    let rebuild = lite.generate(&edited(&schema, "pub age: i32,", "pub age: String,"), &[]);
    assert!(lite
        .project
        .read(&rebuild)
        .starts_with("-- no-transaction\n"));
    assert_has(
        &lite.migrate(),
        0,
        &[&format!("applied migrations/{rebuild}")],
    );
    let v = version(&rebuild);
    let row = lite.rows(&format!(
        "SELECT success, execution_time > 0 FROM _sqlx_migrations WHERE version = {v}"
    ));
    assert_eq!(row, ["1|1"]);
    sqlx_run(&lite, &lite.db).expect("sqlx agrees that the rebuild is applied and unchanged");
    let refused =
        sqlx_run(&lite, &fresh).expect_err("sqlx 0.8 runs the rebuild inside its own transaction");
    assert!(
        refused.contains("cannot start a transaction within a transaction"),
        "{refused}"
    );
}
