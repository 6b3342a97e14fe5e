//! Shared test support: a fresh PostgreSQL or MySQL database per test, and a canonical dump of its
//! catalog so that two databases can be compared object by object.

pub mod gen;
pub mod mysql;
pub mod pg;
pub mod project;
pub mod source;
