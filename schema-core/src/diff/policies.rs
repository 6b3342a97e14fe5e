//! Row-level security: `rls` switched on or off, and policies created, altered in place
//! (roles, `USING`, `WITH CHECK`), dropped and created again (`AS`, `FOR`, or a clause
//! removed, which `ALTER POLICY` cannot do) and renamed. Drops come first, under the old
//! table names and before any column they read goes; the rest comes after the tables,
//! columns and foreign keys exist, under the new names. A kept policy that reads a column
//! this migration drops, retypes or adds again (a generated column whose expression changes)
//! is dropped before and created again after, since PostgreSQL refuses those changes to a
//! column a policy reads.

use super::objects::ObjectKind;
use super::renames::order_renames;
use super::tables::qualified;
use super::{Change, Ctx, Phase};
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

/// Old policy name to new policy name, for the policies of one kept table: declared renames
/// first, then equal names.
fn pairs(
    ctx: &Ctx,
    (old_key, o): (&str, &Table),
    (new_key, n): (&str, &Table),
) -> BTreeMap<String, String> {
    let said = ctx.pairing.objects(ObjectKind::Policy);
    let mut pairs = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for p in &o.policies {
        let to = said
            .get(&key(old_key, &p.name))
            .and_then(|k| k.strip_prefix(&format!("{new_key}.")))
            .map(str::to_string);
        if let Some(to) = to.filter(|t| n.policies.iter().any(|q| &q.name == t)) {
            taken.insert(to.clone());
            pairs.insert(p.name.clone(), to);
        }
    }
    for p in &o.policies {
        let kept = n.policies.iter().any(|q| q.name == p.name);
        if kept && !pairs.contains_key(&p.name) && !taken.contains(&p.name) {
            taken.insert(p.name.clone());
            pairs.insert(p.name.clone(), p.name.clone());
        }
    }
    pairs
}

/// The columns a policy must not read while this migration changes the table `old_key` →
/// `new_key`, lowercased: by their old names (dropped, retyped or added again) and by their
/// new names (retyped or added again).
fn blocking_columns(
    ctx: &Ctx,
    (old_key, o): (&str, &Table),
    new_key: &str,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let changed = |name: &str| {
        let id = (new_key.to_string(), name.to_string());
        ctx.retyped.contains(&id) || ctx.replaced.contains(&id)
    };
    let old = o
        .columns
        .iter()
        .filter(|c| ctx.pairing.column(old_key, &c.name).is_none_or(changed))
        .map(|c| c.name.to_lowercase())
        .collect();
    let new = ctx
        .new
        .tables
        .get(new_key)
        .into_iter()
        .flat_map(|t| &t.columns)
        .filter(|c| changed(&c.name))
        .map(|c| c.name.to_lowercase())
        .collect();
    (old, new)
}

/// Whether `policy`'s clauses may read one of `columns` (lowercased names): any identifier
/// token of theirs is one, or they do not tokenize.
fn reads_any(policy: &Policy, columns: &BTreeSet<String>) -> bool {
    if columns.is_empty() {
        return false;
    }
    let text: Vec<&str> = [&policy.using, &policy.with_check]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    match super::views::identifiers(&text.join(" ")) {
        Some(ids) => ids.iter().any(|id| columns.contains(id)),
        None => true,
    }
}

