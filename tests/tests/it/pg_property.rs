//! The diff's property: for random schema pairs (A, B) drawn from the whole attribute language
//! (see `tests::gen`), a database built by `create(A)` then the migration `A → B` has the same
//! catalog as one built by `create(B)`.
//!
//! Before the migration, rows that fit both A and B go into A (`tests::gen::rows`); every
//! table B keeps must keep them all. A migration may fail on rows only where lint warned that
//! it can (or where it adds a primary key); the case is then replayed without rows.
//!
//! Then its down (`tests::gen::down::sql`, as `generate` writes it) must bring the catalog
//! back to A's, and every row of the columns the change did not touch
//! (`tests::gen::down::untouched`) back as it was before the up; a down may fail on rows only
//! where its own lint (`lint::lint_down`) warned, and must then pass without them.
//!
//! Two databases serve every case; each case starts by emptying them. Policies may name the
//! role `tests::gen::TEST_ROLE`, which the test creates on the server once. `PROPTEST_CASES`
//! overrides the number of cases (200 by default).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use schema_core::diff;
use schema_core::model::Schema;
use schema_core::render::{self, Postgres};
use std::path::Path;
use tests::gen::{self, down, rows, source, Defs};
use tests::pg::TestDb;

/// The migration from `old` to `new` with the renames their hints declare.
fn migration(old: &Schema, new: &Schema) -> Result<String, String> {
    let renames = diff::hinted_renames(old, new);
    let changes = diff::diff(old, new, &renames);
    let statements =
        render::render(&Postgres, &changes).map_err(|e| format!("render failed: {e}"))?;
    Ok(render::migration_sql(&statements))
}

fn resolved(defs: &Defs, which: &str) -> Result<Schema, TestCaseError> {
    defs.resolve().map_err(|e| {
        TestCaseError::fail(format!(
            "generator bug: {which} does not resolve: {e}\n{}",
            source(defs)
        ))
    })
}

/// `create(A)` then the migration `step` on an emptied `migrated`, without rows.
async fn replay(
    migrated: &TestDb,
    create_a: &str,
    step: &str,
    fail: &impl Fn(String) -> TestCaseError,
) -> Result<(), TestCaseError> {
    migrated
        .reset()
        .await
        .map_err(|e| fail(format!("reset failed: {e}")))?;
    migrated
        .apply(create_a)
        .await
        .map_err(|e| fail(format!("{e}")))?;
    migrated.apply(step).await.map_err(|e| {
        fail(format!(
            "migration A → B failed without rows: {e}\n--- SQL:\n{step}"
        ))
    })
}

/// The role policies may name (`tests::gen::TEST_ROLE`): roles belong to the server, so it
/// is created once and kept.
async fn create_test_role(db: &TestDb) {
    let sql = format!(
        "DO $$ BEGIN CREATE ROLE {}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        gen::TEST_ROLE
    );
    db.apply(&sql)
        .await
        .unwrap_or_else(|e| panic!("creating the role {}: {e}", gen::TEST_ROLE));
}

/// What one case found: whether its up kept rows, and whether its down ran with them.
struct Found {
    kept_rows: bool,
    down_with_rows: bool,
    /// The untouched rows compared before the up and after the down.
    compared: usize,
}

