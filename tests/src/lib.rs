//! Shared test support: fresh databases, fixtures.
