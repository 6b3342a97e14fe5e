//! drizzle-kit's PostgreSQL snapshot (version 7) in the form PostgreSQL introspection reads:
//! types by their `format_type` names, enums by schema and name, identities with only the
//! options that differ from the defaults, index keys with only the `NULLS` order that differs
//! from the direction's default, `btree` as no method. Roles (drizzle-kit can create them)
//! are left out: policies name roles, the tool does not manage them.

use super::expressions::unqualified;
use super::pg_snapshot::*;
use super::{action, default_text, expect_version, from_text, new_column, new_index, new_table};
use super::{left, DrizzleError, EXISTING_VIEW};
use crate::config::Dialect;
use crate::pull::LeftOut;
use schema_core::model::{
    Check, ColumnType, Enum, ForeignKey, Generated, IdentityOptions, IndexKey, KeyTarget, Nulls,
    Policy, PolicyCommand, PrimaryKey, Schema, Sequence, SequenceOptions, SequenceSettings, Table,
    Unique, View, ViewColumn, DEFAULT_SCHEMA,
};
use schema_core::{naming, types};
use std::path::Path;

/// `""` is drizzle-kit's spelling of `public`.
fn schema_name(s: &str) -> String {
    match s {
        "" => DEFAULT_SCHEMA.to_string(),
        s => s.to_string(),
    }
}

/// The schema of the snapshot at `path` (its text `text`), and what was left out.
pub fn schema(path: &Path, text: &str) -> Result<(Schema, Vec<LeftOut>), DrizzleError> {
    let snapshot: Snapshot = from_text(path, text, "PostgreSQL snapshot")?;
    expect_version(path, "postgresql", &snapshot.version, "7")?;
    let mut schema = Schema::default();
    let mut left_out = Vec::new();
    schema.schemas = snapshot
        .schemas
        .values()
        .filter(|s| s.as_str() != DEFAULT_SCHEMA)
        .cloned()
        .collect();
    for e in snapshot.enums.values() {
        let e = Enum {
            schema: schema_name(&e.schema),
            name: e.name.clone(),
            values: e.values.clone(),
            renamed_from: None,
        };
        schema.enums.insert(Schema::key(&e.schema, &e.name), e);
    }
    for s in snapshot.sequences.values() {
        let sequence = Sequence {
            schema: schema_name(&s.schema),
            name: s.name.clone(),
            options: sequence_options(path, s)?,
            renamed_from: None,
        };
        schema.sequences.insert(sequence.key(), sequence);
    }
    for t in snapshot.tables.values() {
        let table = table(path, t)?;
        schema.tables.insert(table.key(), table);
    }
    for v in snapshot.views.values() {
        if let Some(view) = view(v, &mut left_out) {
            schema.views.insert(view.key(), view);
        }
    }
    for role in snapshot.roles.keys() {
        left_out.push(left(
            format!("role `{role}`"),
            "roles are referred to by name, not managed; create it outside the migrations",
            None,
        ));
    }
    Ok((schema, left_out))
}

fn number(path: &Path, what: &str, value: &Option<String>) -> Result<Option<i64>, DrizzleError> {
    value
        .as_deref()
        .map(|v| {
            v.parse().map_err(|_| DrizzleError::Invalid {
                path: path.to_path_buf(),
                message: format!("{what} `{v}` is not a 64-bit integer"),
            })
        })
        .transpose()
}

/// The options as written, each parsed.
fn read_options(path: &Path, o: &PgSequenceOptions) -> Result<SequenceOptions, DrizzleError> {
    Ok(SequenceOptions {
        start: number(path, "startWith", &o.start_with)?,
        increment: number(path, "increment", &o.increment)?,
        min: number(path, "minValue", &o.min_value)?,
        max: number(path, "maxValue", &o.max_value)?,
        cache: number(path, "cache", &o.cache)?,
        cycle: o.cycle,
    })
}

