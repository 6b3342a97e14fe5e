//! Definitions written back as the Rust source a user would write, so that a failing case reads
//! as schema files, and so that a test can check the parser reads the same definitions back.

use super::Defs;
use schema_core::def::{DefaultDef, FieldDef, FieldType, SequenceDef, TableDef, ViewDef};
use schema_core::model::{ColumnType, FkAction, IdentityOptions, IndexKey, KeyTarget, Policy};
use std::fmt::Write;

/// The schema file declaring `defs`.
pub fn source(defs: &Defs) -> String {
    let mut out = String::new();
    for e in &defs.enums {
        out.push_str("#[derive(DbEnum)]\n");
        let mut keys = vec![
            format!("name = {:?}", e.name),
            format!("schema = {:?}", e.schema),
        ];
        keys.extend(
            e.renamed_from
                .iter()
                .map(|r| format!("renamed_from = {r:?}")),
        );
        let _ = writeln!(
            out,
            "#[db_enum({})]\nenum {} {{",
            keys.join(", "),
            e.rust_name
        );
        for (i, v) in e.values.iter().enumerate() {
            let _ = writeln!(out, "    #[db_enum(rename = {v:?})]\n    V{i},");
        }
        out.push_str("}\n\n");
    }
    for t in &defs.tables {
        table(&mut out, t);
    }
    for s in &defs.sequences {
        sequence(&mut out, s);
    }
    for v in &defs.views {
        view(&mut out, v);
    }
    out
}

/// `name = "..", schema = ".."` and `renamed_from` when there is one.
fn place(name: &str, schema: &str, renamed_from: &Option<String>) -> Vec<String> {
    let mut keys = vec![format!("name = {name:?}"), format!("schema = {schema:?}")];
    keys.extend(renamed_from.iter().map(|r| format!("renamed_from = {r:?}")));
    keys
}

fn sequence(out: &mut String, s: &SequenceDef) {
    let mut keys = place(&s.name, &s.schema, &s.renamed_from);
    let o = &s.options;
    for (key, v) in [
        ("start", o.start),
        ("increment", o.increment),
        ("min", o.min),
        ("max", o.max),
        ("cache", o.cache),
    ] {
        keys.extend(v.map(|v| format!("{key} = {v}")));
    }
    if o.cycle {
        keys.push("cycle".into());
    }
    let _ = writeln!(
        out,
        "#[derive(Sequence)]\n#[sequence({})]\nstruct {};\n",
        keys.join(", "),
        s.rust_name
    );
}

fn view(out: &mut String, v: &ViewDef) {
    let mut keys = place(&v.name, &v.schema, &v.renamed_from);
    if v.materialized {
        keys.push("materialized".into());
    }
    keys.push(format!("sql = {:?}", v.sql));
    let _ = writeln!(
        out,
        "#[derive(View)]\n#[view({})]\nstruct {} {{",
        keys.join(", "),
        v.rust_name
    );
    for c in &v.columns {
        let (rust, sql_type) = rust_type(&c.ty);
        let mut keys = vec![format!("name = {:?}", c.name)];
        keys.extend(sql_type.map(|s| format!("sql_type = {s:?}")));
        let _ = writeln!(
            out,
            "    #[column({})]\n    {}: {rust},",
            keys.join(", "),
            c.field
        );
    }
    out.push_str("}\n\n");
}

fn policy(p: &Policy) -> String {
    let mut keys = vec![format!("name = {:?}", p.name)];
    keys.extend(
        p.renamed_from
            .iter()
            .map(|r| format!("renamed_from = {r:?}")),
    );
    if p.restrictive {
        keys.push("as = \"restrictive\"".into());
    }
    keys.push(format!("for = {:?}", p.command.keyword().to_lowercase()));
    if !p.roles.is_empty() {
        keys.push(format!("to = {:?}", p.roles.join(", ")));
    }
    keys.extend(p.using.iter().map(|u| format!("using = {u:?}")));
    keys.extend(p.with_check.iter().map(|w| format!("with_check = {w:?}")));
    format!("#[policy({})]", keys.join(", "))
}

