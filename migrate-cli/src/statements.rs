//! Migration files cut into statements by a real SQL tokenizer (sqlparser's), one module per
//! database whose files are not sent whole.

pub mod lint;
pub mod mysql;
pub mod postgres;