fn sequence_options(path: &Path, s: &PgSequence) -> Result<SequenceOptions, DrizzleError> {
    let given = read_options(path, &s.options)?;
    // Only what differs from the defaults, as a declared sequence keeps it.
    let defaults = SequenceOptions {
        increment: given.increment,
        ..SequenceOptions::default()
    }
    .effective();
    Ok(SequenceOptions {
        start: given.start.filter(|v| *v != defaults.start),
        increment: given.increment.filter(|v| *v != 1),
        min: given.min.filter(|v| *v != defaults.min),
        max: given.max.filter(|v| *v != defaults.max),
        cache: given.cache.filter(|v| *v != 1),
        cycle: given.cycle,
    })
}

fn column_type(c: &PgColumn) -> ColumnType {
    match &c.type_schema {
        Some(schema) => {
            let (name, array) = match c.ty.strip_suffix("[]") {
                Some(inner) => (inner, true),
                None => (c.ty.as_str(), false),
            };
            let ty = ColumnType::Enum {
                schema: schema_name(schema),
                name: name.to_string(),
            };
            match array {
                true => ColumnType::Array(Box::new(ty)),
                false => ty,
            }
        }
        None => types::normalize(&c.ty),
    }
}

fn identity(
    path: &Path,
    id: &PgIdentity,
    ty: &ColumnType,
) -> Result<IdentityOptions, DrizzleError> {
    let bare = IdentityOptions::default().settings(ty);
    let given = read_options(path, &id.options)?;
    let settings = SequenceSettings {
        start: given.start.unwrap_or(bare.start),
        increment: given.increment.unwrap_or(bare.increment),
        min: given.min.unwrap_or(bare.min),
        max: given.max.unwrap_or(bare.max),
        cache: given.cache.unwrap_or(bare.cache),
        cycle: given.cycle,
    };
    Ok(IdentityOptions::from_settings(
        id.kind == "always",
        settings,
        ty,
    ))
}

fn table(path: &Path, t: &PgTable) -> Result<Table, DrizzleError> {
    let mut table = new_table(&schema_name(&t.schema), &t.name);
    table.rls = t.rls;
    for c in t.columns.values() {
        let ty = column_type(c);
        let mut column = new_column(&c.name, ty.clone(), !c.not_null && !c.primary_key);
        column.default = c.default.as_ref().and_then(default_text);
        if let Some(id) = &c.identity {
            column.identity = true;
            column.identity_options = identity(path, id, &ty)?;
        }
        column.generated = c.generated.as_ref().map(|g| Generated {
            expr: g.expr.clone(),
            is_virtual: false,
        });
        if c.is_unique {
            let columns = vec![c.name.clone()];
            table.uniques.push(Unique {
                name: c
                    .unique_name
                    .clone()
                    .unwrap_or_else(|| format!("{}_{}_unique", t.name, c.name)),
                columns,
                nulls_not_distinct: c.nulls_not_distinct,
            });
        }
        table.columns.push(column);
    }
    let single: Vec<String> = t
        .columns
        .values()
        .filter(|c| c.primary_key)
        .map(|c| c.name.clone())
        .collect();
    table.primary_key = match t.composite_primary_keys.values().next() {
        Some(pk) => Some(PrimaryKey {
            name: pk.name.clone(),
            columns: pk.columns.clone(),
        }),
        None if !single.is_empty() => Some(PrimaryKey {
            name: naming::primary_key(&t.name),
            columns: single,
        }),
        None => None,
    };
    for u in t.unique_constraints.values() {
        table.uniques.push(Unique {
            name: u.name.clone(),
            columns: u.columns.clone(),
            nulls_not_distinct: u.nulls_not_distinct,
        });
    }
    for i in t.indexes.values() {
        table.indexes.push(index(i, &t.name));
    }
    for fk in t.foreign_keys.values() {
        table.foreign_keys.push(ForeignKey {
            name: fk.name.clone(),
            columns: fk.columns_from.clone(),
            ref_schema: schema_name(fk.schema_to.as_deref().unwrap_or("")),
            ref_table: fk.table_to.clone(),
            ref_columns: fk.columns_to.clone(),
            on_delete: action(path, fk.on_delete.as_deref())?,
            on_update: action(path, fk.on_update.as_deref())?,
        });
    }
    for c in t.check_constraints.values() {
        table.checks.push(Check {
            name: c.name.clone(),
            expr: unqualified(&c.value, &t.name, Dialect::Postgres),
        });
    }
    for p in t.policies.values() {
        table.policies.push(policy(path, p)?);
    }
    Ok(table)
}