/// `identity` or `identity(always, start = .., ..)`.
fn identity(o: &IdentityOptions) -> String {
    if o.is_empty() {
        return "identity".into();
    }
    let mut keys = Vec::new();
    if o.always {
        keys.push("always".to_string());
    }
    for (key, v) in [
        ("start", o.start),
        ("increment", o.increment),
        ("min", o.min),
        ("max", o.max),
        ("cache", o.cache),
    ] {
        keys.extend(v.map(|v| format!("{key} = {v}")));
    }
    if o.cycle {
        keys.push("cycle".into());
    }
    format!("identity({})", keys.join(", "))
}

/// `"\"a\" DESC", "lower(b)"`: each key as a string literal, a column quoted.
fn index_keys(keys: &[IndexKey]) -> String {
    let key = |k: &IndexKey| {
        let mut sql = match &k.target {
            KeyTarget::Column(c) => format!("\"{}\"", c.replace('"', "\"\"")),
            KeyTarget::Expression(e) => e.clone(),
        };
        if let Some(o) = &k.opclass {
            sql = format!("{sql} {o}");
        }
        if k.desc {
            sql.push_str(" DESC");
        }
        if let Some(n) = k.nulls {
            sql = format!("{sql} NULLS {}", n.sql());
        }
        format!("{sql:?}")
    };
    keys.iter().map(key).collect::<Vec<_>>().join(", ")
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

fn table(out: &mut String, t: &TableDef) {
    out.push_str("#[derive(Table)]\n");
    let mut keys = place(&t.name, &t.schema, &t.renamed_from);
    if t.rls {
        keys.push("rls".into());
    }
    let _ = writeln!(out, "#[table({})]", keys.join(", "));
    for p in &t.policies {
        let _ = writeln!(out, "{}", policy(p));
    }
    for k in &t.foreign_keys {
        let mut keys = vec![
            format!("columns({})", list(&k.columns)),
            format!("references = {}", k.table),
            format!("ref_columns({})", list(&k.ref_columns)),
        ];
        keys.extend(k.name.iter().map(|n| format!("name = {n:?}")));
        for (key, a) in [("on_delete", k.on_delete), ("on_update", k.on_update)] {
            if a != FkAction::NoAction {
                keys.push(format!("{key} = {:?}", a.sql().to_lowercase()));
            }
        }
        let _ = writeln!(out, "#[foreign_key({})]", keys.join(", "));
    }
    match &t.primary_key_name {
        Some(name) => {
            let _ = writeln!(
                out,
                "#[primary_key({}, name = {name:?})]",
                list(&t.primary_key)
            );
        }
        None => {
            let _ = writeln!(out, "#[primary_key({})]", list(&t.primary_key));
        }
    }
    for i in &t.indexes {
        let mut keys = vec![match i.keys.is_empty() {
            true => format!("columns({})", list(&i.columns)),
            false => format!("keys({})", index_keys(&i.keys)),
        }];
        keys.extend(i.with.iter().map(|(k, v)| format!("with = \"{k} = {v}\"")));
        keys.extend(i.name.iter().map(|n| format!("name = {n:?}")));
        if i.unique {
            keys.push("unique".into());
        }
        if i.nulls_not_distinct {
            keys.push("nulls_not_distinct".into());
        }
        keys.extend(i.predicate.iter().map(|p| format!("predicate = {p:?}")));
        keys.extend(i.using.iter().map(|u| format!("using = {u:?}")));
        if i.concurrently {
            keys.push("concurrently".into());
        }
        let _ = writeln!(out, "#[index({})]", keys.join(", "));
    }
    for u in &t.uniques {
        let mut keys = vec![format!("columns({})", list(&u.columns))];
        keys.extend(u.name.iter().map(|n| format!("name = {n:?}")));
        if u.nulls_not_distinct {
            keys.push("nulls_not_distinct".into());
        }
        let _ = writeln!(out, "#[unique({})]", keys.join(", "));
    }
    for c in &t.checks {
        let mut keys: Vec<String> = c.name.iter().map(|n| format!("name = {n:?}")).collect();
        keys.push(format!("expr = {:?}", c.expr));
        let _ = writeln!(out, "#[check({})]", keys.join(", "));
    }
    let _ = writeln!(out, "struct {} {{", t.rust_name);
    for f in &t.fields {
        field(out, f);
    }
    out.push_str("}\n\n");
}

fn field(out: &mut String, f: &FieldDef) {
    let (rust, sql_type) = rust_type(&f.ty);
    let mut keys = vec![format!("name = {:?}", f.name)];
    keys.extend(sql_type.map(|s| format!("sql_type = {s:?}")));
    if f.identity {
        keys.push(identity(&f.identity_options));
    }
    if let Some(g) = &f.generated {
        keys.push(format!("generated = {:?}", g.expr));
        if g.is_virtual {
            keys.push("virtual".into());
        }
    }
    for (on, flag) in [(f.unique, "unique"), (f.index, "index")] {
        if on {
            keys.push(flag.into());
        }
    }
    keys.extend(f.default.as_ref().map(|d| match d {
        DefaultDef::Sql(s) => format!("default_sql = {s:?}"),
        DefaultDef::Int(s) | DefaultDef::Float(s) => format!("default = {s}"),
        DefaultDef::Bool(b) => format!("default = {b}"),
        DefaultDef::Str(s) => format!("default = {s:?}"),
    }));
    if let Some(r) = &f.references {
        keys.push(format!("references = {}::{}", r.table, r.field));
        for (key, a) in [("on_delete", r.on_delete), ("on_update", r.on_update)] {
            if a != FkAction::NoAction {
                keys.push(format!("{key} = {:?}", a.sql().to_lowercase()));
            }
        }
    }
    keys.extend(
        f.renamed_from
            .iter()
            .map(|r| format!("renamed_from = {r:?}")),
    );
    let ty = if f.nullable {
        format!("Option<{rust}>")
    } else {
        rust
    };
    let _ = writeln!(
        out,
        "    #[column({})]\n    {}: {ty},",
        keys.join(", "),
        f.field
    );
}

/// The Rust type of a field and the `sql_type` it needs when the mapping has no Rust type.
pub(crate) fn rust_type(ty: &FieldType) -> (String, Option<String>) {
    match ty {
        FieldType::User { rust, array: false } => (rust.clone(), None),
        FieldType::User { rust, array: true } => (format!("Vec<{rust}>"), None),
        FieldType::Sql(c) => match mapped(c) {
            Some(rust) => (rust, None),
            None => ("String".into(), Some(sql(c))),
        },
    }
}

fn mapped(ty: &ColumnType) -> Option<String> {
    match ty {
        ColumnType::Builtin(name) => Some(
            match name.as_str() {
                "smallint" => "i16",
                "integer" => "i32",
                "bigint" => "i64",
                "real" => "f32",
                "double precision" => "f64",
                "numeric" => "rust_decimal::Decimal",
                "boolean" => "bool",
                "text" => "String",
                "bytea" => "Vec<u8>",
                "uuid" => "uuid::Uuid",
                "timestamp with time zone" => "chrono::DateTime<chrono::Utc>",
                "timestamp without time zone" => "chrono::NaiveDateTime",
                "date" => "chrono::NaiveDate",
                "jsonb" => "serde_json::Value",
                _ => return None,
            }
            .to_string(),
        ),
        ColumnType::Array(inner) if !matches!(**inner, ColumnType::Array(_)) => mapped(inner)
            .filter(|r| r != "Vec<u8>")
            .map(|r| format!("Vec<{r}>")),
        _ => None,
    }
}

fn sql(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Builtin(name) => name.clone(),
        ColumnType::Enum { schema, name } => format!("\"{schema}\".\"{name}\""),
        ColumnType::Array(inner) => format!("{}[]", sql(inner)),
    }
}
