//! Policies around other changes to their table on a real PostgreSQL: a policy that reads a
//! retyped column is dropped before the `ALTER COLUMN .. TYPE` (which PostgreSQL refuses while
//! a policy uses the column) and created again after, with no `drop-policy` finding, up and
//! down, and so around an enum rebuild; a policy of a renamed or moved table follows it
//! (nothing dropped), renamed with it by its hint or by a `--rename policy:` flag naming the
//! table by its new name; `check` reads a move to another schema back from the snapshots, and
//! the downs run on the live database.

use super::{newest, ok, seen, seen_in, source, step};
use tests::pg::TestDb;
use tests::project::{Project, NOW};

/// A policy per column: `own_rows` reads `owner`, `body_rows` reads `body`.
const TWO: &str = "#[table(name = \"notes\", rls)]\n#[policy(name = \"own_rows\", for = \"select\", to = \"ROLE\", using = \"owner = 'a'\")]\n#[policy(name = \"body_rows\", for = \"insert\", to = \"ROLE\", with_check = \"body <> ''\")]";

fn roles(rt: &tokio::runtime::Runtime, db: &TestDb, role: &str, create: bool) {
    let sql = match create {
        true => format!("DROP ROLE IF EXISTS \"{role}\"; CREATE ROLE \"{role}\""),
        false => format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\""),
    };
    rt.block_on(db.apply(&sql)).expect("role");
}

#[test]
fn pg_a_policy_reading_a_retyped_column_is_dropped_and_created_again_up_and_down() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(TestDb::create("pol13_retype")) else {
        return;
    };
    let role = format!("{}_reader", db.name);
    roles(&rt, &db, &role, true);
    let p = Project::new(&source(TWO, &role));
    step(&p, &db, NOW, &[], "CREATE POLICY \"own_rows\"");
    let grant = format!(
        "INSERT INTO notes VALUES (1, 'a', 'x'), (2, 'b', 'y'); GRANT SELECT ON notes TO \"{role}\""
    );
    rt.block_on(db.apply(&grant)).expect("rows");
    assert_eq!(seen(&rt, &db, &role), [1]);

    // `owner` retyped: `own_rows` goes before and comes back after; `body_rows` stays.
    let wide = source(TWO, &role).replace(
        "pub owner: String",
        "#[column(sql_type = \"varchar(300)\")]\n    pub owner: String",
    );
    p.set_schema(&wide);
    step(
        &p,
        &db,
        NOW + 10,
        &[],
        "SET DATA TYPE character varying(300)",
    );
    let sql = newest(&p);
    let drop = sql.find("DROP POLICY \"own_rows\"").expect("dropped");
    let retype = sql.find("SET DATA TYPE").expect("retyped");
    let create = sql.find("CREATE POLICY \"own_rows\"").expect("created");
    assert!(drop < retype && retype < create, "{sql}");
    assert!(
        !sql.contains("body_rows"),
        "a policy on another column stays:\n{sql}"
    );
    assert!(
        !sql.contains("drop-policy"),
        "created again, no finding:\n{sql}"
    );
    let tag = &p.journal().last().expect("a migration").tag.clone();
    let down = p.read(&format!("{tag}.down.sql"));
    let drop = down.find("DROP POLICY \"own_rows\"").expect("down drops");
    let retype = down.find("SET DATA TYPE text").expect("down retypes");
    assert!(
        drop < retype && down.contains("CREATE POLICY \"own_rows\""),
        "{down}"
    );
    assert_eq!(seen(&rt, &db, &role), [1]);

    // The down on the live database: the column is text again, the policy still filters.
    let revert = p.run(
        &["revert", "--url", &db.url, "--yes", "--allow-lint-errors"],
        NOW + 20,
    );
    ok(&revert, "revert");
    let ty: String = rt
        .block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&db.url).await?;
            sqlx::query_scalar(
                "SELECT data_type::text FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'owner'",
            )
            .fetch_one(&mut c)
            .await
        })
        .expect("column type");
    assert_eq!(ty, "text");
    assert_eq!(seen(&rt, &db, &role), [1]);
    roles(&rt, &db, &role, false);
}

