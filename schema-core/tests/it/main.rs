//! Every integration test of schema-core, one module per area, linked into one binary.

mod build;
mod mysql_build;

mod migration_name;
mod mysql_adapt;
mod mysql_columns;
mod mysql_constraints;
mod mysql_tables;
mod postgres_columns;
mod postgres_constraints;
mod postgres_enums;
mod postgres_sequences;
mod postgres_tables;
mod renames;
mod render_api;