fn index(i: &PgIndex, table: &str) -> schema_core::model::Index {
    let mut index = new_index(&i.name, &[], i.is_unique);
    index.predicate = i
        .predicate
        .as_deref()
        .map(|p| unqualified(p, table, Dialect::Postgres));
    index.concurrently = i.concurrently;
    index.using = i.method.clone().filter(|m| m != "btree");
    index.with = i
        .with
        .iter()
        .map(|(k, v)| (k.to_lowercase(), default_text(v).unwrap_or_default()))
        .collect();
    let keys = i
        .columns
        .iter()
        .map(|k| {
            let desc = !k.asc;
            // PostgreSQL's default: NULLS LAST ascending, NULLS FIRST descending.
            let nulls = match (k.nulls.as_deref(), desc) {
                (Some("first"), false) => Some(Nulls::First),
                (Some("last"), true) => Some(Nulls::Last),
                _ => None,
            };
            IndexKey {
                target: match k.is_expression {
                    true => {
                        KeyTarget::Expression(unqualified(&k.expression, table, Dialect::Postgres))
                    }
                    false => KeyTarget::Column(k.expression.clone()),
                },
                opclass: k.opclass.clone().filter(|o| !o.is_empty()),
                desc,
                nulls,
            }
        })
        .collect();
    index.set_keys(keys);
    index
}

fn policy(path: &Path, p: &PgPolicy) -> Result<Policy, DrizzleError> {
    let spelled = p.command.as_deref().unwrap_or("all").to_lowercase();
    let command = PolicyCommand::ALL
        .iter()
        .find(|(name, _)| *name == spelled)
        .map(|(_, c)| *c)
        .ok_or_else(|| DrizzleError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "policy `{}` is for `{spelled}`, which is no SQL command",
                p.name
            ),
        })?;
    // No role is `public`, as the model keeps it.
    let mut roles: Vec<String> = p.to.iter().filter(|r| *r != "public").cloned().collect();
    roles.sort();
    Ok(Policy {
        name: p.name.clone(),
        restrictive: p
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("restrictive")),
        command,
        roles,
        using: p.using.clone(),
        with_check: p.with_check.clone(),
        renamed_from: None,
    })
}

fn view(v: &PgView, left_out: &mut Vec<LeftOut>) -> Option<View> {
    let name = format!("{}.{}", schema_name(&v.schema), v.name);
    let Some(sql) = v.definition.as_ref().filter(|_| !v.is_existing) else {
        left_out.push(left(format!("view `{name}`"), EXISTING_VIEW, None));
        return None;
    };
    let options = [
        v.with
            .as_ref()
            .filter(|w| !w.is_null() && w != &&serde_json::json!({}))
            .map(|_| "WITH (..)"),
        v.tablespace.as_ref().map(|_| "TABLESPACE"),
        v.using.as_ref().map(|_| "USING"),
        v.with_no_data.then_some("WITH NO DATA"),
    ];
    for option in options.into_iter().flatten() {
        left_out.push(left(
            format!("the {option} option of view `{name}`"),
            "the attribute language cannot declare it; the view is declared without it",
            None,
        ));
    }
    Some(View {
        schema: schema_name(&v.schema),
        name: v.name.clone(),
        columns: v
            .columns
            .values()
            .map(|c| ViewColumn {
                name: c.name.clone(),
                ty: column_type(c),
            })
            .collect(),
        sql: sql.clone(),
        materialized: v.materialized,
        renamed_from: None,
    })
}
