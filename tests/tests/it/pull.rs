//! Issue 14, `pull`: on PostgreSQL, SQLite and MariaDB, a database built with hand-written DDL
//! (`pull/*.sql`: ten tables and more, a composite key, enums, partial, unique and expression
//! indexes, checks, cascading and restricting foreign keys, identities, defaults, names such as
//! "user", "order" and "createdAt", and what the language cannot say: a trigger, an exclusion
//! constraint) is pulled into Rust sources by the CLI; then
//! - `generate`, with the database's `baseline` as its history, says `no changes`;
//! - the sources of all three compile with the derives (`cargo check`, one throwaway crate);
//! - a second `pull` refuses to overwrite them, naming the file, and `--force` overwrites.

mod left_out;

use migrate_cli::config::Dialect;
use std::fs;
use std::path::{Path, PathBuf};
use tests::project::{run_cli, Run, NOW};

const POSTGRES_DDL: &str = include_str!("pull/postgres.sql");
const SQLITE_DDL: &str = include_str!("pull/sqlite.sql");
const MYSQL_DDL: &str = include_str!("pull/mysql.sql");

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}:\n{}", run.text());
}

/// A project folder whose config says `dialect`, with no schema files yet.
fn project(dialect: Dialect) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(dir.path().join("migrate.toml"), config).expect("config");
    dir
}

fn at(secs: u64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)
}

/// Runs `pull --url URL` in `dir`.
fn pull(dir: &Path, url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["pull", "--url", url];
    args.extend_from_slice(extra);
    run_cli(dir, &args, at(NOW), None)
}

/// Pulls `url` into a new project and checks what it says it left out; gives the project.
fn pulled(dialect: Dialect, url: &str, left_out: &[&str]) -> tempfile::TempDir {
    let dir = project(dialect);
    let run = pull(dir.path(), url, &[]);
    ok(&run, &format!("{dialect} pull"));
    for l in left_out {
        assert!(
            run.stdout.contains(l),
            "{dialect}: `{l}` is not listed as left out:\n{}",
            run.text()
        );
    }
    assert!(
        !run.stdout.contains("generate would write it as a change"),
        "{dialect}: pull says its sources do not give the database back:\n{}",
        run.text()
    );
    dir
}

/// [`pulled`], then makes the database the project's history with `baseline --url` and checks
/// that `generate` says `no changes`; gives the project.
fn pull_round_trips(dialect: Dialect, url: &str, left_out: &[&str]) -> tempfile::TempDir {
    let dir = pulled(dialect, url, left_out);
    let baseline = run_cli(dir.path(), &["baseline", "--url", url], at(NOW + 5), None);
    ok(&baseline, &format!("{dialect} baseline"));
    let generate = run_cli(dir.path(), &["generate", "--dry-run"], at(NOW + 10), None);
    let sources = pulled_text(&dir.path().join("src/schema"));
    assert_eq!(
        generate.code,
        0,
        "{dialect} generate:\n{}\n{sources}",
        generate.text()
    );
    assert!(
        generate.stdout.contains("no changes"),
        "{dialect}: generate on the pulled sources and the baseline of the database is not `no changes`:\n{}\n{sources}",
        generate.text()
    );
    dir
}

/// Every pulled file, for failure messages.
fn pulled_text(dir: &Path) -> String {
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("pulled")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            format!(
                "== {}\n{}",
                f.display(),
                fs::read_to_string(f).unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn pull_postgres_round_trips_to_no_changes() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let make = |label| rt.block_on(tests::pg::TestDb::create(label));
    let Some(db) = make("pull_pg") else {
        return;
    };
    // The fixture's serial table (`counter`) takes part: its sequence is a declared one.
    rt.block_on(db.apply(POSTGRES_DDL)).expect("ddl");
    let dir = pull_round_trips(
        Dialect::Postgres,
        &db.url,
        &[
            "trigger `note_touch` on table `public.note`",
            "exclusion constraint `booking_during_excl` on table `public.booking`",
            "UNLOGGED of table `public.cache`",
        ],
    );
    let user = fs::read_to_string(dir.path().join("src/schema/user.rs")).expect("user.rs");
    assert!(
        user.contains("#[table(name = \"user\")]\npub struct User")
            || user.contains("pub struct User {"),
        "{user}"
    );
    assert!(user.contains("#[column(name = \"createdAt\", default_sql = \"now()\")]\n    pub created_at: chrono::DateTime<chrono::Utc>,"), "{user}");

    // A second pull refuses to overwrite, naming the file; --force overwrites.
    let again = pull(dir.path(), &db.url, &[]);
    assert_eq!(again.code, 1, "{}", again.text());
    assert!(
        again
            .stderr
            .contains("src/schema/audit_event.rs already exists")
            && again.stderr.contains("--force"),
        "{}",
        again.text()
    );
    let forced = pull(dir.path(), &db.url, &["--force"]);
    ok(&forced, "pull --force");
    assert_eq!(
        fs::read_to_string(dir.path().join("src/schema/user.rs")).expect("user.rs"),
        user,
        "deterministic"
    );
}

#[test]
fn pull_sqlite_round_trips_to_no_changes() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = sqlite_db(&rt, tmp.path());
    pull_round_trips(
        Dialect::Sqlite,
        &url,
        &[
            "trigger `order_touch` on table `order`",
            "WITHOUT ROWID of table `kv`",
            "STRICT of table `kv`",
        ],
    );
}

