//! The diff's property on MySQL (MariaDB here), with rows: for random schema pairs (A, B)
//! from the attribute language made fit for MySQL, a fresh database built by `create(A)`,
//! filled with rows, then migrated `A → B`:
//! - has the catalog of a database built by `create(B)` (columns in any order);
//! - keeps every row of every table B keeps;
//! - fails with rows only where lint warned that it can, and then passes without them.
//!
//! `PROPTEST_CASES` overrides the number of cases (24 by default; 400 pass).

use tests::mysql::TestDb;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// The generator's pairs made fit for MySQL: SQLite's fitting (one schema, no arrays, no
/// access methods, defaults without PostgreSQL casts), then no partial index, checks quoted
/// with backticks and none on a column of a cascading foreign key, no identity a check reads
/// or on a non-integer, no `SET DEFAULT` and no `SET NULL` on a NOT NULL column, and no index
/// or unique key over a blob or json column (a key or reference there becomes a
/// `varchar(255)`).
fn mysql_defs(defs: &tests::gen::Defs) -> tests::gen::Defs {
    use schema_core::def::FieldType;
    use schema_core::model::{ColumnType, FkAction};
    let (mut tables, enums) = tests::gen::sqlite::defs(defs);
    for t in &mut tables {
        for c in &mut t.checks {
            c.expr = c.expr.replace('"', "`");
        }
        let unindexable: Vec<String> = t
            .fields
            .iter()
            .filter(|f| {
                matches!(&f.ty, FieldType::Sql(ColumnType::Builtin(ty)) if ty == "bytea" || ty.starts_with("json"))
            })
            .map(|f| f.field.clone())
            .collect();
        t.indexes
            .retain(|i| !i.columns.iter().any(|c| unindexable.contains(c)));
        for i in &mut t.indexes {
            i.predicate = None;
        }
        t.uniques
            .retain(|u| !u.columns.iter().any(|c| unindexable.contains(c)));
        // No check on a column of a cascading foreign key (MySQL refuses it).
        let cascading: Vec<String> = t
            .fields
            .iter()
            .filter(|f| {
                f.references.as_ref().is_some_and(|r| {
                    [r.on_delete, r.on_update].iter().any(|a| {
                        matches!(
                            a,
                            FkAction::Cascade | FkAction::SetNull | FkAction::SetDefault
                        )
                    })
                })
            })
            .map(|f| format!("`{}`", f.name))
            .collect();
        t.checks
            .retain(|c| !cascading.iter().any(|name| c.expr.contains(name.as_str())));
        let checks: Vec<String> = t.checks.iter().map(|c| c.expr.clone()).collect();
        for f in &mut t.fields {
            let integer = matches!(&f.ty, FieldType::Sql(ty) if schema_core::types::is_integer(ty));
            let checked = checks.iter().any(|c| c.contains(&format!("`{}`", f.name)));
            if f.identity && (!integer || checked) {
                f.identity = false;
            }
            if unindexable.contains(&f.field) {
                f.unique = false;
                f.index = false;
                if t.primary_key.contains(&f.field) || f.references.is_some() {
                    f.ty = FieldType::Sql(ColumnType::Builtin("character varying(255)".into()));
                    f.default = None;
                }
            }
            let nullable = f.nullable;
            if let Some(r) = &mut f.references {
                for action in [&mut r.on_delete, &mut r.on_update] {
                    if *action == FkAction::SetDefault
                        || (*action == FkAction::SetNull && !nullable)
                    {
                        *action = FkAction::NoAction;
                    }
                }
            }
        }
    }
    (tables, enums)
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

/// What a database built by `statements` (with `rows` inserted after `create` of them, when
/// given and A takes them) holds: its sorted catalog, whether the rows went in, and the row
/// count of each table in `count`.
struct Built {
    catalog: Vec<String>,
    with_rows: bool,
    counts: Vec<i64>,
}

async fn build(
    create: &[String],
    rows: Option<&str>,
    step: &[String],
    count: &[String],
) -> Result<Built, String> {
    let db = TestDb::create("mysql_property").await.expect("server");
    for s in create {
        db.execute(s)
            .await
            .map_err(|e| format!("create: {e}\nin: {s}"))?;
    }
    // The rows go in on one connection, whose foreign key checks are on again afterwards
    // even when an insert fails (a key added with them off records RESTRICT as NO ACTION).
    let with_rows = match rows {
        Some(sql) => {
            use sqlx::Executor;
            let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
            let ok = conn.execute(sql).await.is_ok();
            conn.execute("SET FOREIGN_KEY_CHECKS=1")
                .await
                .map_err(|e| e.to_string())?;
            ok
        }
        None => false,
    };
    for s in step {
        db.execute(s).await.map_err(|e| format!("{e}\nin: {s}"))?;
    }
    // MariaDB's own json_valid check keeps the column's old name after a rename: only its
    // clause counts.
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
    let mut counts = Vec::new();
    for table in count {
        let sql = format!("SELECT count(*) FROM `{}`", table.replace('`', "``"));
        let n: i64 = sqlx::query_scalar(&sql)
            .fetch_one(&db.pool)
            .await
            .map_err(|e| format!("count {table}: {e}"))?;
        counts.push(n);
    }
    Ok(Built {
        catalog,
        with_rows,
        counts,
    })
}

/// For random pairs (A, B): `create(A)`, rows, then the migration `A → B` gives the catalog
/// of `create(B)` (columns compared in any order: MySQL appends added columns) and keeps every
/// row of every table B keeps; where rows make the migration fail, lint must have warned of
/// it, and the migration must pass without them. B's model diffs against itself to nothing.
/// `PROPTEST_CASES` overrides the number of cases (24).
#[test]
fn mysql_migration_from_a_to_b_reaches_the_catalog_of_b_and_keeps_the_rows() {
    use proptest::test_runner::{TestCaseError, TestError, TestRunner};
    use schema_core::diff;
    use schema_core::model::Schema;
    use schema_core::render::{Dialect, Mysql, RenderError};
    use tests::gen::rows;
    let rt = runtime();
    if rt
        .block_on(TestDb::create("mysql_property_probe"))
        .is_none()
    {
        return;
    }
    let model = |defs: &tests::gen::Defs| -> Result<Schema, TestCaseError> {
        let schema = schema_core::resolve::resolve(&defs.0, &defs.1)
            .map_err(|e| TestCaseError::fail(format!("resolve: {e:?}")))?;
        Mysql.adapt(schema, &defs.0).map_err(|e| {
            TestCaseError::fail(format!(
                "generator pair is no MySQL schema: {e:?}\n{}",
                tests::gen::source(defs)
            ))
        })
    };
    let changes =
        |old: &Schema, new: &Schema| diff::diff(old, new, &diff::hinted_renames(old, new));
    let script = |old: &Schema, new: &Schema| -> Result<Vec<String>, TestCaseError> {
        match Mysql.script(&changes(old, new), old, new) {
            Ok(s) => Ok(s.statements),
            // A name the generator made too long for MySQL: the user's to shorten.
            Err(e @ RenderError::NameTooLong { .. }) => Err(TestCaseError::reject(e.to_string())),
            Err(e) => Err(TestCaseError::fail(e.to_string())),
        }
    };
    let (cases, with_rows) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let mut runner = TestRunner::new(tests::gen::config(24));
    let result = runner.run(&tests::gen::schema_pair(), |(a, b)| {
        let (a, b) = (mysql_defs(&a), mysql_defs(&b));
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
        crate::gate::gate_agrees(migrate_cli::config::Dialect::Mysql, &sa, &sb).map_err(&fail)?;
        let create_b = script(&empty, &sb)?;
        let plan = rows::plan(&a, &b, rows::Flavor::Postgres).unwrap_or_default();
        let inserts = mysql_inserts(&plan);
        let survivors = rows::survivors(&a, &b);
        let now: Vec<String> = survivors.iter().map(|((_, n), _)| n.clone()).collect();
        let shown = step.join("\n");
        let migrated = match rt.block_on(build(&create_a, Some(&inserts), &step, &now)) {
            Ok(built) => built,
            Err(e) => {
                // Rows go in with FOREIGN_KEY_CHECKS=0, so a key the step adds again (a MySQL
                // table rename renames its keys) may meet rows it refuses: the statements'
                // lint warns of such a key, as the change list warns of its risks.
                let risks = rows::data_risks(&sa, &sb, &changes(&sa, &sb));
                let warned = migrate_cli::gate::findings(
                    migrate_cli::config::Dialect::Mysql,
                    &step.join("\n\n"),
                )
                .iter()
                .any(|f| f.finding.code == "add-foreign-key");
                if risks.is_empty() && !warned {
                    return Err(fail(format!(
                        "create(A) + rows + A → B failed: {e}\n--- step:\n{shown}"
                    )));
                }
                rt.block_on(build(&create_a, None, &step, &now))
                    .map_err(|e| {
                        fail(format!(
                            "create(A) + A → B failed without rows: {e}\n--- step:\n{shown}"
                        ))
                    })?
            }
        };
        let direct = rt
            .block_on(build(&create_b, None, &[], &[]))
            .map_err(|e| fail(format!("create(B) failed: {e}")))?;
        if migrated.catalog != direct.catalog {
            return Err(fail(format!(
                "catalogs differ\n--- migrated:\n{}\n--- create(B):\n{}\n--- step:\n{shown}",
                migrated.catalog.join("\n"),
                direct.catalog.join("\n"),
            )));
        }
        if migrated.with_rows {
            for (((_, now), (schema, before)), have) in survivors.iter().zip(&migrated.counts) {
                let had = plan.count(schema, before) as i64;
                if *have != had {
                    return Err(fail(format!(
                        "table {now} (was {before}) has {have} rows, not {had}\n--- step:\n{shown}"
                    )));
                }
            }
        }
        if !script(&sb, &sb)?.is_empty() {
            return Err(fail("B against itself is not empty".to_string()));
        }
        cases.set(cases.get() + 1);
        with_rows.set(with_rows.get() + u32::from(migrated.with_rows));
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, _)) => panic!("minimal failing case: {reason}"),
        Err(e) => panic!("{e}"),
    }
    eprintln!("{} of {} cases ran with rows", with_rows.get(), cases.get());
    assert!(
        with_rows.get() * 3 >= cases.get(),
        "only {} of {} cases had rows: the rows prove too little",
        with_rows.get(),
        cases.get()
    );
}
