//! What `baseline` refuses, on SQLite, each with what to do and nothing written: an empty or
//! missing database, a reversible up file without its down, `--record-only` without a
//! baseline, a version too large for the next generated one to follow, a sqlx-cli file edited
//! after it was applied; and `drop` refuses the baseline.

use super::{assert_has, project};
use sqlx::migrate::Migrator;
use std::fs;
use tests::project::NOW;

#[test]
fn baseline_refuses_with_what_to_do() {
    let dir = tempfile::tempdir().expect("dir");
    let path = |name: &str| dir.path().join(name);
    let url = |name: &str| format!("sqlite://{}?mode=rwc", path(name).display());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let exec = |name: &str, sql: &str| {
        let pool = rt
            .block_on(sqlx::SqlitePool::connect(&url(name)))
            .expect("pool");
        rt.block_on(sqlx::raw_sql(sql).execute(&pool))
            .expect("sql by hand");
        rt.block_on(pool.close());
    };
    let p = project("sqlite", "");
    let none = format!("sqlite://{}", path("none.db").display());
    assert_has(
        &p.run(&["baseline", "--url", &none], NOW),
        1,
        &["does not exist"],
    );
    exec("empty.db", "PRAGMA user_version = 1");
    let run = p.run(&["baseline", "--url", &url("empty.db")], NOW);
    assert_has(
        &run,
        1,
        &["has no tables", "run generate instead; nothing was written"],
    );
    let run = p.run(
        &["baseline", "--record-only", "--url", &url("empty.db")],
        NOW,
    );
    assert_has(
        &run,
        1,
        &[
            "has no baseline",
            "run `migrate-cli baseline --url URL` first",
        ],
    );
    assert!(!p.migrations().exists());

    // A reversible up file without its down.
    fs::create_dir_all(p.migrations()).expect("dir");
    fs::write(
        p.migrations().join("1_users.up.sql"),
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
    )
    .expect("up");
    let run = p.run(&["baseline"], NOW);
    assert_has(
        &run,
        1,
        &[
            "migrations/1_users.up.sql has no down file migrations/1_users.down.sql",
            "nothing was written",
        ],
    );
    fs::write(
        p.migrations().join("1_users.down.sql"),
        "DROP TABLE users;\n",
    )
    .expect("down");

    // An integer version a generated `YYYYMMDDHHMMSS` one would not follow.
    let late = project("sqlite", "");
    fs::create_dir_all(late.migrations()).expect("dir");
    fs::write(
        late.migrations().join("99999999999999_big.sql"),
        "CREATE TABLE big (id INTEGER PRIMARY KEY);\n",
    )
    .expect("file");
    let run = late.run(&["baseline"], NOW);
    assert_has(&run, 1, &["migrations/99999999999999_big.sql has version 99999999999999, which a migration generated now (20261118110640) would not follow"]);
    assert!(!late.migrations().join("meta").exists());

    // A file edited after sqlx applied it.
    let pool = rt
        .block_on(sqlx::SqlitePool::connect(&url("app.db")))
        .expect("pool");
    let migrator = rt
        .block_on(Migrator::new(p.migrations()))
        .expect("sqlx reads the folder");
    rt.block_on(migrator.run(&pool)).expect("sqlx applies");
    fs::write(
        p.migrations().join("1_users.up.sql"),
        "-- edited\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n",
    )
    .expect("edit");
    let run = p.run(&["baseline", "--url", &url("app.db")], NOW);
    assert_has(
        &run,
        1,
        &[
            "records migration 1",
            "with a checksum other than its file's",
            "nothing was written",
        ],
    );
    assert!(!p.migrations().join("meta").exists());

    // drop refuses the baseline it would otherwise remove.
    let q = project("sqlite", "");
    exec(
        "live.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    );
    assert_has(
        &q.run(&["baseline", "--url", &url("live.db")], NOW),
        0,
        &["recorded"],
    );
    let run = q.run(&["drop", "--yes"], NOW + 5);
    assert_has(
        &run,
        1,
        &["refusing to drop 20261118110640_baseline: it is the baseline"],
    );
    assert!(q.migrations().join("20261118110640_baseline.sql").is_file());
}

/// `revert` never runs the baseline's down (it drops the schema that existed before the tool),
/// not even with `--to 0 --yes --allow-lint-errors`; `--record-only` refuses a baseline whose
/// file is missing instead of saying it is already recorded.
#[test]
fn revert_and_record_only_refuse_a_baseline() {
    let dir = tempfile::tempdir().expect("dir");
    let url = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pool = |name: &str| {
        rt.block_on(sqlx::SqlitePool::connect(&url(name)))
            .expect("pool")
    };
    let (live, same) = (pool("live.db"), pool("same.db"));
    let ddl = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);";
    for p in [&live, &same] {
        rt.block_on(sqlx::raw_sql(ddl).execute(p))
            .expect("sql by hand");
    }
    let rows = |p: &sqlx::SqlitePool| {
        rt.block_on(
            sqlx::query_as::<_, (i64,)>("SELECT version FROM _sqlx_migrations").fetch_all(p),
        )
        .map(|rows| rows.len())
        .unwrap_or(0)
    };
    let tables = |p: &sqlx::SqlitePool| {
        rt.block_on(
            sqlx::query_as::<_, (String,)>(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'notes'",
            )
            .fetch_all(p),
        )
        .expect("catalog")
        .len()
    };
    let q = project("sqlite", "");
    assert_has(
        &q.run(&["baseline", "--url", &url("live.db")], NOW),
        0,
        &["recorded"],
    );
    let live_url = url("live.db");
    for to in [&["--to", "0"][..], &[]] {
        let mut args = vec!["revert", "--url", &live_url, "--yes", "--allow-lint-errors"];
        args.extend_from_slice(to);
        let run = q.run(&args, NOW + 5);
        assert_has(
            &run,
            1,
            &[
                "migrations/20261118110640_baseline.sql is the baseline",
                "roll forward instead",
            ],
        );
        assert_eq!(tables(&live), 1, "the baseline's down ran: {run:#?}");
        assert_eq!(rows(&live), 1, "{run:#?}");
    }
    assert!(q
        .migrations()
        .join("20261118110640_baseline.down.sql")
        .is_file());

    // The baseline's file is gone: nothing can be recorded from it.
    fs::remove_file(q.migrations().join("20261118110640_baseline.sql")).expect("remove");
    let run = q.run(
        &["baseline", "--record-only", "--url", &url("same.db")],
        NOW + 10,
    );
    assert_has(
        &run,
        1,
        &[
            "migrations/20261118110640_baseline.sql",
            "nothing was recorded",
        ],
    );
    assert!(!run.text().contains("already recorded"), "{run:#?}");
    assert_eq!(rows(&same), 0);
}
