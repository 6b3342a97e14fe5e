//! The written sources read back as `generate` reads them (scanner, resolver, the dialect's
//! adaptation) and compared with the schema they were written from: every change `generate`
//! would find between the two is something the sources failed to give back, and `pull`
//! lists it rather than let it pass silently.

use crate::config::Dialect;
use crate::scan::{scan_source, Scanned};
use schema_core::diff::{self, Renames};
use schema_core::model::Schema;
use std::path::PathBuf;

/// Each change from `expected` to what `files` declare on `dialect`, as `generate` summarizes
/// it; or the errors that keep the files from being read.
pub fn differences(
    files: &[(PathBuf, String)],
    expected: &Schema,
    dialect: Dialect,
) -> Vec<String> {
    let (mut scanned, mut errors) = (Scanned::default(), Vec::new());
    for (path, text) in files {
        scan_source(path, text, &mut scanned, &mut errors);
    }
    if !errors.is_empty() {
        return errors
            .iter()
            .map(|e| format!("the sources do not read back: {e}"))
            .collect();
    }
    let actual = match scanned.resolve_for(dialect.renderer()) {
        Ok(actual) => actual,
        Err(errors) => {
            return errors
                .0
                .iter()
                .map(|e| format!("the sources do not resolve: {e}"))
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
        .map(|c| c.summary_for(schemas))
        .collect()
}
