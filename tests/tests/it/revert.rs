//! `migrate-cli revert` on SQLite, PostgreSQL and MariaDB: a three-migration history is
//! migrated, reverted newest first (alone, `--to <first>`, `--to 0`) and migrated again, the
//! catalog compared with the database the first migration alone built and with the full
//! history; everything that must refuse does, before anything runs and with every reason;
//! `--dry-run` changes nothing; a failing down is rolled back with its row kept (PostgreSQL,
//! SQLite) or told statement by statement with a truthful row (MySQL).
//! The migrations and their down files come from `generate`; the refusals and failures edit
//! or replace a down by hand.

use migrate_cli::config::Dialect;
use migrate_cli::database::{Target, UrlSource};
use migrate_cli::prompt::ScriptedPrompt;
use schema_core::model::Schema;
use sqlx::migrate::Migrator;
use std::fs;
use std::path::PathBuf;
use tests::project::{Project, Run, NOW};

mod failing;
mod refusals;

const ONE: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
}
"#;

const TWO: &str = r#"
#[derive(Table)]
#[table(name = "projects")]
pub struct Project {
    #[column(primary_key)]
    pub id: i64,
    pub title: String,
}
"#;

const THREE: &str = r#"
    pub nickname: Option<String>,
}
"#;

/// The schema after `n` migrations.
fn schema(n: usize) -> String {
    let one = match n {
        3 => ONE.replacen(
            "    pub email: String,\n}\n",
            &format!("    pub email: String,{THREE}"),
            1,
        ),
        _ => ONE.to_string(),
    };
    match n {
        1 => one,
        _ => format!("{one}{TWO}"),
    }
}

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let text = run.text();
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

/// A database for one story.
struct Db {
    dialect: &'static str,
    url: String,
}

impl Db {
    fn kind(&self) -> Dialect {
        match self.dialect {
            "postgres" => Dialect::Postgres,
            "mysql" => Dialect::Mysql,
            _ => Dialect::Sqlite,
        }
    }

    /// What the generated down of the nickname column shows: SQLite drops a column by a rebuild.
    fn drops_nickname(&self) -> &'static str {
        match self.dialect {
            "sqlite" => "INSERT INTO \"__new_accounts\" (\"id\", \"email\")",
            _ => "DROP COLUMN",
        }
    }

    /// An identifier as the dialect quotes it.
    fn q(&self, ident: &str) -> String {
        match self.dialect {
            "mysql" => format!("`{ident}`"),
            _ => format!("\"{ident}\""),
        }
    }

    /// The whole user schema, as migrate-cli's introspection reads it.
    fn schema(&self) -> Schema {
        let target = Target {
            url: self.url.clone(),
            source: UrlSource::Flag,
            base: PathBuf::from("."),
        };
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let mut conn = migrate_cli::backend::connect(&target, self.kind())
                .await
                .expect("connect");
            let schema = conn.introspect().await.expect("introspect");
            conn.close().await;
            schema
        })
    }

    /// Runs sqlx's own `Migrator` on the folder.
    fn sqlx_run(&self, p: &Project) {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let migrator = Migrator::new(p.migrations()).await.expect("sqlx reads");
            match self.dialect {
                "postgres" => {
                    let pool = sqlx::PgPool::connect(&self.url).await.expect("pool");
                    migrator.run(&pool).await.expect("sqlx's Migrator agrees");
                }
                "mysql" => {
                    let pool = sqlx::MySqlPool::connect(&self.url).await.expect("pool");
                    migrator.run(&pool).await.expect("sqlx's Migrator agrees");
                }
                _ => {
                    let pool = sqlx::SqlitePool::connect(&self.url).await.expect("pool");
                    migrator.run(&pool).await.expect("sqlx's Migrator agrees");
                }
            }
        });
    }
}

/// The states `status --format json` gives, in order.
fn states(p: &Project, url: &str) -> Vec<String> {
    let run = p.run(&["status", "--url", url, "--format", "json"], NOW + 9000);
    assert_eq!(run.code, 0, "{run:#?}");
    run.json()["migrations"]
        .as_array()
        .expect("migrations")
        .iter()
        .map(|m| m["state"].as_str().expect("state").to_string())
        .collect()
}

/// A project for `db` with `n` migrations generated (the first applied before the others are
/// generated: gives the schema that first migration alone built), their tags.
fn project(db: &Db, n: usize) -> (Project, Vec<String>, Schema) {
    let p = Project::new(&schema(1));
    let config = format!(
        "dialect = \"{}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
        db.dialect
    );
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    assert_has(&p.run(&["generate"], NOW), 0, &[]);
    assert_has(
        &p.run(&["migrate", "--url", &db.url], NOW + 1),
        0,
        &["applied"],
    );
    let first = db.schema();
    for i in 2..=n {
        p.set_schema(&schema(i));
        assert_has(&p.run(&["generate"], NOW + 100 * i as u64), 0, &[]);
    }
    let tags = p.journal().entries.iter().map(|e| e.tag.clone()).collect();
    (p, tags, first)
}

