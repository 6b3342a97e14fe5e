//! drizzle-kit's `indexes/pg` cases (`tests/indexes/pg.test.ts` with `common.ts`), written in
//! the attribute language: our migrations applied to one fresh database give the catalog that
//! drizzle-kit's expected SQL gives on another (the table made by our first migration on
//! both, since the cases are about the indexes). Where drizzle-kit's expected SQL is refused
//! by PostgreSQL, ours is refused with the same error.
//!
//! - `simpleIndex`: `where(sql\`select 1\`)` is no predicate PostgreSQL accepts; `true` stands
//!   for it on both sides. Its `indx1` (`using('hash', name.desc(), sql\`name\`)`) is refused
//!   by PostgreSQL on both sides: a hash index has one key and no order.
//! - `vectorIndex` needs the `vector` extension (pgvector), which the test server lacks.
//! - `indexesToBeTriggered`: the second schema's operator class `test` and `lower(id)` over an
//!   integer are refused by PostgreSQL on both sides; then, with `text_pattern_ops` and
//!   `lower(id::text)` standing for them on both sides, the catalogs agree.
//!   drizzle-kit also re-creates `indx` because `concurrently` went away; we keep it (the
//!   catalog is the same either way).
//!
//! - `changeIndexFields` of `push/pg.test.ts` (its first schema's SQL written as drizzle-kit
//!   writes a create, its expected SQL for the change as given): every kind of index change.
//!
//! drizzle-kit's `.desc()` sorts NULLs last (its expected SQL says `DESC NULLS LAST`), where
//! PostgreSQL's `DESC` alone sorts them first, so `t.name.desc()` is `"name DESC NULLS LAST"`.

use tests::pg::{catalog_diff, TestDb};
use tests::project::{Project, NOW};

const USERS: &str = r#"
#[derive(Table)]
#[table(name = "users")]
INDEXES
pub struct User {
    #[column(primary_key)]
    pub id: i32,
    pub name: Option<String>,
}
"#;

fn users(indexes: &str) -> String {
    USERS.replace("INDEXES", indexes)
}

/// Two fresh databases with the `users` table of our first migration, and the project.
struct Case {
    rt: tokio::runtime::Runtime,
    ours: TestDb,
    theirs: TestDb,
    project: Project,
    at: u64,
}

impl Case {
    fn new(label: &str) -> Option<Case> {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let ours = rt.block_on(TestDb::create(&format!("{label}_ours")))?;
        let theirs = rt.block_on(TestDb::create(&format!("{label}_theirs")))?;
        let project = Project::new(&users(""));
        let mut case = Case {
            rt,
            ours,
            theirs,
            project,
            at: NOW,
        };
        let generate = case.project.run(&["generate"], case.at);
        assert_eq!(generate.code, 0, "{}", generate.text());
        for url in [case.ours.url.clone(), case.theirs.url.clone()] {
            let run = case.project.run(&["migrate", "--url", &url], case.at + 1);
            assert_eq!(run.code, 0, "{}", run.text());
        }
        case.at += 10;
        Some(case)
    }

    /// Our schema `indexes` generated and migrated on our database: the migrate run.
    fn ours(&mut self, indexes: &str) -> tests::project::Run {
        self.project.set_schema(&users(indexes));
        self.at += 10;
        let generate = self.project.run(&["generate"], self.at);
        assert_eq!(generate.code, 0, "{}", generate.text());
        let url = self.ours.url.clone();
        self.project.run(
            &["migrate", "--url", &url, "--allow-lint-errors"],
            self.at + 1,
        )
    }

