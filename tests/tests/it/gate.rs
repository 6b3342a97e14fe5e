//! The review gate reads the SQL itself (issue 10): `check` and `migrate` lint the statements of
//! every pending migration, generated or hand-written, whatever its `-- lint:` lines say;
//! `-- no-transaction` must stay the first line; applied (or, with `--since`, merged)
//! migrations are history. Each case on every database where it applies.

use std::fs;
use std::process::Command;
use tests::project::{Project, Run, NOW};

const V1: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    pub nick: Option<String>,
}
#[derive(Table)]
#[table(name = "order_items")]
pub struct OrderItem {
    #[column(primary_key)]
    pub id: i64,
}
"#;

/// V1 without `accounts.nick`.
const V2: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
}
#[derive(Table)]
#[table(name = "order_items")]
pub struct OrderItem {
    #[column(primary_key)]
    pub id: i64,
}
"#;

/// V1 with `accounts.nick` renamed (a `rename-column` warning on every database).
const V1_RENAMED: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    pub email: String,
    #[column(renamed_from = "nick")]
    pub nickname: Option<String>,
}
#[derive(Table)]
#[table(name = "order_items")]
pub struct OrderItem {
    #[column(primary_key)]
    pub id: i64,
}
"#;

/// A database of one dialect for one test: the URL arguments, and what keeps it alive.
struct Db {
    args: Vec<String>,
    _keep: Option<Box<dyn std::any::Any>>,
}

/// A project for `dialect` holding `schema`, and its database (`None`: no server, skipped).
fn setup(dialect: &str, schema: &str, label: &str) -> Option<(Project, Db)> {
    let p = Project::new(schema);
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = match dialect {
        "postgres" => {
            let db = rt.block_on(tests::pg::TestDb::create(label))?;
            Db {
                args: vec!["--url".into(), db.url.clone()],
                _keep: Some(Box::new((db, rt))),
            }
        }
        "mysql" => {
            let db = rt.block_on(tests::mysql::TestDb::create(label))?;
            Db {
                args: vec!["--url".into(), db.url.clone()],
                _keep: Some(Box::new((db, rt))),
            }
        }
        // SQLite: the dev.db beside the config.
        _ => Db {
            args: Vec::new(),
            _keep: None,
        },
    };
    Some((p, db))
}

fn run(p: &Project, args: &[&str], db: &Db) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(db.args.iter().map(String::as_str));
    p.run(&all, NOW + 10_000)
}

fn generate(p: &Project, schema: &str, now: u64) -> String {
    p.set_schema(schema);
    let run = p.run(&["generate"], now);
    assert_eq!(run.code, 0, "generate failed:\n{}", run.text());
    p.journal().entries.last().expect("an entry").tag.clone()
}

/// Acknowledges `code` in the down file of `tag` (below its `-- no-transaction` first line),
/// as a reviewer of the down does: here the down of a dropped column, which comes back empty.
fn allow_in_down(p: &Project, tag: &str, code: &str) {
    let path = p.migrations().join(format!("{tag}.down.sql"));
    let body = fs::read_to_string(&path).expect("down");
    assert!(body.contains(&format!("-- lint: error {code}")), "{body}");
    let allowed = match body.strip_prefix("-- no-transaction\n") {
        Some(rest) => format!("-- no-transaction\n-- lint:allow {code}\n{rest}"),
        None => format!("-- lint:allow {code}\n{body}"),
    };
    fs::write(&path, allowed).expect("down");
}

fn sql_path(p: &Project, tag: &str) -> std::path::PathBuf {
    p.migrations().join(format!("{tag}.sql"))
}

fn assert_refused(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, 1, "expected exit 1:\n{}", run.text());
    for needle in needles {
        assert!(
            run.text().contains(needle),
            "no {needle:?} in:\n{}",
            run.text()
        );
    }
}