fn migrate(p: &Project, db: &Db) {
    assert_has(
        &p.run(&["migrate", "--url", &db.url], NOW + 5000),
        0,
        &["applied"],
    );
}

/// The whole story on one database.
fn history_story(db: &Db) {
    let url = db.url.as_str();
    let (p, tags, first) = project(db, 3);
    migrate(&p, db);
    let full = db.schema();
    assert_eq!(states(&p, url), ["applied"; 3]);

    asks_and_dry_run(&p, db, &tags[2], &full);
    let down = format!("migrations/{}.down.sql", tags[2]);

    // The newest alone; migrate applies it again.
    let run = p.run(&["revert", "--yes", "--url", url], NOW + 6100);
    assert_has(
        &run,
        0,
        &[
            &format!("reverted migrations/{}.sql with {down}", tags[2]),
            "reverted 1 migration(s)",
        ],
    );
    assert_eq!(states(&p, url), ["applied", "applied", "pending"]);
    assert_ne!(db.schema(), full);
    migrate(&p, db);
    assert_eq!(db.schema(), full);

    // Back to the first: the catalog of the first migration alone; then the full history again.
    let run = p.run(
        &["revert", "--to", &tags[0][..14], "--yes", "--url", url],
        NOW + 6200,
    );
    assert_has(&run, 0, &["reverted 2 migration(s)"]);
    let text = run.text();
    let (newest, older) = (text.find(&tags[2]).unwrap(), text.find(&tags[1]).unwrap());
    assert!(newest < older, "newest first:\n{text}");
    assert_eq!(states(&p, url), ["applied", "pending", "pending"]);
    assert_eq!(db.schema(), first);
    migrate(&p, db);
    assert_eq!(db.schema(), full);

    // Everything; then sqlx's own Migrator applies the up files beside their downs.
    let run = p.run(&["revert", "--to", "0", "--yes", "--url", url], NOW + 6300);
    assert_has(&run, 0, &["reverted 3 migration(s)"]);
    assert_eq!(states(&p, url), ["pending"; 3]);
    assert!(db.schema().tables.is_empty(), "{:#?}", db.schema());
    assert_has(
        &p.run(&["revert", "--yes", "--url", url], NOW + 6400),
        0,
        &["nothing to revert"],
    );
    db.sqlx_run(&p);
    assert_eq!(states(&p, url), ["applied"; 3]);
    assert_eq!(db.schema(), full);
}

/// Without a terminal revert needs `--yes`; a terminal's "no" and `--dry-run` change nothing.
fn asks_and_dry_run(p: &Project, db: &Db, newest: &str, full: &Schema) {
    let url = db.url.as_str();
    // Without a terminal revert needs --yes; a terminal's "no" changes nothing.
    assert_has(
        &p.run(&["revert", "--url", url], NOW + 6000),
        2,
        &["pass --yes"],
    );
    let mut no = ScriptedPrompt {
        answers: vec![0],
        ..ScriptedPrompt::default()
    };
    let run = p.run_answering(&["revert", "--url", url], NOW + 6000, Some(&mut no));
    assert_has(&run, 1, &["cancelled: nothing was reverted"]);
    assert!(
        no.asked[0].0.starts_with("revert 1 migration(s) on "),
        "{:?}",
        no.asked
    );
    assert_eq!(states(p, url), ["applied"; 3]);

    // --dry-run prints the down and the verdict, and changes nothing.
    let run = p.run(&["revert", "--dry-run", "--url", url], NOW + 6000);
    let down = format!("migrations/{}.down.sql", newest);
    assert_has(
        &run,
        0,
        &[
            &format!("-- {down} reverts migrations/{}.sql", newest),
            db.drops_nickname(),
            "dry run: 1 migration(s) would be reverted",
        ],
    );
    assert_eq!(states(p, url), ["applied"; 3]);
    assert_eq!(&db.schema(), full);
}

fn sqlite_db(dir: &tempfile::TempDir) -> Db {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    Db {
        dialect: "sqlite",
        url,
    }
}

#[test]
fn sqlite_revert_newest_to_first_and_all_then_migrate_again() {
    let dir = tempfile::tempdir().expect("dir");
    history_story(&sqlite_db(&dir));
}

#[test]
fn postgres_revert_newest_to_first_and_all_then_migrate_again() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(test_db) = rt.block_on(tests::pg::TestDb::create("revert")) else {
        return;
    };
    history_story(&Db {
        dialect: "postgres",
        url: test_db.url.clone(),
    });
}

#[test]
fn mysql_revert_newest_to_first_and_all_then_migrate_again() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(test_db) = rt.block_on(tests::mysql::TestDb::create("revert")) else {
        return;
    };
    history_story(&Db {
        dialect: "mysql",
        url: test_db.url.clone(),
    });
}

/// A project with three applied migrations and their downs, and the schema they built.
fn applied(db: &Db) -> (Project, Vec<String>, Schema) {
    let (p, tags, _) = project(db, 3);
    migrate(&p, db);
    (p, tags, db.schema())
}

fn down_of(p: &Project, tag: &str) -> PathBuf {
    p.migrations().join(format!("{tag}.down.sql"))
}
