//! Every integration test of the `tests` crate, one module per area, linked into one binary (one link instead of one per file).

use std::sync::Mutex;

/// Held by every test that runs `verify` on PostgreSQL: those tests look for scratch databases
/// this process left behind, so no other `verify` of this process may run meanwhile.
pub static PG_VERIFY: Mutex<()> = Mutex::new(());

mod atomic;
mod baseline;
mod check;
mod check_dialects;
mod cli_generate;
mod columns13;
mod concurrent_index;
mod constraints13;
mod derive_matches_scanner;
mod down_files;
mod drift;
mod drop;
mod expressions_judged;
mod fleet;
mod folder_lock;
mod folder_refusals;
mod fragments;
mod from_row;
mod gate;
mod import_drizzle;
mod index_keys13;
mod lint;
mod lint_corpus;
mod lock_timeouts;
mod migrate_status;
mod mysql_catalog;
mod mysql_check;
mod mysql_generate;
mod mysql_migrate;
mod mysql_property;
mod pg_changes;
mod pg_enum_rebuild;
mod pg_property;
mod plan;
mod policies13;
mod pull;
mod repair;
mod revert;
mod sequences13;
mod sqlite_generate;
mod sqlite_history;
mod sqlite_property;
mod targets;
mod trial;
mod ui;
mod verdict;
mod verify;
mod verify_down;
mod verify_down_mysql;
mod verify_down_sqlite;
mod verify_mysql;
mod verify_sqlite;
mod verify_sqlite_generated;
mod views13;
mod views13_drizzle;
