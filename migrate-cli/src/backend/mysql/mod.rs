//! MySQL and MariaDB.

pub mod expressions;
