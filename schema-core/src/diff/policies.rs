//! Row-level security: `rls` switched on or off, and policies created, altered in place
//! (roles, `USING`, `WITH CHECK`), dropped and created again (`AS`, `FOR`, or a clause
//! removed, which `ALTER POLICY` cannot do) and renamed. Drops come first, under the old
//! table names and before any column they read goes; the rest comes after the tables,
//! columns and foreign keys exist, under the new names. A kept policy that reads a column this
//! migration retypes (or drops and adds again) is dropped before and created again after, as a
//! view is: PostgreSQL refuses `ALTER COLUMN .. TYPE` on a column a policy uses. The policies
//! of a renamed or moved table follow it (`ALTER TABLE .. RENAME` / `SET SCHEMA` keeps them),
//! paired by name or by a rename keyed under the new table.

use super::enums::mentions_rebuilt;
use super::objects::ObjectKind;
use super::renames::order_renames;
use super::tables::qualified;
use super::views::identifiers;
use super::{Change, Ctx, Phase, QualifiedName};
use crate::model::{Policy, Table};
use std::collections::{BTreeMap, BTreeSet};

/// A policy's key among the objects renames see: `schema.table.name`.
pub(crate) fn key(table_key: &str, name: &str) -> String {
    format!("{table_key}.{name}")
}

pub(crate) fn diff_policies(ctx: &mut Ctx) {
    for key in ctx.pairing.created_tables(ctx.new) {
        if let Some(table) = ctx.new.tables.get(&key) {
            create_all(ctx, &key, table);
        }
    }
    let tables = ctx.pairing.tables.clone();
    for (old_key, new_key) in &tables {
        let (Some(o), Some(n)) = (ctx.old.tables.get(old_key), ctx.new.tables.get(new_key)) else {
            continue;
        };
        diff_table(ctx, (old_key, o), (new_key, n));
    }
}

fn create_all(ctx: &mut Ctx, key: &str, table: &Table) {
    let name = qualified(table);
    if table.rls {
        let change = Change::EnableRls {
            table: name.clone(),
        };
        ctx.plan.push(Phase::CreatePolicies, key, change);
    }
    for policy in &table.policies {
        let change = Change::CreatePolicy {
            table: name.clone(),
            policy: cleared(policy),
        };
        ctx.plan.push(Phase::CreatePolicies, key, change);
    }
}

fn cleared(policy: &Policy) -> Policy {
    Policy {
        renamed_from: None,
        ..policy.clone()
    }
}

/// Old policy name to new policy name, for the policies of one kept table: the pairing's
/// (declared renames, then equal names), whose keys name the table by its new key.
fn pairs(ctx: &Ctx, new_key: &str, o: &Table) -> BTreeMap<String, String> {
    let paired = ctx.pairing.objects(ObjectKind::Policy);
    let prefix = format!("{new_key}.");
    o.policies
        .iter()
        .filter_map(|p| {
            let to = paired.get(&key(new_key, &p.name))?.strip_prefix(&prefix)?;
            Some((p.name.clone(), to.to_string()))
        })
        .collect()
}

/// The columns of the table `new_key` (new names and, where renamed, old names too) that this
/// migration retypes (an enum rebuild too) or drops and adds again for a new generated
/// expression: PostgreSQL refuses both while a policy uses the column.
fn changed_columns(ctx: &Ctx, new_key: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (table, column) in ctx.retyped.iter().chain(&ctx.replaced) {
        if table != new_key {
            continue;
        }
        out.insert(column.to_lowercase());
        let renamed = ctx.pairing.columns.get(new_key).into_iter().flatten();
        for (from, _) in renamed.filter(|(_, to)| *to == column) {
            out.insert(from.to_lowercase());
        }
    }
    out
}

/// Whether `policy`'s expressions may read one of `columns` (lowercased) or name a rebuilt
/// enum type: a superset, by the identifiers of its expressions (see [`super::views`]).
fn reads_changed(ctx: &Ctx, new_key: &str, policy: &Policy, columns: &BTreeSet<String>) -> bool {
    let exprs = [&policy.using, &policy.with_check];
    exprs.into_iter().flatten().any(|expr| {
        let reads = identifiers(expr).is_none_or(|ids| !ids.is_disjoint(columns));
        reads || mentions_rebuilt(ctx, new_key, expr)
    })
}

