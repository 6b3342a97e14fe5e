//! PostgreSQL: good and bad SQL per code.

use super::check;
use crate::config::Dialect;

fn pg(sql: &str, expect: &[(usize, &str)]) {
    check(Dialect::Postgres, sql, expect);
}

#[test]
fn drop_table() {
    pg(
        r#"DROP TABLE "public"."order_items";"#,
        &[(1, "drop-table")],
    );
    pg(
        "DROP TABLE IF EXISTS a, b CASCADE;",
        &[(1, "drop-table"), (1, "drop-table")],
    );
    pg("DROP FOREIGN TABLE f;", &[(1, "drop-table")]);
    pg("DROP VIEW v;", &[(1, "drop-view")]);
}

/// `TRUNCATE` deletes every row (squawk has no rule for it).
#[test]
fn truncate_table() {
    pg(
        r#"TRUNCATE "public"."order_items";"#,
        &[(1, "truncate-table")],
    );
    pg(
        "TRUNCATE TABLE ONLY a, b RESTART IDENTITY CASCADE;",
        &[(1, "truncate-table"), (1, "truncate-table")],
    );
    pg("DELETE FROM a WHERE id = 1;", &[]);
}

#[test]
fn drop_column() {
    pg("ALTER TABLE t DROP COLUMN c;", &[(1, "drop-column")]);
    pg(
        "ALTER TABLE t DROP c, DROP COLUMN IF EXISTS d;",
        &[(1, "drop-column"), (1, "drop-column")],
    );
    pg(
        "ALTER TYPE composite DROP ATTRIBUTE a;",
        &[(1, "drop-column")],
    );
    pg("ALTER TABLE t DROP CONSTRAINT c;", &[]);
}

/// Issue 13: a hand-written `DROP SEQUENCE` is `drop-sequence`, as a generated one is.
#[test]
fn drop_sequence() {
    pg(
        "DROP SEQUENCE \"public\".\"order_numbers\";",
        &[(1, "drop-sequence")],
    );
    pg(
        "DROP SEQUENCE IF EXISTS a, billing.b;",
        &[(1, "drop-sequence"), (1, "drop-sequence")],
    );
    pg("CREATE SEQUENCE a START WITH 10;", &[]);
    pg("ALTER SEQUENCE a RESTART;", &[]);
}

/// A column dropped and added again as generated in one statement (how a generated
/// expression changes before PostgreSQL 17) computes its values anew: not `drop-column`.
#[test]
fn generated_expression_change() {
    pg(
        "ALTER TABLE \"public\".\"t\"\n\tDROP COLUMN \"total\",\n\tADD COLUMN \"total\" integer GENERATED ALWAYS AS (a * b) STORED NOT NULL;",
        &[(1, "generated-expression-change")],
    );
    pg(
        "ALTER TABLE t DROP COLUMN total, ADD COLUMN other integer GENERATED ALWAYS AS (a) STORED;",
        &[(1, "drop-column")],
    );
    pg(
        "ALTER TABLE t DROP COLUMN id, ADD COLUMN id integer GENERATED ALWAYS AS IDENTITY;",
        &[(1, "drop-column")],
    );
}

#[test]
fn drop_schema_and_database() {
    pg("DROP SCHEMA app CASCADE;", &[(1, "drop-schema")]);
    pg("DROP DATABASE app;", &[(1, "drop-database")]);
    pg(
        "DROP DATABASE IF EXISTS app WITH (FORCE);",
        &[(1, "drop-database")],
    );
    pg("CREATE SCHEMA app;", &[]);
}

#[test]
fn add_not_null_without_default() {
    pg(
        "ALTER TABLE t ADD COLUMN c int NOT NULL;",
        &[(1, "add-not-null-without-default")],
    );
    pg(
        "ALTER TABLE t ADD COLUMN c int PRIMARY KEY;",
        &[(1, "add-not-null-without-default"), (1, "add-unique")],
    );
    pg("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;", &[]);
    pg(
        "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS IDENTITY NOT NULL;",
        &[],
    );
    pg(
        "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a + 1) STORED NOT NULL;",
        &[],
    );
    pg("ALTER TABLE t ADD COLUMN c int;", &[]);
}

#[test]
fn set_not_null() {
    pg(
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
        &[(1, "set-not-null")],
    );
    pg("ALTER TABLE t ALTER c DROP NOT NULL;", &[]);
}

#[test]
fn type_change() {
    pg(
        "ALTER TABLE t ALTER COLUMN c TYPE bigint;",
        &[(1, "type-change")],
    );
    pg(
        "ALTER TABLE t ALTER COLUMN c SET DATA TYPE text USING c::text;",
        &[(1, "type-change")],
    );
    pg(
        "ALTER TYPE composite ALTER ATTRIBUTE a TYPE text;",
        &[(1, "type-change")],
    );
    pg("ALTER TABLE t ALTER COLUMN c SET DEFAULT 1;", &[]);
}

