//! Columns of the tables that stay: added, dropped, renamed and altered (type, nullability,
//! default, identity and its options, generated expression), each alteration in an order
//! PostgreSQL accepts.

use super::generated::around_retypes;
use super::renames::order_renames;
use super::tables::qualified;
use super::{temp_name, Change, Ctx, Phase, QualifiedName};
use crate::model::{Column, IdentityOptions};
use crate::render::column_kinds::identity_differs;
use std::collections::BTreeSet;

pub(crate) fn diff_columns(ctx: &mut Ctx) {
    let pairs: Vec<(String, String)> = ctx
        .pairing
        .tables
        .iter()
        .map(|(o, n)| (o.clone(), n.clone()))
        .collect();
    for (old_key, new_key) in pairs {
        let (Some(old), Some(new)) = (ctx.old.tables.get(&old_key), ctx.new.tables.get(&new_key))
        else {
            continue;
        };
        let columns = ctx
            .pairing
            .columns
            .get(&new_key)
            .cloned()
            .unwrap_or_default();
        let table = qualified(new);
        let renames: Vec<(String, String)> = columns
            .iter()
            .filter(|(a, b)| a != b)
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect();
        let targets: BTreeSet<&String> = renames.iter().map(|(_, to)| to).collect();
        for (from, to) in order_renames(&renames, |c| temp_name(c, "tmp")) {
            let change = Change::RenameColumn {
                table: table.clone(),
                from,
                to,
            };
            ctx.plan.push(Phase::RenameColumns, new_key.clone(), change);
        }
        let around = around_retypes(ctx, old, new, &columns);
        let kept_new: BTreeSet<&String> = columns.values().collect();
        let add = |ctx: &mut Ctx, column: &Column| {
            let mut column = column.clone();
            column.renamed_from = None;
            ctx.plan.push(
                Phase::AlterColumns,
                new_key.clone(),
                Change::AddColumn {
                    table: table.clone(),
                    column,
                },
            );
        };
        let (added, late): (Vec<&Column>, Vec<&Column>) = new
            .columns
            .iter()
            .filter(|c| !kept_new.contains(&c.name))
            .partition(|c| !around.add_late.contains(&c.name));
        for column in added {
            add(ctx, column);
        }
        let kept: Vec<(&Column, &Column)> = new
            .columns
            .iter()
            .filter_map(|column| {
                let old_column = columns
                    .iter()
                    .find(|(_, n)| **n == column.name)
                    .and_then(|(o, _)| old.column(o))?;
                Some((old_column, column))
            })
            .collect();
        // Generated columns that read a retyped column get out of its way first.
        let (first, rest): (Vec<_>, Vec<_>) = kept
            .iter()
            .partition(|(o, _)| around.plain_first.contains(&o.name));
        let (rest, after): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .partition(|(o, _)| !around.alter_late.contains(&o.name));
        let mut readded: Vec<&Column> = Vec::new();
        for (old_column, column) in first.into_iter().chain(rest).chain(after) {
            if around.replace.contains(&old_column.name) {
                let change = Change::DropColumn {
                    table: table.clone(),
                    column: old_column.name.clone(),
                };
                ctx.plan
                    .push(Phase::DropColumnsEarly, new_key.clone(), change);
                ctx.replaced.insert((new_key.clone(), column.name.clone()));
                readded.push(column);
            } else {
                alter_column(ctx, &table, &new_key, old_column, column);
            }
        }
        for column in readded.into_iter().chain(late) {
            add(ctx, column);
        }
        // Generated columns go first: PostgreSQL drops no column a generated one still reads.
        let (generated, plain): (Vec<&Column>, Vec<&Column>) = old
            .columns
            .iter()
            .filter(|c| !columns.contains_key(&c.name))
            .partition(|c| c.generated.is_some());
        for column in generated.into_iter().chain(plain) {
            let early = targets.contains(&column.name) || around.drop_early.contains(&column.name);
            let phase = if early {
                Phase::DropColumnsEarly
            } else {
                Phase::AlterColumns
            };
            let change = Change::DropColumn {
                table: table.clone(),
                column: column.name.clone(),
            };
            ctx.plan.push(phase, new_key.clone(), change);
        }
    }
}

