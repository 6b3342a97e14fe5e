//! drizzle-kit's own PostgreSQL cases for named and composite primary keys, composite foreign
//! keys and `NULLS NOT DISTINCT`, written in our attribute language.
//!
//! Each case applies our migration (`create(A)`, then `A → B` as `generate` renders it) to one
//! fresh database and drizzle-kit's expected SQL (after the same `create(A)`) to another; the two
//! catalogs must be equal. The SQL is what drizzle-kit's tests expect (`drizzle-kit/tests/
//! pg-tables.test.ts`, `pg-columns.test.ts`); where a test asserts its JSON statements only,
//! the SQL is what drizzle-kit's `sqlgenerator.ts` makes of them. drizzle-kit's tests at the
//! mirrored commit have no `nullsNotDistinct` case, so those two cases use the SQL its
//! generator writes for `unique().nullsNotDistinct()` (`UNIQUE NULLS NOT DISTINCT("a")`).

use tests::pg::{catalog_diff, TestDb};
use tests::source::{create, migration, schema};

struct Case {
    name: &'static str,
    /// Our schema before (empty: nothing) and after.
    before: &'static str,
    after: &'static str,
    /// drizzle-kit's expected SQL for the change.
    drizzle: &'static str,
    /// Catalog lines that differ by what the case's other kinds are (a `serial` column, which
    /// is a sequence default in drizzle and an identity here), not by a constraint.
    ignore: &'static [&'static str],
}

async fn run(c: &Case) {
    let (a, b) = (schema(c.before), schema(c.after));
    let ours = format!("{}\n{}", create(&a), migration(&a, &b));
    let Some(our_db) = TestDb::create(c.name).await else {
        return;
    };
    let Some(their_db) = TestDb::create(c.name).await else {
        return;
    };
    our_db
        .apply(&ours)
        .await
        .unwrap_or_else(|e| panic!("{}: our SQL failed: {e}\n{ours}", c.name));
    let theirs = format!("{}\n{}", create(&a), c.drizzle);
    their_db
        .apply(&theirs)
        .await
        .unwrap_or_else(|e| panic!("{}: drizzle-kit's SQL failed: {e}\n{theirs}", c.name));
    let keep = |dump: String| -> String {
        dump.lines()
            .filter(|l| !c.ignore.iter().any(|i| l.starts_with(i)))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let (got, want) = (keep(our_db.catalog().await), keep(their_db.catalog().await));
    assert!(
        got == want,
        "{}: catalogs differ (+ ours, - drizzle-kit's):\n{}\nours:\n{ours}",
        c.name,
        catalog_diff(&got, &want)
    );
}

macro_rules! cases {
    ($($test:ident => $case:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            run(&$case).await;
        }
    )*};
}