/// One case.
async fn check(
    migrated: &TestDb,
    direct: &TestDb,
    a: &Defs,
    b: &Defs,
) -> Result<Found, TestCaseError> {
    let (sa, sb) = (resolved(a, "A")?, resolved(b, "B")?);
    let case = || format!("--- A:\n{}--- B:\n{}", source(a), source(b));
    let fail = |what: String| TestCaseError::fail(format!("{what}\n{}", case()));
    let create_a = migration(&Schema::default(), &sa).map_err(&fail)?;
    let create_b = migration(&Schema::default(), &sb).map_err(&fail)?;
    let step = migration(&sa, &sb).map_err(&fail)?;
    let back =
        down::sql(&Postgres, &sa, &sb).map_err(|e| fail(format!("down render failed: {e}")))?;
    crate::gate::gate_agrees(migrate_cli::config::Dialect::Postgres, &sa, &sb).map_err(&fail)?;
    for db in [migrated, direct] {
        db.reset()
            .await
            .map_err(|e| fail(format!("reset failed: {e}")))?;
    }
    migrated
        .apply(&create_a)
        .await
        .map_err(|e| fail(format!("create(A) failed: {e}\n{create_a}")))?;
    let catalog_a = migrated.catalog().await;
    let plan = rows::plan(a, b, rows::Flavor::Postgres).unwrap_or_default();
    let with_rows = !plan.tables.is_empty()
        && migrated
            .insert_rows(&plan)
            .await
            .map_err(|e| fail(format!("inserting rows: {e}")))?;
    let kept = down::untouched(a, b);
    let before = migrated
        .kept_values(&kept)
        .await
        .map_err(|e| fail(format!("reading the untouched rows: {e}")))?;
    let mut kept_rows = with_rows;
    if let Err(e) = migrated.apply(&step).await {
        kept_rows = false;
        let risks = {
            let changes = diff::diff(&sa, &sb, &diff::hinted_renames(&sa, &sb));
            rows::data_risks(&sa, &sb, &changes)
        };
        if !with_rows || risks.is_empty() {
            return Err(fail(format!(
                "migration A → B failed (rows: {with_rows}, lint risks: {risks:?}): {e}\n--- SQL:\n{step}"
            )));
        }
        // The rows made it fail where lint warned: the schema part must still hold.
        replay(migrated, &create_a, &step, &fail).await?;
    } else if with_rows {
        rows_survive(migrated, (a, b), &plan)
            .await
            .map_err(|e| fail(format!("{e}\n--- SQL:\n{step}")))?;
    }
    direct
        .apply(&create_b)
        .await
        .map_err(|e| fail(format!("create(B) failed: {e}\n{create_b}")))?;
    let (got, want) = (migrated.catalog().await, direct.catalog().await);
    prop_assert!(
        got == want,
        "catalog after create(A) + migration differs from create(B) (+ migrated only, - create(B) only):\n{}\n--- SQL:\n{step}{}",
        tests::pg::catalog_diff(&got, &want),
        case()
    );
    let pair = Pair {
        sa: &sa,
        sb: &sb,
        create_a: &create_a,
        step: &step,
        back: &back,
    };
    let compared = down_keeps(
        migrated,
        &pair,
        (&kept, &before),
        kept_rows,
        &catalog_a,
        &fail,
    )
    .await?;
    Ok(Found {
        kept_rows,
        down_with_rows: kept_rows && compared.is_some(),
        compared: compared.unwrap_or(0),
    })
}

/// Every table B keeps holds as many rows as `plan` put into it in A.
async fn rows_survive(
    migrated: &TestDb,
    (a, b): (&Defs, &Defs),
    plan: &rows::Rows,
) -> Result<(), String> {
    for ((schema, now), (old_schema, before)) in rows::survivors(a, b) {
        let sql = format!(
            "SELECT count(*) FROM \"{}\".\"{}\"",
            schema.replace('"', "\"\""),
            now.replace('"', "\"\"")
        );
        let have: i64 = sqlx::query_scalar(&sql)
            .fetch_one(&migrated.pool)
            .await
            .map_err(|e| format!("counting {now}: {e}"))?;
        let had = plan.count(&old_schema, &before) as i64;
        if have != had {
            return Err(format!(
                "table {schema}.{now} (was {old_schema}.{before}) lost rows: {have}, not {had}"
            ));
        }
    }
    Ok(())
}

/// A case's schemas and migrations: A and B, `create(A)`, the up `A → B` and its down.
struct Pair<'a> {
    sa: &'a Schema,
    sb: &'a Schema,
    create_a: &'a str,
    step: &'a str,
    back: &'a down::Down,
}

