//! The diff's property on MySQL (MariaDB here), with rows: for random schema pairs (A, B)
//! from the attribute language made fit for MySQL, a fresh database built by `create(A)`,
//! filled with rows, then migrated `A → B`:
//! - has the catalog of a database built by `create(B)` (columns in any order);
//! - keeps every row of every table B keeps;
//! - fails with rows only where lint warned that it can, and then passes without them;
//! - then, through its down (`tests::gen::down::sql`, as `generate` writes it), has the catalog
//!   of `create(A)` again and every row of the columns the change did not touch
//!   (`tests::gen::down::untouched`) as before the up; a down may fail on rows only where its
//!   own lint (`lint::lint_down`) warned, and must then pass without them.
//!
//! `PROPTEST_CASES` overrides the number of cases (24 by default; 400 pass).

use tests::mysql::TestDb;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// `INSERT`s of the generator's rows for MySQL: backticks, no schema, and foreign keys
/// unchecked while they go in (one statement list, so one connection).
fn mysql_inserts(rows: &tests::gen::rows::Rows) -> String {
    let quote = |n: &str| format!("`{}`", n.replace('`', "``"));
    let mut sql = vec!["SET FOREIGN_KEY_CHECKS=0;".to_string()];
    for t in rows.tables.iter().filter(|t| !t.rows.is_empty()) {
        let columns: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        let values: Vec<String> = t
            .rows
            .iter()
            .map(|r| format!("({})", r.join(", ")))
            .collect();
        sql.push(format!(
            "INSERT INTO {} ({}) VALUES {};",
            quote(&t.table),
            columns.join(", "),
            values.join(", ")
        ));
    }
    sql.push("SET FOREIGN_KEY_CHECKS=1;".to_string());
    sql.join("\n")
}

/// What a database built by `create`, `rows` (when given and A takes them) and `step` holds:
/// its sorted catalog, whether the rows went in, and the row count of each table in `count`;
/// then, with a down to run, what the way back found.
struct Built {
    catalog: Vec<String>,
    with_rows: bool,
    counts: Vec<i64>,
    /// The catalog right after `create`.
    created: Vec<String>,
    /// The down's outcome, when there is one: its error, or what it left.
    back: Option<Result<Back, String>>,
}

/// What the down left: its catalog, and the untouched rows before the up and after the down.
struct Back {
    catalog: Vec<String>,
    before: Vec<Vec<String>>,
    after: Vec<Vec<String>>,
}

/// A migration's way back: the down's statements, and the tables and columns it must give
/// back untouched.
struct Down<'a> {
    statements: &'a [String],
    kept: &'a [tests::gen::down::Kept],
}

async fn build(
    create: &[String],
    rows: Option<&str>,
    (step, count): (&[String], &[String]),
    down: Option<Down<'_>>,
) -> Result<Built, String> {
    let db = TestDb::create("mysql_property").await.expect("server");
    for s in create {
        db.execute(s)
            .await
            .map_err(|e| format!("create: {e}\nin: {s}"))?;
    }
    let created = sorted_catalog(&db).await;
    // The rows go in on one connection, whose foreign key checks are on again afterwards
    // even when an insert fails (a key added with them off records RESTRICT as NO ACTION),
    // in one transaction: rows that fail go away whole, so a case replayed "without rows"
    // has none left over.
    let with_rows = match rows {
        Some(sql) => {
            use sqlx::Executor;
            let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
            conn.execute("START TRANSACTION")
                .await
                .map_err(|e| e.to_string())?;
            let ok = conn.execute(sql).await.is_ok();
            let end = if ok { "COMMIT" } else { "ROLLBACK" };
            conn.execute(end).await.map_err(|e| e.to_string())?;
            conn.execute("SET FOREIGN_KEY_CHECKS=1")
                .await
                .map_err(|e| e.to_string())?;
            ok
        }
        None => false,
    };
    let kept: &[tests::gen::down::Kept] = down.as_ref().map_or(&[], |d| d.kept);
    let before = kept_values(&db, kept).await?;
    for s in step {
        db.execute(s).await.map_err(|e| format!("{e}\nin: {s}"))?;
    }
    let catalog = sorted_catalog(&db).await;
    let mut counts = Vec::new();
    for table in count {
        let sql = format!("SELECT count(*) FROM `{}`", table.replace('`', "``"));
        let n: i64 = sqlx::query_scalar(&sql)
            .fetch_one(&db.pool)
            .await
            .map_err(|e| format!("count {table}: {e}"))?;
        counts.push(n);
    }
    let back = match down {
        None => None,
        Some(down) => Some(run_down(&db, &down, before).await),
    };
    Ok(Built {
        catalog,
        with_rows,
        counts,
        created,
        back,
    })
}