#[test]
fn pull_mysql_round_trips_to_no_changes() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("pull_my")) else {
        return;
    };
    rt.block_on(db.execute(MYSQL_DDL)).expect("ddl");
    pull_round_trips(
        Dialect::Mysql,
        &db.url,
        &["trigger `order_touch` on table `order`"],
    );
}

/// A SQLite file in `dir` built from the DDL; its URL.
fn sqlite_db(rt: &tokio::runtime::Runtime, dir: &Path) -> String {
    use sqlx::{Connection, Executor};
    let url = format!("sqlite://{}?mode=rwc", dir.join("pulled.db").display());
    rt.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&url).await?;
        conn.execute(SQLITE_DDL).await?;
        conn.close().await
    })
    .expect("sqlite ddl");
    url
}

/// The sources pulled from all three databases compile with the derives: one crate with a
/// module per dialect, checked offline with a target folder shared by every run, so the
/// dependencies build once.
#[test]
fn pulled_sources_of_every_dialect_compile() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let krate = tempfile::tempdir().expect("temp dir");
    let src = krate.path().join("src");
    let mut modules = Vec::new();
    let sqlite_dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = sqlite_db(&rt, sqlite_dir.path());
    let pg = rt.block_on(tests::pg::TestDb::create("pull_pg_check"));
    if let Some(db) = &pg {
        rt.block_on(db.apply(POSTGRES_DDL)).expect("ddl");
    }
    let my = rt.block_on(tests::mysql::TestDb::create("pull_my_check"));
    if let Some(db) = &my {
        rt.block_on(db.execute(MYSQL_DDL)).expect("ddl");
    }
    let urls = [
        (Dialect::Postgres, pg.as_ref().map(|d| d.url.clone())),
        (Dialect::Sqlite, Some(sqlite_url)),
        (Dialect::Mysql, my.as_ref().map(|d| d.url.clone())),
    ];
    for (dialect, url) in urls {
        let Some(url) = url else { continue };
        let dir = project(dialect);
        let out = src.join(dialect.as_str());
        let run = pull(
            dir.path(),
            &url,
            &["--out", out.to_str().expect("utf-8 path")],
        );
        ok(&run, &format!("{dialect} pull"));
        modules.push(dialect.as_str());
    }
    cargo_check(krate.path(), &modules);
}

/// `cargo check`s the crate at `dir` whose `src/<module>/` folders hold pulled sources.
fn cargo_check(dir: &Path, modules: &[&str]) {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace");
    let lib: String = modules.iter().map(|m| format!("pub mod {m};\n")).collect();
    fs::write(
        dir.join("src/lib.rs"),
        format!("#![allow(dead_code)]\n{lib}"),
    )
    .expect("lib.rs");
    // uuid and rust_decimal are not in the workspace's lock file: stand-ins with their paths.
    for (name, item) in [("uuid", "Uuid"), ("rust_decimal", "Decimal")] {
        let stub = dir.join("stubs").join(name);
        fs::create_dir_all(stub.join("src")).expect("stub");
        fs::write(
            stub.join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n"),
        )
        .expect("stub toml");
        fs::write(stub.join("src/lib.rs"), format!("pub struct {item};\n")).expect("stub lib");
    }
    let path = |p: &str| workspace.join(p).display().to_string();
    let manifest = format!(
        "[package]\nname = \"pulled\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\nschema-core = {{ path = {:?} }}\nschema-macros = {{ path = {:?} }}\nchrono = {{ version = \"0.4\", default-features = false, features = [\"std\"] }}\nserde_json = \"1\"\nuuid = {{ path = \"stubs/uuid\" }}\nrust_decimal = {{ path = \"stubs/rust_decimal\" }}\n",
        path("schema-core"),
        path("schema-macros"),
    );
    fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
    fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"))
        .join("pull-check");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--message-format", "short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo check");
    assert!(
        output.status.success(),
        "cargo check of the pulled sources failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        modules
            .iter()
            .map(|m| pulled_text(&dir.join("src").join(m)))
            .collect::<String>()
    );
}

