//! Schemas from Rust source text, through the same scanner, parser and resolver as `generate`,
//! and the SQL that `generate` would write between two of them.

use migrate_cli::scan::{scan_source, Scanned};
use schema_core::diff::{self, Renames};
use schema_core::model::Schema;
use schema_core::render::{self, Postgres};
use std::path::Path;

/// The schema declared by a Rust source text (`use schema_macros::..` lines are optional).
pub fn schema(src: &str) -> Schema {
    let mut scanned = Scanned::default();
    let mut errors = Vec::new();
    scan_source(Path::new("case.rs"), src, &mut scanned, &mut errors);
    assert!(errors.is_empty(), "case source does not parse: {errors:?}");
    match scanned.resolve() {
        Ok(schema) => schema,
        Err(e) => panic!("case source does not resolve: {e}"),
    }
}

/// The migration SQL from `old` to `new`, with the renames the source declares.
pub fn migration(old: &Schema, new: &Schema) -> String {
    let renames = diff::hinted_renames(old, new);
    migration_with(old, new, &renames)
}

/// The migration SQL from `old` to `new` with explicit renames.
pub fn migration_with(old: &Schema, new: &Schema, renames: &Renames) -> String {
    let changes = diff::diff(old, new, renames);
    match render::render(&Postgres, &changes) {
        Ok(statements) => render::migration_sql(&statements),
        Err(e) => panic!("render failed: {e}"),
    }
}

/// The SQL that creates `schema` from nothing.
pub fn create(schema: &Schema) -> String {
    migration(&Schema::default(), schema)
}