/// Runs the down's statements on `db`: its catalog and untouched rows afterwards, or the
/// failing statement's error.
async fn run_down(db: &TestDb, down: &Down<'_>, before: Vec<Vec<String>>) -> Result<Back, String> {
    for s in down.statements {
        db.execute(s).await.map_err(|e| format!("{e}\nin: {s}"))?;
    }
    Ok(Back {
        catalog: sorted_catalog(db).await,
        before,
        after: kept_values(db, down.kept).await?,
    })
}

/// The database's catalog lines, sorted. MariaDB's own json_valid check keeps the column's
/// old name after a rename: only its clause counts.
async fn sorted_catalog(db: &TestDb) -> Vec<String> {
    let mut catalog: Vec<String> = db
        .catalog()
        .await
        .lines()
        .map(|line| match line.split_once(" json_valid(") {
            Some((head, clause)) if line.starts_with("check ") => {
                let table = head.split(' ').nth(1).unwrap_or("");
                format!("check {table} json_valid({clause}")
            }
            _ => line.to_string(),
        })
        .collect();
    catalog.sort();
    catalog
}

/// Each untouched table's rows as sorted texts of their untouched values.
async fn kept_values(
    db: &TestDb,
    kept: &[tests::gen::down::Kept],
) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    for k in kept {
        let sql = k.select(tests::gen::down::Dialect::Mysql);
        let mut values: Vec<String> = sqlx::query_scalar(&sql)
            .fetch_all(&db.pool)
            .await
            .map_err(|e| format!("{e}\nin: {sql}"))?;
        values.sort();
        out.push(values);
    }
    Ok(out)
}

use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use schema_core::diff;
use schema_core::model::Schema;
use schema_core::render::{Dialect, Mysql, RenderError};
use tests::gen::{down, rows};

fn model(defs: &tests::gen::Defs) -> Result<Schema, TestCaseError> {
    defs.resolve_for(&Mysql).map_err(|e| {
        TestCaseError::fail(format!(
            "generator pair is no MySQL schema: {e}\n{}",
            tests::gen::source(defs)
        ))
    })
}

fn changes(old: &Schema, new: &Schema) -> Vec<diff::Change> {
    diff::diff(old, new, &diff::hinted_renames(old, new))
}

/// A render error as the case's outcome: a name the generator made too long for MySQL is the
/// user's to shorten (the case is rejected), anything else fails.
fn render_error(e: RenderError) -> TestCaseError {
    match e {
        e @ RenderError::NameTooLong { .. } => TestCaseError::reject(e.to_string()),
        e => TestCaseError::fail(e.to_string()),
    }
}

fn script(old: &Schema, new: &Schema) -> Result<Vec<String>, TestCaseError> {
    Mysql
        .script(&changes(old, new), old, new)
        .map(|s| s.statements)
        .map_err(render_error)
}