/// `ignore_tables` keeps a table out of the sources, with what is on it (its trigger); a
/// foreign key that references it is left out and said so.
#[test]
fn pull_leaves_out_the_tables_the_config_ignores() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = sqlite_db(&rt, tmp.path());
    let dir = project(Dialect::Sqlite);
    let config = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\nignore_tables = [\"order\"]\n";
    fs::write(dir.path().join("migrate.toml"), config).expect("config");
    let run = pull(dir.path(), &url, &[]);
    ok(&run, "pull");
    assert!(
        !dir.path().join("src/schema/order.rs").exists(),
        "{}",
        run.text()
    );
    assert!(!run.stdout.contains("order_touch"), "{}", run.text());
    assert!(
        run.stdout.contains("foreign key `order_line_order_fk` on table `order_line`: the table it references, `order`, is not pulled"),
        "{}",
        run.text()
    );
}

/// `pull`, then `baseline` of the same database, then `generate`: the baseline replays on a
/// scratch database (a serial column's sequence, views, SQLite's declared types) and the
/// pulled sources are its snapshot (`no changes`). Gives the project.
fn pull_then_baseline(dialect: Dialect, url: &str) -> tempfile::TempDir {
    let dir = project(dialect);
    ok(&pull(dir.path(), url, &[]), &format!("{dialect} pull"));
    let baseline = run_cli(dir.path(), &["baseline", "--url", url], at(NOW), None);
    ok(&baseline, &format!("{dialect} baseline"));
    let generate = run_cli(dir.path(), &["generate", "--dry-run"], at(NOW + 10), None);
    let sources = pulled_text(&dir.path().join("src/schema"));
    assert!(
        generate.code == 0 && generate.stdout.contains("no changes"),
        "{dialect}: generate after pull and baseline is not `no changes`:\n{}\n{sources}",
        generate.text()
    );
    dir
}

#[test]
fn pull_and_baseline_postgres_agree() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("pull_base_pg")) else {
        return;
    };
    rt.block_on(db.apply(POSTGRES_DDL)).expect("ddl");
    let dir = pull_then_baseline(Dialect::Postgres, &db.url);
    let sequences =
        fs::read_to_string(dir.path().join("src/schema/sequences.rs")).expect("sequences.rs");
    assert!(
        sequences.contains("name = \"counter_id_seq\""),
        "{sequences}"
    );
    // A json column is a serde_json::Value, which decodes it; a view's enum column its DbEnum.
    let event = fs::read_to_string(dir.path().join("src/schema/audit_event.rs")).expect("event");
    assert!(
        event.contains(
            "#[column(sql_type = \"json\")]\n    pub payload: Option<serde_json::Value>,"
        ),
        "{event}"
    );
    let views = fs::read_to_string(dir.path().join("src/schema/views.rs")).expect("views.rs");
    assert!(views.contains("pub state: OrderState,"), "{views}");
}

#[test]
fn pull_and_baseline_sqlite_agree() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = sqlite_db(&rt, tmp.path());
    let dir = pull_then_baseline(Dialect::Sqlite, &url);
    // Declared types other than SQLite's own (INT, VARCHAR(255), BOOLEAN, ...) are typed.
    let legacy = fs::read_to_string(dir.path().join("src/schema/legacy.rs")).expect("legacy.rs");
    assert!(!legacy.contains("left out"), "{legacy}");
}

#[test]
fn pull_and_baseline_mysql_agree() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("pull_base_my")) else {
        return;
    };
    rt.block_on(db.execute(MYSQL_DDL)).expect("ddl");
    let dir = pull_then_baseline(Dialect::Mysql, &db.url);
    // The view reads the database it is created in: no name of the pulled one in its query.
    let database = &db.name;
    let views = fs::read_to_string(dir.path().join("src/schema/views.rs")).expect("views.rs");
    assert!(!views.contains(database), "{views}");
    let migrations: String = fs::read_dir(dir.path().join("migrations"))
        .expect("migrations")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
        .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert!(
        !migrations.contains(&format!("`{database}`")),
        "{migrations}"
    );
}