/// Deleting the `-- lint: error drop-column` line of a pending `DROP COLUMN` neither lets
/// `check` pass nor `migrate` apply the drop.
fn a_deleted_comment_line_still_gates(dialect: &str) {
    let Some((p, db)) = setup(dialect, V1, "gate_comment") else {
        return;
    };
    generate(&p, V1, NOW);
    assert_eq!(run(&p, &["migrate"], &db).code, 0);
    let tag = generate(&p, V2, NOW + 100);
    allow_in_down(&p, &tag, "irreversible");
    let path = sql_path(&p, &tag);
    let sql = fs::read_to_string(&path).expect("sql");
    assert!(sql.contains("-- lint: error drop-column"), "{sql}");
    let stripped: String = sql
        .lines()
        .filter(|l| !l.starts_with("-- lint:"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&path, stripped).expect("sql");
    assert_refused(
        &p.run(&["check"], NOW + 10_000),
        &["error drop-column", "accounts.nick"],
    );
    let migrate = run(&p, &["migrate"], &db);
    assert_refused(&migrate, &["drop-column", "nothing was applied"]);
    // Acknowledged (below a `-- no-transaction` first line), it goes through.
    let body = fs::read_to_string(&path).expect("sql");
    let allowed = match body.strip_prefix("-- no-transaction\n") {
        Some(rest) => format!("-- no-transaction\n-- lint:allow drop-column\n{rest}"),
        None => format!("-- lint:allow drop-column\n{body}"),
    };
    fs::write(&path, allowed).expect("sql");
    let check = p.run(&["check"], NOW + 10_000);
    assert_eq!(check.code, 0, "{}", check.text());
    let migrate = run(&p, &["migrate"], &db);
    assert_eq!(migrate.code, 0, "{}", migrate.text());
}

#[test]
fn pg_a_deleted_comment_line_still_gates() {
    a_deleted_comment_line_still_gates("postgres");
}

#[test]
fn mysql_a_deleted_comment_line_still_gates() {
    a_deleted_comment_line_still_gates("mysql");
}

/// On SQLite the drop is a table rebuild, whose statements do not show which column it drops:
/// the snapshots do.
#[test]
fn sqlite_a_deleted_comment_line_still_gates() {
    a_deleted_comment_line_still_gates("sqlite");
}

/// A hand-written `--custom` file that drops a table fails `check` and is refused by `migrate`.
fn a_custom_drop_table_is_found(dialect: &str, statement: &str) {
    let Some((p, db)) = setup(dialect, V1, "gate_custom") else {
        return;
    };
    generate(&p, V1, NOW);
    let run_custom = p.run(&["generate", "--custom", "--name", "cleanup"], NOW + 100);
    assert_eq!(run_custom.code, 0, "{}", run_custom.text());
    let tag = p.journal().entries.last().expect("an entry").tag.clone();
    fs::write(sql_path(&p, &tag), format!("{statement}\n")).expect("sql");
    assert_refused(
        &p.run(&["check"], NOW + 10_000),
        &["error drop-table", "order_items"],
    );
    assert_refused(
        &run(&p, &["migrate"], &db),
        &["drop-table", "order_items", "nothing was applied"],
    );
}

#[test]
fn pg_a_custom_drop_table_is_found() {
    a_custom_drop_table_is_found("postgres", r#"DROP TABLE "public"."order_items";"#);
}

#[test]
fn sqlite_a_custom_drop_table_is_found() {
    a_custom_drop_table_is_found("sqlite", r#"DROP TABLE "order_items";"#);
}

#[test]
fn mysql_a_custom_drop_table_is_found() {
    a_custom_drop_table_is_found("mysql", "DROP TABLE `order_items`;");
}

/// A statement the parser cannot read is an `unparsed-statement` warning naming its line,
/// acknowledged like any other finding.
#[test]
fn sqlite_an_unreadable_statement_is_a_warning_naming_its_line() {
    let Some((p, _db)) = setup("sqlite", V1, "gate_unparsed") else {
        return;
    };
    generate(&p, V1, NOW);
    let custom = p.run(&["generate", "--custom", "--name", "odd"], NOW + 100);
    assert_eq!(custom.code, 0, "{}", custom.text());
    let tag = p.journal().entries.last().expect("an entry").tag.clone();
    let sql = "SELECT 1;\n--> statement-breakpoint\nALTER TABLE accounts FROBNICATE;\n";
    fs::write(sql_path(&p, &tag), sql).expect("sql");
    // Its down, written by hand (an empty one is `missing-down`, a warning).
    let down = p.migrations().join(format!("{tag}.down.sql"));
    fs::write(&down, "SELECT 2;\n").expect("down");
    let check = p.run(&["check"], NOW + 10_000);
    assert_eq!(check.code, 0, "{}", check.text());
    assert!(
        check.stdout.contains("warning unparsed-statement line 3"),
        "{}",
        check.text()
    );
    let denied = p.run(&["check", "--deny", "warnings"], NOW + 10_000);
    assert_refused(&denied, &["unparsed-statement line 3"]);
    fs::write(
        sql_path(&p, &tag),
        format!("-- lint:allow unparsed-statement\n{sql}"),
    )
    .expect("sql");
    assert_eq!(
        p.run(&["check", "--deny", "warnings"], NOW + 10_000).code,
        0
    );
}

/// `-- lint:allow` above `-- no-transaction` is `misplaced-no-transaction`; below it, it works.
#[test]
fn sqlite_an_allow_line_above_no_transaction_is_misplaced() {
    let Some((p, db)) = setup("sqlite", V1, "gate_misplaced") else {
        return;
    };
    generate(&p, V1, NOW);
    assert_eq!(run(&p, &["migrate"], &db).code, 0);
    let tag = generate(&p, V2, NOW + 100);
    allow_in_down(&p, &tag, "irreversible");
    let path = sql_path(&p, &tag);
    let sql = fs::read_to_string(&path).expect("sql");
    let rest = sql
        .strip_prefix("-- no-transaction\n")
        .expect("a rebuild file");
    // generate writes its findings below `-- no-transaction`.
    assert!(rest.starts_with("-- lint: error drop-column"), "{sql}");
    fs::write(&path, format!("-- lint:allow drop-column\n{sql}")).expect("sql");
    let check = p.run(&["check"], NOW + 10_000);
    assert_refused(&check, &["error misplaced-no-transaction", "line 2"]);
    let migrate = run(&p, &["migrate"], &db);
    assert_refused(
        &migrate,
        &["misplaced-no-transaction", "nothing was applied"],
    );
    fs::write(
        &path,
        format!("-- no-transaction\n-- lint:allow drop-column\n{rest}"),
    )
    .expect("sql");
    let check = p.run(&["check"], NOW + 10_000);
    assert_eq!(check.code, 0, "{}", check.text());
    let migrate = run(&p, &["migrate"], &db);
    assert_eq!(migrate.code, 0, "{}", migrate.text());
}

/// With `--url`, an applied migration's warning is history: `check --deny warnings` passes.
fn deny_warnings_passes_once_applied(dialect: &str) {
    let Some((p, db)) = setup(dialect, V1, "gate_deny") else {
        return;
    };
    generate(&p, V1, NOW);
    generate(&p, V1_RENAMED, NOW + 100);
    let check = p.run(&["check", "--deny", "warnings"], NOW + 10_000);
    assert_refused(&check, &["warning"]);
    let pending = run(&p, &["check", "--deny", "warnings"], &db);
    assert_refused(&pending, &["warning"]);
    assert_eq!(run(&p, &["migrate"], &db).code, 0);
    let applied = run(&p, &["check", "--deny", "warnings"], &db);
    assert_eq!(applied.code, 0, "{}", applied.text());
}

#[test]
fn pg_deny_warnings_passes_once_applied() {
    deny_warnings_passes_once_applied("postgres");
}

#[test]
fn sqlite_deny_warnings_passes_once_applied() {
    deny_warnings_passes_once_applied("sqlite");
}

#[test]
fn mysql_deny_warnings_passes_once_applied() {
    deny_warnings_passes_once_applied("mysql");
}

pub(crate) fn git(p: &Project, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(p.path())
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `check --since <ref>` gates only the migrations added since the ref; a folder outside git
/// or an unknown ref is a usage error that says so.
#[test]
fn since_gates_only_the_migrations_added_after_the_ref() {
    let p = Project::new(V1);
    let cfg = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";
    fs::write(p.path().join("migrate.toml"), cfg).expect("config");
    generate(&p, V1, NOW);
    generate(&p, V1_RENAMED, NOW + 100);
    let outside = p.run(&["check", "--since", "main"], NOW + 10_000);
    assert_eq!(outside.code, 2, "{}", outside.text());
    assert!(
        outside.text().contains("not in a git repository"),
        "{}",
        outside.text()
    );
    git(&p, &["init", "-q", "-b", "main"]);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "merged"]);
    git(&p, &["checkout", "-q", "-b", "feature"]);
    let unknown = p.run(&["check", "--since", "origin/nowhere"], NOW + 10_000);
    assert_eq!(unknown.code, 2, "{}", unknown.text());
    assert!(
        unknown.text().contains("origin/nowhere"),
        "{}",
        unknown.text()
    );
    // The merged warning is history.
    assert_eq!(
        p.run(&["check", "--deny", "warnings"], NOW + 10_000).code,
        1
    );
    let merged = p.run(
        &["check", "--deny", "warnings", "--since", "main"],
        NOW + 10_000,
    );
    assert_eq!(merged.code, 0, "{}", merged.text());
    // A migration of this branch gates, committed or not.
    generate(&p, V2, NOW + 200);
    let added = p.run(&["check", "--since", "main"], NOW + 10_000);
    assert_refused(&added, &["error drop-column"]);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "branch"]);
    assert_refused(
        &p.run(&["check", "--since", "main"], NOW + 10_000),
        &["error drop-column"],
    );
    assert_eq!(p.run(&["check", "--since", "HEAD"], NOW + 10_000).code, 0);
}

