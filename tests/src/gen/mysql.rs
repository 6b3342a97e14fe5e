//! The generator's definition sets made fit for MySQL (see [`defs`]).

use super::Defs;
use schema_core::def::{FieldDef, FieldType};
use schema_core::model::{ColumnType, FkAction, KeyTarget};
use std::collections::BTreeMap;

/// The generator's pairs made fit for MySQL: SQLite's fitting (one schema, no arrays, no
/// access methods, defaults without PostgreSQL casts), then no partial index, checks quoted
/// with backticks and none on a column of a cascading foreign key, no identity a check reads
/// or on a non-integer, no `SET DEFAULT` and no `SET NULL` on a NOT NULL column, and no index
/// or unique key over a blob or json column (a key or reference there becomes a
/// `varchar(255)`); views and generated expressions quoted with backticks, and struct-level
/// foreign keys as `fit_composite_keys` leaves them.
pub fn defs(defs: &Defs) -> Defs {
    let mut defs = super::sqlite::defs(defs);
    for v in &mut defs.views {
        v.sql = v.sql.replace('"', "`");
    }
    let nullable: BTreeMap<(String, String), bool> = defs
        .tables
        .iter()
        .flat_map(|t| {
            t.fields
                .iter()
                .map(|f| ((t.rust_name.clone(), f.field.clone()), f.nullable))
        })
        .collect();
    for t in &mut defs.tables {
        for f in &mut t.fields {
            if let Some(g) = &mut f.generated {
                g.expr = g.expr.replace('"', "`");
            }
        }
        for c in &mut t.checks {
            c.expr = c.expr.replace('"', "`");
        }
        let unindexable_fields: Vec<&FieldDef> = t
            .fields
            .iter()
            .filter(|f| {
                matches!(&f.ty, FieldType::Sql(ColumnType::Builtin(ty)) if ty == "bytea" || ty.starts_with("json"))
            })
            .collect();
        let unindexable: Vec<String> = unindexable_fields.iter().map(|f| f.field.clone()).collect();
        // `keys(..)` name columns by their SQL names.
        let unindexable_sql: Vec<String> =
            unindexable_fields.iter().map(|f| f.name.clone()).collect();
        t.indexes.retain(|i| {
            !i.columns.iter().any(|c| unindexable.contains(c))
                && !i.keys.iter().any(
                    |k| matches!(&k.target, KeyTarget::Column(c) if unindexable_sql.contains(c)),
                )
        });
        for i in &mut t.indexes {
            i.predicate = None;
        }
        t.uniques
            .retain(|u| !u.columns.iter().any(|c| unindexable.contains(c)));
        // No check on a column of a cascading foreign key (MySQL refuses it).
        let cascading: Vec<String> = t
            .fields
            .iter()
            .filter(|f| {
                f.references.as_ref().is_some_and(|r| {
                    [r.on_delete, r.on_update].iter().any(|a| {
                        matches!(
                            a,
                            FkAction::Cascade | FkAction::SetNull | FkAction::SetDefault
                        )
                    })
                })
            })
            .map(|f| format!("`{}`", f.name))
            .collect();
        t.checks
            .retain(|c| !cascading.iter().any(|name| c.expr.contains(name.as_str())));
        let checks: Vec<String> = t.checks.iter().map(|c| c.expr.clone()).collect();
        for f in &mut t.fields {
            let integer = matches!(&f.ty, FieldType::Sql(ty) if schema_core::types::is_integer(ty));
            let checked = checks.iter().any(|c| c.contains(&format!("`{}`", f.name)));
            if f.identity && (!integer || checked) {
                f.identity = false;
            }
            if unindexable.contains(&f.field) {
                f.unique = false;
                f.index = false;
                if t.primary_key.contains(&f.field) || f.references.is_some() {
                    f.ty = FieldType::Sql(ColumnType::Builtin("character varying(255)".into()));
                    f.default = None;
                }
            }
            let this_nullable = f.nullable;
            if let Some(r) = &mut f.references {
                // MariaDB refuses a cascaded update from a nullable column into a NOT NULL one.
                let from_nullable =
                    nullable.get(&(r.table.clone(), r.field.clone())) == Some(&true);
                if r.on_update == FkAction::Cascade && !this_nullable && from_nullable {
                    r.on_update = FkAction::NoAction;
                }
                for action in [&mut r.on_delete, &mut r.on_update] {
                    if *action == FkAction::SetDefault
                        || (*action == FkAction::SetNull && !this_nullable)
                    {
                        *action = FkAction::NoAction;
                    }
                }
            }
        }
    }
    fit_composite_keys(&mut defs);
    defs
}

