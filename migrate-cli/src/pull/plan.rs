//! The names and types of everything `pull` writes, decided once for the whole schema before
//! any file is written: a struct and module per table, a field and Rust type per column, a
//! Rust name per enum, so foreign keys and enum columns can name what other files declare.

use super::enums::{inline_enum, PulledEnum};
use super::names;
use super::probe::{Probe, RustType};
use crate::config::Dialect;
use schema_core::model::{ColumnType, Schema, Table};
use std::collections::{BTreeMap, BTreeSet};

/// The modules every pull may write beside the tables' own.
pub const OWN_MODULES: &[&str] = &["mod", "enums", "sequences", "views"];

/// A table's struct, module and columns.
#[derive(Debug)]
pub struct TablePlan {
    pub rust: String,
    pub module: String,
    /// By column name, in column order.
    pub fields: Vec<FieldPlan>,
    /// The checks an enum writes back (SQLite), left out of the table's own.
    pub enum_checks: BTreeSet<String>,
}

/// A column's field.
#[derive(Debug)]
pub struct FieldPlan {
    pub column: String,
    pub field: String,
    /// The type without `Option`, or why none gives the column's type back.
    pub ty: Result<RustType, String>,
    /// `default = 0` or `default_sql = "..."`, when the column has a default.
    pub default: Option<String>,
}

impl TablePlan {
    pub fn field(&self, column: &str) -> Option<&FieldPlan> {
        self.fields.iter().find(|f| f.column == column)
    }
}

/// Everything's Rust names.
pub struct Plan {
    pub dialect: Dialect,
    pub tables: BTreeMap<String, TablePlan>,
    pub enums: Vec<PulledEnum>,
    /// The Rust names of sequences and views, by key.
    pub sequences: BTreeMap<String, String>,
    pub views: BTreeMap<String, String>,
    pub probe: Probe,
}

/// Names every table, enum, sequence and view of `schema`, and types every column.
pub fn plan(schema: &Schema, dialect: Dialect) -> Plan {
    let mut types: BTreeSet<String> = BTreeSet::new();
    let mut modules: BTreeSet<String> = OWN_MODULES.iter().map(|m| m.to_string()).collect();
    let mut probe = Probe::new(dialect);
    let mut enum_names: BTreeMap<String, String> = BTreeMap::new();
    for key in schema.enums.keys() {
        let e = &schema.enums[key];
        enum_names.insert(
            key.clone(),
            names::unique(rust_name(&e.schema, &e.name), &mut types),
        );
    }
    let mut enums = super::enums::named_enums(schema, |key| enum_names[key].clone());
    let mut tables = BTreeMap::new();
    let mut state = State {
        dialect,
        types: &mut types,
        probe: &mut probe,
        enum_names: &enum_names,
        enums: &mut enums,
    };
    for (key, table) in &schema.tables {
        let module = names::unique(module_name(&table.schema, &table.name), &mut modules);
        tables.insert(key.clone(), plan_table(table, module, &mut state));
    }
    let mut named = |keys: Vec<(String, String, String)>| -> BTreeMap<String, String> {
        keys.into_iter()
            .map(|(key, schema, name)| (key, names::unique(rust_name(&schema, &name), &mut types)))
            .collect()
    };
    let sequences = named(
        schema
            .sequences
            .values()
            .map(|s| (s.key(), s.schema.clone(), s.name.clone()))
            .collect(),
    );
    let views = named(
        schema
            .views
            .values()
            .map(|v| (v.key(), v.schema.clone(), v.name.clone()))
            .collect(),
    );
    Plan {
        dialect,
        tables,
        enums,
        sequences,
        views,
        probe,
    }
}

/// What naming the tables reads and adds to.
struct State<'a> {
    dialect: Dialect,
    types: &'a mut BTreeSet<String>,
    probe: &'a mut Probe,
    enum_names: &'a BTreeMap<String, String>,
    enums: &'a mut Vec<PulledEnum>,
}

