//! The issue tracker's tables.

pub mod accounts;
pub mod issues;