/// The alterations of one kept column: identity off, default off, type, nullability, default
/// on, identity on; in that order so that each statement finds the column in a state it accepts.
fn alter_column(ctx: &mut Ctx, table: &QualifiedName, key: &str, old: &Column, new: &Column) {
    let from = ctx.map_type(&old.ty);
    let retype = from != new.ty;
    let id = (key.to_string(), new.name.clone());
    let old_default = if ctx.rebuilt.contains(&id) {
        new.default.clone()
    } else {
        old.default.clone()
    };
    let column = new.name.clone();
    // A generated column that stays generated but changes type is added again too, since
    // PostgreSQL retypes one only without `USING`, computing it again.
    let regenerate = new.generated.is_some() && retype;
    if old.generated != new.generated || regenerate {
        let change = Change::AlterGenerated {
            table: table.clone(),
            column: Column {
                renamed_from: None,
                ..new.clone()
            },
            from: old.generated.clone(),
        };
        ctx.plan.push(Phase::AlterColumns, key, change);
        if new.generated.is_some() {
            // The new definition says everything: some dialects add the column again.
            ctx.replaced.insert(id);
            return;
        }
    }
    let mut changes = Vec::new();
    if old.identity && !new.identity {
        changes.push(Change::DropIdentity {
            table: table.clone(),
            column: column.clone(),
        });
    }
    if old_default.is_some() && (retype || new.default.is_none()) {
        changes.push(Change::DropDefault {
            table: table.clone(),
            column: column.clone(),
        });
    }
    if retype {
        ctx.retyped.insert(id);
        let to = new.ty.clone();
        changes.push(Change::AlterColumnType {
            table: table.clone(),
            column: column.clone(),
            from,
            to,
        });
    }
    if old.nullable && !new.nullable {
        if let Some(value) = &new.default {
            changes.push(Change::FillNulls {
                table: table.clone(),
                column: column.clone(),
                value: value.clone(),
            });
        }
    }
    if old.nullable != new.nullable {
        let (table, column) = (table.clone(), column.clone());
        changes.push(if new.nullable {
            Change::DropNotNull { table, column }
        } else {
            Change::SetNotNull { table, column }
        });
    }
    if let Some(default) = &new.default {
        if retype || old_default.as_ref() != Some(default) {
            let default = default.clone();
            changes.push(Change::SetDefault {
                table: table.clone(),
                column: column.clone(),
                default,
            });
        }
    }
    if !old.identity && new.identity {
        changes.push(Change::AddIdentity {
            table: table.clone(),
            column: column.clone(),
        });
    }
    if new.identity {
        let from = match old.identity {
            true => old.identity_options,
            false => IdentityOptions::default(),
        };
        if identity_differs(&new.ty, &from, &new.identity_options) {
            changes.push(Change::AlterIdentity {
                table: table.clone(),
                column,
                ty: new.ty.clone(),
                from,
                to: new.identity_options,
            });
        }
    }
    for change in changes {
        ctx.plan.push(Phase::AlterColumns, key, change);
    }
}

/// Whether one of `columns` of the table `key` (new key) is dropped and added again for its
/// new generated expression: a key or index on it goes with it, and is created again.
pub(crate) fn uses_replaced(ctx: &Ctx, key: &str, columns: &[String]) -> bool {
    columns
        .iter()
        .any(|c| ctx.replaced.contains(&(key.to_string(), c.clone())))
}

/// Whether `expr` (a check or an index predicate of the table `key`) may use a column that is
/// dropped and added again; a superset, as [`super::enums::mentions_rebuilt`] is.
pub(crate) fn mentions_replaced(ctx: &Ctx, key: &str, expr: &str) -> bool {
    let expr = expr.to_lowercase();
    ctx.replaced
        .iter()
        .any(|(table, column)| table == key && expr.contains(&column.to_lowercase()))
}