/// Whether the gate reads an `add-foreign-key` in `statements`: rows go in with
/// FOREIGN_KEY_CHECKS=0, so a key a migration adds again (a MySQL table rename renames its
/// keys) may meet rows it refuses, and the statements' lint warns of such a key.
fn adds_foreign_key(statements: &[String]) -> bool {
    migrate_cli::gate::findings(
        migrate_cli::config::Dialect::Mysql,
        &statements.join("\n\n"),
    )
    .iter()
    .any(|f| f.finding.code == "add-foreign-key")
}

/// What one case found: whether its up and its down ran with rows.
struct Found {
    with_rows: bool,
    down_with_rows: bool,
    /// The untouched rows compared before the up and after the down.
    compared: usize,
}

/// One case: `create(A)`, rows, `A → B` and its down on one database, `create(B)` on another.
fn case(
    rt: &tokio::runtime::Runtime,
    a: &tests::gen::Defs,
    b: &tests::gen::Defs,
) -> Result<Found, TestCaseError> {
    let (a, b) = (tests::gen::mysql::defs(a), tests::gen::mysql::defs(b));
    let (sa, sb) = (model(&a)?, model(&b)?);
    let case = format!(
        "--- A:\n{}--- B:\n{}",
        tests::gen::source(&a),
        tests::gen::source(&b)
    );
    let fail = |what: String| TestCaseError::fail(format!("{what}\n{case}"));
    let empty = Schema::default();
    let create_a = script(&empty, &sa)?;
    let step = script(&sa, &sb)?;
    let back = down::sql(&Mysql, &sa, &sb).map_err(render_error)?;
    crate::gate::gate_agrees(migrate_cli::config::Dialect::Mysql, &sa, &sb).map_err(&fail)?;
    let create_b = script(&empty, &sb)?;
    let plan = rows::plan(&a, &b, rows::Flavor::Postgres).unwrap_or_default();
    let inserts = mysql_inserts(&plan);
    let survivors = rows::survivors(&a, &b);
    let now: Vec<String> = survivors.iter().map(|((_, n), _)| n.clone()).collect();
    let kept = down::untouched(&a, &b);
    let way_back = || {
        Some(Down {
            statements: &back.statements,
            kept: &kept,
        })
    };
    let shown = format!("{}\n--- down:\n{}", step.join("\n"), back.sql);
    let replay = |what: &str| {
        rt.block_on(build(&create_a, None, (&step, &now), way_back()))
            .map_err(|e| {
                fail(format!(
                    "create(A) + A → B failed without rows{what}: {e}\n--- step:\n{shown}"
                ))
            })
    };
    let mut migrated =
        match rt.block_on(build(&create_a, Some(&inserts), (&step, &now), way_back())) {
            Ok(built) => built,
            Err(e) => {
                let risks = rows::data_risks(&sa, &sb, &changes(&sa, &sb));
                if risks.is_empty() && !adds_foreign_key(&step) {
                    return Err(fail(format!(
                        "create(A) + rows + A → B failed: {e}\n--- step:\n{shown}"
                    )));
                }
                replay("")?
            }
        };
    let direct = rt
        .block_on(build(&create_b, None, (&[], &[]), None))
        .map_err(|e| fail(format!("create(B) failed: {e}")))?;
    if migrated.catalog != direct.catalog {
        return Err(fail(format!(
            "catalogs differ\n--- migrated:\n{}\n--- create(B):\n{}\n--- step:\n{shown}",
            migrated.catalog.join("\n"),
            direct.catalog.join("\n"),
        )));
    }
    if migrated.with_rows {
        rows_survive(&migrated, &survivors, &plan)
            .map_err(|e| fail(format!("{e}\n--- step:\n{shown}")))?;
    }
    if !script(&sb, &sb)?.is_empty() {
        return Err(fail("B against itself is not empty".to_string()));
    }
    let up_with_rows = migrated.with_rows;
    let mut down_with_rows = up_with_rows;
    let back_found = match migrated.back.take() {
        Some(Ok(found)) => found,
        Some(Err(e)) => {
            let costs = schema_core::lint::Costs::of(&Mysql);
            let risks = rows::down_risks(&sa, &sb, &back.up, &back.changes, costs);
            if !migrated.with_rows || risks.is_empty() && !adds_foreign_key(&back.statements) {
                return Err(fail(format!(
                    "down B → A failed (rows: {}, its lint risks: {risks:?}): {e}\n--- step:\n{shown}",
                    migrated.with_rows
                )));
            }
            // The rows made the down fail where its lint warned: without rows it must hold.
            down_with_rows = false;
            migrated = replay(" (to replay the down)")?;
            match migrated.back.take() {
                Some(Ok(found)) => found,
                _ => {
                    return Err(fail(format!(
                        "down B → A failed without rows\n--- step:\n{shown}"
                    )))
                }
            }
        }
        None => return Err(fail("the down did not run".to_string())),
    };
    let compared = back_holds(&back_found, &migrated.created, &kept, down_with_rows)
        .map_err(|e| fail(format!("{e}\n--- step:\n{shown}")))?;
    Ok(Found {
        with_rows: up_with_rows,
        down_with_rows,
        compared,
    })
}