/// A column of a domain type (not in the model): `pull` lists it, and `baseline` refuses
/// before replaying anything, naming it, with nothing written.
#[test]
fn a_domain_column_is_listed_by_pull_and_refused_by_baseline() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("pull_domain")) else {
        return;
    };
    let ddl = "CREATE DOMAIN posint AS integer CHECK (VALUE > 0);\n\
               CREATE TABLE t (id bigint PRIMARY KEY, n posint);";
    rt.block_on(db.apply(ddl)).expect("ddl");
    let dir = project(Dialect::Postgres);
    let run = pull(dir.path(), &db.url, &[]);
    ok(&run, "pull");
    assert!(
        run.stdout
            .contains("column `public.t.n` of domain type `public.posint`"),
        "{}",
        run.text()
    );
    let baseline = run_cli(dir.path(), &["baseline", "--url", &db.url], at(NOW), None);
    assert_eq!(baseline.code, 1, "{}", baseline.text());
    assert!(
        baseline
            .stderr
            .contains("column `public.t.n` of domain type `public.posint`")
            && baseline.stderr.contains("nothing was written")
            && !baseline.stderr.contains("fix the file"),
        "{}",
        baseline.text()
    );
    assert!(!dir.path().join("migrations/meta").exists());
}

/// A table without a primary key, which `#[derive(Table)]` cannot declare, is left out of the
/// sources (they compile), named in `mod.rs` and in the output.
#[test]
fn a_table_without_a_primary_key_is_left_out() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("pull_nopk")) else {
        return;
    };
    let ddl =
        "CREATE TABLE t (id bigint PRIMARY KEY);\nCREATE TABLE log (at timestamptz, line text);";
    rt.block_on(db.apply(ddl)).expect("ddl");
    let dir = project(Dialect::Postgres);
    let run = pull(dir.path(), &db.url, &[]);
    ok(&run, "pull");
    assert!(
        !dir.path().join("src/schema/log.rs").exists(),
        "{}",
        run.text()
    );
    let module = fs::read_to_string(dir.path().join("src/schema/mod.rs")).expect("mod.rs");
    assert!(
        module.contains("// left out: table `public.log`: ") && module.contains("primary key"),
        "{module}"
    );
    assert!(run.stdout.contains("table `public.log`"), "{}", run.text());
    // baseline keeps it (the database's history) and says what it means for the sources.
    let baseline = run_cli(dir.path(), &["baseline", "--url", &db.url], at(NOW), None);
    ok(&baseline, "baseline");
    assert!(
        baseline
            .stdout
            .contains("note: table `log` has no primary key")
            && baseline.stdout.contains("ignore_tables"),
        "{}",
        baseline.text()
    );
}

/// The files' headers say no more than what wrote them (`import drizzle` writes them too), and
/// name a SQLite or MySQL table without a schema.
#[test]
fn pulled_headers_are_neutral_and_unqualified_without_schemas() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = sqlite_db(&rt, tmp.path());
    let dir = project(Dialect::Sqlite);
    ok(&pull(dir.path(), &url, &[]), "pull");
    let user = fs::read_to_string(dir.path().join("src/schema/user.rs")).expect("user.rs");
    assert!(
        user.starts_with("//! Table `user`, written by migrate-cli.\n"),
        "{user}"
    );
    let module = fs::read_to_string(dir.path().join("src/schema/mod.rs")).expect("mod.rs");
    assert!(!module.contains("pulled from the database"), "{module}");
}

/// The sequence of a serial column of a table in `ignore_tables` is ignored with it: no drift
/// after a baseline, no sequence in the baseline.
#[test]
fn an_ignored_tables_serial_sequence_is_ignored_with_it() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("pull_ignored_serial")) else {
        return;
    };
    let ddl =
        "CREATE TABLE t (id serial PRIMARY KEY);\nCREATE TABLE other (id bigserial PRIMARY KEY);";
    rt.block_on(db.apply(ddl)).expect("ddl");
    let dir = project(Dialect::Postgres);
    let config = "dialect = \"postgres\"\nschema = [\"src/schema\"]\nout = \"migrations\"\nignore_tables = [\"other\"]\n";
    fs::write(dir.path().join("migrate.toml"), config).expect("config");
    ok(&pull(dir.path(), &db.url, &[]), "pull");
    let sequences =
        fs::read_to_string(dir.path().join("src/schema/sequences.rs")).expect("sequences.rs");
    assert!(
        sequences.contains("\"t_id_seq\"") && !sequences.contains("other_id_seq"),
        "{sequences}"
    );
    let baseline = run_cli(dir.path(), &["baseline", "--url", &db.url], at(NOW), None);
    ok(&baseline, "baseline");
    let check = run_cli(dir.path(), &["check", "--url", &db.url], at(NOW + 10), None);
    ok(&check, "check --url");
    assert!(!check.text().contains("other_id_seq"), "{}", check.text());
}