/// Runs the down on `migrated` (after the up): its catalog is `catalog_a` again, and every
/// untouched table's rows (`kept`) read as they did `before` the up when the up kept its rows.
/// A down may fail on the rows only where its lint warned: it is then replayed without rows
/// (`None`). Returns the rows compared.
async fn down_keeps(
    migrated: &TestDb,
    pair: &Pair<'_>,
    (kept, before): (&[down::Kept], &[Vec<String>]),
    kept_rows: bool,
    catalog_a: &str,
    fail: &impl Fn(String) -> TestCaseError,
) -> Result<Option<usize>, TestCaseError> {
    let (back, step) = (pair.back, pair.step);
    let mut replayed = false;
    if let Err(e) = migrated.apply(&back.sql).await {
        let costs = schema_core::lint::Costs::of(&Postgres);
        let risks = rows::down_risks(pair.sa, pair.sb, &back.up, &back.changes, costs);
        if !kept_rows || risks.is_empty() {
            return Err(fail(format!(
                "down B → A failed (rows: {kept_rows}, its lint risks: {risks:?}): {e}\n--- up:\n{step}--- down:\n{}",
                back.sql
            )));
        }
        // The rows made the down fail where its lint warned: without rows it must hold.
        replayed = true;
        replay(migrated, pair.create_a, step, fail).await?;
        migrated.apply(&back.sql).await.map_err(|e| {
            fail(format!(
                "down B → A failed without rows: {e}\n--- up:\n{step}--- down:\n{}",
                back.sql
            ))
        })?;
    }
    let got = migrated.catalog().await;
    if got != catalog_a {
        return Err(fail(format!(
            "catalog after create(A) + migration + down differs from create(A) (+ migrated only, - create(A) only):\n{}\n--- up:\n{step}--- down:\n{}",
            tests::pg::catalog_diff(&got, catalog_a),
            back.sql,
        )));
    }
    if replayed || !kept_rows {
        return Ok(None);
    }
    let after = migrated
        .kept_values(kept)
        .await
        .map_err(|e| fail(format!("reading the untouched rows after the down: {e}")))?;
    for ((k, before), after) in kept.iter().zip(before).zip(&after) {
        if before != after {
            return Err(fail(format!(
                "table {}.{} ({}) changed through the up and its down: {before:?} became {after:?}\n--- up:\n{step}--- down:\n{}",
                k.schema,
                k.table,
                k.columns.join(", "),
                back.sql
            )));
        }
    }
    Ok(Some(before.iter().map(Vec::len).sum()))
}

#[test]
fn migration_from_a_to_b_reaches_the_catalog_of_b() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let dbs = rt.block_on(async {
        let migrated = TestDb::create("property_migrated").await?;
        let direct = TestDb::create("property_direct").await?;
        Some((migrated, direct))
    });
    let Some((migrated, direct)) = dbs else {
        return;
    };
    rt.block_on(create_test_role(&migrated));
    let mut runner = TestRunner::new(gen::config(200));
    let (cases, with_rows) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let down_with_rows = std::cell::Cell::new(0u32);
    let compared = std::cell::Cell::new(0usize);
    let result = runner.run(&gen::schema_pair(), |(a, b)| {
        let found = rt.block_on(check(&migrated, &direct, &a, &b))?;
        cases.set(cases.get() + 1);
        with_rows.set(with_rows.get() + u32::from(found.kept_rows));
        down_with_rows.set(down_with_rows.get() + u32::from(found.down_with_rows));
        compared.set(compared.get() + found.compared);
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, _)) => panic!("minimal failing case: {reason}"),
        Err(e) => panic!("{e}"),
    }
    eprintln!(
        "{} of {} cases ran with rows, {} ran their down with rows ({} untouched rows compared)",
        with_rows.get(),
        cases.get(),
        down_with_rows.get(),
        compared.get()
    );
    assert!(
        with_rows.get() * 2 >= cases.get(),
        "only {} of {} cases kept rows through the migration: the row plan is too weak",
        with_rows.get(),
        cases.get()
    );
}