/// The property tests' check that the review text and the gate agree on a generated migration
/// from `old` to `new`: the file written as `generate` writes it, its `-- lint:` lines give the
/// codes the gate finds in it, and no finding is written twice (once from the change list,
/// once from a statement).
pub fn gate_agrees(
    dialect: migrate_cli::config::Dialect,
    old: &schema_core::model::Schema,
    new: &schema_core::model::Schema,
) -> Result<(), String> {
    use schema_core::{diff, lint, render};
    let renderer = dialect.renderer();
    let changes = diff::diff(old, new, &diff::hinted_renames(old, new));
    let script = renderer
        .script(&changes, old, new)
        .map_err(|e| format!("render failed: {e}"))?;
    let body = render::file_sql(renderer, &script.statements);
    let body = match script.no_transaction {
        true => format!("-- no-transaction\n{body}"),
        false => body,
    };
    let costs = lint::Costs::of(renderer);
    let listed = lint::lint_with(old, new, &changes, costs);
    let (sql, written) = migrate_cli::gate::annotated(dialect, &body, &changes, listed.clone());
    let sorted = |mut codes: Vec<&'static str>| {
        codes.sort_unstable();
        codes
    };
    let comments = sorted(
        sql.lines()
            .filter_map(|l| lint::parse_comment_with(l, costs))
            .map(|f| f.code)
            .collect(),
    );
    let gated = sorted(
        migrate_cli::gate::findings_with(dialect, &sql, Some((old, new)))
            .into_iter()
            .map(|f| f.finding.code)
            .collect(),
    );
    if comments != gated {
        return Err(format!(
            "{dialect}: the -- lint: lines say {comments:?} but the gate finds {gated:?}\n--- file:\n{sql}"
        ));
    }
    // Neither lost nor doubled: of each code on each table, the file holds as many findings as
    // the more knowing side gives (the change list, or the statements, which also see what the
    // change list does not judge: a primary key swapped on an existing table, a foreign key
    // re-added under its new name after a MySQL table rename, an index dropped without
    // CONCURRENTLY). Findings on two tables are two findings.
    // The statements as the gate keeps them: without a type change the change list overrules.
    let statements = migrate_cli::gate::findings_with(dialect, &body, Some((old, new)));
    let table = |object: &str| {
        let object = object.strip_prefix("public.").unwrap_or(object);
        object.split('.').next().unwrap_or(object).to_string()
    };
    let count = |found: &mut dyn Iterator<Item = (&'static str, String)>, key: &(&str, String)| {
        found.filter(|(c, t)| *c == key.0 && *t == key.1).count()
    };
    let mut keys: Vec<(&'static str, String)> =
        written.iter().map(|f| (f.code, table(&f.object))).collect();
    keys.sort();
    keys.dedup();
    for key in &keys {
        let want = count(&mut listed.iter().map(|f| (f.code, table(&f.object))), key).max(count(
            &mut statements
                .iter()
                .map(|f| (f.finding.code, table(&f.finding.object))),
            key,
        ));
        let have = count(&mut written.iter().map(|f| (f.code, table(&f.object))), key);
        if have != want {
            return Err(format!(
                "{dialect}: {have} {} finding(s) on {} written where the change list or the statements give {want}: a finding doubled\n--- file:\n{sql}",
                key.0, key.1
            ));
        }
    }
    Ok(())
}