/// The struct, fields and types of `table`; the enums its columns hold inline (MySQL,
/// SQLite) join `state.enums`.
fn plan_table(table: &Table, module: String, state: &mut State<'_>) -> TablePlan {
    let rust = names::unique(rust_name(&table.schema, &table.name), state.types);
    let mut taken = BTreeSet::new();
    let mut enum_checks = BTreeSet::new();
    let mut fields = Vec::new();
    for column in &table.columns {
        let field = names::unique(names::snake(&column.name), &mut taken);
        let ty = match inline_enum(state.dialect, table, column, state.probe) {
            Some((labels, check)) => {
                let name = format!("{}_{}", table.name, column.name);
                let rust = names::unique(names::camel(&name), state.types);
                state.enums.push(PulledEnum {
                    rust: rust.clone(),
                    name,
                    schema: table.schema.clone(),
                    labels,
                });
                enum_checks.extend(check);
                Ok(RustType {
                    rust,
                    sql_type: None,
                })
            }
            None => column_type(&column.ty, state.enum_names, state.probe),
        };
        let default = column
            .default
            .as_deref()
            .map(|d| default_attr(d, ty.as_ref().ok(), state.probe));
        fields.push(FieldPlan {
            column: column.name.clone(),
            field,
            ty,
            default,
        });
    }
    TablePlan {
        rust,
        module,
        fields,
        enum_checks,
    }
}

/// `default = 0` / `default = true` where the literal gives the default back on the probe,
/// else `default_sql = "..."` with the default as the database prints it.
fn default_attr(default: &str, ty: Option<&RustType>, probe: &mut Probe) -> String {
    let literal_like = default == "true"
        || default == "false"
        || (!default.is_empty()
            && default.chars().all(|c| c.is_ascii_digit())
            && (default == "0" || !default.starts_with('0'))
            && default.parse::<i64>().is_ok());
    let sql = format!("default_sql = {}", names::literal(default));
    let (true, Some(ty)) = (literal_like, ty) else {
        return sql;
    };
    let sql_type = ty
        .sql_type
        .as_ref()
        .map(|t| format!(", sql_type = {}", names::literal(t)))
        .unwrap_or_default();
    let field = format!(
        "#[column(default = {default}{sql_type})] pub probe: {},",
        ty.rust
    );
    let back = probe
        .table(&field, "")
        .and_then(|t| t.columns.get(1)?.default.clone());
    match back.as_deref() == Some(default) {
        true => format!("default = {default}"),
        false => sql,
    }
}

/// The Rust type of a column of type `ty`: an enum by its Rust name, else what the probe finds.
pub fn column_type(
    ty: &ColumnType,
    enum_names: &BTreeMap<String, String>,
    probe: &mut Probe,
) -> Result<RustType, String> {
    let enum_rust = |schema: &str, name: &str| {
        enum_names
            .get(&Schema::key(schema, name))
            .cloned()
            .ok_or_else(|| format!("its enum type `{schema}.{name}` was not read"))
    };
    match ty {
        ColumnType::Enum { schema, name } => enum_rust(schema, name).map(|rust| RustType {
            rust,
            sql_type: None,
        }),
        ColumnType::Array(inner) => match inner.as_ref() {
            ColumnType::Enum { schema, name } => enum_rust(schema, name).map(|rust| RustType {
                rust: format!("Vec<{rust}>"),
                sql_type: None,
            }),
            _ => probe.rust_type(ty).ok_or_else(|| no_type(ty)),
        },
        ColumnType::Builtin(_) => probe.rust_type(ty).ok_or_else(|| no_type(ty)),
    }
}

fn no_type(ty: &ColumnType) -> String {
    let text = match ty {
        ColumnType::Builtin(t) => t.clone(),
        ColumnType::Array(inner) => format!("{inner:?}[]"),
        ColumnType::Enum { name, .. } => name.clone(),
    };
    format!("no Rust type nor `sql_type = \"{text}\"` gives back its type `{text}`")
}

/// A struct or enum name: the SQL name in UpperCamelCase, prefixed by a schema other than
/// `public`.
fn rust_name(schema: &str, name: &str) -> String {
    match schema {
        "public" => names::camel(name),
        _ => names::camel(&format!("{schema}_{name}")),
    }
}

/// A module name: the SQL name in snake_case, prefixed by a schema other than `public`.
fn module_name(schema: &str, name: &str) -> String {
    match schema {
        "public" => names::snake(name),
        _ => names::snake(&format!("{schema}_{name}")),
    }
}

/// Whether `table` belongs to the tool, to sqlx or to drizzle-kit's migrator, never pulled.
pub fn is_own(table: &Table) -> bool {
    table.name == crate::database::HISTORY_TABLE
        || table.name == crate::import::drizzle::DRIZZLE_TABLE
}
