//! SQLite: what only SQLite does.

pub mod defaults;
