//! What differs by database, one module per database.

pub mod mysql;
pub mod postgres;
pub mod sqlite;
