//! The MySQL side of the test builders: schemas built in the resolver's (PostgreSQL) terms with
//! `build`, adapted by [`Mysql`], diffed and rendered by [`Mysql`]'s `script`.
#![allow(dead_code)]

use schema_core::def::{FieldDef, FieldType, TableDef};
use schema_core::diff::{diff, hinted_renames, migration_name, Renames};
use schema_core::model::{Schema, Table};
use schema_core::render::{migration_sql, Dialect, Mysql};

/// The definitions `schema` could have been resolved from: struct `AccountsRow` for table
/// `accounts`, field `<column>_field` for each column, so errors show which name they use.
pub fn defs(schema: &Schema) -> Vec<TableDef> {
    schema.tables.values().map(def).collect()
}

fn def(table: &Table) -> TableDef {
    TableDef {
        rust_name: rust_name(&table.name),
        name: table.name.clone(),
        schema: table.schema.clone(),
        renamed_from: None,
        fields: table
            .columns
            .iter()
            .map(|c| FieldDef {
                field: format!("{}_field", c.name),
                name: c.name.clone(),
                ty: FieldType::Sql(c.ty.clone()),
                sql_type: None,
                nullable: c.nullable,
                default: None,
                identity: c.identity,
                identity_options: Default::default(),
                generated: None,
                unique: false,
                index: false,
                renamed_from: None,
                references: None,
            })
            .collect(),
        primary_key: Vec::new(),
        indexes: Vec::new(),
        uniques: Vec::new(),
        checks: Vec::new(),
        primary_key_name: None,
        foreign_keys: Vec::new(),
        rls: false,
        policies: Vec::new(),
    }
}

/// `issue_labels` is `IssueLabelsRow`.
pub fn rust_name(table: &str) -> String {
    let mut out = String::new();
    for part in table.split('_') {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out + "Row"
}

/// `schema` as MySQL stores it.
pub fn adapt(schema: &Schema) -> Schema {
    Mysql
        .adapt(schema.clone(), &defs(schema))
        .unwrap_or_else(|e| panic!("adapts: {e:?}"))
}

/// The adapt errors for `schema`, one line each.
pub fn adapt_errors(schema: &Schema) -> String {
    match Mysql.adapt(schema.clone(), &defs(schema)) {
        Ok(_) => panic!("expected adapt errors"),
        Err(errors) => errors
            .iter()
            .map(|e| {
                format!(
                    "{} / {}: {}",
                    e.rust_name,
                    e.field.as_deref().unwrap_or("-"),
                    e.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The summaries as SQL comments, then the MySQL migration file for `before -> after` (both
/// adapted first) with the hinted renames and `extra` ones.
pub fn check_with(before: &Schema, after: &Schema, extra: &Renames) -> String {
    let (before, after) = (adapt(before), adapt(after));
    let mut renames = hinted_renames(&before, &after);
    renames.tables.extend(extra.tables.iter().cloned());
    renames.columns.extend(extra.columns.iter().cloned());
    let changes = diff(&before, &after, &renames);
    let script = Mysql.script(&changes, &before, &after).expect("renders");
    assert!(!script.no_transaction);
    assert_eq!(
        script,
        Mysql.script(&changes, &before, &after).expect("renders"),
        "script is not deterministic"
    );
    dump(&before, &script.statements);
    let summary: Vec<String> = changes
        .iter()
        .map(|c| format!("-- {}", c.summary()))
        .collect();
    format!(
        "-- name: {}\n{}\n\n{}",
        migration_name(&changes),
        summary.join("\n"),
        migration_sql(&script.statements)
    )
}

pub fn check(before: &Schema, after: &Schema) -> String {
    check_with(before, after, &Renames::default())
}

/// With `SCHEMA_CORE_SQL_DUMP=dir`, writes the SQL creating `before` then the migration, one
/// statement per breakpoint, into `dir/<test name>.sql`, for applying to a real server.
fn dump(before: &Schema, statements: &[String]) {
    let Ok(dir) = std::env::var("SCHEMA_CORE_SQL_DUMP") else {
        return;
    };
    let empty = Schema::default();
    let create = diff(&empty, before, &Renames::default());
    let mut all = Mysql
        .script(&create, &empty, before)
        .expect("renders")
        .statements;
    all.push("-- migration".to_string());
    all.extend(statements.iter().cloned());
    let name = std::thread::current()
        .name()
        .unwrap_or("case")
        .replace("::", "__");
    std::fs::write(format!("{dir}/{name}.sql"), migration_sql(&all)).expect("writes the dump");
}