#[test]
fn add_unique() {
    pg(
        "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE (c);",
        &[(1, "add-unique")],
    );
    pg("ALTER TABLE t ADD PRIMARY KEY (id);", &[(1, "add-unique")]);
    pg(
        "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_idx;",
        &[],
    );
    pg(
        "ALTER TABLE t ADD COLUMN c int UNIQUE;",
        &[(1, "add-unique")],
    );
    pg(
        "CREATE UNIQUE INDEX CONCURRENTLY i ON t (c);",
        &[(1, "add-unique")],
    );
    pg(
        "CREATE UNIQUE INDEX i ON t (c);",
        &[(1, "index-without-concurrently"), (1, "add-unique")],
    );
}

#[test]
fn index_without_concurrently() {
    pg(
        "CREATE INDEX i ON t (c);",
        &[(1, "index-without-concurrently")],
    );
    pg("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);", &[]);
    pg("CREATE TABLE t (c int);\nCREATE INDEX i ON t (c);", &[]);
    pg(
        r#"CREATE TABLE "public"."t" (c int);
CREATE INDEX i ON "public"."t" (c);"#,
        &[],
    );
    // Created after the index: the index is on an existing table.
    pg(
        "CREATE INDEX i ON t (c);\nCREATE TABLE t2 (c int);",
        &[(1, "index-without-concurrently")],
    );
}

#[test]
fn drop_index_without_concurrently() {
    pg("DROP INDEX i;", &[(1, "drop-index-without-concurrently")]);
    pg("DROP INDEX CONCURRENTLY IF EXISTS i;", &[]);
}

#[test]
fn add_foreign_key() {
    pg(
        "ALTER TABLE t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES a (id);",
        &[(1, "add-foreign-key")],
    );
    pg(
        "ALTER TABLE t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES a (id) NOT VALID;",
        &[],
    );
    pg(
        "ALTER TABLE t ADD COLUMN a int REFERENCES a (id);",
        &[(1, "add-foreign-key")],
    );
    pg("CREATE TABLE t (a int REFERENCES a (id));", &[]);
    pg(
        "CREATE TABLE t (a int);\nALTER TABLE t ADD FOREIGN KEY (a) REFERENCES a (id);",
        &[],
    );
}

#[test]
fn add_check() {
    pg(
        "ALTER TABLE t ADD CONSTRAINT t_c_check CHECK (c > 0);",
        &[(1, "add-check")],
    );
    pg(
        "ALTER TABLE t ADD CONSTRAINT t_c_check CHECK (c > 0) NOT VALID;",
        &[],
    );
    pg(
        "ALTER TABLE t ADD COLUMN c int CHECK (c > 0);",
        &[(1, "add-check")],
    );
}

#[test]
fn validate_in_the_file_that_added_it_not_valid() {
    pg(
        "ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT k;",
        &[(2, "add-check")],
    );
    pg(
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES a (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT f;",
        &[(2, "add-foreign-key")],
    );
    pg("ALTER TABLE t VALIDATE CONSTRAINT k;", &[]);
}

#[test]
fn renames() {
    pg("ALTER TABLE t RENAME TO u;", &[(1, "rename-table")]);
    pg(
        "ALTER TABLE t RENAME COLUMN a TO b;",
        &[(1, "rename-column")],
    );
    pg("ALTER TABLE t RENAME a TO b;", &[(1, "rename-column")]);
    pg("ALTER TABLE t RENAME CONSTRAINT a TO b;", &[]);
}

#[test]
fn unparsed_statements_name_their_line() {
    pg(
        "SELECT 1;\nALTER TABLE t FROBNICATE c;\nSELECT 2;",
        &[(2, "unparsed-statement")],
    );
    pg("CREATE TABLE t (a int;", &[(1, "unparsed-statement")]);
    // What was read of a broken statement is still judged.
    pg(
        "DROP TABLE t CASCADE garbage;",
        &[(1, "drop-table"), (1, "unparsed-statement")],
    );
}

#[test]
fn lines_skip_comments_and_breakpoints() {
    let sql = "-- lint:allow drop-table\n-- a comment\nCREATE TABLE a (id int);\n--> statement-breakpoint\n\n/* note */\nDROP TABLE b;\n";
    pg(sql, &[(7, "drop-table")]);
}

#[test]
fn safe_statements_give_nothing() {
    let sql = r#"-- no-transaction
CREATE TABLE "public"."a" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, CONSTRAINT "a_pkey" PRIMARY KEY ("id"));
--> statement-breakpoint
CREATE INDEX CONCURRENTLY "b_x_idx" ON "public"."b" ("x");
--> statement-breakpoint
ALTER TABLE "public"."b" ADD COLUMN "y" text;
--> statement-breakpoint
UPDATE "public"."b" SET "y" = 'x' WHERE "y" IS NULL;
--> statement-breakpoint
DO $$ BEGIN RAISE NOTICE 'x'; END $$;
--> statement-breakpoint
CREATE TYPE "public"."mood" AS ENUM ('a', 'b');
--> statement-breakpoint
ALTER TYPE "public"."mood" ADD VALUE 'c';
--> statement-breakpoint
COMMENT ON TABLE "public"."a" IS 'x';
"#;
    pg(sql, &[]);
}

