//! SQLite: good and bad SQL per code, and the table rebuild `generate` writes.

use super::check;
use crate::config::Dialect;

fn lite(sql: &str, expect: &[(usize, &str)]) {
    check(Dialect::Sqlite, sql, expect);
}

#[test]
fn drops() {
    lite(r#"DROP TABLE "order_items";"#, &[(1, "drop-table")]);
    lite("ALTER TABLE t DROP COLUMN c;", &[(1, "drop-column")]);
    lite("DROP INDEX i;", &[]);
    lite("DROP VIEW v;", &[(1, "drop-view")]);
    lite("DROP VIEW IF EXISTS \"open_issues\";", &[(1, "drop-view")]);
    lite("DROP VIEW v;\nCREATE VIEW v AS SELECT 1;", &[]);
    // SQLite has no TRUNCATE and refuses it; the lint still says what it would do.
    lite(r#"TRUNCATE TABLE "order_items";"#, &[(1, "truncate-table")]);
}

#[test]
fn columns() {
    lite(
        "ALTER TABLE t ADD COLUMN c integer NOT NULL;",
        &[(1, "add-not-null-without-default")],
    );
    lite(
        "ALTER TABLE t ADD COLUMN c integer DEFAULT 0 NOT NULL;",
        &[],
    );
    lite(
        "ALTER TABLE t ADD COLUMN c integer REFERENCES a (id);",
        &[(1, "add-foreign-key")],
    );
    lite(
        "ALTER TABLE t ADD COLUMN c integer CHECK (c > 0);",
        &[(1, "add-check")],
    );
    lite("ALTER TABLE t ADD COLUMN c text;", &[]);
}

#[test]
fn renames() {
    lite(
        r#"ALTER TABLE "accounts" RENAME COLUMN "nick" TO "nickname";"#,
        &[(1, "rename-column")],
    );
    lite("ALTER TABLE a RENAME TO b;", &[(1, "rename-table")]);
}

#[test]
fn unique_index_on_an_existing_table() {
    lite("CREATE UNIQUE INDEX i ON t (c);", &[(1, "add-unique")]);
    lite("CREATE INDEX i ON t (c);", &[]);
    lite(
        "CREATE TABLE t (c int);\nCREATE UNIQUE INDEX i ON t (c);",
        &[],
    );
}

#[test]
fn unparsed_statements_name_their_line() {
    lite(
        "SELECT 1;\n--> statement-breakpoint\nALTER TABLE t FROBNICATE;\n",
        &[(3, "unparsed-statement")],
    );
    lite("SELECT 'unclosed;\n", &[(1, "unparsed-statement")]);
}

#[test]
fn a_rebuild_is_neither_a_drop_nor_a_rename() {
    let sql = r#"-- no-transaction
PRAGMA foreign_keys=OFF;
--> statement-breakpoint
BEGIN IMMEDIATE;
--> statement-breakpoint
CREATE TEMP TABLE "__migrate_triggers" AS SELECT "name" FROM "main"."sqlite_master" WHERE "type" = 'trigger' AND "tbl_name" IN ('accounts');
--> statement-breakpoint
CREATE TABLE "__new_accounts" (
	"id" integer NOT NULL,
	"email" text NOT NULL,
	CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);
--> statement-breakpoint
INSERT INTO "__new_accounts" ("id", "email") SELECT "accounts"."id", "accounts"."email" FROM "accounts";
--> statement-breakpoint
DROP TABLE "accounts";
--> statement-breakpoint
PRAGMA legacy_alter_table=ON;
--> statement-breakpoint
ALTER TABLE "__new_accounts" RENAME TO "accounts";
--> statement-breakpoint
PRAGMA legacy_alter_table=OFF;
--> statement-breakpoint
CREATE TEMP TABLE "__migrate_fk_check" ("foreign_key_violations" integer CHECK ("foreign_key_violations" = 0));
--> statement-breakpoint
INSERT INTO "__migrate_fk_check" SELECT count(*) FROM pragma_foreign_key_check;
--> statement-breakpoint
DROP TABLE "temp"."__migrate_fk_check";
--> statement-breakpoint
DROP TABLE "temp"."__migrate_triggers";
--> statement-breakpoint
COMMIT;
--> statement-breakpoint
PRAGMA foreign_keys=ON;
"#;
    lite(sql, &[]);
    // Without the table that takes its name, the drop is a drop.
    let dropped = sql.replace(
        r#"ALTER TABLE "__new_accounts" RENAME TO "accounts";"#,
        "SELECT 1;",
    );
    lite(&dropped, &[(16, "drop-table")]);
}

#[test]
fn pragmas_with_names_read_and_a_broken_regexp_is_unread_not_a_panic() {
    lite("PRAGMA foreign_keys=OFF;\n--> statement-breakpoint\nPRAGMA journal_mode = WAL;\n--> statement-breakpoint\nPRAGMA main.cache_size(-2000);", &[]);
    lite("SELECT 1 WHERE 'a' REGEXP ;", &[(1, "unparsed-statement")]);
}

#[test]
fn triggers_are_read() {
    let sql = "CREATE TRIGGER \"issues_touch\" AFTER UPDATE ON \"issues\" BEGIN\n  UPDATE \"issues\" SET \"updated_at\" = CURRENT_TIMESTAMP WHERE \"id\" = NEW.\"id\";\nEND;\n--> statement-breakpoint\nDROP TABLE t;";
    lite(sql, &[(5, "drop-table")]);
    lite("CREATE TRIGGER IF NOT EXISTS x BEFORE DELETE ON t FOR EACH ROW WHEN OLD.id > 0 BEGIN DELETE FROM log WHERE id = OLD.id; END;", &[]);
    lite(
        "CREATE TRIGGER x AFTER INSERT ON t BEGIN FROBNICATE; END;",
        &[(1, "unparsed-statement")],
    );
    lite("CREATE TEMP TABLE t (a int);", &[]);
}

#[test]
fn a_finding_spans_its_statement() {
    let sql = "SELECT 1;\n--> statement-breakpoint\nALTER TABLE t\n  DROP COLUMN b;\n";
    let found = super::super::lint_file(Dialect::Sqlite, sql);
    let spans: Vec<(usize, usize)> = found.iter().map(|f| (f.line, f.last_line)).collect();
    assert_eq!(spans, [(3, 4)]);
}

#[test]
fn a_backslash_before_a_quote_is_never_read_silently() {
    lite(
        "INSERT INTO t VALUES ('C:\\');\nDROP TABLE x;\n",
        &[(1, "unparsed-statement")],
    );
}
