// `#[derive(DbEnum)]` labels that hold format-string or Rust-literal syntax (braces, a quote, a
// backslash) are plain text: a default naming one compiles and describes what was written, as
// the CLI's scanner reads it.

use schema_core::def::DefaultDef;
use schema_macros::{DbEnum, Table};

#[derive(DbEnum)]
pub enum Odd {
    #[db_enum(rename = "a}b")]
    Close,
    #[db_enum(rename = "{x}")]
    Named,
    #[db_enum(rename = "{{")]
    Doubled,
    #[db_enum(rename = "it's")]
    Quote,
    #[db_enum(rename = "back\\slash")]
    Backslash,
    #[db_enum(rename = "say \"hi\" {}")]
    DoubleQuote,
}

#[derive(Table)]
pub struct Labels {
    #[column(primary_key)]
    pub id: i32,
    #[column(default = "a}b")]
    pub close: Odd,
    #[column(default = "{x}")]
    pub named: Odd,
    #[column(default = "{{")]
    pub doubled: Odd,
    #[column(default = "it's")]
    pub quote: Odd,
    #[column(default = "back\\slash")]
    pub backslash: Odd,
    #[column(default = "say \"hi\" {}")]
    pub double_quote: Odd,
}

fn main() {
    let labels = ["a}b", "{x}", "{{", "it's", "back\\slash", "say \"hi\" {}"];
    assert_eq!(<Odd as schema_core::DbEnum>::VALUES, labels);
    assert_eq!(<Odd as schema_core::DbEnum>::enum_def().values, labels);
    let table = <Labels as schema_core::Table>::table_def();
    let defaults: Vec<_> = table.fields[1..].iter().map(|f| f.default.clone()).collect();
    let expected: Vec<_> = labels.iter().map(|l| Some(DefaultDef::Str((*l).into()))).collect();
    assert_eq!(defaults, expected);
}
