//! drizzle-kit's `pg-generated.test.ts` and `pg-identity.test.ts` cases, translated into the
//! attribute language: each `from` / `to` pair is generated and migrated here on one fresh
//! PostgreSQL database, while a second one gets drizzle-kit's expected SQL on the same
//! starting point; the two catalogs (columns, constraints, indexes, and each column's
//! generation and identity sequence) must be equal.
//!
//! Translation notes:
//! - drizzle's three spellings of a generated expression (a callback, `sql`, a string) give
//!   the same SQL, so each case is written once. drizzle qualifies the column
//!   (`"users"."name" || 'hello'`); the translation names it bare (`name || 'hello'`), which
//!   PostgreSQL stores the same, since `verify` judges expressions on a probe table of another
//!   name, where the qualified name does not apply.
//! - A custom identity sequence name (`name: 'custom_seq'`) has no attribute: the sequences are
//!   compared by their settings, not their names.
//! - Every table here needs a primary key, which drizzle's tables lack: `users.id` is the key
//!   (NOT NULL, as an identity column is anyway), and drizzle's `CREATE TABLE` is followed by
//!   `ALTER TABLE "users" ADD CONSTRAINT "users_pkey" PRIMARY KEY ("id")`, the one statement
//!   added to its expected SQL.
//! - drizzle's "drop identity" leaves the column NOT NULL although its `to` side declares it
//!   nullable (its expected SQL is a bare `DROP IDENTITY`); the translation keeps it NOT NULL,
//!   so the catalogs are the ones drizzle's SQL gives.

use tests::pg::TestDb;
use tests::project::{Project, NOW};

/// One case: the schema before (empty for none) and after, and drizzle-kit's expected SQL
/// for the step (none: "no diff").
struct Case {
    name: &'static str,
    from: String,
    to: String,
    drizzle: &'static [&'static str],
}

/// Each column's generation and identity with its sequence's settings (not its name).
const COLUMN_KINDS: &str = "SELECT c.relname || '.' || a.attname || ' generated=' || a.attgenerated::text \
     || ' identity=' || a.attidentity::text || coalesce(' expr ' || pg_get_expr(d.adbin, d.adrelid), '') \
     || coalesce(' sequence ' || format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' \
     || s.seqincrement || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache \
     || ' cycle ' || s.seqcycle, '') \
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
     LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refobjid = a.attrelid \
          AND dep.refobjsubid = a.attnum AND dep.deptype = 'i' AND dep.classid = 'pg_class'::regclass \
     LEFT JOIN pg_sequence s ON s.seqrelid = dep.objid \
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped \
     AND c.relname <> '_sqlx_migrations' ORDER BY 1";

async fn column_kinds(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(COLUMN_KINDS)
        .fetch_all(&db.pool)
        .await
        .expect("column kinds")
}

fn run_case(c: &Case) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(ours) = rt.block_on(TestDb::create(c.name)) else {
        return;
    };
    let Some(theirs) = rt.block_on(TestDb::create(c.name)) else {
        return;
    };
    let p = Project::new(&c.from);
    if !c.from.is_empty() {
        let run = p.run(&["generate", "--name", "from"], NOW);
        assert_eq!(run.code, 0, "{}: generate from:\n{}", c.name, run.text());
        let run = p.run(&["migrate", "--url", &ours.url], NOW + 1);
        assert_eq!(run.code, 0, "{}: migrate from:\n{}", c.name, run.text());
        let from = std::fs::read_dir(p.migrations())
            .expect("migrations")
            .map(|e| e.expect("entry").path())
            .find(|f| tests::project::is_up_file(f))
            .expect("the from migration");
        let sql = std::fs::read_to_string(from).expect("sql");
        rt.block_on(theirs.apply(&sql))
            .expect("the same start on the second database");
    }
    p.set_schema(&c.to);
    let run = p.run(&["generate", "--name", "to"], NOW + 10);
    assert_eq!(run.code, 0, "{}: generate to:\n{}", c.name, run.text());
    if c.drizzle.is_empty() {
        assert!(
            run.text().contains("no changes"),
            "{}: drizzle finds no diff:\n{}",
            c.name,
            run.text()
        );
    }
    let migrate = p.run(
        &["migrate", "--url", &ours.url, "--allow-lint-errors"],
        NOW + 11,
    );
    assert_eq!(
        migrate.code,
        0,
        "{}: migrate to:\n{}",
        c.name,
        migrate.text()
    );
    for statement in c.drizzle {
        rt.block_on(theirs.apply(statement))
            .unwrap_or_else(|e| panic!("{}: drizzle's `{statement}`: {e}", c.name));
    }
    // sqlx's history table is ours alone.
    let user_objects = |catalog: String| -> String {
        catalog
            .lines()
            .filter(|l| !l.contains("_sqlx_migrations"))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let (a, b) = rt.block_on(async { (ours.catalog().await, theirs.catalog().await) });
    let (a, b) = (user_objects(a), user_objects(b));
    assert_eq!(
        a,
        b,
        "{}: catalog\n{}",
        c.name,
        tests::pg::catalog_diff(&a, &b)
    );
    let (a, b) = rt.block_on(async { (column_kinds(&ours).await, column_kinds(&theirs).await) });
    assert_eq!(a, b, "{}: generation and identity", c.name);
    let check = p.run(&["check", "--url", &ours.url], NOW + 12);
    assert!(
        !check.text().contains("drift"),
        "{}: check --url:\n{}",
        c.name,
        check.text()
    );
}