/// Every table B keeps (`survivors`) holds as many rows as `plan` put into it in A.
fn rows_survive(
    migrated: &Built,
    survivors: &[(rows::TableName, rows::TableName)],
    plan: &rows::Rows,
) -> Result<(), String> {
    for (((_, now), (schema, before)), have) in survivors.iter().zip(&migrated.counts) {
        let had = plan.count(schema, before) as i64;
        if *have != had {
            return Err(format!(
                "table {now} (was {before}) has {have} rows, not {had}"
            ));
        }
    }
    Ok(())
}

/// What the down left (`back`) has the catalog `created` of `create(A)`, and, when it ran
/// with rows, every untouched table's rows (`kept`) as before the up. Returns the rows compared.
fn back_holds(
    back: &Back,
    created: &[String],
    kept: &[down::Kept],
    with_rows: bool,
) -> Result<usize, String> {
    if back.catalog != created {
        return Err(format!(
            "the catalog after the down differs from create(A)'s\n--- after the down:\n{}\n--- create(A):\n{}",
            back.catalog.join("\n"),
            created.join("\n"),
        ));
    }
    if !with_rows {
        return Ok(0);
    }
    for ((k, before), after) in kept.iter().zip(&back.before).zip(&back.after) {
        if before != after {
            return Err(format!(
                "table {} ({}) changed through the up and its down: {before:?} became {after:?}",
                k.table,
                k.columns.join(", ")
            ));
        }
    }
    Ok(back.before.iter().map(Vec::len).sum())
}

/// For random pairs (A, B): `create(A)`, rows, then the migration `A → B` gives the catalog
/// of `create(B)` (columns compared in any order: MySQL appends added columns) and keeps every
/// row of every table B keeps; where rows make the migration fail, lint must have warned of
/// it, and the migration must pass without them. B's model diffs against itself to nothing.
/// Then the down gives the catalog of `create(A)` back, and every untouched row.
/// `PROPTEST_CASES` overrides the number of cases (24).
#[test]
fn mysql_migration_from_a_to_b_reaches_the_catalog_of_b_and_keeps_the_rows() {
    let rt = runtime();
    if rt
        .block_on(TestDb::create("mysql_property_probe"))
        .is_none()
    {
        return;
    }
    let (cases, with_rows) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let down_with_rows = std::cell::Cell::new(0u32);
    let compared = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(tests::gen::config(24));
    let result = runner.run(&tests::gen::schema_pair(), |(a, b)| {
        let found = case(&rt, &a, &b)?;
        cases.set(cases.get() + 1);
        with_rows.set(with_rows.get() + u32::from(found.with_rows));
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
        with_rows.get() * 3 >= cases.get(),
        "only {} of {} cases had rows: the rows prove too little",
        with_rows.get(),
        cases.get()
    );
}
