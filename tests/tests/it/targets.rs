//! Named targets (`[targets.<name>]` in `migrate.toml`, `--target <name>`) on real SQLite,
//! PostgreSQL and MariaDB: every database command takes one, `--url` with it is refused, an
//! unset `url_env` is named, a password in the config is a `check` warning, a protected target
//! is never migrated or reverted silently, and a fleet (`url_file`) is migrated database by
//! database.

use migrate_cli::prompt::ScriptedPrompt;
use migrate_cli::Env;
use std::collections::BTreeMap;
use std::fs;
use std::time::{Duration, UNIX_EPOCH};
use tests::project::{run_cli_in, Project, Run, NOW};

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
}
"#;

fn assert_has(run: &Run, code: u8, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    let text = run.text();
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

/// A project of `dialect` with one generated migration and `targets` appended to its config.
fn project(dialect: &str, targets: &str) -> Project {
    let p = Project::new(ACCOUNTS);
    let config = format!(
        "dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n{targets}"
    );
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    assert_has(&p.run(&["generate"], NOW), 0, &["accounts"]);
    p
}

/// Runs `args` in `p` with `env` as the environment, answering with `prompt` (none: no
/// terminal).
fn run(
    p: &Project,
    args: &[&str],
    env: &[(&str, &str)],
    prompt: Option<&mut ScriptedPrompt>,
) -> Run {
    let vars: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let now = UNIX_EPOCH + Duration::from_secs(NOW + 10);
    run_cli_in(p.path(), args, now, prompt, Env::Fixed(vars))
}

/// The versions `status --format json` calls applied.
fn applied(p: &Project, target: &str, env: &[(&str, &str)]) -> usize {
    let run = run(
        p,
        &["status", "--target", target, "--format", "json"],
        env,
        None,
    );
    assert_eq!(run.code, 0, "{run:#?}");
    let json = run.json();
    let list = json["migrations"].as_array().expect("migrations");
    list.iter().filter(|m| m["state"] == "applied").count()
}

/// migrate, status, check, verify and revert through `--target`, with the URL where the target
/// says (`url_env` here: the variable is given to the run, never to the process).
fn every_command_takes_a_target(dialect: &str, url: &str) {
    let p = project(
        dialect,
        "[targets.staging]\nurl_env = \"STAGING_DATABASE_URL\"\n",
    );
    let env = [("STAGING_DATABASE_URL", url)];
    assert_has(
        &run(&p, &["migrate", "--target", "staging"], &env, None),
        0,
        &["applied 1 migration(s)"],
    );
    assert_eq!(applied(&p, "staging", &env), 1);
    assert_has(
        &run(&p, &["status", "--target", "staging"], &env, None),
        0,
        &["1 migration: 1 applied"],
    );
    assert_has(
        &run(&p, &["check", "--target", "staging"], &env, None),
        0,
        &["check passed"],
    );
    assert_has(
        &run(&p, &["verify", "--target", "staging"], &env, None),
        0,
        &[],
    );
    assert_has(
        &run(&p, &["revert", "--target", "staging", "--yes"], &env, None),
        0,
        &["reverted 1 migration(s)"],
    );
    assert_eq!(applied(&p, "staging", &env), 0);
}

#[test]
fn postgres_every_command_takes_a_target() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("targets")) else {
        return;
    };
    every_command_takes_a_target("postgres", &db.url);
}

#[test]
fn mysql_every_command_takes_a_target() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("targets")) else {
        return;
    };
    every_command_takes_a_target("mysql", &db.url);
}

#[test]
fn sqlite_every_command_takes_a_target_whose_url_is_beside_the_config() {
    let p = project(
        "sqlite",
        "[targets.local]\nurl = \"sqlite://local.db?mode=rwc\"\n",
    );
    assert_has(
        &run(&p, &["migrate", "--target", "local"], &[], None),
        0,
        &["applied 1"],
    );
    // The relative path is the config's directory's, wherever the command runs.
    assert!(p.path().join("local.db").exists());
    assert_eq!(applied(&p, "local", &[]), 1);
    assert_has(
        &run(&p, &["check", "--target", "local"], &[], None),
        0,
        &["check passed"],
    );
    assert_has(
        &run(&p, &["verify", "--target", "local"], &[], None),
        0,
        &["verify does not use --url or --target on sqlite"],
    );
    assert_has(
        &run(&p, &["revert", "--target", "local", "--yes"], &[], None),
        0,
        &["reverted 1"],
    );
    assert_eq!(applied(&p, "local", &[]), 0);
}

