//! The schema model as SQLite stores it: one schema, type affinities instead of PostgreSQL
//! types, enums as checks, integer primary keys as rowid aliases.
//!
//! `generate` adapts the resolved source schema before diffing, so SQLite snapshots hold what
//! the database holds and introspection reads the same model back.

use crate::def::TableDef;
use crate::model::{Check, ColumnType, Index, Schema, Table, DEFAULT_SCHEMA};
use crate::resolve::ResolveError;
use std::collections::BTreeMap;

/// The SQLite model of `schema`; every construct SQLite lacks is an error naming its struct and
/// field. `tables` are the definitions `schema` was resolved from (for the names in errors).
pub fn adapt(schema: Schema, tables: &[TableDef]) -> Result<Schema, Vec<ResolveError>> {
    let by_key: BTreeMap<String, &TableDef> = tables
        .iter()
        .map(|d| (Schema::key(&d.schema, &d.name), d))
        .collect();
    let mut errors = crate::render::column_kinds::refused_columns(&schema, tables, |t, c| {
        crate::render::column_kinds::no_identity_options(
            "SQLite",
            "its identity is the rowid alias of an INTEGER PRIMARY KEY, numbered one past the largest rowid, and always lets an insert give the value",
            t,
            c,
        )
    });
    let mut out = Schema {
        views: schema.views.clone(),
        ..Schema::default()
    };
    for (key, table) in schema.tables {
        let def = by_key.get(&key).copied();
        let t = adapt_table(table, def, &schema.enums, &mut errors);
        out.tables.insert(t.key(), t);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn error(def: Def<'_>, column: Option<&str>, message: String) -> ResolveError {
    let (def, table) = def;
    let field = column.map(|c| {
        def.and_then(|d| d.fields.iter().find(|f| f.name == c))
            .map_or_else(|| c.to_string(), |f| f.field.clone())
    });
    ResolveError {
        rust_name: def.map_or_else(|| table.to_string(), |d| d.rust_name.clone()),
        field,
        message,
    }
}

/// A table's definition (when known) and its SQL name, for errors.
type Def<'a> = (Option<&'a TableDef>, &'a str);

fn adapt_table(
    mut table: Table,
    def: Option<&TableDef>,
    enums: &BTreeMap<String, crate::model::Enum>,
    errors: &mut Vec<ResolveError>,
) -> Table {
    errors.extend(super::super::refuse_nulls_not_distinct(
        &super::Sqlite,
        &table,
        def,
    ));
    errors.extend(super::super::policies::refuse(&super::Sqlite, &table, def));
    let name = table.name.clone();
    let def: Def<'_> = (def, &name);
    if table.schema != DEFAULT_SCHEMA {
        errors.push(error(def, None, format!(
            "table `{}` is in schema `{}`, but a SQLite database has one schema; drop `schema = \"{}\"` from #[table(..)]",
            table.name, table.schema, table.schema
        )));
        table.schema = DEFAULT_SCHEMA.to_string();
    }
    let single_pk = match &table.primary_key {
        Some(pk) if pk.columns.len() == 1 => Some(pk.columns[0].clone()),
        _ => None,
    };
    let mut enum_checks = Vec::new();
    for column in &mut table.columns {
        if column.identity && single_pk.as_deref() != Some(column.name.as_str()) {
            errors.push(error(def, Some(&column.name), format!(
                "column `{}.{}` is an identity but not the table's only primary key column; on SQLite only an integer primary key numbers itself (a rowid alias): drop `identity` or make it the primary key",
                table.name, column.name
            )));
        }
        column.identity = false;
        column.identity_options = Default::default();
        match &column.ty {
            ColumnType::Builtin(name) => column.ty = ColumnType::Builtin(affinity(name)),
            ColumnType::Enum { schema, name } => {
                let values = enums
                    .get(&Schema::key(schema, name))
                    .map(|e| e.values.clone())
                    .unwrap_or_default();
                enum_checks.push(Check {
                    name: format!("{}_{}_check", table.name, column.name),
                    expr: enum_check(&column.name, &values),
                });
                column.ty = ColumnType::Builtin("text".to_string());
            }
            ColumnType::Array(_) => {
                errors.push(error(def, Some(&column.name), format!(
                    "column `{}.{}` is an array, which SQLite does not have; store it as JSON text (a `sqlx::types::Json<Vec<_>>` field) or in a table of its own",
                    table.name, column.name
                )));
                column.ty = ColumnType::Builtin("text".to_string());
            }
        }
        if let Some(default) = &column.default {
            column.default = Some(adapt_default(default));
        }
    }
    table.checks.extend(enum_checks);
    for index in &mut table.indexes {
        if let Some(method) = index.using.take() {
            errors.push(error(def, None, format!(
                "index `{}` on table `{}` uses `{method}`, but SQLite has one kind of index; drop `using = \"{method}\"`",
                index.name, table.name
            )));
        }
        index.concurrently = false;
        for problem in index_key_problems(index) {
            errors.push(error(
                def,
                None,
                format!("index `{}` on table `{}` {problem}", index.name, table.name),
            ));
        }
    }
    for fk in &mut table.foreign_keys {
        fk.ref_schema = DEFAULT_SCHEMA.to_string();
    }
    table
}

/// What of an index's keys and storage parameters SQLite lacks (it has expressions and
/// `ASC`/`DESC`), each said with what to drop; the index is left without it.
fn index_key_problems(index: &mut Index) -> Vec<String> {
    let mut problems = Vec::new();
    for key in &mut index.keys {
        if let Some(opclass) = key.opclass.take() {
            problems.push(format!(
                "gives a key the operator class `{opclass}`, which SQLite does not have; drop `{opclass}` from #[index(keys(..))]"
            ));
        }
        if let Some(nulls) = key.nulls.take() {
            problems.push(format!(
                "orders a key NULLS {}, which a SQLite index cannot; drop `NULLS {}` from #[index(keys(..))]",
                nulls.sql(),
                nulls.sql()
            ));
        }
    }
    if !index.with.is_empty() {
        problems.push("has storage parameters, which SQLite does not have; drop `with = \"...\"` from #[index(..)]".to_string());
        index.with.clear();
    }
    let keys = index.keys();
    index.set_keys(keys);
    problems
}

/// A declared column type (`INT`, `VARCHAR(255)`) as the model holds it, which is what
/// `generate` renders and what introspection and importers read: the SQLite type its name
/// maps to ([`affinity`] of the name as the model normalizes it: `INT` and `BOOLEAN` are
/// `integer`, `VARCHAR(255)` and `DECIMAL(10,2)` are `text`, `DOUBLE` is `real`); a name that
/// is no PostgreSQL type (`datetime`) is kept.
pub fn declared_type(declared: &str) -> crate::model::ColumnType {
    use crate::model::ColumnType;
    match crate::types::normalize(declared) {
        ColumnType::Builtin(name) => ColumnType::Builtin(affinity(&name)),
        _ => ColumnType::Builtin(declared.to_string()),
    }
}

/// The SQLite type for a normalized PostgreSQL type name: `integer`, `real`, `text` or `blob`;
/// a name that is no PostgreSQL type (`datetime`, say) is kept.
pub fn affinity(name: &str) -> String {
    let base = name.split('(').next().unwrap_or(name).trim();
    let mapped = match base {
        "smallint" | "integer" | "bigint" | "boolean" => "integer",
        "real" | "double precision" => "real",
        "bytea" => "blob",
        "text" | "character varying" | "character" | "uuid" | "numeric" | "json" | "jsonb"
        | "date" | "interval" => "text",
        b if b.starts_with("timestamp") || b.starts_with("time ") || b == "time" => "text",
        _ => return name.to_string(),
    };
    mapped.to_string()
}

/// `"state" IN ('open', 'closed')`.
pub fn enum_check(column: &str, values: &[String]) -> String {
    let values: Vec<String> = values
        .iter()
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect();
    format!(
        "\"{}\" IN ({})",
        column.replace('"', "\"\""),
        values.join(", ")
    )
}

/// PostgreSQL's `now()` is SQLite's `CURRENT_TIMESTAMP`; everything else is kept.
fn adapt_default(default: &str) -> String {
    match default.trim().to_lowercase().as_str() {
        "now()" | "current_timestamp" | "localtimestamp" => "CURRENT_TIMESTAMP".to_string(),
        "current_date" => "CURRENT_DATE".to_string(),
        "current_time" => "CURRENT_TIME".to_string(),
        _ => default.to_string(),
    }
}

/// True for a default SQLite takes without parentheses: a number, a string, a blob,
/// `true`/`false`/`null` or one of the `CURRENT_*` keywords.
pub fn is_literal_default(default: &str) -> bool {
    let d = default.trim();
    let lower = d.to_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "null" | "current_timestamp" | "current_date" | "current_time"
    ) {
        return true;
    }
    if d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'') {
        return d[1..d.len() - 1].replace("''", "").find('\'').is_none();
    }
    let number = d.strip_prefix(['-', '+']).unwrap_or(d);
    !number.is_empty()
        && number
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && number.parse::<f64>().is_ok()
}
