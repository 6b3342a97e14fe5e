//! Many tiny cases per code and dialect: `check(dialect, sql, [(line, code), ...])`.

mod mysql;
mod postgres;
mod sqlite;

use super::lint_file;
use crate::config::Dialect;

/// Asserts the (line, code) pairs `lint_file` gives for `sql`.
fn check(dialect: Dialect, sql: &str, expect: &[(usize, &str)]) {
    let found: Vec<(usize, &str)> = lint_file(dialect, sql)
        .iter()
        .map(|f| (f.line, f.finding.code))
        .collect();
    assert_eq!(
        found,
        expect,
        "{dialect:?}: {sql}\n{:#?}",
        lint_file(dialect, sql)
    );
}