/// A MySQL enum that only gains a value is restated whole (`MODIFY COLUMN`), which the
/// statement alone reads as a type change; the change list, from the snapshots, knows it is an
/// appended value, so neither generate's review text nor the gate warns, and
/// `check --deny warnings` passes, with and without its database.
#[test]
fn mysql_an_appended_enum_value_is_no_type_change() {
    const STATES: &str = r#"
#[derive(DbEnum)]
#[db_enum(name = "state")]
pub enum State { Open, Closed }
#[derive(Table)]
#[table(name = "issues")]
pub struct Issue {
    #[column(primary_key)]
    pub id: i64,
    pub state: State,
}
"#;
    let Some((p, db)) = setup("mysql", STATES, "gate_enum") else {
        return;
    };
    generate(&p, STATES, NOW);
    assert_eq!(run(&p, &["migrate"], &db).code, 0);
    let appended = STATES.replace("Open, Closed }", "Open, Closed, Archived }");
    let tag = generate(&p, &appended, NOW + 100);
    let sql = fs::read_to_string(sql_path(&p, &tag)).expect("sql");
    assert!(
        sql.contains("MODIFY COLUMN") && !sql.contains("type-change"),
        "{sql}"
    );
    let check = p.run(&["check", "--deny", "warnings"], NOW + 10_000);
    assert_eq!(check.code, 0, "{}", check.text());
    let check = run(&p, &["check", "--deny", "warnings"], &db);
    assert_eq!(check.code, 0, "{}", check.text());
}