/// The generator stays inside the attribute language: the source it writes for a definition
/// set scans back to the same definitions, and both schemas of a pair resolve.
#[test]
fn generated_definitions_are_what_the_parser_reads() {
    let mut runner = TestRunner::new(Config {
        cases: 500,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&gen::schema_pair(), |(a, b)| {
        for defs in [&a, &b] {
            let text = source(defs);
            let mut scanned = migrate_cli::scan::Scanned::default();
            let mut errors = Vec::new();
            migrate_cli::scan::scan_source(Path::new("gen.rs"), &text, &mut scanned, &mut errors);
            prop_assert!(errors.is_empty(), "the parser rejects:\n{text}\n{errors:?}");
            prop_assert_eq!(
                &scanned.tables,
                &defs.tables,
                "tables differ for:\n{}",
                text
            );
            prop_assert_eq!(&scanned.enums, &defs.enums, "enums differ for:\n{}", text);
            prop_assert_eq!(
                &scanned.sequences,
                &defs.sequences,
                "sequences differ for:\n{}",
                text
            );
            prop_assert_eq!(&scanned.views, &defs.views, "views differ for:\n{}", text);
            resolved(defs, "a generated schema")?;
        }
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, _)) => panic!("minimal failing case: {reason}"),
        Err(e) => panic!("{e}"),
    }
}

