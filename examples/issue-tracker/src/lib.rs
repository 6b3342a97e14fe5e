//! Example application.