/// Struct-level foreign keys MySQL takes: none over a column a key cannot hold (blob, json),
/// none to a set that is no longer its target's primary key or a unique set, none with
/// `SET DEFAULT`, and none acting (`CASCADE`, `SET NULL`) on the source of a generated column;
/// no check on a column such a key acts on.
fn fit_composite_keys(defs: &mut Defs) {
    let unindexable = |f: &FieldDef| matches!(&f.ty, FieldType::Sql(ColumnType::Builtin(ty)) if ty == "bytea" || ty.starts_with("json"));
    // Each table's keys in their declared order (InnoDB wants referenced columns in it).
    let keys: BTreeMap<String, (Vec<Vec<String>>, Vec<String>)> = defs
        .tables
        .iter()
        .map(|t| {
            let mut sets = vec![t.primary_key.clone()];
            sets.extend(t.uniques.iter().map(|u| u.columns.clone()));
            let bad = t
                .fields
                .iter()
                .filter(|f| unindexable(f))
                .map(|f| f.field.clone());
            (t.rust_name.clone(), (sets, bad.collect()))
        })
        .collect();
    let nullable: BTreeMap<(String, String), bool> = defs
        .tables
        .iter()
        .flat_map(|t| {
            t.fields
                .iter()
                .map(|f| ((t.rust_name.clone(), f.field.clone()), f.nullable))
        })
        .collect();
    for t in &mut defs.tables {
        let bad: Vec<String> = t
            .fields
            .iter()
            .filter(|f| unindexable(f))
            .map(|f| f.field.clone())
            .collect();
        t.foreign_keys.retain_mut(|k| {
            let Some((sets, target_bad)) = keys.get(&k.table) else {
                return false;
            };
            let mut set = k.ref_columns.clone();
            set.sort();
            let Some(key) = sets.iter().find(|s| {
                let mut sorted = s.to_vec();
                sorted.sort();
                sorted == set
            }) else {
                return false;
            };
            // The pairs in the order of the target's key.
            let pairs: Vec<(String, String)> = key
                .iter()
                .filter_map(|r| {
                    let i = k.ref_columns.iter().position(|x| x == r)?;
                    Some((k.columns[i].clone(), r.clone()))
                })
                .collect();
            (k.columns, k.ref_columns) = pairs.into_iter().unzip();
            !k.columns.iter().any(|c| bad.contains(c))
                && !k.ref_columns.iter().any(|c| target_bad.contains(c))
        });
        let sources: Vec<String> = t
            .fields
            .iter()
            .filter_map(|f| f.generated.as_ref())
            .flat_map(|g| {
                t.fields
                    .iter()
                    .filter(|f| g.expr.contains(&format!("`{}`", f.name)))
            })
            .map(|f| f.field.clone())
            .collect();
        let mut acting = Vec::new();
        let me = t.rust_name.clone();
        let own_nullable: BTreeMap<String, bool> = t
            .fields
            .iter()
            .map(|f| (f.field.clone(), f.nullable))
            .collect();
        for k in &mut t.foreign_keys {
            // MariaDB refuses (errno 150) a key cascading updates from a nullable column into a
            // NOT NULL one; `generate` refuses it too.
            let into_not_null = k.columns.iter().zip(&k.ref_columns).any(|(c, r)| {
                own_nullable.get(c) == Some(&false)
                    && nullable.get(&(k.table.clone(), r.clone())) == Some(&true)
            });
            if into_not_null && k.on_update == FkAction::Cascade {
                k.on_update = FkAction::NoAction;
            }
            // InnoDB refuses (errno 150) a key of its own table updating in cascade (or to
            // NULL) columns it also references; `generate` refuses it too.
            if k.table == me && k.columns.iter().any(|c| k.ref_columns.contains(c)) {
                if matches!(k.on_update, FkAction::Cascade | FkAction::SetNull) {
                    k.on_update = FkAction::NoAction;
                }
            }
            let feeds = k.columns.iter().any(|c| sources.contains(c));
            for a in [&mut k.on_delete, &mut k.on_update] {
                if *a == FkAction::SetDefault || (feeds && *a != FkAction::Restrict) {
                    *a = FkAction::NoAction;
                }
            }
            if [k.on_delete, k.on_update]
                .iter()
                .any(|a| matches!(a, FkAction::Cascade | FkAction::SetNull))
            {
                acting.extend(k.columns.iter().cloned());
            }
        }
        let names: Vec<String> = t
            .fields
            .iter()
            .filter(|f| acting.contains(&f.field))
            .map(|f| format!("`{}`", f.name))
            .collect();
        t.checks
            .retain(|c| !names.iter().any(|n| c.expr.contains(n.as_str())));
        for f in &mut t.fields {
            if f.references.is_some() && sources.contains(&f.field) {
                if let Some(r) = &mut f.references {
                    for a in [&mut r.on_delete, &mut r.on_update] {
                        if *a != FkAction::Restrict {
                            *a = FkAction::NoAction;
                        }
                    }
                }
            }
        }
    }
}
