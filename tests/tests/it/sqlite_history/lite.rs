//! The test project: a SQLite project folder with its database file, `migrate-cli` run in
//! it, and the database read back row by row.

use migrate_cli::statements::BREAKPOINT;
use sqlx::migrate::Migrator;
use sqlx::{Connection, Executor, Row, SqliteConnection, TypeInfo, ValueRef};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
pub use tests::project::{Project, Run, NOW};

pub const CONFIG: &str = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

/// A SQLite project and its database file `app.db`.
pub struct Lite {
    pub project: Project,
    pub db: PathBuf,
    pub now: u64,
    pub rt: tokio::runtime::Runtime,
}

impl Lite {
    pub fn new(schema: &str) -> Lite {
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

    pub fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.db.display())
    }

    /// `generate` for `schema` (a minute after the last one), which must write exactly one
    /// migration: its file name.
    pub fn generate(&mut self, schema: &str, args: &[&str]) -> String {
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
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.project.migrations())
            .map(|d| d.filter_map(Result::ok).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| tests::project::is_up_name(n))
            .collect();
        names.sort();
        names
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let url = self.url();
        let argv: Vec<&str> = args.iter().copied().chain(["--url", &url]).collect();
        self.project.run(&argv, self.now)
    }

    /// `migrate`, lint errors allowed: these histories drop and retype on purpose.
    pub fn migrate(&self) -> Run {
        self.run(&["migrate", "--allow-lint-errors"])
    }

    /// Runs `sql` (several statements allowed) on a connection of its own, foreign keys on.
    pub fn exec(&self, sql: &str) {
        self.rt.block_on(async {
            let mut c = connect(&self.db).await;
            c.execute(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            c.close().await.expect("close");
        })
    }

    /// The rows of one query, each as its values joined by `|` (NULL as `NULL`), or the error.
    pub fn query(&self, sql: &str) -> Result<Vec<String>, String> {
        self.rt.block_on(async {
            let mut c = connect(&self.db).await;
            let rows = sqlx::query(sql).fetch_all(&mut c).await;
            c.close().await.expect("close");
            let rows = rows.map_err(|e| e.to_string())?;
            Ok(rows.iter().map(row_text).collect())
        })
    }

    pub fn rows(&self, sql: &str) -> Vec<String> {
        self.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Each table's row count (sqlite's own tables and sqlx's history left out).
    pub fn counts(&self) -> BTreeMap<String, String> {
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
    pub fn schema(&self) -> Vec<String> {
        self.rows("SELECT type, name, sql FROM sqlite_master WHERE name <> '_sqlx_migrations' ORDER BY type, name")
    }

    pub fn history(&self) -> Vec<String> {
        self.rows("SELECT version, description, success, hex(checksum) FROM _sqlx_migrations ORDER BY version")
    }

    /// `status --format json` as `version name state` lines.
    pub fn states(&self) -> Vec<String> {
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

pub async fn connect(db: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open the database")
}

pub fn row_text(row: &sqlx::sqlite::SqliteRow) -> String {
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

pub fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    for needle in needles {
        assert!(all.contains(needle), "{needle:?} missing from:\n{all}");
    }
}

/// `V1` after `edit` (which must apply).
pub fn edited(schema: &str, from: &str, to: &str) -> String {
    assert!(schema.contains(from), "{from:?} is not in the schema");
    schema.replacen(from, to, 1)
}

/// The 1-based line of the first line of `sql` that starts with `prefix`, and the number of
/// its statement (statements are separated by breakpoint lines).
pub fn locate(sql: &str, prefix: &str) -> (usize, usize) {
    let lines: Vec<&str> = sql.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?} in\n{sql}"));
    let statement = lines[..i].iter().filter(|l| l.trim() == BREAKPOINT).count() + 1;
    (i + 1, statement)
}

pub const ALL_ROWS: [&str; 3] = [
    "SELECT * FROM accounts ORDER BY id",
    "SELECT * FROM posts ORDER BY id",
    "SELECT * FROM badges ORDER BY id",
];

pub fn all_rows(lite: &Lite) -> Vec<Vec<String>> {
    ALL_ROWS.iter().map(|q| lite.rows(q)).collect()
}

/// sqlx's own `Migrator::run` with the project's folder on the database file `db`.
pub fn sqlx_run(lite: &Lite, db: &Path) -> Result<(), String> {
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

pub fn version(file: &str) -> &str {
    file.split('_').next().unwrap_or(file)
}
