//! SQLite end to end, as a user works: a schema history written by `generate` and applied by
//! `migrate` to a real database file, with rows inserted before each migration and read after
//! it, above all the rows of the tables that reference a rebuilt parent (ON DELETE CASCADE and
//! RESTRICT); `status` in every state; a failing rebuild rolled back whole, then fixed; a
//! tampered history refused; and the history as sqlx itself reads it.

#[path = "sqlite_history/concurrent.rs"]
mod concurrent;
#[path = "sqlite_history/failures.rs"]
mod failures;
#[path = "sqlite_history/lite.rs"]
mod lite;
#[path = "sqlite_history/status_and_sqlx.rs"]
mod status_and_sqlx;

use lite::*;

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