fn diff_table(ctx: &mut Ctx, (old_key, o): (&String, &Table), (new_key, n): (&String, &Table)) {
    let pairs = pairs(ctx, (old_key, o), (new_key, n));
    let (old_name, new_name) = (qualified(o), qualified(n));
    if o.rls && !n.rls {
        let change = Change::DisableRls {
            table: old_name.clone(),
        };
        ctx.plan.push(Phase::DropPolicies, old_key.clone(), change);
    }
    if n.rls && !o.rls {
        let change = Change::EnableRls {
            table: new_name.clone(),
        };
        ctx.plan
            .push(Phase::CreatePolicies, new_key.clone(), change);
    }
    let find = |t: &Table, name: &str| t.policies.iter().find(|p| p.name == name).cloned();
    let blocking = blocking_columns(ctx, (old_key, o), new_key);
    let mut renames = Vec::new();
    for p in &o.policies {
        let Some(to) = pairs.get(&p.name).and_then(|to| find(n, to)) else {
            let change = Change::DropPolicy {
                table: old_name.clone(),
                policy: cleared(p),
            };
            ctx.plan.push(Phase::DropPolicies, old_key.clone(), change);
            continue;
        };
        let to = cleared(&to);
        renames.push((p.name.clone(), to.name.clone()));
        let renamed = Policy {
            name: to.name.clone(),
            ..cleared(p)
        };
        let blocked = reads_any(p, &blocking.0) || reads_any(&to, &blocking.1);
        if renamed == to && !blocked {
            continue;
        }
        let in_place = !blocked
            && renamed.restrictive == to.restrictive
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
            let drop = Change::DropPolicy {
                table: old_name.clone(),
                policy: cleared(p),
            };
            ctx.plan.push(Phase::DropPolicies, old_key.clone(), drop);
            renames.retain(|(from, _)| from != &p.name);
            let create = Change::CreatePolicy {
                table: new_name.clone(),
                policy: to,
            };
            ctx.plan
                .push(Phase::CreatePolicies, new_key.clone(), create);
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
mod tests {
    use crate::diff::{diff, Change, Renames};
    use crate::model::{Column, ColumnType, Policy, PolicyCommand, Schema, Table};

    fn schema(ty: &str, using: &str) -> Schema {
        let column = |name: &str, ty: &str| Column {
            name: name.into(),
            ty: ColumnType::Builtin(ty.into()),
            nullable: false,
            default: None,
            identity: false,
            identity_options: Default::default(),
            generated: None,
            renamed_from: None,
        };
        let table = Table {
            schema: "public".into(),
            name: "notes".into(),
            columns: vec![column("id", ty), column("body", "text")],
            primary_key: None,
            uniques: Vec::new(),
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            rls: true,
            policies: vec![Policy {
                name: "own_rows".into(),
                restrictive: false,
                command: PolicyCommand::All,
                roles: Vec::new(),
                using: Some(using.into()),
                with_check: None,
                renamed_from: None,
            }],
            renamed_from: None,
        };
        let mut s = Schema::default();
        s.tables.insert("public.notes".into(), table);
        s
    }

    /// The kinds of `changes`, in order.
    fn kinds(changes: &[Change]) -> Vec<&'static str> {
        changes
            .iter()
            .map(|c| match c {
                Change::DropPolicy { .. } => "drop policy",
                Change::CreatePolicy { .. } => "create policy",
                Change::AlterPolicy { .. } => "alter policy",
                Change::AlterColumnType { .. } => "type",
                _ => "other",
            })
            .collect()
    }

    /// PostgreSQL refuses to retype a column a policy reads: the policy goes before and comes
    /// back after, even when it does not change.
    #[test]
    fn a_policy_reading_a_retyped_column_is_dropped_before_and_created_after() {
        let (old, new) = (
            schema("smallint", "\"id\" IS NOT NULL"),
            schema("integer", "\"id\" IS NOT NULL"),
        );
        let changes = diff(&old, &new, &Renames::default());
        assert_eq!(
            kinds(&changes),
            ["drop policy", "type", "create policy"],
            "{changes:?}"
        );
        let new = schema("integer", "\"id\" > 0");
        let changes = diff(&old, &new, &Renames::default());
        assert_eq!(
            kinds(&changes),
            ["drop policy", "type", "create policy"],
            "{changes:?}"
        );
    }

    /// A policy that reads only other columns stays, and is altered in place.
    #[test]
    fn a_policy_reading_other_columns_is_altered_in_place() {
        let old = schema("smallint", "body IS NOT NULL");
        let new = schema("integer", "body <> ''");
        let changes = diff(&old, &new, &Renames::default());
        assert_eq!(kinds(&changes), ["type", "alter policy"], "{changes:?}");
    }
}