#[test]
fn url_and_target_together_are_a_usage_error() {
    let p = project(
        "sqlite",
        "[targets.local]\nurl = \"sqlite://local.db?mode=rwc\"\n",
    );
    for command in [
        "migrate", "status", "check", "verify", "revert", "repair", "drop", "generate",
    ] {
        let args = [command, "--target", "local", "--url", "sqlite://other.db"];
        let run = run(&p, &args, &[], None);
        assert_has(
            &run,
            2,
            &["--target <NAME>", "cannot be used with", "--url <URL>"],
        );
    }
    assert!(!p.path().join("local.db").exists());
    assert!(!p.path().join("other.db").exists());
}

#[test]
fn an_unset_url_env_names_the_variable_to_export() {
    let p = project(
        "postgres",
        "[targets.production]\nurl_env = \"PRODUCTION_DATABASE_URL\"\n",
    );
    for command in ["migrate", "status", "check", "verify", "revert"] {
        let run = run(&p, &[command, "--target", "production"], &[], None);
        assert_has(
            &run,
            1,
            &[
                "target production takes its url from the environment variable PRODUCTION_DATABASE_URL (url_env in migrate.toml), which is not set",
                "export PRODUCTION_DATABASE_URL=",
            ],
        );
    }
}

#[test]
fn unknown_targets_and_missing_url_files_are_named() {
    let p = project("sqlite", "[targets.staging]\nurl_file = \"staging.txt\"\n");
    assert_has(
        &run(&p, &["status", "--target", "prod"], &[], None),
        1,
        &["no target prod in migrate.toml: its targets are staging; add a [targets.prod] table"],
    );
    assert_has(
        &run(&p, &["status", "--target", "staging"], &[], None),
        1,
        &["cannot read staging.txt, the url_file of target staging in migrate.toml"],
    );
    fs::write(p.path().join("staging.txt"), "# none yet\n\n").expect("url file");
    assert_has(
        &run(&p, &["migrate", "--target", "staging"], &[], None),
        1,
        &["it lists no url"],
    );
}

#[test]
fn a_bad_target_table_is_refused_naming_the_config_and_key() {
    let p = Project::new(ACCOUNTS);
    let config = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\n\
                  [targets.production]\nurl = \"sqlite://p.db\"\nlock_timeout = \"soon\"\n";
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    assert_has(
        &run(&p, &["status", "--target", "production"], &[], None),
        1,
        &["migrate.toml:5:16: targets.production.lock_timeout: \"soon\" is not a duration"],
    );
}

/// `url` with `password` in its user-info (PostgreSQL's `trust` lets any password in).
fn with_password(url: &str, password: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((user, host)) if !user.contains(':') => {
                format!("{scheme}://{user}:{password}@{host}")
            }
            _ => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[test]
fn check_warns_of_a_password_in_the_config() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("targets_secret")) else {
        return;
    };
    let url = with_password(&db.url, "hunter2");
    let p = project(
        "postgres",
        &format!(
            "database_url = \"{url}\"\n[targets.production]\nurl = \"{url}\"\n\
             [targets.staging]\nurl_env = \"STAGING_DATABASE_URL\"\n"
        ),
    );
    assert_has(
        &run(&p, &["migrate", "--target", "production"], &[], None),
        0,
        &["applied 1"],
    );
    let warned = run(&p, &["check"], &[], None);
    assert_has(
        &warned,
        0,
        &[
            "warning: secret-in-config: migrate.toml: database_url holds a password",
            "warning: secret-in-config: migrate.toml: [targets.production] url holds a password",
            "replace it with url_env = \"PRODUCTION_DATABASE_URL\"",
            "check passed",
        ],
    );
    let denied = run(
        &p,
        &["check", "--target", "production", "--deny", "warnings"],
        &[],
        None,
    );
    assert_has(
        &denied,
        1,
        &["secret-in-config: migrate.toml: [targets.production] url"],
    );
    for run in [&warned, &denied] {
        let text = run.text();
        assert!(!text.contains("staging] url holds"), "{text}");
        if url != db.url {
            assert!(!text.contains("hunter2"), "{text}");
        }
    }
}