cases! {
    // pg-tables.test.ts: 'composite primary key'.
    drizzle_composite_primary_key => Case {
        name: "dz_composite_pk",
        before: "",
        after: r#"
            #[derive(Table)]
            #[table(name = "works_to_creators")]
            #[primary_key(work_id, creator_id, classification, name = "works_to_creators_work_id_creator_id_classification_pk")]
            pub struct WorkToCreator { pub work_id: i32, pub creator_id: i32, pub classification: String }
        "#,
        drizzle: "CREATE TABLE \"works_to_creators\" (\n\t\"work_id\" integer NOT NULL,\n\t\"creator_id\" integer NOT NULL,\n\t\"classification\" text NOT NULL,\n\tCONSTRAINT \"works_to_creators_work_id_creator_id_classification_pk\" PRIMARY KEY(\"work_id\",\"creator_id\",\"classification\")\n);\n",
        ignore: &[],
    };
    // pg-tables.test.ts: 'alter composite primary key'.
    drizzle_alter_composite_primary_key => Case {
        name: "dz_alter_composite_pk",
        before: r#"
            #[derive(Table)]
            #[table(name = "table")]
            #[primary_key(col1, col2, name = "table_pk")]
            pub struct T { pub col1: i32, pub col2: i32, pub col3: String }
        "#,
        after: r#"
            #[derive(Table)]
            #[table(name = "table")]
            #[primary_key(col2, col3, name = "table_pk")]
            pub struct T { pub col1: i32, pub col2: i32, pub col3: String }
        "#,
        drizzle: "ALTER TABLE \"table\" DROP CONSTRAINT \"table_pk\";\n--> statement-breakpoint\nALTER TABLE \"table\" ADD CONSTRAINT \"table_pk\" PRIMARY KEY(\"col2\",\"col3\");",
        ignore: &[],
    };
    // pg-columns.test.ts: 'with composite pks #1' (a column added beside a named key).
    drizzle_with_composite_pks_1 => Case {
        name: "dz_composite_pks_1",
        before: r#"
            #[derive(Table)]
            #[table(name = "users")]
            #[primary_key(id1, id2, name = "compositePK")]
            pub struct User { pub id1: i32, pub id2: i32 }
        "#,
        after: r#"
            #[derive(Table)]
            #[table(name = "users")]
            #[primary_key(id1, id2, name = "compositePK")]
            pub struct User { pub id1: i32, pub id2: i32, pub text: Option<String> }
        "#,
        drizzle: "ALTER TABLE \"users\" ADD COLUMN \"text\" text;",
        ignore: &[],
    };
    // pg-columns.test.ts: 'with composite pks #3' (a key column renamed; drizzle-kit drops and
    // adds the key, we keep it).
    drizzle_with_composite_pks_3 => Case {
        name: "dz_composite_pks_3",
        before: r#"
            #[derive(Table)]
            #[table(name = "users")]
            #[primary_key(id1, id2, name = "compositePK")]
            pub struct User { pub id1: i32, pub id2: i32 }
        "#,
        after: r#"
            #[derive(Table)]
            #[table(name = "users")]
            #[primary_key(id1, id3, name = "compositePK")]
            pub struct User { pub id1: i32, #[column(renamed_from = "id2")] pub id3: i32 }
        "#,
        drizzle: "ALTER TABLE \"users\" RENAME COLUMN \"id2\" TO \"id3\";\n--> statement-breakpoint\nALTER TABLE \"users\" DROP CONSTRAINT \"compositePK\";\n--> statement-breakpoint\nALTER TABLE \"users\" ADD CONSTRAINT \"compositePK\" PRIMARY KEY(\"id1\",\"id3\");",
        ignore: &[],
    };
    // pg-tables.test.ts: 'optional db aliases (snake case)': a composite foreign key to a
    // composite primary key, beside a one-column key, a unique, a unique index and a partial one.
    drizzle_composite_foreign_key => Case {
        name: "dz_composite_fk",
        before: "",
        after: r#"
            #[derive(Table)]
            #[table(name = "t1")]
            #[unique(columns(t1_uni), name = "t1_uni")]
            #[index(columns(t1_uni_idx), unique, name = "t1_uni_idx")]
            #[index(columns(t1_idx), name = "t1_idx", predicate = "t1_idx > 0")]
            #[foreign_key(columns(t2_ref), references = T2, ref_columns(t2_id), name = "t1_t2_ref_t2_t2_id_fk")]
            #[foreign_key(columns(t1_col2, t1_col3), references = T3, ref_columns(t3_id1, t3_id2), name = "t1_t1_col2_t1_col3_t3_t3_id1_t3_id2_fk")]
            pub struct T1 {
                #[column(primary_key)] pub t1_id1: i32,
                pub t1_col2: i32,
                pub t1_col3: i32,
                pub t2_ref: i32,
                pub t1_uni: i32,
                pub t1_uni_idx: i32,
                pub t1_idx: i32,
            }

            #[derive(Table)]
            #[table(name = "t2")]
            pub struct T2 { #[column(primary_key, identity)] pub t2_id: i32 }

            #[derive(Table)]
            #[table(name = "t3")]
            #[primary_key(t3_id1, t3_id2, name = "t3_t3_id1_t3_id2_pk")]
            pub struct T3 { pub t3_id1: i32, pub t3_id2: i32 }
        "#,
        drizzle: "CREATE TABLE \"t1\" (\n\t\"t1_id1\" integer PRIMARY KEY NOT NULL,\n\t\"t1_col2\" integer NOT NULL,\n\t\"t1_col3\" integer NOT NULL,\n\t\"t2_ref\" integer NOT NULL,\n\t\"t1_uni\" integer NOT NULL,\n\t\"t1_uni_idx\" integer NOT NULL,\n\t\"t1_idx\" integer NOT NULL,\n\tCONSTRAINT \"t1_uni\" UNIQUE(\"t1_uni\")\n);\n
            CREATE TABLE \"t2\" (\n\t\"t2_id\" serial PRIMARY KEY NOT NULL\n);\n
            CREATE TABLE \"t3\" (\n\t\"t3_id1\" integer,\n\t\"t3_id2\" integer,\n\tCONSTRAINT \"t3_t3_id1_t3_id2_pk\" PRIMARY KEY(\"t3_id1\",\"t3_id2\")\n);\n
            ALTER TABLE \"t1\" ADD CONSTRAINT \"t1_t2_ref_t2_t2_id_fk\" FOREIGN KEY (\"t2_ref\") REFERENCES \"public\".\"t2\"(\"t2_id\") ON DELETE no action ON UPDATE no action;
            ALTER TABLE \"t1\" ADD CONSTRAINT \"t1_t1_col2_t1_col3_t3_t3_id1_t3_id2_fk\" FOREIGN KEY (\"t1_col2\",\"t1_col3\") REFERENCES \"public\".\"t3\"(\"t3_id1\",\"t3_id2\") ON DELETE no action ON UPDATE no action;
            CREATE UNIQUE INDEX \"t1_uni_idx\" ON \"t1\" USING btree (\"t1_uni_idx\");
            CREATE INDEX \"t1_idx\" ON \"t1\" USING btree (\"t1_idx\") WHERE \"t1\".\"t1_idx\" > 0;",
        ignore: &["column public.t2.t2_id "],
    };
    // pg-tables.test.ts: 'optional db aliases (camel case)': the same with camelCase names.
    drizzle_composite_foreign_key_camel_case => Case {
        name: "dz_composite_fk_camel",
        before: "",
        after: r#"
            #[derive(Table)]
            #[table(name = "t1")]
            #[unique(columns(t1_uni), name = "t1Uni")]
            #[index(columns(t1_uni_idx), unique, name = "t1UniIdx")]
            #[index(columns(t1_idx), name = "t1Idx", predicate = "\"t1Idx\" > 0")]
            #[foreign_key(columns(t2_ref), references = T2, ref_columns(t2_id), name = "t1_t2Ref_t2_t2Id_fk")]
            #[foreign_key(columns(t1_col2, t1_col3), references = T3, ref_columns(t3_id1, t3_id2), name = "t1_t1Col2_t1Col3_t3_t3Id1_t3Id2_fk")]
            pub struct T1 {
                #[column(primary_key, name = "t1Id1")] pub t1_id1: i32,
                #[column(name = "t1Col2")] pub t1_col2: i32,
                #[column(name = "t1Col3")] pub t1_col3: i32,
                #[column(name = "t2Ref")] pub t2_ref: i32,
                #[column(name = "t1Uni")] pub t1_uni: i32,
                #[column(name = "t1UniIdx")] pub t1_uni_idx: i32,
                #[column(name = "t1Idx")] pub t1_idx: i32,
            }

            #[derive(Table)]
            #[table(name = "t2")]
            pub struct T2 { #[column(primary_key, identity, name = "t2Id")] pub t2_id: i32 }

            #[derive(Table)]
            #[table(name = "t3")]
            #[primary_key(t3_id1, t3_id2, name = "t3_t3Id1_t3Id2_pk")]
            pub struct T3 { #[column(name = "t3Id1")] pub t3_id1: i32, #[column(name = "t3Id2")] pub t3_id2: i32 }
        "#,
        drizzle: "CREATE TABLE \"t1\" (\n\t\"t1Id1\" integer PRIMARY KEY NOT NULL,\n\t\"t1Col2\" integer NOT NULL,\n\t\"t1Col3\" integer NOT NULL,\n\t\"t2Ref\" integer NOT NULL,\n\t\"t1Uni\" integer NOT NULL,\n\t\"t1UniIdx\" integer NOT NULL,\n\t\"t1Idx\" integer NOT NULL,\n\tCONSTRAINT \"t1Uni\" UNIQUE(\"t1Uni\")\n);\n
            CREATE TABLE \"t2\" (\n\t\"t2Id\" serial PRIMARY KEY NOT NULL\n);\n
            CREATE TABLE \"t3\" (\n\t\"t3Id1\" integer,\n\t\"t3Id2\" integer,\n\tCONSTRAINT \"t3_t3Id1_t3Id2_pk\" PRIMARY KEY(\"t3Id1\",\"t3Id2\")\n);\n
            ALTER TABLE \"t1\" ADD CONSTRAINT \"t1_t2Ref_t2_t2Id_fk\" FOREIGN KEY (\"t2Ref\") REFERENCES \"public\".\"t2\"(\"t2Id\") ON DELETE no action ON UPDATE no action;
            ALTER TABLE \"t1\" ADD CONSTRAINT \"t1_t1Col2_t1Col3_t3_t3Id1_t3Id2_fk\" FOREIGN KEY (\"t1Col2\",\"t1Col3\") REFERENCES \"public\".\"t3\"(\"t3Id1\",\"t3Id2\") ON DELETE no action ON UPDATE no action;
            CREATE UNIQUE INDEX \"t1UniIdx\" ON \"t1\" USING btree (\"t1UniIdx\");
            CREATE INDEX \"t1Idx\" ON \"t1\" USING btree (\"t1Idx\") WHERE \"t1\".\"t1Idx\" > 0;",
        ignore: &["column public.t2.t2Id "],
    };
    // drizzle-kit's `unique("users_email_key").on(t.email).nullsNotDistinct()` in a new table.
    drizzle_unique_nulls_not_distinct => Case {
        name: "dz_nulls_not_distinct",
        before: "",
        after: r#"
            #[derive(Table)]
            #[table(name = "users")]
            #[unique(columns(email), name = "users_email_key", nulls_not_distinct)]
            pub struct User { #[column(primary_key)] pub id: i32, pub email: Option<String> }
        "#,
        drizzle: "CREATE TABLE \"users\" (\n\t\"id\" integer PRIMARY KEY NOT NULL,\n\t\"email\" text,\n\tCONSTRAINT \"users_email_key\" UNIQUE NULLS NOT DISTINCT(\"email\")\n);\n",
        ignore: &[],
    };
    // The same key added to an existing table, and a composite one: `ADD CONSTRAINT`.
    drizzle_add_unique_nulls_not_distinct => Case {
        name: "dz_add_nulls_not_distinct",
        before: r#"
            #[derive(Table)]
            #[table(name = "users")]
            pub struct User { #[column(primary_key)] pub id: i32, pub email: Option<String>, pub org: Option<i32> }
        "#,
        after: r#"
            #[derive(Table)]
            #[table(name = "users")]
            #[unique(columns(email), name = "users_email_key", nulls_not_distinct)]
            #[unique(columns(org, email), name = "users_org_email_unique", nulls_not_distinct)]
            pub struct User { #[column(primary_key)] pub id: i32, pub email: Option<String>, pub org: Option<i32> }
        "#,
        drizzle: "ALTER TABLE \"users\" ADD CONSTRAINT \"users_email_key\" UNIQUE NULLS NOT DISTINCT(\"email\");\n--> statement-breakpoint\nALTER TABLE \"users\" ADD CONSTRAINT \"users_org_email_unique\" UNIQUE NULLS NOT DISTINCT(\"org\",\"email\");",
        ignore: &[],
    };
}
