//! The enums of a schema as `#[derive(DbEnum)]` enums: PostgreSQL's named types as they are,
//! and the enums other databases keep inside a table (MySQL's `enum(..)` column type, the
//! `"state" IN (..)` check SQLite gets for one), each found only where the enum written back
//! gives exactly what the database holds.

use super::names;
use super::probe::Probe;
use crate::config::Dialect;
use schema_core::model::{Check, Column, ColumnType, Schema, Table};
use sqlparser::ast::{DataType, EnumMember, Expr, Value};
use sqlparser::dialect::{MySqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// One enum to write.
#[derive(Debug, Clone)]
pub struct PulledEnum {
    /// The Rust name.
    pub rust: String,
    /// The SQL name (PostgreSQL's type; elsewhere `<table>_<column>`).
    pub name: String,
    pub schema: String,
    pub labels: Vec<String>,
}

/// `#[derive(DbEnum)] pub enum ...`, a variant per label (renamed where its snake_case
/// name is not the label).
pub fn enum_source(e: &PulledEnum) -> String {
    let mut attrs = vec![format!("name = {}", names::literal(&e.name))];
    if e.schema != "public" {
        attrs.push(format!("schema = {}", names::literal(&e.schema)));
    }
    let mut out = format!(
        "#[derive(DbEnum)]\n#[db_enum({})]\npub enum {} {{\n",
        attrs.join(", "),
        e.rust
    );
    let mut taken = std::collections::BTreeSet::new();
    for label in &e.labels {
        let variant = names::unique(variant(label), &mut taken);
        if schema_core::parser::snake_case(&variant) != *label {
            out.push_str(&format!(
                "    #[db_enum(rename = {})]\n",
                names::literal(label)
            ));
        }
        out.push_str(&format!("    {variant},\n"));
    }
    out.push_str("}\n");
    out
}

/// The variant for a label: UpperCamelCase, `Empty` for an empty one.
fn variant(label: &str) -> String {
    match label.is_empty() {
        true => "Empty".to_string(),
        false => names::camel_plain(label),
    }
}

/// The enum a column of `table` holds on `dialect` other than PostgreSQL: its labels, and on
/// SQLite the check that carries them (written back by the enum, so left out of the checks).
pub fn inline_enum(
    dialect: Dialect,
    table: &Table,
    column: &Column,
    probe: &mut Probe,
) -> Option<(Vec<String>, Option<String>)> {
    let ColumnType::Builtin(ty) = &column.ty else {
        return None;
    };
    match dialect {
        Dialect::Postgres => None,
        Dialect::Mysql => {
            let labels = mysql_labels(ty)?;
            let e = PulledEnum {
                rust: "ProbeEnum".into(),
                name: "probe_enum".into(),
                schema: "public".into(),
                labels: labels.clone(),
            };
            let back = probe.column_type("ProbeEnum", None, &enum_source(&e))?;
            (back == column.ty).then_some((labels, None))
        }
        Dialect::Sqlite => {
            if ty != "text" {
                return None;
            }
            let name = format!("{}_{}_check", table.name, column.name);
            let check: &Check = table.checks.iter().find(|c| c.name == name)?;
            let labels = sqlite_labels(&check.expr, &column.name)?;
            let back = schema_core::render::sqlite::enum_check(&column.name, &labels);
            (back == check.expr).then_some((labels, Some(name)))
        }
    }
}

/// The labels of MySQL's `enum('a','b')`, as its parser reads them.
fn mysql_labels(ty: &str) -> Option<Vec<String>> {
    if !ty.starts_with("enum(") {
        return None;
    }
    let mut parser = Parser::new(&MySqlDialect {}).try_with_sql(ty).ok()?;
    match parser.parse_data_type().ok()? {
        DataType::Enum(members, _) => members
            .into_iter()
            .map(|m| match m {
                EnumMember::Name(n) => Some(n),
                EnumMember::NamedValue(..) => None,
            })
            .collect(),
        _ => None,
    }
}

/// The labels of `"column" IN ('a', 'b')`, as SQLite's parser reads them.
fn sqlite_labels(expr: &str, column: &str) -> Option<Vec<String>> {
    let mut parser = Parser::new(&SQLiteDialect {}).try_with_sql(expr).ok()?;
    let Expr::InList {
        expr,
        list,
        negated: false,
    } = parser.parse_expr().ok()?
    else {
        return None;
    };
    match *expr {
        Expr::Identifier(ident) if ident.value == column => {}
        _ => return None,
    }
    list.into_iter()
        .map(|item| match item {
            Expr::Value(v) => match v.value {
                Value::SingleQuotedString(s) => Some(s),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// PostgreSQL's enum types, each under its Rust name.
pub fn named_enums(schema: &Schema, rust_name: impl Fn(&str) -> String) -> Vec<PulledEnum> {
    schema
        .enums
        .values()
        .map(|e| PulledEnum {
            rust: rust_name(&e.key()),
            name: e.name.clone(),
            schema: e.schema.clone(),
            labels: e.values.clone(),
        })
        .collect()
}