    /// drizzle-kit's expected statements on the other database one by one, outside a
    /// transaction (`CREATE INDEX CONCURRENTLY` cannot run in one).
    fn theirs_each(&self, statements: &[&str]) {
        for statement in statements {
            self.rt
                .block_on(sqlx::query(statement).execute(&self.theirs.pool))
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
    }

    /// drizzle-kit's expected statements on the other database, in one transaction.
    fn theirs(&self, statements: &[&str]) -> Result<(), sqlx::Error> {
        self.rt.block_on(self.theirs.apply(&statements.join("\n")))
    }

    fn assert_same_catalog(&self) {
        let ours = self.rt.block_on(self.ours.catalog());
        let theirs = self.rt.block_on(self.theirs.catalog());
        assert_eq!(ours, theirs, "{}", catalog_diff(&ours, &theirs));
        assert!(ours.contains("CREATE INDEX"), "{ours}");
    }

    /// Both sides refused, each with one of `errors` (PostgreSQL's errors for the case: the
    /// sides may run the failing statements in another order).
    fn assert_both_refused(
        &self,
        ours: &tests::project::Run,
        theirs: Result<(), sqlx::Error>,
        errors: &[&str],
    ) {
        let Err(sqlx::Error::Database(e)) = theirs else {
            panic!("drizzle-kit's SQL was not refused: {theirs:?}");
        };
        assert!(errors.contains(&e.message()), "{}", e.message());
        assert_ne!(ours.code, 0, "{}", ours.text());
        assert!(
            errors.iter().any(|m| ours.text().contains(m)),
            "{}",
            ours.text()
        );
    }
}

/// `index #1: simple index`, its first index.
#[test]
fn simple_index() {
    let Some(mut case) = Case::new("drizzle_idx_simple") else {
        return;
    };
    let run = case.ours(
        r#"#[index(keys("name DESC NULLS LAST", "id ASC NULLS LAST"), name = "users_name_id_index", with = "fillfactor = 70", predicate = "true")]"#,
    );
    assert_eq!(run.code, 0, "{}", run.text());
    case.theirs(&[
        r#"CREATE INDEX "users_name_id_index" ON "users" USING btree ("name" DESC NULLS LAST,"id") WITH (fillfactor=70) WHERE true;"#,
    ])
    .expect("drizzle-kit's SQL");
    case.assert_same_catalog();
}

/// `index #1: simple index`, its hash index: refused by PostgreSQL on both sides.
#[test]
fn simple_index_hash_is_refused_on_both_sides() {
    let Some(mut case) = Case::new("drizzle_idx_hash") else {
        return;
    };
    let run = case.ours(
        r#"#[index(keys("name DESC NULLS LAST", "name"), name = "indx1", using = "hash", with = "fillfactor = 70")]"#,
    );
    let theirs = case.theirs(&[
        r#"CREATE INDEX "indx1" ON "users" USING hash ("name" DESC NULLS LAST,"name") WITH (fillfactor=70);"#,
    ]);
    case.assert_both_refused(
        &run,
        theirs,
        &["access method \"hash\" does not support multicolumn indexes"],
    );
}

const TRIGGERED_V1: &str = r#"
#[index(keys("name DESC NULLS LAST"), name = "indx", concurrently)]
#[index(keys("name DESC NULLS LAST"), name = "indx1", predicate = "true")]
#[index(keys("name text_ops"), name = "indx2", predicate = "true")]
#[index(keys("lower(name)"), name = "indx3", predicate = "true")]
"#;

const TRIGGERED_V1_SQL: &[&str] = &[
    r#"CREATE INDEX "indx" ON "users" USING btree ("name" DESC NULLS LAST);"#,
    r#"CREATE INDEX "indx1" ON "users" USING btree ("name" DESC NULLS LAST) WHERE true;"#,
    r#"CREATE INDEX "indx2" ON "users" USING btree ("name" text_ops) WHERE true;"#,
    r#"CREATE INDEX "indx3" ON "users" USING btree (lower(name)) WHERE true;"#,
];

/// The second schema as drizzle-kit's case writes it, with `OPCLASS` and `LOWER_ID` left to
/// fill in.
const TRIGGERED_V2: &str = r#"
#[index(keys("name DESC NULLS LAST"), name = "indx")]
#[index(keys("name DESC NULLS LAST"), name = "indx1", predicate = "false")]
#[index(keys("name OPCLASS"), name = "indx2", predicate = "true")]
#[index(keys("LOWER_ID"), name = "indx3", predicate = "true")]
#[index(keys("LOWER_ID"), name = "indx4", predicate = "true")]
"#;

fn triggered_v2_sql(opclass: &str, lower_id: &str) -> Vec<String> {
    [
        r#"DROP INDEX "indx";"#,
        r#"DROP INDEX "indx1";"#,
        r#"DROP INDEX "indx2";"#,
        r#"DROP INDEX "indx3";"#,
        r#"CREATE INDEX "indx4" ON "users" USING btree (LOWER_ID) WHERE true;"#,
        r#"CREATE INDEX "indx" ON "users" USING btree ("name" DESC NULLS LAST);"#,
        r#"CREATE INDEX "indx1" ON "users" USING btree ("name" DESC NULLS LAST) WHERE false;"#,
        r#"CREATE INDEX "indx2" ON "users" USING btree ("name" OPCLASS) WHERE true;"#,
        r#"CREATE INDEX "indx3" ON "users" USING btree (LOWER_ID) WHERE true;"#,
    ]
    .iter()
    .map(|s| s.replace("OPCLASS", opclass).replace("LOWER_ID", lower_id))
    .collect()
}

fn triggered(label: &str, opclass: &str, ours_lower: &str, theirs_lower: &str) {
    let Some(mut case) = Case::new(label) else {
        return;
    };
    let run = case.ours(TRIGGERED_V1);
    assert_eq!(run.code, 0, "{}", run.text());
    case.theirs(TRIGGERED_V1_SQL)
        .expect("drizzle-kit's first SQL");
    case.assert_same_catalog();
    let v2 = TRIGGERED_V2
        .replace("OPCLASS", opclass)
        .replace("LOWER_ID", ours_lower);
    let run = case.ours(&v2);
    let sql = triggered_v2_sql(opclass, theirs_lower);
    let theirs = case.theirs(&sql.iter().map(String::as_str).collect::<Vec<_>>());
    if opclass == "test" {
        let errors = [
            "operator class \"test\" does not exist for access method \"btree\"",
            "function lower(integer) does not exist",
        ];
        case.assert_both_refused(&run, theirs, &errors);
    } else {
        assert_eq!(run.code, 0, "{}", run.text());
        theirs.expect("drizzle-kit's second SQL");
    }
    case.assert_same_catalog();
}

/// `index #3`, as drizzle-kit writes it: the second schema is refused on both sides, and both
/// databases keep the first.
#[test]
fn triggered_as_written_is_refused_on_both_sides() {
    triggered("drizzle_idx_trig", "test", "lower(id)", r#"lower("id")"#);
}

/// `index #3` with an operator class and an expression PostgreSQL accepts.
#[test]
fn triggered_with_valid_stand_ins() {
    triggered(
        "drizzle_idx_trig_ok",
        "text_pattern_ops",
        "lower(id::text)",
        r#"lower("id"::text)"#,
    );
}

/// `push/pg`'s `changeIndexFields`: columns, order, expressions, name, `with` and method
/// changed at once.
#[test]
fn change_index_fields() {
    let Some(mut case) = Case::new("drizzle_idx_fields") else {
        return;
    };
    let run = case.ours(
        r#"
#[index(columns(name, id), name = "removeColumn")]
#[index(keys("name DESC NULLS LAST"), name = "addColumn", with = "fillfactor = 70")]
#[index(keys("name DESC NULLS LAST", "name"), name = "removeExpression", concurrently)]
#[index(keys("id DESC NULLS LAST"), name = "addExpression")]
#[index(keys("id DESC NULLS LAST", "name"), name = "changeExpression")]
#[index(keys("name DESC NULLS LAST", "id ASC NULLS LAST"), name = "changeName", with = "fillfactor = 70")]
#[index(columns(name), name = "changeWith", with = "fillfactor = 70")]
#[index(columns(name), name = "changeUsing")]
"#,
    );
    assert_eq!(run.code, 0, "{}", run.text());
    case.theirs_each(&[
        r#"CREATE INDEX "removeColumn" ON "users" USING btree ("name","id");"#,
        r#"CREATE INDEX "addColumn" ON "users" USING btree ("name" DESC NULLS LAST) WITH (fillfactor=70);"#,
        r#"CREATE INDEX CONCURRENTLY "removeExpression" ON "users" USING btree ("name" DESC NULLS LAST,name);"#,
        r#"CREATE INDEX "addExpression" ON "users" USING btree ("id" DESC NULLS LAST);"#,
        r#"CREATE INDEX "changeExpression" ON "users" USING btree ("id" DESC NULLS LAST,name);"#,
        r#"CREATE INDEX "changeName" ON "users" USING btree ("name" DESC NULLS LAST,"id") WITH (fillfactor=70);"#,
        r#"CREATE INDEX "changeWith" ON "users" USING btree ("name") WITH (fillfactor=70);"#,
        r#"CREATE INDEX "changeUsing" ON "users" USING btree ("name");"#,
    ]);
    case.assert_same_catalog();
    let run = case.ours(
        r#"
#[index(columns(name), name = "removeColumn")]
#[index(keys("name DESC NULLS LAST", "id NULLS LAST"), name = "addColumn", with = "fillfactor = 70")]
#[index(keys("name DESC NULLS LAST"), name = "removeExpression", concurrently)]
#[index(keys("id DESC NULLS LAST"), name = "addExpression")]
#[index(keys("id DESC NULLS LAST", "name desc"), name = "changeExpression")]
#[index(keys("name DESC NULLS LAST", "name"), name = "newName", with = "fillfactor = 70")]
#[index(columns(name), name = "changeWith", with = "fillfactor = 90")]
#[index(columns(name), name = "changeUsing", using = "hash")]
"#,
    );
    assert_eq!(run.code, 0, "{}", run.text());
    case.theirs_each(&[
        r#"DROP INDEX "changeName";"#,
        r#"DROP INDEX "addColumn";"#,
        r#"DROP INDEX "changeExpression";"#,
        r#"DROP INDEX "changeUsing";"#,
        r#"DROP INDEX "changeWith";"#,
        r#"DROP INDEX "removeColumn";"#,
        r#"DROP INDEX "removeExpression";"#,
        r#"CREATE INDEX "newName" ON "users" USING btree ("name" DESC NULLS LAST,name) WITH (fillfactor=70);"#,
        r#"CREATE INDEX "addColumn" ON "users" USING btree ("name" DESC NULLS LAST,"id") WITH (fillfactor=70);"#,
        r#"CREATE INDEX "changeExpression" ON "users" USING btree ("id" DESC NULLS LAST,name desc);"#,
        r#"CREATE INDEX "changeUsing" ON "users" USING hash ("name");"#,
        r#"CREATE INDEX "changeWith" ON "users" USING btree ("name") WITH (fillfactor=90);"#,
        r#"CREATE INDEX "removeColumn" ON "users" USING btree ("name");"#,
        r#"CREATE INDEX CONCURRENTLY "removeExpression" ON "users" USING btree ("name" DESC NULLS LAST);"#,
    ]);
    case.assert_same_catalog();
}
