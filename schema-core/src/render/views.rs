//! Views in SQL: `CREATE [MATERIALIZED] VIEW` with the declared column list, drops, renames
//! and replacements as each database allows them, and the refusal of a materialized view on a
//! database without them and of a view in a schema on a database without schemas.

use super::{Dialect, RenderError};
use crate::def::ViewDef;
use crate::diff::QualifiedName;
use crate::model::{Schema, View, DEFAULT_SCHEMA};
use crate::resolve::ResolveError;

fn keyword(materialized: bool) -> &'static str {
    match materialized {
        true => "MATERIALIZED VIEW",
        false => "VIEW",
    }
}

fn qualified(v: &View) -> QualifiedName {
    QualifiedName::new(&v.schema, &v.name)
}

/// `CREATE VIEW "public"."open_issues" ("id", "title") AS SELECT ...;`, with `OR REPLACE` when
/// `replace`: the column list names the view's columns after the struct's fields, and the
/// query is verbatim.
pub fn create<D: Dialect + ?Sized>(
    d: &D,
    view: &View,
    replace: bool,
) -> Result<Vec<String>, RenderError> {
    super::standard::check_name(d, &view.name)?;
    if view.materialized && !d.supports_materialized_views() {
        return Err(no_materialized(d, &qualified(view)));
    }
    let columns: Vec<String> = view.columns.iter().map(|c| d.quote(&c.name)).collect();
    Ok(vec![format!(
        "CREATE {}{} {} ({}) AS {};",
        if replace { "OR REPLACE " } else { "" },
        keyword(view.materialized),
        d.qualified(&qualified(view)),
        columns.join(", "),
        view.sql.trim()
    )])
}

/// `DROP VIEW "public"."open_issues";` (`DROP MATERIALIZED VIEW` for one).
pub fn drop<D: Dialect + ?Sized>(d: &D, name: &QualifiedName, materialized: bool) -> Vec<String> {
    vec![format!(
        "DROP {} {};",
        keyword(materialized),
        d.qualified(name)
    )]
}

/// A drop of `from` and a create of `to`: how a database replaces what it cannot in place.
pub fn drop_and_create<D: Dialect + ?Sized>(
    d: &D,
    from: &View,
    to: &View,
) -> Result<Vec<String>, RenderError> {
    let mut out = drop(d, &qualified(from), from.materialized);
    out.extend(create(d, to, false)?);
    Ok(out)
}

/// PostgreSQL's `CREATE OR REPLACE VIEW` keeps the view only when its columns stay, in order,
/// with their names and types (new ones may follow at the end).
pub fn keeps_columns(from: &View, to: &View) -> bool {
    to.columns.len() >= from.columns.len() && to.columns.starts_with(&from.columns)
}

fn no_materialized<D: Dialect + ?Sized>(d: &D, name: &QualifiedName) -> RenderError {
    RenderError::Unsupported {
        dialect: d.name(),
        what: format!("create materialized view {name}"),
        hint: "declare it as a plain view (remove `materialized`)".to_string(),
    }
}

/// `schema` unchanged, or an error for each `#[derive(View)]` struct declared `materialized`
/// when the dialect has no materialized views, and for each declared in a schema (`schema =
/// ".."`) when the dialect has no schemas, as a table in a schema is refused there.
pub fn adapt<D: Dialect + ?Sized>(
    d: &D,
    schema: Schema,
    defs: &[ViewDef],
) -> Result<Schema, Vec<ResolveError>> {
    let mut errors = Vec::new();
    for def in defs {
        let error = |message: String| ResolveError {
            rust_name: def.rust_name.clone(),
            field: None,
            message,
        };
        if def.materialized && !d.supports_materialized_views() {
            errors.push(error(format!(
                "#[view(materialized)] on view \"{}\": {} has no materialized views; remove \
                 `materialized` to declare a plain view, or keep the rows in a table",
                def.name,
                d.name()
            )));
        }
        if def.schema != DEFAULT_SCHEMA && !d.supports_schemas() {
            errors.push(error(format!(
                "#[view(schema = \"{}\")] on view \"{}\": {} has no schemas, its database is \
                 one; drop `schema = \"{}\"` from #[view(..)], as from a #[table(..)]",
                def.schema,
                def.name,
                d.name(),
                def.schema
            )));
        }
    }
    match errors.is_empty() {
        true => Ok(schema),
        false => Err(errors),
    }
}
