//! The gate's merge of statements and comment lines, and `misplaced-no-transaction`.

use super::{findings, unacknowledged};
use crate::config::Dialect;

fn codes(dialect: Dialect, sql: &str) -> Vec<(Option<usize>, &'static str, String)> {
    findings(dialect, sql)
        .into_iter()
        .map(|f| (f.line, f.finding.code, f.finding.severity.to_string()))
        .collect()
}

#[test]
fn a_drop_without_its_comment_line_is_still_found() {
    let sql = "ALTER TABLE \"public\".\"t\" DROP COLUMN \"c\";\n";
    assert_eq!(
        codes(Dialect::Postgres, sql),
        [(Some(1), "drop-column", "error".to_string())]
    );
    let sql = "ALTER TABLE `t` DROP COLUMN `c`;\n";
    assert_eq!(
        codes(Dialect::Mysql, sql),
        [(Some(1), "drop-column", "error".to_string())]
    );
}

#[test]
fn a_comment_line_and_its_statement_are_one_finding_with_the_comment_message() {
    let sql =
        "-- lint: error drop-column public.t.c: dropping column public.t.c deletes its data\n\
               ALTER TABLE \"public\".\"t\" DROP COLUMN \"c\";\n";
    let found = findings(Dialect::Postgres, sql);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, Some(2));
    assert_eq!(
        found[0].finding.message,
        "dropping column public.t.c deletes its data"
    );
    // Hand-written SQL without the schema: the same object.
    let sql = "-- lint: error drop-column public.t.c: gone\nALTER TABLE t DROP COLUMN c;\n";
    assert_eq!(findings(Dialect::Postgres, sql).len(), 1);
}

#[test]
fn a_downgraded_comment_line_does_not_weaken_the_statement() {
    let sql = "-- lint: warning drop-column public.t.c: fine\nALTER TABLE \"public\".\"t\" DROP COLUMN \"c\";\n";
    assert_eq!(
        codes(Dialect::Postgres, sql),
        [(Some(2), "drop-column", "error".to_string())]
    );
}

#[test]
fn what_only_the_comment_knows_stays() {
    // A SQLite rebuild's statements do not say which column it drops; the comment does.
    let sql = "-- no-transaction\n-- lint: error drop-column t.c: dropping column t.c deletes its data\nPRAGMA foreign_keys=OFF;\n";
    assert_eq!(
        codes(Dialect::Sqlite, sql),
        [(None, "drop-column", "error".to_string())]
    );
}

#[test]
fn statement_codes_in_comments_are_read_again_from_the_sql() {
    let sql = "-- lint: warning drop-index-without-concurrently public.i: old text\nSELECT 1;\n";
    assert!(findings(Dialect::Postgres, sql).is_empty());
}

#[test]
fn no_transaction_below_the_first_line_is_misplaced() {
    let sql = "-- lint:allow drop-column\n-- no-transaction\nSELECT 1;\n";
    assert_eq!(
        codes(Dialect::Sqlite, sql),
        [(Some(2), "misplaced-no-transaction", "error".to_string())]
    );
    let sql = "-- no-transaction\n-- lint:allow drop-column\nSELECT 1;\n";
    assert!(codes(Dialect::Sqlite, sql).is_empty());
    let allowed = "-- lint:allow misplaced-no-transaction\n-- no-transaction\nSELECT 1;\n";
    assert!(unacknowledged(Dialect::Sqlite, allowed).is_empty());
}

#[test]
fn acknowledgements_after_no_transaction_count() {
    let sql = "-- no-transaction\n-- lint:allow drop-table\nDROP TABLE \"t\";\n";
    assert_eq!(findings(Dialect::Sqlite, sql).len(), 1);
    assert!(unacknowledged(Dialect::Sqlite, sql).is_empty());
}
