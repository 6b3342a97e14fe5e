//! Lint on real diffs: each code fires on the change it is about, and stays quiet where the
//! change is safe (a NOT NULL column with a default; constraints and indexes on a table created
//! in the same migration); and `generate` writes the findings at the top of each file.
//!
//! With a database (`generate --url`, PostgreSQL and SQLite), the findings on a locking change
//! say the table's row count, and are errors above `large_table_rows`.

use schema_core::diff::{diff, hinted_renames};
use schema_core::lint::{self, Severity};
use std::fs;
use std::path::PathBuf;
use tests::pg::TestDb;
use tests::project::{Project, NOW};
use tests::source::schema;
use Severity::{Error, Warning};

/// (code, severity, object) of each finding from `before` to `after`, with the declared renames.
fn check(before: &str, after: &str) -> Vec<(&'static str, Severity, String)> {
    let (old, new) = (schema(before), schema(after));
    let changes = diff(&old, &new, &hinted_renames(&old, &new));
    lint::lint(&old, &new, &changes)
        .into_iter()
        .map(|f| (f.code, f.severity, f.object))
        .collect()
}

fn expect(before: &str, after: &str, expected: &[(&'static str, Severity, &str)]) {
    let expected: Vec<(&str, Severity, String)> = expected
        .iter()
        .map(|(c, s, o)| (*c, *s, o.to_string()))
        .collect();
    assert_eq!(
        check(before, after),
        expected,
        "\nbefore: {before}\nafter: {after}"
    );
}

const T: &str = r#"
#[derive(Table)] #[table(name = "t")]
struct T { #[column(primary_key)] id: i64, a: i32 }
"#;

const T_AND_U: &str = r#"
#[derive(Table)] #[table(name = "u")]
struct U { #[column(primary_key)] id: i64 }
#[derive(Table)] #[table(name = "t")]
struct T { #[column(primary_key)] id: i64, a: i32 }
"#;

#[test]
fn drops() {
    expect(T_AND_U, T, &[("drop-table", Error, "public.u")]);
    expect(
        T,
        r#"#[derive(Table)] #[table(name = "t")] struct T { #[column(primary_key)] id: i64 }"#,
        &[("drop-column", Error, "public.t.a")],
    );
    let audit = r#"
        #[derive(Table)] #[table(name = "events", schema = "audit")]
        struct E { #[column(primary_key)] id: i64 }
    "#;
    let both = format!("{T}{audit}");
    let found = check(&both, T);
    assert!(
        found.contains(&("drop-schema", Error, "audit".to_string())),
        "{found:?}"
    );
    assert!(
        found.contains(&("drop-table", Error, "audit.events".to_string())),
        "{found:?}"
    );
}

#[test]
fn enum_values() {
    let with = |values: &str| {
        format!(
            r#"#[derive(DbEnum)] enum State {{ {values} }}
            #[derive(Table)] #[table(name = "t")]
            struct T {{ #[column(primary_key)] id: i64, s: State }}"#
        )
    };
    expect(
        &with("Open, Stale, Closed"),
        &with("Open, Closed"),
        &[("drop-enum-value", Error, "public.state")],
    );
    // Added or reordered values lose nothing.
    expect(&with("Open, Closed"), &with("Draft, Open, Closed"), &[]);
    expect(&with("Open, Closed"), &with("Closed, Open"), &[]);
}

#[test]
fn added_columns() {
    let add = |field: &str| {
        format!(
            r#"#[derive(Table)] #[table(name = "t")]
            struct T {{ #[column(primary_key)] id: i64, a: i32, {field} }}"#
        )
    };
    expect(
        T,
        &add("b: String"),
        &[("add-not-null-without-default", Error, "public.t.b")],
    );
    expect(T, &add(r#"#[column(default = "x")] b: String"#), &[]);
    expect(
        T,
        &add(r#"#[column(default_sql = "now()")] b: String"#),
        &[],
    );
    expect(T, &add("b: Option<String>"), &[]);
    expect(T, &add("#[column(identity)] b: i64"), &[]);
}

#[test]
fn altered_columns() {
    let a = |ty: &str| {
        format!(
            r#"#[derive(Table)] #[table(name = "t")]
            struct T {{ #[column(primary_key)] id: i64, a: {ty} }}"#
        )
    };
    expect(
        &a("Option<i32>"),
        T,
        &[("set-not-null", Warning, "public.t.a")],
    );
    expect(T, &a("i64"), &[("type-change", Warning, "public.t.a")]);
    expect(T, &a("Option<i32>"), &[]);
}

#[test]
fn renames() {
    expect(
        T,
        r#"#[derive(Table)] #[table(name = "v", renamed_from = "t")]
        struct T { #[column(primary_key)] id: i64, a: i32 }"#,
        &[("rename-table", Warning, "public.v")],
    );
    expect(
        T,
        r#"#[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(renamed_from = "a")] b: i32 }"#,
        &[("rename-column", Warning, "public.t.b")],
    );
}

#[test]
fn constraints_on_an_existing_table() {
    let t = |attrs: &str, field: &str| {
        format!(
            r#"#[derive(Table)] #[table(name = "u")]
            struct U {{ #[column(primary_key)] id: i64 }}
            #[derive(Table)] #[table(name = "t")] {attrs}
            struct T {{ #[column(primary_key)] id: i64, {field} }}"#
        )
    };
    expect(
        T_AND_U,
        &t("", "#[column(unique)] a: i32"),
        &[("add-unique", Warning, "public.t")],
    );
    expect(
        T_AND_U,
        &t("#[index(columns(a), unique)]", "a: i32"),
        &[
            ("add-unique", Warning, "public.t"),
            ("index-without-concurrently", Warning, "public.t"),
        ],
    );
    expect(
        T_AND_U,
        &t("#[index(columns(a))]", "a: i32"),
        &[("index-without-concurrently", Warning, "public.t")],
    );
    expect(
        T_AND_U,
        &t("#[index(columns(a), concurrently)]", "a: i32"),
        &[],
    );
    expect(
        T_AND_U,
        &t("", "#[column(references = U::id)] a: i64"),
        &[
            ("type-change", Warning, "public.t.a"),
            ("add-foreign-key", Warning, "public.t"),
        ],
    );
    expect(
        T_AND_U,
        &t(r#"#[check(name = "t_a_check", expr = "a > 0")]"#, "a: i32"),
        &[("add-check", Warning, "public.t")],
    );
}

#[test]
fn nothing_on_a_table_created_in_the_same_migration() {
    let u = r#"#[derive(Table)] #[table(name = "u")] struct U { #[column(primary_key)] id: i64 }"#;
    let created = r#"
        #[derive(Table)] #[table(name = "u")] struct U { #[column(primary_key)] id: i64 }
        #[derive(Table)] #[table(name = "t")]
        #[index(columns(a))] #[index(columns(c), unique)] #[index(columns(b), concurrently)]
        #[check(name = "t_a_check", expr = "a > 0")]
        struct T {
            #[column(primary_key)] id: i64,
            #[column(unique)] a: i32,
            #[column(references = U::id)] b: i64,
            c: String,
        }
    "#;
    expect(u, created, &[]);
}

/// Runs `migrate-cli generate` in `p` at `now`, without a terminal: (exit code, stdout).
fn generate(p: &Project, now: u64) -> (u8, String) {
    let run = p.run(&["generate"], now);
    assert_eq!(run.stderr, "", "generate wrote to stderr");
    (run.code, run.stdout)
}

/// The migration SQL files, oldest first.
fn sql_files(p: &Project) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(p.migrations())
        .expect("migrations folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| tests::project::is_up_file(p))
        .collect();
    files.sort();
    files
}

#[test]
fn generate_writes_findings_at_the_top_of_each_file_and_prints_them() {
    let p = Project::new(
        r#"#[derive(Table)] #[table(name = "accounts")]
        pub struct Account { #[column(primary_key, identity)] pub id: i64, pub email: String }"#,
    );
    let (code, first) = generate(&p, NOW);
    assert_eq!(code, 0, "{first}");
    assert!(
        !first.contains("lint:"),
        "a new table has no findings:\n{first}"
    );
    let created = fs::read_to_string(&sql_files(&p)[0]).expect("first file");
    assert!(created.starts_with("CREATE TABLE"), "{created}");

    p.set_schema(
        r#"#[derive(Table)] #[table(name = "accounts")]
        #[index(columns(email), unique, concurrently)]
        pub struct Account {
            #[column(primary_key, identity)] pub id: i64,
            pub email: String,
            pub name: String,
        }"#,
    );
    let (code, stdout) = generate(&p, NOW + 10);
    assert_eq!(code, 0, "{stdout}");
    let files = sql_files(&p);
    assert_eq!(files.len(), 3, "{files:?}");
    let main = fs::read_to_string(&files[1]).expect("main file");
    let lines: Vec<&str> = main.lines().collect();
    assert!(
        lines[0].starts_with(
            "-- lint: error add-not-null-without-default public.accounts.name: adding NOT NULL column"
        ),
        "{main}"
    );
    assert!(lines[1].starts_with("ALTER TABLE"), "{main}");
    let concurrent = fs::read_to_string(&files[2]).expect("no-transaction file");
    let lines: Vec<&str> = concurrent.lines().collect();
    assert_eq!(lines[0], "-- no-transaction", "{concurrent}");
    assert!(
        lines[1].starts_with("-- lint: warning add-unique public.accounts: "),
        "{concurrent}"
    );
    assert!(
        lines[2].starts_with("CREATE UNIQUE INDEX CONCURRENTLY"),
        "{concurrent}"
    );

    let printed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("lint: ")).collect();
    assert_eq!(printed.len(), 2, "{stdout}");
    assert!(
        printed[0].starts_with("lint: error add-not-null-without-default public.accounts.name: ")
    );
    assert!(printed[1].starts_with("lint: warning add-unique public.accounts: "));
    assert!(
        stdout.contains("\n  suggestion: expand / backfill / contract"),
        "{stdout}"
    );

    // The comments are what the acknowledgement reads past: none of them acknowledges anything.
    assert!(lint::allowed(&main).is_empty());
}

/// A table `t` with rows, then an index on it.
const T_ROWS: &str = r#"#[derive(Table)] #[table(name = "t")]
    pub struct T { #[column(primary_key, identity)] pub id: i64, pub a: i32 }"#;
const T_INDEXED: &str = r#"#[derive(Table)] #[table(name = "t")] #[index(columns(a))]
    pub struct T { #[column(primary_key, identity)] pub id: i64, pub a: i32 }"#;

/// The finding `generate` gives on [`T_INDEXED`] for a table of 3 rows, by threshold.
fn index_finding(severity: &str, note: &str) -> String {
    format!(
        "{severity} index-without-concurrently public.t: building index t_a_idx on public.t \
         blocks writes to the table until it is done ({note})"
    )
}

/// Appends a `[lint]` table to the project's config.
fn set_large_table_rows(p: &Project, rows: u64) {
    let path = p.path().join("migrate.toml");
    let mut config = fs::read_to_string(&path).expect("config");
    config.push_str(&format!("\n[lint]\nlarge_table_rows = {rows}\n"));
    fs::write(path, config).expect("config");
}

/// Generates [`T_INDEXED`] with `--url` on a PostgreSQL database whose `t` has 3 rows
/// (analyzed when `analyze`), with `large_table_rows` at `threshold`: the run and the new file,
/// or `None` without a server.
fn pg_index_on_three_rows(
    label: &str,
    threshold: u64,
    analyze: bool,
) -> Option<(tests::project::Run, String)> {
    pg_index_on_rows(label, 3, threshold, analyze)
}

/// As [`pg_index_on_three_rows`], with `rows` rows; autovacuum is off on `t`, so it is analyzed
/// only when `analyze`.
fn pg_index_on_rows(
    label: &str,
    rows: u32,
    threshold: u64,
    analyze: bool,
) -> Option<(tests::project::Run, String)> {
    let p = Project::new(T_ROWS);
    assert_eq!(generate(&p, NOW).0, 0);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::create(label))?;
    let run = p.run(&["migrate", "--url", &db.url], NOW + 5);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    rt.block_on(async {
        let off = "ALTER TABLE t SET (autovacuum_enabled = false)";
        sqlx::query(off)
            .execute(&db.pool)
            .await
            .expect("autovacuum off");
        let insert = format!("INSERT INTO t (a) SELECT g FROM generate_series(1, {rows}) g");
        sqlx::query(&insert).execute(&db.pool).await.expect("rows");
        if analyze {
            sqlx::query("ANALYZE t")
                .execute(&db.pool)
                .await
                .expect("analyze");
        }
    });
    set_large_table_rows(&p, threshold);
    p.set_schema(T_INDEXED);
    let run = p.run(&["generate", "--url", &db.url], NOW + 10);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let file = fs::read_to_string(&sql_files(&p)[1]).expect("second file");
    drop(db);
    Some((run, file))
}

#[test]
fn pg_an_index_on_a_table_above_large_table_rows_is_an_error_with_its_row_count() {
    let Some((run, file)) = pg_index_on_three_rows("lint_large", 2, true) else {
        return;
    };
    let finding = index_finding(
        "error",
        "about 3 rows, more than large_table_rows = 2, so this is an error",
    );
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout.contains(&format!("\nlint: {finding}\n")),
        "{}",
        run.stdout
    );
    assert_eq!(
        file.lines().next(),
        Some(format!("-- lint: {finding}").as_str())
    );
    // `check` reads the error back from the file.
    let parsed = lint::parse_comment(file.lines().next().unwrap_or_default()).expect("parses");
    assert_eq!(parsed.severity, Error);
}

#[test]
fn pg_below_large_table_rows_the_row_count_is_shown_in_a_warning() {
    let Some((run, file)) = pg_index_on_three_rows("lint_small", 3, true) else {
        return;
    };
    let finding = index_finding("warning", "about 3 rows");
    assert!(
        run.stdout.contains(&format!("\nlint: {finding}\n")),
        "{}",
        run.stdout
    );
    assert_eq!(
        file.lines().next(),
        Some(format!("-- lint: {finding}").as_str())
    );
}

#[test]
fn pg_a_table_never_analyzed_is_counted() {
    // reltuples is -1 (or 0) until the first ANALYZE: a small table is counted instead.
    let Some((run, _)) = pg_index_on_three_rows("lint_counted", 2, false) else {
        return;
    };
    let finding = index_finding(
        "error",
        "about 3 rows, more than large_table_rows = 2, so this is an error",
    );
    assert!(run.stdout.contains(&finding), "{}", run.stdout);
}

#[test]
fn pg_a_large_table_never_analyzed_has_no_count_and_a_note() {
    // 300,000 rows of (bigint, integer) take more than 8 MiB: too many to count.
    let Some((run, file)) = pg_index_on_rows("lint_unknown", 300_000, 2, false) else {
        return;
    };
    assert!(
        run.stderr
            .starts_with("note: no row count on postgres database \"t_lintunknown_"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "for public.t (never analyzed and too large to count; run ANALYZE on it); \
             lint shows their findings without one\n"
        ),
        "{}",
        run.stderr
    );
    let finding = "-- lint: warning index-without-concurrently public.t: building index t_a_idx \
                   on public.t blocks writes to the table until it is done\n";
    assert!(file.starts_with(finding), "{file}");
}

/// A project whose `t` exists in the latest snapshot, with [`T_INDEXED`] in the source.
fn indexed_project(config_extra: &str) -> Project {
    let p = Project::new(T_ROWS);
    assert_eq!(generate(&p, NOW).0, 0);
    let path = p.path().join("migrate.toml");
    let config = fs::read_to_string(&path).expect("config") + config_extra;
    fs::write(path, config).expect("config");
    p.set_schema(T_INDEXED);
    p
}

#[test]
fn an_unreachable_url_is_an_error_with_the_flag_and_a_warning_from_the_config() {
    let nowhere = "postgres://app:hunter2@127.0.0.1:1/shop";
    let p = indexed_project("");
    let run = p.run(&["generate", "--url", nowhere], NOW + 10);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "cannot connect to postgres database \"shop\" at 127.0.0.1:1 (url from --url)"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert_eq!(sql_files(&p).len(), 1, "nothing is written");

    let p = indexed_project(&format!("database_url = \"{nowhere}\"\n"));
    let run = p.run(&["generate"], NOW + 10);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.starts_with(
            "warning: lint cannot read table sizes: cannot connect to postgres database \"shop\""
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("(url from database_url in "),
        "{}",
        run.stderr
    );
    let finding = "lint: warning index-without-concurrently public.t: building index t_a_idx on \
                   public.t blocks writes to the table until it is done\n";
    assert!(run.stdout.contains(finding), "{}", run.stdout);
}

#[test]
fn without_a_url_nothing_is_read_and_a_bad_lint_setting_is_named() {
    let p = indexed_project("\n[lint]\nlarge_table_rows = 0\n");
    let (code, stdout) = generate(&p, NOW + 10);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("lint: warning index-without-concurrently public.t: building index t_a_idx on public.t blocks writes to the table until it is done\n"),
        "{stdout}"
    );
    let p = indexed_project("\n[lint]\nlarge_tables = 5\n");
    let run = p.run(&["generate"], NOW + 10);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(
            "migrate.toml:6:1: unknown field `large_tables`, expected `large_table_rows`"
        ),
        "{}",
        run.stderr
    );
}

/// A SQLite project whose `t` exists in the latest snapshot, with [`T_INDEXED`] in the source
/// and `extra` at the end of its config.
/// [`T_ROWS`] with a unique index on `a`: SQLite has no index build that spares writes, so
/// the locking finding there is `add-unique`, not `index-without-concurrently`.
const T_UNIQUE: &str = r#"#[derive(Table)] #[table(name = "t")] #[index(columns(a), unique)]
    pub struct T { #[column(primary_key, identity)] pub id: i64, pub a: i32 }"#;

/// The finding `generate` gives on [`T_UNIQUE`] for a SQLite table of 3 rows, by threshold:
/// SQLite has no schemas, so the table is `t`.
fn unique_finding(severity: &str, note: &str) -> String {
    format!(
        "{severity} add-unique t: adding unique index t_a_idx (a) on t fails if \
         rows already repeat a value ({note})"
    )
}

fn sqlite_indexed_project(extra: &str) -> Project {
    let p = Project::new(T_ROWS);
    let config =
        format!("dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n{extra}");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    let (code, stdout) = generate(&p, NOW);
    assert_eq!(code, 0, "{stdout}");
    p.set_schema(T_UNIQUE);
    p
}

/// A SQLite database file at `path` whose `t` has `rows` rows.
fn sqlite_with_rows(path: &std::path::Path, rows: u32) {
    use sqlx::{ConnectOptions, Executor};
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let mut c = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .connect()
            .await
            .expect("sqlite");
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL)")
            .await
            .expect("table");
        for a in 0..rows {
            c.execute(format!("INSERT INTO t (a) VALUES ({a})").as_str())
                .await
                .expect("row");
        }
    });
}

#[test]
fn sqlite_row_counts_from_url_or_an_existing_dev_db() {
    let large = unique_finding(
        "error",
        "about 3 rows, more than large_table_rows = 2, so this is an error",
    );
    // --url, relative to the working directory.
    let p = sqlite_indexed_project("\n[lint]\nlarge_table_rows = 2\n");
    sqlite_with_rows(&p.path().join("app.db"), 3);
    let run = p.run(&["generate", "--url", "sqlite://app.db"], NOW + 10);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("\nlint: {large}\n")),
        "{}",
        run.stdout
    );
    let file = fs::read_to_string(&sql_files(&p)[1]).expect("second file");
    assert_eq!(
        file.lines().next(),
        Some(format!("-- lint: {large}").as_str())
    );

    // No URL anywhere: the default dev.db is read when it exists, and never created.
    let p = sqlite_indexed_project("\n[lint]\nlarge_table_rows = 2\n");
    let (code, stdout) = generate(&p, NOW + 10);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("lint: warning add-unique t: "), "{stdout}");
    assert!(
        !stdout.contains("index-without-concurrently"),
        "no concurrent build to advise on SQLite: {stdout}"
    );
    assert!(!p.path().join("dev.db").exists(), "generate created dev.db");
    let p = sqlite_indexed_project("\n[lint]\nlarge_table_rows = 2\n");
    sqlite_with_rows(&p.path().join("dev.db"), 3);
    let (code, stdout) = generate(&p, NOW + 10);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains(&format!("\nlint: {large}\n")), "{stdout}");

    // A missing file given with --url is an error naming it, and is not created.
    let p = sqlite_indexed_project("");
    let run = p.run(
        &["generate", "--url", "sqlite://nowhere.db?mode=rwc"],
        NOW + 10,
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("sqlite database sqlite://nowhere.db?mode=rwc (url from --url): the file does not exist"), "{}", run.stderr);
    assert!(!p.path().join("nowhere.db").exists());
}

#[test]
fn concurrently_is_ignored_on_sqlite_with_a_note() {
    let concurrent = r#"#[derive(Table)] #[table(name = "t")]
        #[index(columns(a), concurrently)] #[index(columns(b), name = "t_by_b", concurrently)]
        pub struct T { #[column(primary_key)] pub id: i64, #[column(name = "a_col")] pub a: i32, pub b: i32 }"#;
    let p = Project::new(concurrent);
    fs::write(
        p.path().join("migrate.toml"),
        "dialect = \"sqlite\"\nschema = [\"src/schema\"]\n",
    )
    .expect("config");
    let (code, stdout) = generate(&p, NOW);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("\nnote: sqlite has no concurrent index builds, so `concurrently` is ignored on t_a_col_idx, t_by_b\n"),
        "{stdout}"
    );
    let p = Project::new(concurrent);
    let (code, stdout) = generate(&p, NOW);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("is ignored"), "{stdout}");
}

#[test]
fn pg_check_with_a_url_uses_todays_row_counts_for_pending_migrations() {
    let p = Project::new(T_ROWS);
    assert_eq!(generate(&p, NOW).0, 0);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(TestDb::create("lint_check")) else {
        return;
    };
    let run = p.run(&["migrate", "--url", &db.url], NOW + 5);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // Generated without a database: a warning without a count.
    p.set_schema(T_INDEXED);
    assert_eq!(generate(&p, NOW + 10).0, 0);
    rt.block_on(async {
        let insert = "INSERT INTO t (a) SELECT g FROM generate_series(1, 3) g";
        sqlx::query(insert).execute(&db.pool).await.expect("rows");
        sqlx::query("ANALYZE t")
            .execute(&db.pool)
            .await
            .expect("analyze");
    });
    set_large_table_rows(&p, 2);
    let run = p.run(&["check"], NOW + 20);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let run = p.run(&["check", "--url", &db.url, "--format", "json"], NOW + 20);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(
        findings[0]["message"],
        "building index t_a_idx on public.t blocks writes to the table until it is done \
         (about 3 rows, more than large_table_rows = 2, so this is an error)"
    );
    assert_eq!(json["problems"].as_array().map(Vec::len), Some(0), "{json}");
}