#[test]
fn findings_carry_codes_severities_and_names() {
    let f = super::lint_file(
        Dialect::Postgres,
        r#"ALTER TABLE "public"."issues" DROP COLUMN "priority";"#,
    );
    let f = &f[0].finding;
    assert_eq!(f.severity, schema_core::lint::Severity::Error);
    assert_eq!(f.object, "public.issues.priority");
    assert_eq!(
        f.message,
        "dropping column public.issues.priority deletes its data; running code that still selects it fails"
    );
    assert_eq!(
        f.suggestion,
        schema_core::lint::suggestion_for("drop-column")
    );
}

#[test]
fn a_finding_spans_its_statement() {
    let sql = "SELECT 1;\n\nALTER TABLE t\n    ADD COLUMN a int,\n    DROP COLUMN b;\nSELECT 2;\n";
    let found = super::lint_file(Dialect::Postgres, sql);
    let spans: Vec<(usize, usize, &str)> = found
        .iter()
        .map(|f| (f.line, f.last_line, f.finding.code))
        .collect();
    assert_eq!(spans, [(3, 5, "drop-column")]);
}

/// Issue 13: hand-written drops of views and policies and `DISABLE ROW LEVEL SECURITY` give the
/// change list's codes, objects and severities; what the file creates again later (a generated
/// file's views and policies around a retyped column) is no finding.
#[test]
fn views_policies_and_row_level_security() {
    pg(r#"DROP VIEW "public"."open_issues";"#, &[(1, "drop-view")]);
    pg(
        "DROP VIEW IF EXISTS a, b CASCADE;",
        &[(1, "drop-view"), (1, "drop-view")],
    );
    pg("DROP MATERIALIZED VIEW m;", &[(1, "drop-view")]);
    pg(
        r#"DROP POLICY "own_rows" ON "public"."notes";"#,
        &[(1, "drop-policy")],
    );
    pg(
        "DROP POLICY IF EXISTS p ON t CASCADE;",
        &[(1, "drop-policy")],
    );
    pg(
        r#"ALTER TABLE "public"."notes" DISABLE ROW LEVEL SECURITY;"#,
        &[(1, "disable-rls")],
    );
    pg("ALTER TABLE t ENABLE ROW LEVEL SECURITY;", &[]);
    pg("ALTER TABLE t FORCE ROW LEVEL SECURITY;", &[]);
    pg(
        "DROP VIEW v;\nALTER TABLE t ALTER COLUMN c TYPE text;\nCREATE VIEW v AS SELECT c FROM t;",
        &[(2, "type-change")],
    );
    pg(
        "DROP POLICY p ON public.t;\nCREATE POLICY p ON public.t USING (true);",
        &[],
    );
    pg(
        "CREATE VIEW v AS SELECT 1;\nDROP VIEW v;",
        &[(2, "drop-view")],
    );
    pg(
        "DROP POLICY p ON t;\nCREATE POLICY p ON other USING (true);",
        &[(1, "drop-policy")],
    );
    let found = super::super::lint_file(
        Dialect::Postgres,
        "DROP POLICY p ON public.t;\nALTER TABLE public.t DISABLE ROW LEVEL SECURITY;\nDROP VIEW public.v;\nDROP SEQUENCE public.s;",
    );
    let got: Vec<(String, String, String)> = found
        .iter()
        .map(|f| {
            let f = &f.finding;
            (f.code.to_string(), f.severity.to_string(), f.object.clone())
        })
        .collect();
    let want = [
        ("drop-policy", "warning", "public.t.p"),
        ("disable-rls", "error", "public.t"),
        ("drop-view", "warning", "public.v"),
        ("drop-sequence", "error", "public.s"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(c, s, o)| (c.to_string(), s.to_string(), o.to_string()))
        .collect();
    assert_eq!(got, want);
}
