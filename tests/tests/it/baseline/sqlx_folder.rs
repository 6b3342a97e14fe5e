//! Adopting a sqlx-cli project: five migrations (simple files and reversible pairs) applied by
//! sqlx's own `Migrator`; `baseline` keeps their files as they are, lists them in the journal
//! with the snapshots of a replay, checks that the database applied them all, and writes no row;
//! then a struct change is generated and applied by `migrate`, and sqlx's `Migrator` agrees
//! (no checksum or missing-version complaint). PostgreSQL with integer versions, SQLite with
//! timestamps.

use super::{assert_has, project};
use sqlx::migrate::Migrator;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use tests::project::Project;
use tests::project::NOW;

/// The five migrations of the project, by file name, with `{v1}`..`{v5}` for their versions.
const FILES: &[(&str, &str)] = &[
    (
        "{v1}_create_users.sql",
        "-- written with sqlx-cli\nCREATE TABLE users (\n    id {id},\n    email TEXT NOT NULL\n);\n",
    ),
    (
        "{v2}_create_posts.up.sql",
        "CREATE TABLE posts (\n    id {id},\n    user_id {int} NOT NULL REFERENCES users (id),\n    title TEXT NOT NULL\n);\n",
    ),
    ("{v2}_create_posts.down.sql", "DROP TABLE posts;\n"),
    (
        "{v3}_users_email_unique.sql",
        "CREATE UNIQUE INDEX users_email_key ON users (email);\n",
    ),
    (
        "{v4}_add_posts_body.up.sql",
        "ALTER TABLE posts ADD COLUMN body TEXT;\n",
    ),
    (
        "{v4}_add_posts_body.down.sql",
        "ALTER TABLE posts DROP COLUMN body;\n",
    ),
    (
        "{v5}_posts_user_index.sql",
        "CREATE INDEX posts_user_id_idx ON posts (user_id);\n",
    ),
];

/// The structs of the five migrations' end state.
const STRUCTS: &str = r#"
#[derive(Table)]
#[table(name = "users")]
#[index(columns(email), name = "users_email_key", unique)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}

#[derive(Table)]
#[table(name = "posts")]
#[index(columns(user_id), name = "posts_user_id_idx")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = User::id)]
    pub user_id: i64,
    pub title: String,
    pub body: Option<String>,
}
"#;

/// One database of the story, with sqlx's `Migrator` run on it and its rows.
pub(crate) struct Db<'a> {
    pub url: &'a str,
    /// sqlx's own `Migrator::run` of the folder given.
    pub sqlx_run: &'a dyn Fn(&Path) -> Result<(), String>,
    /// `(version, checksum)` of every row of `_sqlx_migrations`.
    pub rows: &'a dyn Fn() -> Vec<(i64, Vec<u8>)>,
}

/// Writes the sqlx-cli project's files with `versions`, the identity column `id` and the
/// type `int` of a reference to it.
fn write_files(
    dir: &Path,
    versions: [&str; 5],
    (id, int): (&str, &str),
) -> BTreeMap<String, String> {
    fs::create_dir_all(dir).expect("migrations dir");
    let mut written = BTreeMap::new();
    for (name, sql) in FILES {
        let mut name = name.to_string();
        for (i, v) in versions.iter().enumerate() {
            name = name.replace(&format!("{{v{}}}", i + 1), v);
        }
        let sql = sql.replace("{id}", id).replace("{int}", int);
        fs::write(dir.join(&name), &sql).expect("migration file");
        written.insert(name, sql);
    }
    written
}