#[test]
fn pg_policies_follow_a_renamed_and_moved_table() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(TestDb::create("pol13_follow")) else {
        return;
    };
    let role = format!("{}_reader", db.name);
    roles(&rt, &db, &role, true);
    let p = Project::new(&source(TWO, &role));
    step(&p, &db, NOW, &[], "CREATE POLICY \"own_rows\"");
    let grant = format!(
        "INSERT INTO notes VALUES (1, 'a', 'x'), (2, 'b', 'y'); GRANT SELECT ON notes TO \"{role}\"; GRANT USAGE ON SCHEMA public TO \"{role}\""
    );
    rt.block_on(db.apply(&grant)).expect("rows");
    let nothing_dropped = |what: &str| {
        let sql = newest(&p);
        assert!(
            !sql.contains("DROP POLICY") && !sql.contains("CREATE POLICY"),
            "{what}: the policies follow the table:\n{sql}"
        );
    };

    // Renamed, and one policy renamed by its hint in the same migration.
    let memos = TWO
        .replace(
            "name = \"notes\"",
            "name = \"memos\", renamed_from = \"notes\"",
        )
        .replace(
            "name = \"own_rows\",",
            "name = \"mine\", renamed_from = \"own_rows\",",
        );
    p.set_schema(&source(&memos, &role));
    step(
        &p,
        &db,
        NOW + 10,
        &[],
        "ALTER POLICY \"own_rows\" ON \"public\".\"memos\" RENAME TO \"mine\";",
    );
    nothing_dropped("renamed");
    assert_eq!(seen_in(&rt, &db, &role, "memos"), [1]);

    // Renamed again, the policy renamed by the flag the question offers (the table's new name).
    let notes2 = memos
        .replace(
            "name = \"memos\", renamed_from = \"notes\"",
            "name = \"notes2\", renamed_from = \"memos\"",
        )
        .replace(
            "name = \"mine\", renamed_from = \"own_rows\",",
            "name = \"ours\",",
        );
    p.set_schema(&source(&notes2, &role));
    let asked = p.run(&["generate", "--name", "asked"], NOW + 20);
    assert_eq!(asked.code, 2, "{}", asked.text());
    let flag = "policy:notes2.mine=ours";
    assert!(
        asked.text().contains(&format!("--rename {flag}")),
        "{}",
        asked.text()
    );
    step(
        &p,
        &db,
        NOW + 21,
        &["--rename", flag],
        "ALTER POLICY \"mine\" ON \"public\".\"notes2\" RENAME TO \"ours\";",
    );
    nothing_dropped("renamed by a flag");
    // `check` recovers the answered rename from the file's `rename-policy` finding.
    let check = p.run(&["check"], NOW + 22);
    assert!(!check.text().contains("drop-policy"), "{}", check.text());
    assert_eq!(seen_in(&rt, &db, &role, "notes2"), [1]);

    // Moved to another schema: `SET SCHEMA` keeps the policies.
    let moved = notes2.replace(
        "name = \"notes2\", renamed_from = \"memos\"",
        "name = \"notes2\", schema = \"app\", renamed_from = \"public.notes2\"",
    );
    p.set_schema(&source(&moved, &role));
    step(&p, &db, NOW + 30, &[], "SET SCHEMA \"app\"");
    nothing_dropped("moved");
    let usage = format!("GRANT USAGE ON SCHEMA app TO \"{role}\"");
    rt.block_on(db.apply(&usage)).expect("grant");
    assert_eq!(seen_in(&rt, &db, &role, "app.notes2"), [1]);

    // `check` reads the move back from the snapshots with the file's `rename-table` finding:
    // no `drop-table`, and the down is no `irreversible`.
    ok(&p.run(&["check"], NOW + 35), "check after the move");

    // Each down on the live database brings the names back with the policies.
    let first = p.journal().entries[0].tag[..14].to_string();
    let args = ["revert", "--url", &db.url, "--yes", "--to", &first];
    let revert = p.run(&args, NOW + 40);
    ok(&revert, "revert");
    assert_eq!(seen_in(&rt, &db, &role, "notes"), [1]);
    roles(&rt, &db, &role, false);
}

/// An enum rebuild retypes its columns too: a policy reading one is created again around it.
#[test]
fn pg_a_policy_reading_a_column_of_a_rebuilt_enum_is_created_again() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(TestDb::create("pol13_enum")) else {
        return;
    };
    let source = |values: &str| {
        format!(
            "#[derive(DbEnum)]\n#[db_enum(name = \"state\")]\nenum State {{ {values} }}\n\
             #[derive(Table)]\n#[table(name = \"notes\", rls)]\n\
             #[policy(name = \"open_rows\", for = \"select\", using = \"state <> 'closed'\")]\n\
             pub struct Note {{\n    #[column(primary_key)]\n    pub id: i64,\n    pub state: State,\n}}\n"
        )
    };
    let p = Project::new(&source("Open, Closed, Stale"));
    ok(&p.run(&["generate", "--name", "init"], NOW), "generate");
    p.set_schema(&source("Open, Closed"));
    ok(
        &p.run(&["generate", "--name", "rebuild"], NOW + 10),
        "generate",
    );
    let sql = newest(&p);
    let drop = sql.find("DROP POLICY \"open_rows\"").expect("dropped");
    let retype = sql
        .find("SET DATA TYPE \"public\".\"state\"")
        .expect("rebuilt");
    let create = sql.find("CREATE POLICY \"open_rows\"").expect("created");
    assert!(drop < retype && retype < create, "{sql}");
    let migrate = ["migrate", "--url", &db.url, "--allow-lint-errors"];
    ok(&p.run(&migrate, NOW + 20), "migrate");
    let server = TestDb::server_url();
    ok(&p.run(&["verify", "--url", &server], NOW + 21), "verify");
}
