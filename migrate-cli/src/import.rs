//! Histories written by other tools, read into this tool's schema model so a project can adopt
//! them: drizzle-kit's migrations folder ([`drizzle`]).

pub mod drizzle;
