//! Issue 13, row-level security on a real PostgreSQL through the CLI: `#[table(rls)]` and
//! `#[policy(..)]` created, altered in place (`using`, `to`), renamed (by `renamed_from` and by
//! a `--rename policy:` flag), dropped and RLS disabled; after each step `verify`'s comparison
//! finds no difference, `check --url` no drift, and a policy really filters rows for a role
//! (`SET ROLE`). SQLite and MySQL refuse both attributes in `generate`, naming the struct.

mod drizzle;
mod follow;

use std::fs;
use tests::pg::TestDb;
use tests::project::{Project, Run, NOW};

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}:\n{}", run.text());
}

/// The notes table with `attrs` (the `#[table]` / `#[policy]` lines) for `role`.
fn source(attrs: &str, role: &str) -> String {
    let attrs = attrs.replace("ROLE", role);
    format!(
        r#"
#[derive(Table)]
{attrs}
pub struct Note {{
    #[column(primary_key)]
    pub id: i64,
    pub owner: String,
    pub body: String,
}}
"#
    )
}

fn newest(p: &Project) -> String {
    let journal = p.journal();
    let tag = &journal.last().expect("a migration").tag;
    p.read(&format!("{tag}.sql"))
}

/// Generates (with `extra` arguments), checks the file holds `expect`, migrates, and checks
/// that the database reads back into the snapshot and `check --url` finds no drift.
fn step(p: &Project, db: &TestDb, at: u64, extra: &[&str], expect: &str) {
    let mut args = vec!["generate", "--name", "step"];
    args.extend_from_slice(extra);
    ok(&p.run(&args, at), "generate");
    let sql = newest(p);
    assert!(sql.contains(expect), "{expect}\n---\n{sql}");
    ok(
        &p.run(
            &["migrate", "--url", &db.url, "--allow-lint-errors"],
            at + 1,
        ),
        "migrate",
    );
    ok(&p.run(&["verify", "--url", &db.url], at + 2), "verify");
    let check = p.run(&["check", "--url", &db.url], at + 3);
    assert!(!check.text().contains("drift"), "{}", check.text());
    ok(&check, "check --url");
}

/// The ids of the notes `role` sees, on a connection of its own that takes the role.
fn seen(rt: &tokio::runtime::Runtime, db: &TestDb, role: &str) -> Vec<i64> {
    seen_in(rt, db, role, "notes")
}

/// The ids of the rows of `table` that `role` sees, as [`seen`].
fn seen_in(rt: &tokio::runtime::Runtime, db: &TestDb, role: &str, table: &str) -> Vec<i64> {
    use sqlx::{Connection, Executor};
    rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        c.execute(format!("SET ROLE \"{role}\"").as_str())
            .await
            .expect("set role");
        let ids = sqlx::query_scalar(&format!("SELECT id FROM {table} ORDER BY id"))
            .fetch_all(&mut c)
            .await
            .expect("read as the role");
        c.close().await.expect("close");
        ids
    })
}