/// The rows of `_sqlx_migrations` on a PostgreSQL database (none when the table is missing).
fn pg_rows(rt: &tokio::runtime::Runtime, db: &tests::pg::TestDb) -> i64 {
    rt.block_on(async {
        let exists: Option<String> =
            sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
                .fetch_one(&db.pool)
                .await
                .expect("regclass");
        match exists {
            None => 0,
            Some(_) => sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
                .fetch_one(&db.pool)
                .await
                .expect("count"),
        }
    })
}

#[test]
fn a_protected_target_is_never_migrated_or_reverted_silently() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("targets_protected")) else {
        return;
    };
    let p = project(
        "postgres",
        "[targets.production]\nurl_env = \"PRODUCTION_DATABASE_URL\"\nprotected = true\n",
    );
    let env = [("PRODUCTION_DATABASE_URL", db.url.as_str())];
    let migrate = ["migrate", "--target", "production"];

    // The plan names the target and says the batch would run in one transaction.
    let plan = run(&p, &["plan", "--target", "production"], &env, None);
    assert_has(
        &plan,
        0,
        &[
            "(target production)",
            "(runs in the one transaction of the whole batch (--atomic))",
            "it will apply the 1 migration(s) in one transaction",
        ],
    );

    // No terminal, no --yes: the listing, then exit 1 with nothing applied.
    let refused = run(&p, &migrate, &env, None);
    assert_has(
        &refused,
        1,
        &[
            "CREATE TABLE",
            "\"accounts\"",
            "target production is protected: the 1 pending migration(s) run in one transaction (--atomic)",
            "(would run in the one transaction of the whole batch (--atomic))",
            "target production is protected and there is no terminal to type its name on: pass --yes",
            "nothing was applied",
        ],
    );
    assert_eq!(pg_rows(&rt, &db), 0, "{refused:#?}");

    // The wrong name typed: refused.
    let mut wrong = ScriptedPrompt {
        typed: vec!["staging".to_string()],
        ..ScriptedPrompt::default()
    };
    let typo = run(&p, &migrate, &env, Some(&mut wrong));
    assert_has(
        &typo,
        1,
        &["\"staging\" is not the name of target production: nothing was applied"],
    );
    assert_eq!(wrong.asked.len(), 1);
    assert!(
        wrong.asked[0].0.contains("type its name to migrate it"),
        "{:?}",
        wrong.asked
    );
    assert_eq!(pg_rows(&rt, &db), 0);

    // Cancelled (no answer): refused.
    let mut none = ScriptedPrompt::default();
    assert_has(
        &run(&p, &migrate, &env, Some(&mut none)),
        1,
        &["cancelled: nothing was applied"],
    );
    assert_eq!(pg_rows(&rt, &db), 0);

    // The right name: applied.
    let mut right = ScriptedPrompt {
        typed: vec!["production".to_string()],
        ..ScriptedPrompt::default()
    };
    assert_has(
        &run(&p, &migrate, &env, Some(&mut right)),
        0,
        &["applied 1 migration(s)"],
    );
    assert_eq!(pg_rows(&rt, &db), 1);

    // Up to date: nothing to confirm.
    assert_has(&run(&p, &migrate, &env, None), 0, &["nothing to apply"]);

    // revert: the same rule, exit 1 without a terminal.
    let revert = ["revert", "--target", "production"];
    let refused = run(&p, &revert, &env, None);
    assert_has(
        &refused,
        1,
        &[
            "to revert on",
            "target production is protected",
            "nothing was reverted",
        ],
    );
    assert_eq!(pg_rows(&rt, &db), 1);
    let mut wrong = ScriptedPrompt {
        typed: vec!["prod".to_string()],
        ..ScriptedPrompt::default()
    };
    assert_has(
        &run(&p, &revert, &env, Some(&mut wrong)),
        1,
        &["nothing was reverted"],
    );
    assert_eq!(pg_rows(&rt, &db), 1);
    let mut right = ScriptedPrompt {
        typed: vec!["production".to_string()],
        ..ScriptedPrompt::default()
    };
    assert_has(
        &run(&p, &revert, &env, Some(&mut right)),
        0,
        &["reverted 1 migration(s)"],
    );
    assert_eq!(pg_rows(&rt, &db), 0);

    // --yes without a terminal: applied.
    let yes = ["migrate", "--target", "production", "--yes"];
    assert_has(&run(&p, &yes, &env, None), 0, &["applied 1 migration(s)"]);
    assert_eq!(pg_rows(&rt, &db), 1);
}

