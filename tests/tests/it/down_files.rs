//! Down files: `generate` writes `<tag>.down.sql` beside every migration; sqlx's own `Migrator`
//! runs exactly the up files (`run`) and our downs (`undo`); after up then down the catalog is
//! the previous snapshot's, on each dialect.

use migrate_cli::backend::sqlite::introspect::introspect;
use migrate_cli::backend::{self, Connected};
use migrate_cli::config::Dialect;
use migrate_cli::database::{Target, UrlSource};
use schema_core::model::Schema;
use schema_core::snapshot::Snapshot;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Connection, SqliteConnection};
use std::fs;
use std::path::Path;
use tests::project::{Project, Run, NOW};

mod comments;
mod folder;
mod mysql;
mod postgres;
mod sqlite;

const SQLITE: &str = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";
const MYSQL: &str = "dialect = \"mysql\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";

pub fn text(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// A project of `config` whose history is one migration per schema of `versions`, each
/// generated ten seconds after the one before; returns the tags, oldest first.
pub fn history(config: &str, versions: &[&str], extra: &[&str]) -> (Project, Vec<String>) {
    let p = Project::new(versions[0]);
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    for (i, schema) in versions.iter().enumerate() {
        p.set_schema(schema);
        let name = format!("v{}", i + 1);
        let mut args = vec!["generate", "--name", name.as_str()];
        args.extend(extra);
        let run = p.run(&args, NOW + 10 * i as u64);
        assert_eq!(run.code, 0, "{}", text(&run));
    }
    let tags = p.journal().entries.iter().map(|e| e.tag.clone()).collect();
    (p, tags)
}

/// The schema of `tag`'s snapshot (the empty schema for `None`).
pub fn snapshot(p: &Project, tag: Option<&str>) -> Schema {
    let Some(tag) = tag else {
        return Schema::default();
    };
    let path = p
        .migrations()
        .join("meta")
        .join(format!("{}_snapshot.json", &tag[..14]));
    Snapshot::parse(&fs::read_to_string(path).expect("snapshot"))
        .expect("a snapshot")
        .schema
}

/// sqlx's checksum of `sql` as a simple (up-only) migration.
pub fn checksum(sql: &str) -> Vec<u8> {
    Migration::new(
        0,
        "".into(),
        MigrationType::Simple,
        sql.to_string().into(),
        false,
    )
    .checksum
    .into_owned()
}

pub fn version(tag: &str) -> i64 {
    tag[..14].parse().expect("a version")
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Each step of a SQLite history through sqlx's `Migrator` on a database file: `run` applies the
/// up files (checksums of the up files alone), the catalog is the newest snapshot's; then `undo`
/// to each earlier version down to the first `keep` migrations, in turn, the catalog being that
/// version's snapshot and the history table losing the reverted rows; then `run` again.
pub fn sqlite_round_trip(p: &Project, tags: &[String], keep: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("down.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let migrations = p.migrations();
    rt().block_on(async {
        let migrator = Migrator::new(migrations.as_path())
            .await
            .expect("sqlx reads the folder");
        let downs = migrator
            .iter()
            .filter(|m| m.migration_type.is_down_migration())
            .count();
        assert_eq!(downs, tags.len(), "sqlx reads one down per migration");
        let mut c = SqliteConnection::connect(&url).await.expect("open");
        migrator.run(&mut c).await.expect("sqlx runs the up files");
        recorded(&mut c, p, tags).await;
        same(
            &mut c,
            &snapshot(p, tags.last().map(String::as_str)),
            "after every up",
        )
        .await;
        for n in (keep..tags.len()).rev() {
            let target = n.checked_sub(1).map_or(0, |i| version(&tags[i]));
            migrator
                .undo(&mut c, target)
                .await
                .unwrap_or_else(|e| panic!("undo {}: {e}", tags[n]));
            let previous = n.checked_sub(1).map(|i| tags[i].as_str());
            same(
                &mut c,
                &snapshot(p, previous),
                &format!("after the down of {}", tags[n]),
            )
            .await;
            recorded(&mut c, p, &tags[..n]).await;
        }
        migrator
            .run(&mut c)
            .await
            .expect("sqlx runs the up files again");
        same(
            &mut c,
            &snapshot(p, tags.last().map(String::as_str)),
            "after up, down, up",
        )
        .await;
        c.close().await.expect("close");
    });
}

/// `_sqlx_migrations` holds exactly `tags`, each with the checksum of its up file alone.
async fn recorded(c: &mut SqliteConnection, p: &Project, tags: &[String]) {
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *c)
            .await
            .expect("history");
    let want: Vec<(i64, Vec<u8>)> = tags
        .iter()
        .map(|t| (version(t), checksum(&p.read(&format!("{t}.sql")))))
        .collect();
    assert_eq!(rows, want);
}

/// The live catalog is `want`'s (SQLite's own tables aside).
async fn same(c: &mut SqliteConnection, want: &Schema, when: &str) {
    let mut have = introspect(c).await.expect("introspect");
    have.tables.retain(|k, _| !k.ends_with("._sqlx_migrations"));
    let differences = migrate_cli::introspect::compare(want, &have);
    assert!(differences.is_empty(), "{when}: {differences:#?}");
}

/// The files and the journal of `generate`: a down per migration, listed with `"down": true`.
pub fn assert_downs_written(p: &Project, tags: &[String]) {
    let journal = fs::read_to_string(p.migrations().join("meta/_journal.json")).expect("journal");
    assert_eq!(
        journal.matches("\"down\": true").count(),
        tags.len(),
        "{journal}"
    );
    for tag in tags {
        assert!(
            Path::new(&p.migrations().join(format!("{tag}.down.sql"))).is_file(),
            "{tag}"
        );
    }
}

/// A migration file as sqlx reads it, under a version of its own.
fn migration(version: i64, sql: String) -> Migration {
    let no_tx = sql.starts_with("-- no-transaction");
    Migration::new(
        version,
        "step".into(),
        MigrationType::Simple,
        sql.into(),
        no_tx,
    )
}

/// Runs each migration of `p` through migrate-cli's backend on the empty database at `url`,
/// as `migrate` would: up, compare with its snapshot; down, compare with the previous one; up
/// again, compare again. Returns each difference, named by step.
pub async fn up_down_up(dialect: Dialect, url: &str, p: &Project, tags: &[String]) -> Vec<String> {
    let target = Target {
        url: url.to_string(),
        source: UrlSource::Env,
        base: p.path().to_path_buf(),
    };
    let mut conn = backend::connect(&target, dialect).await.expect("connect");
    conn.ensure_history().await.expect("the history table");
    let mut out = Vec::new();
    let mut version = 0;
    for (n, tag) in tags.iter().enumerate() {
        let previous = snapshot(p, n.checked_sub(1).map(|i| tags[i].as_str()));
        let own = snapshot(p, Some(tag));
        let up = p.read(&format!("{tag}.sql"));
        let down = p.read(&format!("{tag}.down.sql"));
        for (what, sql, want) in [
            ("up", &up, &own),
            ("down", &down, &previous),
            ("up again", &up, &own),
        ] {
            version += 1;
            if let Err((line, e)) = conn.replay_step(&migration(version, sql.clone())).await {
                panic!("{what} of {tag} failed at line {line:?}: {e}\n{sql}");
            }
            out.extend(
                differences(&mut conn, want)
                    .await
                    .into_iter()
                    .map(|d| format!("after the {what} of {tag}: {d}")),
            );
        }
    }
    conn.close().await;
    out
}

/// The differences between the live schema and `want`.
async fn differences(conn: &mut Connected, want: &Schema) -> Vec<String> {
    let have = conn.introspect().await.expect("introspect");
    migrate_cli::introspect::judge::compare(conn, want, &have)
        .await
        .differences
}