/// drizzle's `users` table of the generated-column cases, with `gen_name` as given.
fn users(gen_name: &str) -> String {
    format!(
        r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {{
    #[column(primary_key)]
    pub id: i32,
    pub id2: Option<i32>,
    pub name: Option<String>,
    {gen_name}
}}
"#
    )
}

#[test]
fn pg_generated() {
    let gen = |attrs: &str, ty: &str| {
        format!("#[column(name = \"gen_name\"{attrs})] pub gen_name: {ty},")
    };
    let cases = [
        Case {
            name: "drizzle_gen_add_column",
            from: users(""),
            to: users(&gen(", generated = \"name || 'hello'\"", "Option<String>")),
            drizzle: &[
                r#"ALTER TABLE "users" ADD COLUMN "gen_name" text GENERATED ALWAYS AS ("users"."name" || 'hello') STORED;"#,
            ],
        },
        Case {
            name: "drizzle_gen_add_to_existing",
            from: users(&gen("", "String")),
            to: users(&gen(", generated = \"name || 'to add'\"", "String")),
            drizzle: &[
                r#"ALTER TABLE "users" drop column "gen_name";"#,
                r#"ALTER TABLE "users" ADD COLUMN "gen_name" text GENERATED ALWAYS AS ("users"."name" || 'to add') STORED NOT NULL;"#,
            ],
        },
        Case {
            name: "drizzle_gen_drop",
            from: users(&gen(
                ", generated = \"name || 'to delete'\"",
                "Option<String>",
            )),
            to: users(&gen("", "Option<String>")),
            drizzle: &[r#"ALTER TABLE "users" ALTER COLUMN "gen_name" DROP EXPRESSION;"#],
        },
        Case {
            name: "drizzle_gen_change",
            from: users(&gen(", generated = \"name\"", "Option<String>")),
            to: users(&gen(", generated = \"name || 'hello'\"", "Option<String>")),
            drizzle: &[
                r#"ALTER TABLE "users" drop column "gen_name";"#,
                r#"ALTER TABLE "users" ADD COLUMN "gen_name" text GENERATED ALWAYS AS ("users"."name" || 'hello') STORED;"#,
            ],
        },
    ];
    for c in &cases {
        run_case(c);
    }
}

/// drizzle's `users` table of the identity cases: `id` with these `#[column(..)]` keys.
fn ids(attrs: &str) -> String {
    format!(
        r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {{
    #[column(primary_key, {attrs})]
    pub id: i32,
}}
"#
    )
}

#[test]
fn pg_identity() {
    let plain = "name = \"id\"";
    const KEY: &str = r#"ALTER TABLE "users" ADD CONSTRAINT "users_pkey" PRIMARY KEY ("id");"#;
    let cases = [
        Case {
            name: "drizzle_id_create_no_params",
            from: String::new(),
            to: ids("identity"),
            drizzle: &["CREATE TABLE \"users\" (\n\t\"id\" integer GENERATED BY DEFAULT AS IDENTITY (sequence name \"users_id_seq\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1)\n);\n", KEY],
        },
        Case {
            name: "drizzle_id_create_few_params",
            from: String::new(),
            to: ids("identity(increment = 4)"),
            drizzle: &["CREATE TABLE \"users\" (\n\t\"id\" integer GENERATED BY DEFAULT AS IDENTITY (sequence name \"custom_seq\" INCREMENT BY 4 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1)\n);\n", KEY],
        },
        Case {
            name: "drizzle_id_create_all_params",
            from: String::new(),
            to: ids("identity(increment = 4, min = 3, max = 1000, cache = 200)"),
            drizzle: &["CREATE TABLE \"users\" (\n\t\"id\" integer GENERATED BY DEFAULT AS IDENTITY (sequence name \"custom_seq\" INCREMENT BY 4 MINVALUE 3 MAXVALUE 1000 START WITH 3 CACHE 200)\n);\n", KEY],
        },
        Case {
            name: "drizzle_id_no_diff_no_params",
            from: ids("identity"),
            to: ids("identity"),
            drizzle: &[],
        },
        Case {
            name: "drizzle_id_no_diff_few_params",
            from: ids("identity(increment = 4)"),
            to: ids("identity(increment = 4)"),
            drizzle: &[],
        },
        Case {
            name: "drizzle_id_no_diff_all_params",
            from: ids("identity(increment = 4, min = 3, max = 1000, cache = 200)"),
            to: ids("identity(increment = 4, min = 3, max = 1000, cache = 200)"),
            drizzle: &[],
        },
        Case {
            name: "drizzle_id_drop_no_params",
            from: ids("identity"),
            to: ids(plain),
            drizzle: &[r#"ALTER TABLE "users" ALTER COLUMN "id" DROP IDENTITY;"#],
        },
        Case {
            name: "drizzle_id_drop_few_params",
            from: ids("identity(start = 100, increment = 3)"),
            to: ids(plain),
            drizzle: &[r#"ALTER TABLE "users" ALTER COLUMN "id" DROP IDENTITY;"#],
        },
        Case {
            name: "drizzle_id_drop_all_params",
            from: ids("identity(start = 100, increment = 3, cache = 100, cycle)"),
            to: ids(plain),
            drizzle: &[r#"ALTER TABLE "users" ALTER COLUMN "id" DROP IDENTITY;"#],
        },
        Case {
            name: "drizzle_id_alter_no_params",
            from: ids("identity"),
            to: ids("identity(start = 100)"),
            drizzle: &[r#"ALTER TABLE "users" ALTER COLUMN "id" SET START WITH 100;"#],
        },
        Case {
            name: "drizzle_id_alter_few_params",
            from: ids("identity(start = 100)"),
            to: ids("identity(start = 100, cache = 10)"),
            drizzle: &[r#"ALTER TABLE "users" ALTER COLUMN "id" SET CACHE 10;"#],
        },
        Case {
            name: "drizzle_id_by_default_to_always",
            from: ids("identity"),
            to: ids("identity(always, start = 100, cache = 10)"),
            drizzle: &[
                r#"ALTER TABLE "users" ALTER COLUMN "id" SET GENERATED ALWAYS;"#,
                r#"ALTER TABLE "users" ALTER COLUMN "id" SET START WITH 100;"#,
                r#"ALTER TABLE "users" ALTER COLUMN "id" SET CACHE 10;"#,
            ],
        },
        Case {
            name: "drizzle_id_always_to_by_default",
            from: ids("identity(always)"),
            to: ids("identity(start = 100, cache = 10)"),
            drizzle: &[
                r#"ALTER TABLE "users" ALTER COLUMN "id" SET GENERATED BY DEFAULT;"#,
                r#"ALTER TABLE "users" ALTER COLUMN "id" SET START WITH 100;"#,
                r#"ALTER TABLE "users" ALTER COLUMN "id" SET CACHE 10;"#,
            ],
        },
    ];
    for c in &cases {
        run_case(c);
    }
}