#[test]
fn a_fleet_is_migrated_database_by_database_and_one_failure_fails_the_run() {
    let p = project("sqlite", "[targets.tenants]\nurl_file = \"tenants.txt\"\n");
    // The second line is no SQLite url: that database fails, the others are migrated.
    fs::write(
        p.path().join("tenants.txt"),
        "# one database a tenant\nsqlite://a.db?mode=rwc\n\npostgres://nobody@127.0.0.1:1/b\nsqlite://c.db?mode=rwc\n",
    )
    .expect("url file");
    let migrate = run(&p, &["migrate", "--target", "tenants"], &[], None);
    assert_has(
        &migrate,
        1,
        &[
            "== sqlite://a.db?mode=rwc (target tenants (tenants.txt:2, url_file in",
            "target tenants: 3 databases: 2 applied, 1 failed",
            "  sqlite://a.db?mode=rwc: applied 1",
            "  postgres://nobody@127.0.0.1:1/b: failed: the database url from target tenants (tenants.txt:4",
            "  sqlite://c.db?mode=rwc: applied 1",
            "1 of 3 databases of target tenants failed",
        ],
    );
    assert!(p.path().join("a.db").exists() && p.path().join("c.db").exists());
    let status = run(&p, &["status", "--target", "tenants"], &[], None);
    assert_has(
        &status,
        1,
        &[
            "sqlite://a.db?mode=rwc: 1 applied, 0 pending, 0 failed; drift: none",
            "postgres://nobody@127.0.0.1:1/b: error:",
            "sqlite://c.db?mode=rwc: 1 applied, 0 pending, 0 failed; drift: none",
            "1 of 3 databases of target tenants could not be read",
        ],
    );
    // Fixed, a second run finishes the last database and leaves the others as they are.
    fs::write(
        p.path().join("tenants.txt"),
        "sqlite://a.db?mode=rwc\nsqlite://b.db?mode=rwc\nsqlite://c.db?mode=rwc\n",
    )
    .expect("url file");
    assert_has(
        &run(&p, &["migrate", "--target", "tenants"], &[], None),
        0,
        &[
            "  sqlite://a.db?mode=rwc: up to date",
            "  sqlite://b.db?mode=rwc: applied 1",
        ],
    );
    let json = run(
        &p,
        &["status", "--target", "tenants", "--format", "json"],
        &[],
        None,
    );
    assert_eq!(json.code, 0, "{json:#?}");
    let databases = json.json()["databases"]
        .as_array()
        .expect("databases")
        .clone();
    assert_eq!(databases.len(), 3);
    for database in &databases {
        assert_eq!(database["migrations"][0]["state"], "applied", "{database}");
    }
    // The other commands refuse a fleet, naming it (verify on SQLite replays on a file of its
    // own and uses no database).
    let repair = ["repair", "--checksum", "1", "--yes", "--target", "tenants"];
    for args in [
        &["check", "--target", "tenants"][..],
        &["revert", "--target", "tenants", "--yes"],
        &repair,
    ] {
        assert_has(
            &run(&p, args, &[], None),
            1,
            &[
                "target tenants is a fleet of 3 databases",
                "only migrate and status take a fleet",
            ],
        );
    }
}
