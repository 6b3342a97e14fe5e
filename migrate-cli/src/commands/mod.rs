//! The subcommands, one module each.

pub mod baseline;
pub mod check;
pub mod drop;
pub mod generate;
pub mod import;
pub mod migrate;
pub mod plan;
pub mod pull;
pub mod repair;
pub mod revert;
pub mod status;
pub mod verify;
