//! MySQL: good and bad SQL per code.

use super::check;
use crate::config::Dialect;

fn my(sql: &str, expect: &[(usize, &str)]) {
    check(Dialect::Mysql, sql, expect);
}

#[test]
fn drops() {
    my("DROP TABLE `order_items`;", &[(1, "drop-table")]);
    my("ALTER TABLE `t` DROP COLUMN `c`;", &[(1, "drop-column")]);
    my("DROP DATABASE app;", &[(1, "drop-database")]);
    my("DROP INDEX `i` ON `t`;", &[]);
    my("DROP VIEW `open_issues`;", &[(1, "drop-view")]);
    my(
        "DROP VIEW IF EXISTS a, b;",
        &[(1, "drop-view"), (1, "drop-view")],
    );
    my("DROP VIEW `v`;\nCREATE VIEW `v` AS SELECT 1;", &[]);
    my("DROP SEQUENCE `order_numbers`;", &[(1, "drop-sequence")]);
    my("TRUNCATE TABLE `order_items`;", &[(1, "truncate-table")]);
    my("TRUNCATE `t`;", &[(1, "truncate-table")]);
    my("CREATE TABLE `n` (`id` int);\nTRUNCATE `n`;", &[]);
}

/// MySQL runs the statement inside an executable comment, so the lint reads it (found in a
/// new-user trial: it was only an unreadable statement, and MySQL dropped the table).
#[test]
fn executable_comments_are_read() {
    my("/*!50001 DROP TABLE victim */;", &[(1, "drop-table")]);
    my(
        "/*M!100100 ALTER TABLE `t` DROP COLUMN `c` */;",
        &[(1, "drop-column")],
    );
    my("/*! ALTER TABLE `t` ADD COLUMN `c` int */;", &[]);
    my("/* a plain comment */ SELECT 1;", &[]);
}

/// A byte-order mark before the first statement is no unreadable statement (found in a trial).
#[test]
fn a_byte_order_mark_is_no_statement() {
    my("\u{feff}DROP TABLE `t`;", &[(1, "drop-table")]);
    super::check(Dialect::Sqlite, "\u{feff}SELECT 1;", &[]);
    super::check(Dialect::Postgres, "\u{feff}SELECT 1;", &[]);
}

#[test]
fn columns() {
    my(
        "ALTER TABLE `t` ADD COLUMN `c` int NOT NULL;",
        &[(1, "add-not-null-without-default")],
    );
    my(
        "ALTER TABLE `t` ADD COLUMN `c` int DEFAULT 0 NOT NULL;",
        &[],
    );
    my(
        "ALTER TABLE `t` ADD COLUMN `id` bigint NOT NULL AUTO_INCREMENT;",
        &[],
    );
    my(
        "ALTER TABLE `t` MODIFY COLUMN `c` bigint NOT NULL;",
        &[(1, "type-change")],
    );
    my(
        "ALTER TABLE `t` CHANGE `a` `b` int;",
        &[(1, "rename-column"), (1, "type-change")],
    );
}

#[test]
fn constraints() {
    my(
        "ALTER TABLE `t` ADD CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES `a` (`id`);",
        &[(1, "add-foreign-key")],
    );
    my(
        "ALTER TABLE `t` ADD CONSTRAINT `u` UNIQUE (`a`);",
        &[(1, "add-unique")],
    );
    my(
        "ALTER TABLE `t` ADD CONSTRAINT `k` CHECK (`a` > 0);",
        &[(1, "add-check")],
    );
    my(
        "CREATE UNIQUE INDEX `i` ON `t` (`a`);",
        &[(1, "add-unique")],
    );
    my("CREATE INDEX `i` ON `t` (`a`);", &[]);
    my(
        "CREATE TABLE `t` (`a` int);\n\nALTER TABLE `t` ADD CONSTRAINT `u` UNIQUE (`a`);",
        &[],
    );
}

#[test]
fn renames() {
    my(
        "ALTER TABLE `accounts` RENAME COLUMN `nick` TO `nickname`;",
        &[(1, "rename-column")],
    );
    my("RENAME TABLE `a` TO `b`;", &[(1, "rename-table")]);
    my("ALTER TABLE `a` RENAME TO `b`;", &[(1, "rename-table")]);
}

#[test]
fn unread_statements_name_their_line() {
    my("SELECT 1;\n\nDELIMITER //\n", &[(3, "unparsed-statement")]);
    my(
        "SELECT 1;\n/*!50001 DROP TABLE t */;\n",
        &[(2, "drop-table")],
    );
    my(
        "SELECT 1;\n/*!50001 FROBNICATE t */;\n",
        &[(2, "unparsed-statement")],
    );
    my(
        "SELECT 1;\nALTER TABLE t FROBNICATE;\n",
        &[(2, "unparsed-statement")],
    );
}

#[test]
fn a_procedure_body_is_one_statement() {
    let sql = "CREATE PROCEDURE p()\nBEGIN\n  DELETE FROM t;\n  SELECT 1;\nEND;\n\nDROP TABLE t;\n";
    let found = super::super::lint_file(Dialect::Mysql, sql);
    assert_eq!(
        found.last().map(|f| (f.line, f.finding.code)),
        Some((7, "drop-table")),
        "{found:#?}"
    );
}

#[test]
fn index_renames_are_read() {
    my(
        "ALTER TABLE `articles` RENAME INDEX `posts_slug_key` TO `articles_slug_key`;",
        &[],
    );
    my("ALTER TABLE `articles` RENAME KEY `a` TO `b`;", &[]);
    my(
        "ALTER TABLE `articles` RENAME INDEX `a` TO `b`, DROP COLUMN `c`;",
        &[(1, "unparsed-statement")],
    );
}