/// The issue's story on one dialect: `db` has the five migrations applied by sqlx, `empty`
/// none; the project's versions are `versions`.
pub(crate) fn adopt_story(
    dialect: &str,
    (db, empty): (&Db<'_>, &str),
    versions: [&str; 5],
    id: (&str, &str),
) -> Project {
    let p = project(dialect, STRUCTS);
    let files = write_files(&p.migrations(), versions, id);
    (db.sqlx_run)(&p.migrations()).expect("sqlx applies the five migrations");
    let applied = (db.rows)();
    assert_eq!(applied.len(), 5, "{applied:?}");

    // A database that has not applied them is refused, and nothing is written.
    let run = p.run(&["baseline", "--url", empty], NOW);
    assert_has(
        &run,
        1,
        &[
            "has not applied every migration of migrations",
            "nothing was written",
        ],
    );
    assert!(!p.migrations().join("meta").exists());

    let run = p.run(&["baseline", "--url", db.url], NOW);
    assert_has(
        &run,
        0,
        &[
            "adopted 5 sqlx-cli migration(s) of migrations",
            "has applied all of them: it needs no new row",
        ],
    );
    for (name, sql) in &files {
        assert_eq!(&p.read(name), sql, "{name} changed");
    }
    assert_eq!((db.rows)(), applied, "baseline wrote no row");
    let journal = p.journal();
    let tags: Vec<(&str, bool, bool)> = journal
        .entries
        .iter()
        .map(|e| (e.tag.as_str(), e.adopted, e.down))
        .collect();
    let v = versions;
    assert_eq!(
        tags,
        [
            (format!("{}_create_users", v[0]).as_str(), true, false),
            (format!("{}_create_posts", v[1]).as_str(), true, true),
            (format!("{}_users_email_unique", v[2]).as_str(), true, false),
            (format!("{}_add_posts_body", v[3]).as_str(), true, true),
            (format!("{}_posts_user_index", v[4]).as_str(), true, false),
        ]
    );
    for version in versions {
        assert!(p
            .migrations()
            .join(format!("meta/{version}_snapshot.json"))
            .is_file());
    }

    let status = p.run(&["status", "--url", db.url], NOW + 5);
    assert_has(&status, 0, &["5 migrations: 5 applied"]);
    assert_has(&p.run(&["generate"], NOW + 10), 0, &["no changes"]);
    assert_has(&p.run(&["check", "--url", db.url], NOW + 11), 0, &[]);

    p.set_schema(&STRUCTS.replace(
        "pub body: Option<String>,",
        "pub body: Option<String>,\n    pub likes: Option<i32>,",
    ));
    let run = p.run(&["generate", "--name", "likes"], NOW + 20);
    assert_has(&run, 0, &["20261118110700_likes.sql"]);
    let run = p.run(&["migrate", "--url", db.url], NOW + 30);
    assert_has(
        &run,
        0,
        &["applied 1 migration(s)", "20261118110700_likes.sql"],
    );
    let rows = (db.rows)();
    assert_eq!(rows.len(), 6, "{rows:?}");
    assert_eq!(rows[..5], applied[..], "the adopted rows are untouched");
    assert_eq!(rows[5].0, 20261118110700);

    // sqlx agrees: every applied version is in the folder with its checksum, nothing to run.
    let migrator = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(Migrator::new(p.migrations()))
        .expect("sqlx reads the folder");
    for (version, checksum) in &rows {
        let m = migrator
            .iter()
            .find(|m| m.version == *version && !m.migration_type.is_down_migration());
        assert_eq!(
            m.map(|m| m.checksum.to_vec()).as_ref(),
            Some(checksum),
            "version {version}"
        );
    }
    (db.sqlx_run)(&p.migrations())
        .expect("sqlx's Migrator agrees: no checksum or missing-version complaint");
    assert_eq!((db.rows)(), rows, "sqlx ran nothing more");
    assert_has(
        &p.run(&["status", "--url", db.url], NOW + 40),
        0,
        &["6 migrations: 6 applied"],
    );
    let verify = p.run(&["verify", "--url", db.url], NOW + 50);
    assert_has(&verify, 0, &["verified 6 migrations and 3 downs"]);
    p
}

#[test]
fn postgres_a_sqlx_cli_project_with_integer_versions_is_adopted() {
    let _verify = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let rt = &rt;
    let make = |label| rt.block_on(tests::pg::TestDb::create(label));
    let (Some(db), Some(empty)) = (make("adopt"), make("adopt_empty")) else {
        return;
    };
    let sqlx_run = |dir: &Path| {
        let migrator = rt.block_on(Migrator::new(dir)).map_err(|e| e.to_string())?;
        rt.block_on(migrator.run(&db.pool))
            .map_err(|e| e.to_string())
    };
    let rows = || {
        rt.block_on(
            sqlx::query_as::<_, (i64, Vec<u8>)>(
                "SELECT version, checksum FROM _sqlx_migrations ORDER BY version",
            )
            .fetch_all(&db.pool),
        )
        .unwrap_or_default()
    };
    let db_ = Db {
        url: &db.url,
        sqlx_run: &sqlx_run,
        rows: &rows,
    };
    let p = adopt_story(
        "postgres",
        (&db_, &empty.url),
        ["1", "2", "3", "4", "5"],
        (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BIGINT",
        ),
    );

    // Another environment whose schema was made some other way gets the five rows sqlx would
    // have written, without running them; then migrate applies the generated one.
    let ups: String = [
        "1_create_users.sql",
        "2_create_posts.up.sql",
        "3_users_email_unique.sql",
        "4_add_posts_body.up.sql",
        "5_posts_user_index.sql",
    ]
    .iter()
    .map(|name| p.read(name))
    .collect();
    rt.block_on(empty.apply(&ups))
        .expect("the same schema by hand");
    let run = p.run(
        &["baseline", "--record-only", "--url", &empty.url],
        NOW + 60,
    );
    assert_has(
        &run,
        0,
        &["recorded the baseline (5_posts_user_index; version(s) 1, 2, 3, 4, 5)"],
    );
    assert_has(
        &p.run(&["migrate", "--url", &empty.url], NOW + 61),
        0,
        &["applied 1 migration(s)"],
    );
    let migrator = rt
        .block_on(Migrator::new(p.migrations()))
        .expect("sqlx reads the folder");
    rt.block_on(migrator.run(&empty.pool))
        .expect("sqlx's Migrator agrees on the recorded rows");
}

#[test]
fn sqlite_a_sqlx_cli_project_with_timestamp_versions_is_adopted() {
    let dir = tempfile::tempdir().expect("dir");
    let url = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    let (main, empty) = (url("app.db"), url("empty.db"));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let rt = &rt;
    let pool = rt.block_on(sqlx::SqlitePool::connect(&main)).expect("pool");
    let sqlx_run = |dir: &Path| {
        let migrator = rt.block_on(Migrator::new(dir)).map_err(|e| e.to_string())?;
        rt.block_on(migrator.run(&pool)).map_err(|e| e.to_string())
    };
    let rows = || {
        rt.block_on(
            sqlx::query_as::<_, (i64, Vec<u8>)>(
                "SELECT version, checksum FROM _sqlx_migrations ORDER BY version",
            )
            .fetch_all(&pool),
        )
        .unwrap_or_default()
    };
    let db = Db {
        url: &main,
        sqlx_run: &sqlx_run,
        rows: &rows,
    };
    let p = adopt_story(
        "sqlite",
        (&db, &empty),
        [
            "20240101090000",
            "20240102090000",
            "20240103090000",
            "20240104090000",
            "20240105090000",
        ],
        ("INTEGER PRIMARY KEY", "INTEGER"),
    );

    // A new developer's database is built from the folder: the adopted files, then the
    // generated one. revert reads the adopted entries too: it undoes the generated migration,
    // and refuses to go past a simple sqlx-cli file, which has no down.
    let fresh = url("fresh.db");
    let run = p.run(&["migrate", "--url", &fresh], NOW + 60);
    assert_has(&run, 0, &["applied 6 migration(s)"]);
    let to = ["revert", "--to", "20240104090000", "--yes", "--url", &fresh];
    let run = p.run(&to, NOW + 61);
    assert_has(&run, 1, &["migrations/20240105090000_posts_user_index.sql has no down file migrations/20240105090000_posts_user_index.down.sql", "nothing was reverted"]);
    let run = p.run(&["revert", "--yes", "--url", &fresh], NOW + 62);
    assert_has(&run, 0, &["20261118110700_likes.down.sql"]);
    assert_has(
        &p.run(&["migrate", "--url", &fresh], NOW + 63),
        0,
        &["applied 1 migration(s)"],
    );
}

/// Adopted sqlx-cli migrations are history: their files cannot take `-- lint:allow` lines
/// without changing their checksums, so the lint gate of `check` and `migrate` leaves them
/// out (a dropped table in one fails neither), and gates what `generate` writes after them.
#[test]
fn adopted_migrations_are_not_gated_by_lint() {
    let p = project(
        "sqlite",
        "#[derive(Table)]\n#[table(name = \"users\")]\npub struct User {\n    #[column(primary_key, identity)]\n    pub id: i64,\n}\n",
    );
    fs::create_dir_all(p.migrations()).expect("dir");
    let files = [
        ("1_create.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\nCREATE TABLE old_stuff (id INTEGER PRIMARY KEY);\n"),
        ("2_drop_old_stuff.sql", "DROP TABLE old_stuff;\n"),
    ];
    for (name, sql) in files {
        fs::write(p.migrations().join(name), sql).expect("file");
    }
    assert_has(
        &p.run(&["baseline"], NOW),
        0,
        &["adopted 2 sqlx-cli migration(s)"],
    );
    let run = p.run(&["check"], NOW + 1);
    assert_has(&run, 0, &[]);
    assert!(!run.text().contains("drop-table"), "{}", run.text());
    let dir = tempfile::tempdir().expect("dir");
    let fresh = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("fresh.db").display()
    );
    assert_has(
        &p.run(&["migrate", "--url", &fresh], NOW + 2),
        0,
        &["applied 2 migration(s)"],
    );
    assert_has(&p.run(&["generate"], NOW + 3), 0, &["no changes"]);
}