/// The generator reaches every kind of change: over a thousand pairs, the migrations hold
/// each kind of statement the diff can write, and so do their downs (the property is only as
/// good as its pairs). Issue 13's rarer statements need only be in some up or some down, and
/// some pair adds or drops a foreign key over two or more columns.
#[test]
fn generated_pairs_exercise_every_change_kind() {
    let kinds = [
        "CREATE SCHEMA",
        "DROP SCHEMA",
        "CREATE TYPE",
        "DROP TYPE",
        "ADD VALUE",
        "' BEFORE '",
        "ALTER TYPE",
        "__old",
        "CREATE TABLE",
        "DROP TABLE",
        "SET SCHEMA",
        "ALTER SCHEMA",
        "RENAME TO",
        "ADD COLUMN",
        "DROP COLUMN",
        "RENAME COLUMN",
        "SET DATA TYPE",
        "USING",
        "::text::",
        "SET NOT NULL",
        "DROP NOT NULL",
        "SET DEFAULT",
        "DROP DEFAULT",
        "ADD GENERATED",
        "DROP IDENTITY",
        "PRIMARY KEY (",
        "UNIQUE (",
        "FOREIGN KEY",
        "CHECK (",
        "DROP CONSTRAINT",
        "RENAME CONSTRAINT",
        "ALTER INDEX",
        "CREATE INDEX",
        "CREATE UNIQUE INDEX",
        "USING hash",
        "USING gin",
        "USING btree",
        "\" DESC",
        " WHERE ",
        "DROP INDEX",
        "ON DELETE CASCADE",
        "ON DELETE SET NULL",
        "ON DELETE SET DEFAULT",
        "ON DELETE RESTRICT",
        "ON UPDATE CASCADE",
        // Issue 13's kinds.
        "NULLS NOT DISTINCT",
        "ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY",
        "DROP POLICY",
        "ALTER SEQUENCE",
        "CREATE VIEW",
        "DROP VIEW",
    ];
    // Rarer statements of issue 13's kinds: each in some up or some down.
    let rare = [
        "GENERATED ALWAYS AS (",
        "GENERATED ALWAYS AS IDENTITY",
        "CREATE SEQUENCE",
        "DROP SEQUENCE",
        "DROP EXPRESSION",
        "SET GENERATED",
        "SET INCREMENT BY",
        "DISABLE ROW LEVEL SECURITY",
        "ALTER POLICY",
        "AS RESTRICTIVE",
        "CREATE OR REPLACE VIEW",
        "ALTER VIEW",
    ];
    let mut runner = TestRunner::new(Config {
        cases: 1000,
        failure_persistence: None,
        ..Config::default()
    });
    let seen = std::cell::RefCell::new(vec![0usize; kinds.len()]);
    let seen_down = std::cell::RefCell::new(vec![0usize; kinds.len()]);
    let composite = std::cell::Cell::new(0usize);
    let seen_rare = std::cell::RefCell::new(vec![0usize; rare.len()]);
    let result = runner.run(&gen::schema_pair(), |(a, b)| {
        let (sa, sb) = (resolved(&a, "A")?, resolved(&b, "B")?);
        let multi = |s: &Schema| {
            s.tables
                .values()
                .flat_map(|t| &t.foreign_keys)
                .any(|k| k.columns.len() > 1)
        };
        composite.set(composite.get() + usize::from(multi(&sa) != multi(&sb)));
        let sql = migration(&sa, &sb).map_err(TestCaseError::fail)?;
        let back =
            down::sql(&Postgres, &sa, &sb).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (k, kind) in rare.iter().enumerate() {
            seen_rare.borrow_mut()[k] += usize::from(sql.contains(kind) || back.sql.contains(kind));
        }
        for (k, kind) in kinds.iter().enumerate() {
            seen.borrow_mut()[k] += usize::from(sql.contains(kind));
            seen_down.borrow_mut()[k] += usize::from(back.sql.contains(kind));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let missing = |seen: &[usize]| -> Vec<&str> {
        kinds
            .iter()
            .zip(seen)
            .filter(|(_, s)| **s == 0)
            .map(|(k, _)| *k)
            .collect()
    };
    let (up, back) = (missing(&seen.borrow()), missing(&seen_down.borrow()));
    assert!(up.is_empty(), "no generated migration contains: {up:?}");
    let rare_missing: Vec<&str> = rare
        .iter()
        .zip(seen_rare.borrow().iter())
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| *k)
        .collect();
    assert!(
        rare_missing.is_empty(),
        "no generated migration or down contains: {rare_missing:?}"
    );
    assert!(
        composite.get() > 0,
        "no pair adds or drops a foreign key over two or more columns"
    );
    assert!(back.is_empty(), "no generated down contains: {back:?}");
}

/// A known bug's minimal pair, found by the property: fails until the bug is fixed, then the
/// matching `KNOWN BUG` switch in `tests::gen` can go.
async fn known_bug(before: &str, after: &str) {
    use tests::source::{create, schema};
    let (a, b) = (schema(before), schema(after));
    let step = migration(&a, &b).unwrap_or_else(|e| panic!("{e}"));
    let (Some(migrated), Some(direct)) = (
        TestDb::create("known_bug").await,
        TestDb::create("known_bug").await,
    ) else {
        return;
    };
    migrated
        .apply(&create(&a))
        .await
        .unwrap_or_else(|e| panic!("create(A) failed: {e}"));
    migrated
        .apply(&step)
        .await
        .unwrap_or_else(|e| panic!("migration failed: {e}\n{step}"));
    direct
        .apply(&create(&b))
        .await
        .unwrap_or_else(|e| panic!("create(B) failed: {e}"));
    assert_eq!(migrated.catalog().await, direct.catalog().await, "{step}");
}

/// PostgreSQL leaves such UNIQUEs out of `CREATE TABLE`, so the model would name constraints the
/// database lacks: resolve rejects them, naming both.
#[test]
fn redundant_uniques_are_rejected() {
    let rejects = |src: &str, expect: &str| {
        let mut scanned = migrate_cli::scan::Scanned::default();
        let mut errors = Vec::new();
        migrate_cli::scan::scan_source(
            std::path::Path::new("case.rs"),
            src,
            &mut scanned,
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        match scanned.resolve() {
            Ok(_) => panic!("resolve accepted a redundant unique: {src}"),
            Err(e) => assert!(e.to_string().contains(expect), "{e}"),
        }
    };
    rejects(
        r#"#[derive(Table)] #[table(name = "accounts")]
        struct Account { id: i16, #[column(primary_key, unique)] name: i16 }"#,
        "unique constraint `accounts_name_key` on (name) repeats the primary key",
    );
    rejects(
        r#"#[derive(Table)] #[table(name = "accounts")] #[unique(columns(email), name = "accounts_mail_uq")]
        struct Account { #[column(primary_key)] id: i64, #[column(unique)] email: String }"#,
        "unique constraints `accounts_email_key` and `accounts_mail_uq` are both on (email)",
    );
}

/// The keys of a table moved and renamed onto a schema that holds a table of its old name are
/// renamed before the move, so `events_pkey` never meets `public.events`'s.
#[tokio::test]
async fn table_moved_onto_its_old_name() {
    known_bug(
        r#"#[derive(Table)] #[table(name = "events", schema = "audit")] struct A { #[column(primary_key)] id: i16 }
        #[derive(Table)] #[table(name = "events")] struct B { #[column(primary_key)] id: i16 }"#,
        r#"#[derive(Table)] #[table(name = "tags", renamed_from = "audit.events")] struct A { #[column(primary_key)] id: i16 }
        #[derive(Table)] #[table(name = "events")] struct B { #[column(primary_key)] id: i16 }"#,
    )
    .await;
}

/// The other direction: the moved table's new key names are taken in its old schema, so its
/// keys leave under temporary names and take their new names in the new schema.
#[tokio::test]
async fn table_moved_away_from_its_new_key_names() {
    known_bug(
        r#"#[derive(Table)] #[table(name = "events")] #[index(columns(at))] struct A { #[column(primary_key)] id: i16, #[column(unique)] code: String, at: i32 }
        #[derive(Table)] #[table(name = "tags")] #[index(columns(at))] struct B { #[column(primary_key)] id: i16, #[column(unique)] code: String, at: i32 }"#,
        r#"#[derive(Table)] #[table(name = "tags", schema = "audit", renamed_from = "public.events")] #[index(columns(at))] struct A { #[column(primary_key)] id: i16, #[column(unique)] code: String, at: i32 }
        #[derive(Table)] #[table(name = "tags")] #[index(columns(at))] struct B { #[column(primary_key)] id: i16, #[column(unique)] code: String, at: i32 }"#,
    )
    .await;
}

/// A moved table's identity sequence is renamed before the move, so `events_id_seq` never meets
/// `public.events`'s.
#[tokio::test]
async fn table_with_identity_moved_onto_its_old_name() {
    known_bug(
        r#"#[derive(Table)] #[table(name = "events", schema = "audit")] struct A { #[column(primary_key, identity)] id: i16 }
        #[derive(Table)] #[table(name = "events")] struct B { #[column(primary_key, identity)] id: i16 }"#,
        r#"#[derive(Table)] #[table(name = "tags", renamed_from = "audit.events")] struct A { #[column(primary_key, identity)] id: i16 }
        #[derive(Table)] #[table(name = "events")] struct B { #[column(primary_key, identity)] id: i16 }"#,
    )
    .await;
}

#[tokio::test]
async fn enum_moved_onto_its_old_name() {
    known_bug(
        r#"#[derive(DbEnum)] #[db_enum(name = "mood", schema = "audit")] enum M1 { A, B }
        #[derive(DbEnum)] #[db_enum(name = "mood")] enum M2 { A, B }
        #[derive(Table)] #[table(name = "t")] struct T { #[column(primary_key)] id: i64, m: M1 }"#,
        r#"#[derive(DbEnum)] #[db_enum(name = "level", renamed_from = "audit.mood")] enum M1 { A, B }
        #[derive(DbEnum)] #[db_enum(name = "mood")] enum M2 { A, B }
        #[derive(Table)] #[table(name = "t")] struct T { #[column(primary_key)] id: i64, m: M1 }"#,
    )
    .await;
}

/// Found by the property: bounds that leave out a sequence's current value (a fresh one stands
/// at its start) are refused by a plain `ALTER SEQUENCE`, so the migration restarts the
/// sequence at its new start where the value falls outside.
#[tokio::test]
async fn sequence_bounds_narrowed_past_its_value() {
    known_bug(
        r#"#[derive(Sequence)] #[sequence(name = "order_numbers")] struct S;
        #[derive(Sequence)] #[sequence(name = "ticket_seq")] struct T;"#,
        r#"#[derive(Sequence)] #[sequence(name = "order_numbers", min = 10, max = 100000, cache = 3, cycle)] struct S;
        #[derive(Sequence)] #[sequence(name = "ticket_seq", increment = -1)] struct T;"#,
    )
    .await;
}

/// Found by the property: PostgreSQL refuses to retype a column a policy reads, so the policy
/// is dropped before and created again after.
#[tokio::test]
async fn policy_reading_a_retyped_column() {
    known_bug(
        r#"#[derive(Table)] #[table(name = "accounts", rls)] #[policy(name = "own_rows", with_check = "id IS NOT NULL")]
        struct A { #[column(primary_key)] id: i16 }"#,
        r#"#[derive(Table)] #[table(name = "accounts", rls)] #[policy(name = "own_rows", with_check = "id IS NOT NULL")]
        struct A { #[column(primary_key)] id: i32 }"#,
    )
    .await;
}

/// Found by the property: PostgreSQL refuses to retype a column a generated column reads, so
/// the generated column is dropped before and added again after (and its unique key with it).
#[tokio::test]
async fn generated_column_over_a_retyped_column() {
    let a = r#"#[derive(Table)] #[table(name = "events")]
        struct A { #[column(primary_key)] id: i64, #[column(generated = "age * 2", unique)] score: i32, age: i32, #[column(generated = "age + 1")] next: i32 }"#;
    let b = r#"#[derive(Table)] #[table(name = "events")]
        struct A { #[column(primary_key)] id: i64, #[column(generated = "age * 2", unique)] score: i32, age: i16, next: i32, #[column(generated = "age - 3")] prev: i32 }"#;
    known_bug(a, b).await;
    // The way back: `next` becomes generated again, `prev` goes.
    known_bug(b, a).await;
}

/// Found by the property: a generated column added again for its new expression (its source
/// renamed) takes its index along, keyed `DESC` or not, and the index is created again.
#[tokio::test]
async fn index_with_ordered_keys_on_a_replaced_generated_column() {
    known_bug(
        r#"#[derive(Table)] #[table(name = "accounts")] #[index(keys("\"id\" DESC", "\"name\""))]
        struct A { #[column(primary_key)] email: i64, id: i16, #[column(generated = "\"id\" * 2")] name: i16 }"#,
        r#"#[derive(Table)] #[table(name = "accounts")] #[index(keys("\"age\" DESC", "\"name\""))]
        struct A { #[column(primary_key)] email: i64, #[column(renamed_from = "id")] age: i16, #[column(generated = "\"age\" * 2")] name: i16 }"#,
    )
    .await;
}

/// Found by the property: PostgreSQL refuses `USING` when it retypes a generated column, so a
/// generated column that changes type is added again with its new type.
#[tokio::test]
async fn generated_column_retyped() {
    known_bug(
        r#"#[derive(Table)] #[table(name = "accounts")]
        struct A { #[column(primary_key)] score: i16, id: i16, #[column(generated = "\"id\" * 2")] email: i64 }"#,
        r#"#[derive(Table)] #[table(name = "accounts")]
        struct A { #[column(primary_key)] score: i16, id: i16, #[column(generated = "\"id\" * 2")] email: i16 }"#,
    )
    .await;
}

/// KNOWN BUG (`tests::gen::AVOID_MOVE_ONTO_FREED_KEY_NAME`), found by the property: a table
/// moved into a schema where another table gives up its key's name in the same migration
/// moves before that table's constraint rename, so the name is still taken.
#[tokio::test]
#[ignore = "KNOWN BUG: a moved table's key takes a name freed in its new schema by the same migration"]
async fn table_moved_onto_a_key_name_freed_in_the_same_migration() {
    known_bug(
        r#"#[derive(Table)] #[table(name = "teams")] #[primary_key(id, name = "teams_pk")] struct A { id: i16 }
        #[derive(Table)] #[table(name = "teams", schema = "audit")] #[primary_key(id, name = "teams_pk")] struct B { id: i16 }"#,
        r#"#[derive(Table)] #[table(name = "notes", schema = "audit", renamed_from = "public.teams")] #[primary_key(id, name = "teams_pk")] struct A { id: i16 }
        #[derive(Table)] #[table(name = "teams", schema = "audit")] #[primary_key(id)] struct B { id: i16 }"#,
    )
    .await;
}

/// Found by the property: a generated column dropped with the column it reads is dropped
/// first (PostgreSQL refuses to drop a column a generated column still reads).
#[tokio::test]
async fn generated_column_dropped_with_its_source() {
    known_bug(
        r#"#[derive(Table)] #[table(name = "accounts")]
        struct A { #[column(primary_key)] email: i16, id: i16, #[column(generated = "\"id\" * 2")] name: i16 }"#,
        r#"#[derive(Table)] #[table(name = "accounts")] struct A { #[column(primary_key)] email: i16 }"#,
    )
    .await;
}
