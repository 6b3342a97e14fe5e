//! Random schemas for the diff's property test: definition sets drawn from the whole attribute
//! language, and pairs (A, B) where B is A after a random list of edits.
//!
//! Strategies draw plain specs (numbers that pick names, types and targets, `spec`); a model of
//! the generator's own is built from them (`model`), edited into B (`edit`) and repaired after
//! every edit (`repair`), so every generated pair resolves instead of being filtered out.
//! [`source`] writes a definition set as the Rust source a user would write, for readable
//! failures and to check that the parser reads the same definitions back.
//!
//! Patterns that trip a known bug are avoided while a `KNOWN BUG` switch is set:
//! [`AVOID_REDUNDANT_UNIQUES`] and [`AVOID_MOVE_ONTO_OLD_NAME`].

pub mod down;
mod edit;
mod model;
mod repair;
pub mod rows;
mod source;
mod spec;
pub mod sqlite;
mod ty;

pub use edit::AVOID_MOVE_ONTO_OLD_NAME;
pub use repair::AVOID_REDUNDANT_UNIQUES;
pub use source::source;

use model::Model;
use proptest::collection::vec;
use proptest::prelude::*;
use schema_core::def::{EnumDef, TableDef};
use spec::{edit, schema_spec};

/// The definitions of one schema, as the parser produces them.
pub type Defs = (Vec<TableDef>, Vec<EnumDef>);

/// One random schema: 1–4 tables, sometimes in `audit`, and 0–2 enums.
pub fn schema() -> impl Strategy<Value = Defs> {
    schema_spec().prop_map(|spec| Model::build(&spec).defs())
}

/// A random schema A and B, A after 1–6 random edits (every kind of change the diff knows).
pub fn schema_pair() -> impl Strategy<Value = (Defs, Defs)> {
    (schema_spec(), vec(edit(), 1..=6)).prop_map(|(spec, edits)| {
        let a = Model::build(&spec);
        let b = a.edited(&edits);
        (a.defs(), b.defs())
    })
}

/// The property tests' runner settings: `PROPTEST_CASES` cases, else `default_cases`; no
/// persisted failures (a failing case prints its source instead).
pub fn config(default_cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}