#[test]
fn pg_policies_are_created_altered_renamed_and_dropped_and_filter_rows() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(TestDb::create("pol13_life")) else {
        return;
    };
    let role = format!("{}_reader", db.name);
    let other = format!("{}_auditor", db.name);
    for r in [&role, &other] {
        rt.block_on(db.apply(&format!("DROP ROLE IF EXISTS \"{r}\"; CREATE ROLE \"{r}\"")))
            .expect("create role");
    }
    let p = Project::new(&source(
        "#[table(name = \"notes\", rls)]\n#[policy(name = \"own_rows\", for = \"select\", to = \"ROLE\", using = \"owner = 'a'\")]",
        &role,
    ));
    step(
        &p,
        &db,
        NOW,
        &[],
        "ALTER TABLE \"public\".\"notes\" ENABLE ROW LEVEL SECURITY;",
    );
    assert!(newest(&p).contains(&format!(
        "CREATE POLICY \"own_rows\" ON \"public\".\"notes\" AS PERMISSIVE FOR SELECT TO \"{role}\" USING (owner = 'a');"
    )));
    let grant = format!(
        "INSERT INTO notes VALUES (1, 'a', 'x'), (2, 'b', 'y'); GRANT SELECT ON notes TO \"{role}\", \"{other}\""
    );
    rt.block_on(db.apply(&grant)).expect("rows");
    assert_eq!(seen(&rt, &db, &role), [1]);
    assert_eq!(seen(&rt, &db, &other), Vec::<i64>::new());

    // USING and TO altered in place.
    p.set_schema(&source(
        &format!("#[table(name = \"notes\", rls)]\n#[policy(name = \"own_rows\", for = \"select\", to = \"ROLE, {other}\", using = \"owner = 'b'\")]"),
        &role,
    ));
    step(
        &p,
        &db,
        NOW + 10,
        &[],
        "ALTER POLICY \"own_rows\" ON \"public\".\"notes\" TO",
    );
    assert!(
        newest(&p).contains("USING (owner = 'b');"),
        "{}",
        newest(&p)
    );
    assert_eq!(seen(&rt, &db, &role), [2]);
    assert_eq!(seen(&rt, &db, &other), [2]);

    // Renamed by its hint.
    let renamed = |name: &str, hint: &str| {
        source(&format!("#[table(name = \"notes\", rls)]\n#[policy(name = \"{name}\",{hint} for = \"select\", to = \"ROLE, {other}\", using = \"owner = 'b'\")]"), &role)
    };
    p.set_schema(&renamed("b_rows", " renamed_from = \"own_rows\","));
    step(
        &p,
        &db,
        NOW + 20,
        &[],
        "ALTER POLICY \"own_rows\" ON \"public\".\"notes\" RENAME TO \"b_rows\";",
    );

    // Renamed by a flag.
    p.set_schema(&renamed("shared_rows", ""));
    let asked = p.run(&["generate", "--name", "asked"], NOW + 30);
    assert_eq!(asked.code, 2, "{}", asked.text());
    assert!(
        asked
            .text()
            .contains("--rename policy:notes.b_rows=shared_rows"),
        "{}",
        asked.text()
    );
    step(
        &p,
        &db,
        NOW + 31,
        &["--rename", "policy:notes.b_rows=shared_rows"],
        "ALTER POLICY \"b_rows\" ON \"public\".\"notes\" RENAME TO \"shared_rows\";",
    );
    assert_eq!(seen(&rt, &db, &role), [2]);
    // `check` recovers the answered rename from the file's `rename-policy` finding: no drop.
    let check = p.run(&["check"], NOW + 35);
    assert!(!check.text().contains("drop-policy"), "{}", check.text());

    // Dropped, and row-level security disabled: both are findings.
    p.set_schema(&source("#[table(name = \"notes\")]", &role));
    step(
        &p,
        &db,
        NOW + 40,
        &[],
        "DROP POLICY \"shared_rows\" ON \"public\".\"notes\";",
    );
    let sql = newest(&p);
    assert!(sql.contains("DISABLE ROW LEVEL SECURITY"), "{sql}");
    assert!(
        sql.contains("drop-policy") && sql.contains("disable-rls"),
        "{sql}"
    );
    assert_eq!(seen(&rt, &db, &other), [1, 2]);
    let revoke = format!(
        "DROP OWNED BY \"{role}\", \"{other}\"; DROP ROLE \"{role}\"; DROP ROLE \"{other}\""
    );
    rt.block_on(db.apply(&revoke)).expect("drop roles");
}

/// A dialect without row-level security refuses `rls` and each policy in `generate`, naming
/// the struct and the attribute, and writes nothing.
#[test]
fn sqlite_and_mysql_refuse_rls_and_policies_naming_the_struct() {
    for dialect in ["sqlite", "mysql"] {
        let p = Project::new(&source(
            "#[table(name = \"notes\", rls)]\n#[policy(name = \"own_rows\", using = \"owner = 'a'\")]",
            "app",
        ));
        let config =
            format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
        fs::write(p.path().join("migrate.toml"), config).expect("config");
        let run = p.run(&["generate", "--name", "init"], NOW);
        assert_eq!(run.code, 1, "{dialect}: {}", run.text());
        for expected in [
            format!("Note: #[table(rls)] on table `notes`: {dialect} has no row-level security"),
            format!("Note: #[policy(name = \"own_rows\")] on table `notes`: {dialect} has no row-level security policies"),
        ] {
            assert!(run.stderr.contains(&expected), "{dialect}: {expected}\n{}", run.text());
        }
        assert!(!p.migrations().exists(), "{dialect}: nothing written");
    }
}

/// Every kind SQLite lacks is reported by one `generate`: the tables' (`rls`, a policy), the
/// sequences' and the views' (`materialized`) errors together, not one group per run.
#[test]
fn sqlite_reports_policies_sequences_and_materialized_views_in_one_run() {
    let mut text = source(
        "#[table(name = \"notes\", rls)]\n#[policy(name = \"own_rows\", using = \"owner = 'a'\")]",
        "app",
    );
    text.push_str(
        "\n#[derive(Sequence)]\n#[sequence(name = \"order_numbers\")]\npub struct OrderNumbers;\n\
         \n#[derive(View)]\n#[view(name = \"note_owners\", materialized, sql = \"SELECT id, owner FROM notes\")]\n\
         pub struct NoteOwner {\n    pub id: i64,\n    pub owner: String,\n}\n",
    );
    let p = Project::new(&text);
    let config = "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n";
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    let run = p.run(&["generate", "--name", "init"], NOW);
    assert_eq!(run.code, 1, "{}", run.text());
    for expected in [
        "#[table(rls)] on table `notes`: sqlite has no row-level security",
        "#[policy(name = \"own_rows\")] on table `notes`: sqlite has no row-level security policies",
        "OrderNumbers: #[derive(Sequence)] with #[sequence(name = \"order_numbers\")]: sqlite has no sequences",
        "NoteOwner: #[view(materialized)] on view \"note_owners\": sqlite has no materialized views",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.text());
    }
    assert!(!p.migrations().exists(), "nothing written");
}
