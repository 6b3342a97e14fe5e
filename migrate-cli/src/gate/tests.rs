//! The gate's merge of statements and comment lines, and `misplaced-no-transaction`.

use super::{findings, findings_with, unacknowledged, unacknowledged_with};
use crate::config::Dialect;
use schema_core::model::{Column, ColumnType, Schema, Table};

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
    // No allow line takes it away: sqlx runs the file in a transaction whatever it says.
    let allowed = "-- lint:allow misplaced-no-transaction\n-- no-transaction\nSELECT 1;\n";
    assert_eq!(unacknowledged(Dialect::Sqlite, allowed).len(), 1);
}

#[test]
fn acknowledgements_after_no_transaction_count() {
    let sql = "-- no-transaction\n-- lint:allow drop-table\nDROP TABLE \"t\";\n";
    assert_eq!(findings(Dialect::Sqlite, sql).len(), 1);
    assert!(unacknowledged(Dialect::Sqlite, sql).is_empty());
}

/// `public.t` with integer `columns`, not null.
fn schema(columns: &[&str]) -> Schema {
    let table = Table {
        schema: "public".to_string(),
        name: "t".to_string(),
        columns: columns
            .iter()
            .map(|c| Column {
                name: c.to_string(),
                ty: ColumnType::Builtin("integer".to_string()),
                nullable: false,
                default: None,
                identity: false,
                identity_options: Default::default(),
                generated: None,
                renamed_from: None,
            })
            .collect(),
        primary_key: None,
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        renamed_from: None,
        rls: false,
        policies: Vec::new(),
    };
    let mut s = Schema::default();
    s.tables.insert("public.t".to_string(), table);
    s
}

fn codes_with(
    dialect: Dialect,
    sql: &str,
    old: &Schema,
    new: &Schema,
) -> Vec<(Option<usize>, &'static str, String)> {
    findings_with(dialect, sql, Some((old, new)))
        .into_iter()
        .map(|f| (f.line, f.finding.code, f.finding.severity.to_string()))
        .collect()
}

const REBUILD: &str = "-- no-transaction\nPRAGMA foreign_keys=OFF;\n";

#[test]
fn the_snapshots_say_what_a_rebuild_drops_without_its_comment_line() {
    let (old, new) = (schema(&["id", "c"]), schema(&["id"]));
    assert!(findings(Dialect::Sqlite, REBUILD).is_empty());
    assert_eq!(
        codes_with(Dialect::Sqlite, REBUILD, &old, &new),
        [(None, "drop-column", "error".to_string())]
    );
    let allowed = REBUILD.replacen("\n", "\n-- lint:allow drop-column\n", 1);
    assert!(unacknowledged_with(Dialect::Sqlite, &allowed, Some((&old, &new))).is_empty());
    // Below the first statement an allow line is not read.
    let below = format!("{REBUILD}-- lint:allow drop-column\n");
    assert_eq!(
        unacknowledged_with(Dialect::Sqlite, &below, Some((&old, &new))).len(),
        1
    );
}

#[test]
fn a_downgraded_comment_line_changes_nothing_the_snapshots_know() {
    let (old, new) = (schema(&["id", "c"]), schema(&["id"]));
    let sql =
        "-- no-transaction\n-- lint: warning drop-column t.c: fine\nPRAGMA foreign_keys=OFF;\n";
    let found = findings_with(Dialect::Sqlite, sql, Some((&old, &new)));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].finding.severity.to_string(), "error");
    // The comment line's message stays: it may know row counts.
    assert_eq!(found[0].finding.message, "fine");
    // Named with its schema (PostgreSQL's comment line), still one finding.
    let sql = "-- lint: error drop-column public.t.c: gone\nALTER TABLE \"public\".\"t\" DROP COLUMN \"c\";\n";
    assert_eq!(
        codes_with(Dialect::Postgres, sql, &old, &new),
        [(Some(2), "drop-column", "error".to_string())]
    );
}

#[test]
fn a_file_without_a_schema_change_gets_only_what_it_says() {
    let same = schema(&["id"]);
    assert!(codes_with(Dialect::Sqlite, "SELECT 1;\n", &same, &same).is_empty());
}

#[test]
fn a_rename_the_file_makes_is_no_drop() {
    // `generate --rename` leaves no hint in the snapshots: the statement says it.
    let (old, new) = (schema(&["id", "a"]), schema(&["id", "b"]));
    let sql = "ALTER TABLE \"public\".\"t\" RENAME COLUMN \"a\" TO \"b\";\n";
    assert_eq!(
        codes_with(Dialect::Postgres, sql, &old, &new),
        [(Some(1), "rename-column", "warning".to_string())]
    );
    // Without it, the pair is a drop and an add.
    let found: Vec<_> = codes_with(Dialect::Postgres, "SELECT 1;\n", &old, &new)
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert!(found.contains(&"drop-column"), "{found:?}");
}

/// `schema(columns)` with its column `c` generated as `id * 2` (`virtual` or stored).
fn with_generated(columns: &[&str], is_virtual: bool) -> Schema {
    let mut s = schema(columns);
    for t in s.tables.values_mut() {
        for c in t.columns.iter_mut().filter(|c| c.name == "c") {
            c.generated = Some(schema_core::model::Generated {
                expr: "id * 2".to_string(),
                is_virtual,
            });
        }
    }
    s
}

#[test]
fn dropping_a_generated_column_is_a_warning_and_its_down_is_not_irreversible() {
    let up = "ALTER TABLE \"public\".\"t\" DROP COLUMN \"c\";\n";
    let down = "ALTER TABLE \"public\".\"t\" ADD COLUMN \"c\" integer GENERATED ALWAYS AS (id * 2) STORED NOT NULL;\n";
    let (old, new) = (with_generated(&["id", "c"], false), schema(&["id"]));
    assert_eq!(
        codes_with(Dialect::Postgres, up, &old, &new),
        [(Some(1), "drop-column", "warning".to_string())]
    );
    let back = super::down_findings(Dialect::Postgres, down, Some((&new, &old)));
    assert!(back.is_empty(), "{back:?}");
    // A SQLite or MySQL virtual column stores nothing either.
    let (old, new) = (with_generated(&["id", "c"], true), schema(&["id"]));
    let up = "ALTER TABLE `t` DROP COLUMN `c`;\n";
    assert_eq!(
        codes_with(Dialect::Mysql, up, &old, &new),
        [(Some(1), "drop-column", "warning".to_string())]
    );
    assert_eq!(
        codes_with(Dialect::Sqlite, REBUILD, &old, &new),
        [(None, "drop-column", "warning".to_string())]
    );
    // A plain column's drop stays an error.
    let (old, new) = (schema(&["id", "c"]), schema(&["id"]));
    let up = "ALTER TABLE \"public\".\"t\" DROP COLUMN \"c\";\n";
    assert_eq!(
        codes_with(Dialect::Postgres, up, &old, &new),
        [(Some(1), "drop-column", "error".to_string())]
    );
}
