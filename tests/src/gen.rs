//! Random schemas for the diff's property test: definition sets drawn from the whole attribute
//! language, and pairs (A, B) where B is A after a random list of edits. Issue 13's kinds are
//! drawn too, each with a modest probability so the older kinds keep their share (`kinds`,
//! `objects`, `edit_kinds`): struct-level foreign keys over two or more columns,
//! `nulls_not_distinct`, stored generated columns over an integer field, identity options,
//! row-level security and policies (to `public` or [`TEST_ROLE`]), sequences and views.
//! PostgreSQL's own kinds are left out for SQLite ([`sqlite`]) and MySQL ([`mysql`]).
//!
//! Strategies draw plain specs (numbers that pick names, types and targets, `spec`); a model of
//! the generator's own is built from them (`model`), edited into B (`edit`) and repaired after
//! every edit (`repair`), so every generated pair resolves instead of being filtered out.
//! [`source`] writes a definition set as the Rust source a user would write, for readable
//! failures and to check that the parser reads the same definitions back.
//!
//! Patterns that trip a known bug are avoided while a `KNOWN BUG` switch is set:
//! [`AVOID_REDUNDANT_UNIQUES`], [`AVOID_MOVE_ONTO_OLD_NAME`] and
//! [`AVOID_MOVE_ONTO_FREED_KEY_NAME`].

mod avoid;
mod defs;
pub mod down;
mod edit;
mod edit_kinds;
mod kinds;
mod model;
pub mod mysql;
mod objects;
mod repair;
pub mod rows;
mod source;
mod spec;
pub mod sqlite;
mod ty;

pub use avoid::{AVOID_MOVE_ONTO_FREED_KEY_NAME, AVOID_MOVE_ONTO_OLD_NAME};
pub use kinds::TEST_ROLE;
pub use repair::AVOID_REDUNDANT_UNIQUES;
pub use source::source;

use migrate_cli::scan::{ScanErrors, Scanned};
use model::Model;
use proptest::collection::vec;
use proptest::prelude::*;
use schema_core::def::{EnumDef, SequenceDef, TableDef, ViewDef};
use schema_core::model::Schema;
use schema_core::render::Dialect;
use spec::{edit, schema_spec};

/// The definitions of one schema, as the parser produces them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defs {
    pub tables: Vec<TableDef>,
    pub enums: Vec<EnumDef>,
    pub sequences: Vec<SequenceDef>,
    pub views: Vec<ViewDef>,
}

impl Defs {
    /// The definitions as the scanner would hold them after reading their source.
    fn scanned(&self) -> Scanned {
        Scanned {
            tables: self.tables.clone(),
            enums: self.enums.clone(),
            sequences: self.sequences.clone(),
            views: self.views.clone(),
            origins: Default::default(),
        }
    }

    /// The schema they describe, resolved as `generate` resolves a definition set
    /// ([`Scanned::resolve`]: tables and enums, then sequences, then views).
    pub fn resolve(&self) -> Result<Schema, ScanErrors> {
        self.scanned().resolve()
    }

    /// The schema as `dialect` stores it ([`Scanned::resolve_for`]).
    pub fn resolve_for(&self, dialect: &dyn Dialect) -> Result<Schema, ScanErrors> {
        self.scanned().resolve_for(dialect)
    }
}

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
