//! The generator's definition sets made fit for SQLite: one schema (tables and enums of
//! `audit` get an `audit_` prefix instead), no arrays, no access methods, identities only on
//! a single integer primary key, and defaults SQLite can parse.
//!
//! The same mapping applies to A and B, so a pair stays a pair: hints and names carry over.

use super::Defs;
use schema_core::def::{DefaultDef, EnumDef, FieldType, TableDef};
use schema_core::model::{ColumnType, DEFAULT_SCHEMA};

/// `defs` as a SQLite user would write them.
pub fn defs((tables, enums): &Defs) -> Defs {
    (
        tables.iter().map(table).collect(),
        enums.iter().map(db_enum).collect(),
    )
}

/// `audit.x` becomes `audit_x` in `public`.
fn flat(schema: &str, name: &str) -> String {
    if schema == DEFAULT_SCHEMA {
        name.to_string()
    } else {
        format!("{schema}_{name}")
    }
}

/// A hint (`x` in the object's own schema, or `schema.x`) after [`flat`].
fn flat_hint(own_schema: &str, hint: &Option<String>) -> Option<String> {
    hint.as_ref().map(|h| match h.split_once('.') {
        Some((s, n)) => flat(s, n),
        None => flat(own_schema, h),
    })
}

fn db_enum(e: &EnumDef) -> EnumDef {
    EnumDef {
        name: flat(&e.schema, &e.name),
        schema: DEFAULT_SCHEMA.to_string(),
        renamed_from: flat_hint(&e.schema, &e.renamed_from),
        ..e.clone()
    }
}

fn table(t: &TableDef) -> TableDef {
    let mut t = t.clone();
    let schema = t.schema.clone();
    for i in &mut t.indexes {
        i.using = None;
        if schema != DEFAULT_SCHEMA {
            if let Some(n) = &mut i.name {
                *n = flat(&schema, n);
            }
        }
    }
    for u in &mut t.uniques {
        if schema != DEFAULT_SCHEMA {
            if let Some(n) = &mut u.name {
                *n = flat(&schema, n);
            }
        }
    }
    if let (true, Some(n)) = (schema != DEFAULT_SCHEMA, &mut t.primary_key_name) {
        *n = flat(&schema, n);
    }
    for c in &mut t.checks {
        if schema != DEFAULT_SCHEMA {
            if let Some(n) = &mut c.name {
                *n = flat(&schema, n);
            }
        }
    }
    let single_key = match t.primary_key.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    for f in &mut t.fields {
        let mut was_array = false;
        f.ty = match &f.ty {
            FieldType::Sql(ColumnType::Array(inner)) => {
                was_array = true;
                FieldType::Sql((**inner).clone())
            }
            FieldType::User { rust, array: true } => {
                was_array = true;
                FieldType::User {
                    rust: rust.clone(),
                    array: false,
                }
            }
            other => other.clone(),
        };
        if was_array {
            f.default = None;
        }
        if f.identity && single_key.as_deref() != Some(f.field.as_str()) {
            f.identity = false;
        }
        f.default = f.default.take().and_then(default);
    }
    t.renamed_from = flat_hint(&t.schema, &t.renamed_from);
    t.name = flat(&t.schema, &t.name);
    t.schema = DEFAULT_SCHEMA.to_string();
    t
}

/// PostgreSQL casts and functions SQLite lacks: `'{}'::jsonb` keeps its literal, `'\x00'::bytea`
/// becomes a blob, `gen_random_uuid()` has no counterpart and is left out.
fn default(d: DefaultDef) -> Option<DefaultDef> {
    match d {
        DefaultDef::Sql(s) if s == "'\\x00'::bytea" => Some(DefaultDef::Sql("X'00'".into())),
        DefaultDef::Sql(s) if s.contains("::") => {
            let literal = s.split("::").next().unwrap_or("").to_string();
            Some(DefaultDef::Sql(literal))
        }
        DefaultDef::Sql(s) if s == "gen_random_uuid()" => None,
        other => Some(other),
    }
}
