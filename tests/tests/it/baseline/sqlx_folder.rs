//! Adopting a folder of sqlx-cli migrations.
