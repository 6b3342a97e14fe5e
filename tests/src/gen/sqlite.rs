//! The generator's definition sets made fit for SQLite: one schema (tables, enums and views of
//! `audit` get an `audit_` prefix instead), no arrays, no access methods, identities only on
//! a single integer primary key, and defaults SQLite can parse; none of PostgreSQL's own kinds
//! (identity options, `nulls_not_distinct`, row-level security and policies, sequences).
//!
//! The same mapping applies to A and B, so a pair stays a pair: hints and names carry over.

use super::Defs;
use schema_core::def::{DefaultDef, EnumDef, FieldType, TableDef, ViewDef};
use schema_core::model::{ColumnType, DEFAULT_SCHEMA};

/// `defs` as a SQLite user would write them.
pub fn defs(defs: &Defs) -> Defs {
    Defs {
        tables: defs.tables.iter().map(table).collect(),
        enums: defs.enums.iter().map(db_enum).collect(),
        sequences: Vec::new(),
        views: defs.views.iter().map(|v| view(v, &defs.tables)).collect(),
    }
}

/// A view in one schema, reading its table by the table's flat name.
fn view(v: &ViewDef, tables: &[TableDef]) -> ViewDef {
    let mut sql = v.sql.clone();
    for t in tables.iter().filter(|t| t.schema != DEFAULT_SCHEMA) {
        let qualified = format!("\"{}\".\"{}\"", t.schema, t.name);
        sql = sql.replace(&qualified, &format!("\"{}\"", flat(&t.schema, &t.name)));
    }
    sql = sql.replace("\"public\".", "");
    let mut columns = v.columns.clone();
    for c in &mut columns {
        c.ty = unarrayed(&c.ty);
    }
    ViewDef {
        name: flat(&v.schema, &v.name),
        schema: DEFAULT_SCHEMA.to_string(),
        renamed_from: flat_hint(&v.schema, &v.renamed_from),
        sql,
        columns,
        ..v.clone()
    }
}

/// The element type of an array type; any other type as it is.
fn unarrayed(ty: &FieldType) -> FieldType {
    match ty {
        FieldType::Sql(ColumnType::Array(inner)) => FieldType::Sql((**inner).clone()),
        FieldType::User { rust, array: true } => FieldType::User {
            rust: rust.clone(),
            array: false,
        },
        other => other.clone(),
    }
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
    t.rls = false;
    t.policies.clear();
    for i in &mut t.indexes {
        i.nulls_not_distinct = false;
    }
    for k in &mut t.foreign_keys {
        if let (true, Some(n)) = (schema != DEFAULT_SCHEMA, &mut k.name) {
            *n = flat(&schema, n);
        }
    }
    for u in &mut t.uniques {
        u.nulls_not_distinct = false;
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
        f.identity_options = Default::default();
        let was_array = unarrayed(&f.ty) != f.ty;
        f.ty = unarrayed(&f.ty);
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