/// Found in a new-user trial: a misplaced `-- no-transaction` cannot be acknowledged away, a
/// SQLite rebuild whose `-- no-transaction` line is missing or misspelt is refused before it
/// runs, and an allow line below the first statement acknowledges nothing.
#[test]
fn sqlite_a_rebuild_that_would_run_inside_sqlx_transaction_is_refused() {
    let Some((p, db)) = setup("sqlite", V1, "gate_rebuild") else {
        return;
    };
    generate(&p, V1, NOW);
    assert_eq!(run(&p, &["migrate"], &db).code, 0);
    let tag = generate(&p, V2, NOW + 100);
    let path = sql_path(&p, &tag);
    let sql = fs::read_to_string(&path).expect("sql");
    let rest = sql
        .strip_prefix("-- no-transaction\n")
        .expect("a rebuild file");
    let allow = "-- lint:allow drop-column\n";
    for (what, text) in [
        (
            "allowed away",
            format!("-- lint:allow misplaced-no-transaction\n{allow}{sql}"),
        ),
        ("misspelt", format!("--no-transaction\n{allow}{rest}")),
        ("missing", format!("{allow}{rest}")),
    ] {
        fs::write(&path, &text).expect("sql");
        let check = p.run(&["check"], NOW + 10_000);
        assert_eq!(check.code, 1, "{what}: {}", check.text());
        assert!(
            check.text().contains("misplaced-no-transaction"),
            "{what}: {}",
            check.text()
        );
        let dry = run(&p, &["migrate", "--dry-run"], &db);
        assert_eq!(dry.code, 1, "{what}: {}", dry.text());
    }
    // An allow line below the first statement is not read.
    fs::write(&path, format!("{sql}{allow}")).expect("sql");
    let check = p.run(&["check"], NOW + 10_000);
    assert_refused(&check, &["error drop-column"]);
}

/// Found in a new-user trial: a hand-written index on a table named without its schema gets
/// the table's row count, and is an error above `large_table_rows` like a generated one.
#[test]
fn pg_an_unqualified_table_gets_its_row_count() {
    let Some((p, db)) = setup("postgres", V1, "gate_rows") else {
        return;
    };
    let config = fs::read_to_string(p.path().join("migrate.toml")).expect("config");
    fs::write(
        p.path().join("migrate.toml"),
        format!("{config}[lint]\nlarge_table_rows = 10\n"),
    )
    .expect("config");
    generate(&p, V1, NOW);
    assert_eq!(run(&p, &["migrate"], &db).code, 0);
    let url = db.args[1].clone();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        use sqlx::{Connection, Executor};
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
        conn.execute("INSERT INTO order_items (id) SELECT g FROM generate_series(1, 50) g")
            .await
            .expect("rows");
        conn.execute("ANALYZE order_items").await.expect("analyze");
    });
    let run_custom = p.run(&["generate", "--custom", "--name", "idx"], NOW + 100);
    assert_eq!(run_custom.code, 0, "{}", run_custom.text());
    let tag = p.journal().entries.last().expect("an entry").tag.clone();
    fs::write(
        sql_path(&p, &tag),
        "CREATE INDEX oi_id_idx ON order_items (id);\n",
    )
    .expect("sql");
    let check = run(&p, &["check"], &db);
    assert_refused(
        &check,
        &["error index-without-concurrently", "about 50 rows"],
    );
}