/// The old policy `from` dropped under the old table name, first, and `to` created under the
/// new one after the tables and columns change; `recreated` when the two are the same policy
/// (no `drop-policy` finding).
fn drop_and_create(
    ctx: &mut Ctx,
    ((old_key, old_name), (new_key, new_name)): TableSides,
    (from, to): (&Policy, Policy),
    recreated: bool,
) {
    let mut dropped = cleared(from);
    let taken = |name: &str| {
        let old = ctx.old.tables.get(old_key);
        old.is_some_and(|t| t.policies.iter().any(|p| p.name == name))
    };
    // Renamed and created again: renamed first, so the migration says `rename-policy` and
    // drops and creates it under its new name (unless an old policy holds that name).
    if recreated && from.name != to.name && !taken(&to.name) {
        let rename = Change::RenamePolicy {
            table: old_name.clone(),
            from: from.name.clone(),
            to: to.name.clone(),
        };
        ctx.plan.push(Phase::DropPolicies, old_key, rename);
        dropped.name = to.name.clone();
    }
    let drop = Change::DropPolicy {
        table: old_name.clone(),
        policy: dropped,
        recreated,
    };
    ctx.plan.push(Phase::DropPolicies, old_key, drop);
    let create = Change::CreatePolicy {
        table: new_name.clone(),
        policy: to,
    };
    ctx.plan.push(Phase::CreatePolicies, new_key, create);
}

/// Row-level security switched off (first, under the old name) or on (after, under the new).
fn switch_rls(
    ctx: &mut Ctx,
    ((old_key, old_name), (new_key, new_name)): TableSides,
    (was, is): (bool, bool),
) {
    if was && !is {
        let table = old_name.clone();
        ctx.plan
            .push(Phase::DropPolicies, old_key, Change::DisableRls { table });
    }
    if is && !was {
        let table = new_name.clone();
        ctx.plan
            .push(Phase::CreatePolicies, new_key, Change::EnableRls { table });
    }
}

/// A table's old key and name, and its new ones.
type TableSides<'a> = ((&'a str, &'a QualifiedName), (&'a str, &'a QualifiedName));

fn diff_table(ctx: &mut Ctx, (old_key, o): (&String, &Table), (new_key, n): (&String, &Table)) {
    let pairs = pairs(ctx, new_key, o);
    let changed = changed_columns(ctx, new_key);
    let (old_name, new_name) = (qualified(o), qualified(n));
    let sides = ((old_key.as_str(), &old_name), (new_key.as_str(), &new_name));
    switch_rls(ctx, sides, (o.rls, n.rls));
    let find = |t: &Table, name: &str| t.policies.iter().find(|p| p.name == name).cloned();
    let mut renames = Vec::new();
    for p in &o.policies {
        let Some(to) = pairs.get(&p.name).and_then(|to| find(n, to)) else {
            let change = Change::DropPolicy {
                table: old_name.clone(),
                policy: cleared(p),
                recreated: false,
            };
            ctx.plan.push(Phase::DropPolicies, old_key.clone(), change);
            continue;
        };
        let to = cleared(&to);
        if !changed.is_empty()
            && (reads_changed(ctx, new_key, p, &changed)
                || reads_changed(ctx, new_key, &to, &changed))
        {
            // Dropped before the column changes, created again (as declared) after.
            drop_and_create(ctx, sides, (p, to), true);
            continue;
        }
        renames.push((p.name.clone(), to.name.clone()));
        let renamed = Policy {
            name: to.name.clone(),
            ..cleared(p)
        };
        if renamed == to {
            continue;
        }
        let in_place = renamed.restrictive == to.restrictive
            && renamed.command == to.command
            && (renamed.using.is_none() || to.using.is_some())
            && (renamed.with_check.is_none() || to.with_check.is_some());
        if in_place {
            let change = Change::AlterPolicy {
                table: new_name.clone(),
                from: renamed,
                to,
            };
            ctx.plan
                .push(Phase::CreatePolicies, new_key.clone(), change);
        } else {
            renames.retain(|(from, _)| from != &p.name);
            drop_and_create(ctx, sides, (p, to), false);
        }
    }
    let paired: BTreeSet<&String> = pairs.values().collect();
    for p in n.policies.iter().filter(|p| !paired.contains(&p.name)) {
        let change = Change::CreatePolicy {
            table: new_name.clone(),
            policy: cleared(p),
        };
        ctx.plan
            .push(Phase::CreatePolicies, new_key.clone(), change);
    }
    let temp = |name: &String| super::temp_name(name, "tmp");
    for (from, to) in order_renames(&renames, temp) {
        let change = Change::RenamePolicy {
            table: new_name.clone(),
            from,
            to,
        };
        ctx.plan
            .push(Phase::RenamePolicies, new_key.clone(), change);
    }
}

#[cfg(test)]
mod tests;
