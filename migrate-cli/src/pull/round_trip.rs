//! The written sources read back as `generate` reads them (scanner, resolver, the dialect's
//! adaptation) and compared with the schema they were written from: every change `generate`
//! would find between the two is something the sources failed to give back, and `pull`
//! lists it rather than let it pass silently.

use crate::config::Dialect;
use crate::scan::{scan_source, Scanned};
use schema_core::diff::{self, Renames};
use schema_core::model::Schema;
use std::path::PathBuf;

/// Why the sources do not give the schema back: each change `generate` would find.
const CHANGE: &str =
    "the written sources do not give this back exactly; generate would write it as a change";

/// The schema `files` declare on `dialect`, as `generate` reads it, or why they do not read
/// back.
pub fn declared(files: &[(PathBuf, String)], dialect: Dialect) -> Result<Schema, Vec<String>> {
    let (mut scanned, mut errors) = (Scanned::default(), Vec::new());
    for (path, text) in files {
        scan_source(path, text, &mut scanned, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| format!("they do not read back: {e}"))
            .collect());
    }
    scanned.resolve_for(dialect.renderer()).map_err(|errors| {
        errors
            .0
            .iter()
            .map(|e| format!("they do not resolve: {e}"))
            .collect()
    })
}

/// Each change from `expected` to what `files` declare on `dialect`, as `generate` summarizes
/// it, or each error that keeps the files from being read: what, and why.
pub fn differences(
    files: &[(PathBuf, String)],
    expected: &Schema,
    dialect: Dialect,
) -> Vec<(String, String)> {
    let actual = match declared(files, dialect) {
        Ok(actual) => actual,
        Err(problems) => {
            return problems
                .into_iter()
                .map(|why| ("the written sources".to_string(), why))
                .collect()
        }
    };
    let mut expected = expected.clone();
    for view in expected.views.values_mut() {
        view.sql = super::view_sql(&view.sql);
    }
    let schemas = dialect.renderer().supports_schemas();
    diff::diff(&expected, &actual, &Renames::default())
        .iter()
        .map(|c| (format!("`{}`", c.summary_for(schemas)), CHANGE.to_string()))
        .collect()
}
