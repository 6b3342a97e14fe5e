//! PostgreSQL.

pub mod expressions;
