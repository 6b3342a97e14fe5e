//! Shared test support: a fresh PostgreSQL or MySQL database per test (`server` holds what
//! the two share), and a canonical dump of its catalog so that two databases can be compared
//! object by object.

pub mod gen;
pub mod mysql;
pub mod pg;
pub mod project;
pub mod server;
pub mod source;
