//! Schemas: created, dropped, or renamed.
//!
//! A schema is renamed when every table, enum and sequence of a schema that goes away moved to one
//! schema that comes (each by its `renamed_from`), and nothing else moved there: one
//! `ALTER SCHEMA .. RENAME TO ..` instead of a new schema, a move per object and a drop.
//! The rename runs first, so every later change names the schema by its new name.

use super::objects::ObjectKind;
use super::{namespaces, Change, Ctx, Phase, QualifiedName};
use crate::model::{ColumnType, Schema};
use std::collections::BTreeSet;

/// The schema renames the pairing implies, `(from, to)`.
pub(crate) fn schema_renames(ctx: &Ctx) -> Vec<(String, String)> {
    let (old_ns, new_ns) = (namespaces(ctx.old), namespaces(ctx.new));
    let mut out: Vec<(String, String)> = Vec::new();
    for gone in old_ns.difference(&new_ns) {
        let Some(target) = single_target(ctx, gone) else {
            continue;
        };
        let fresh = new_ns.contains(&target) && !old_ns.contains(&target);
        let taken = out.iter().any(|(_, to)| *to == target);
        if fresh && !taken && only_from(ctx, &target, gone) {
            out.push((gone.clone(), target));
        }
    }
    out
}

/// The one schema every table, enum and sequence of `schema` moved to, if they all moved to
/// one.
fn single_target(ctx: &Ctx, schema: &str) -> Option<String> {
    let mut targets = BTreeSet::new();
    let tables = ctx.old.tables.values().filter(|t| t.schema == schema);
    for t in tables {
        let new_key = ctx.pairing.tables.get(&t.key())?;
        targets.insert(ctx.new.tables.get(new_key)?.schema.clone());
    }
    for e in ctx.old.enums.values().filter(|e| e.schema == schema) {
        let new_key = ctx.pairing.enums.get(&e.key())?;
        targets.insert(ctx.new.enums.get(new_key)?.schema.clone());
    }
    let sequences = ctx.pairing.objects(ObjectKind::Sequence);
    for q in ctx.old.sequences.values().filter(|q| q.schema == schema) {
        let new_key = sequences.get(&q.key())?;
        targets.insert(ctx.new.sequences.get(new_key)?.schema.clone());
    }
    match targets.len() {
        1 => targets.into_iter().next(),
        _ => None,
    }
}

/// True when every object moved into `target` came from `source`.
fn only_from(ctx: &Ctx, target: &str, source: &str) -> bool {
    let schema_of = |s: &Schema, key: &str, table: bool| {
        if table {
            s.tables.get(key).map(|t| t.schema.clone())
        } else {
            s.enums.get(key).map(|e| e.schema.clone())
        }
    };
    let pairs = ctx
        .pairing
        .tables
        .iter()
        .map(|p| (p, true))
        .chain(ctx.pairing.enums.iter().map(|p| (p, false)));
    for ((old_key, new_key), table) in pairs {
        let into_target = schema_of(ctx.new, new_key, table).as_deref() == Some(target);
        if into_target && schema_of(ctx.old, old_key, table).as_deref() != Some(source) {
            return false;
        }
    }
    let sequence_schema = |s: &Schema, key: &str| s.sequences.get(key).map(|q| q.schema.clone());
    ctx.pairing
        .objects(ObjectKind::Sequence)
        .iter()
        .all(|(old_key, new_key)| {
            sequence_schema(ctx.new, new_key).as_deref() != Some(target)
                || sequence_schema(ctx.old, old_key).as_deref() == Some(source)
        })
}

/// Creates, drops and renames schemas.
pub(crate) fn diff_schemas(ctx: &mut Ctx, renames: &[(String, String)]) {
    let (old, new) = (namespaces(ctx.old), namespaces(ctx.new));
    for name in new.difference(&old) {
        if renames.iter().any(|(_, to)| to == name) {
            continue;
        }
        let change = Change::CreateSchema { name: name.clone() };
        ctx.plan.push(Phase::CreateSchemas, name.clone(), change);
    }
    for (from, to) in renames {
        let change = Change::RenameSchema {
            from: from.clone(),
            to: to.clone(),
        };
        ctx.plan.push(Phase::RenameSchemas, from.clone(), change);
    }
    for name in old.difference(&new) {
        if renames.iter().any(|(from, _)| from == name) {
            continue;
        }
        let change = Change::DropSchema { name: name.clone() };
        ctx.plan.push(Phase::DropSchemas, name.clone(), change);
    }
}

/// The changes after each schema rename name the schema by its new name; a table or enum
/// rename that only followed its schema goes away.
pub(crate) fn follow_renames(changes: Vec<Change>, renames: &[(String, String)]) -> Vec<Change> {
    if renames.is_empty() {
        return changes;
    }
    let mut out = Vec::with_capacity(changes.len());
    let mut done: Vec<&(String, String)> = Vec::new();
    for mut change in changes {
        if let Change::RenameSchema { from, to } = &change {
            if let Some(r) = renames.iter().find(|(f, t)| f == from && t == to) {
                out.push(change);
                done.push(r);
                continue;
            }
        }
        let map = |schema: &mut String| {
            if let Some((_, to)) = done.iter().find(|(from, _)| from == schema) {
                schema.clone_from(to);
            }
        };
        visit_schemas(&mut change, map);
        let no_op = match &change {
            Change::RenameTable { from, to }
            | Change::RenameEnum { from, to }
            | Change::RenameSequence { from, to }
            | Change::RenameView { from, to, .. } => from == to,
            Change::RenameIdentitySequence {
                table, to_schema, ..
            } => table.schema == *to_schema,
            _ => false,
        };
        if !no_op {
            out.push(change);
        }
    }
    out
}

/// A view's schema and the enum types of its columns.
fn visit_view(view: &mut crate::model::View, f: &mut dyn FnMut(&mut String)) {
    f(&mut view.schema);
    for c in &mut view.columns {
        column_type(&mut c.ty, f);
    }
}

/// Calls `f` on every schema name a change holds (tables, enums, enum types of columns,
/// foreign key targets).
fn visit_schemas(change: &mut Change, mut f: impl FnMut(&mut String)) {
    use Change::*;
    let name = |q: &mut QualifiedName, f: &mut dyn FnMut(&mut String)| f(&mut q.schema);
    match change {
        CreateSchema { .. } | DropSchema { .. } | RenameSchema { .. } => {}
        CreateEnum { name: n, .. } | DropEnum { name: n } | AddEnumValue { name: n, .. } => {
            name(n, &mut f)
        }
        CreateSequence { sequence } => f(&mut sequence.schema),
        CreateView { view } => visit_view(view, &mut f),
        DropView { name: n, .. } => name(n, &mut f),
        RenameView { from, to, view } => {
            name(from, &mut f);
            name(to, &mut f);
            visit_view(view, &mut f);
        }
        ReplaceView { from, to } => {
            visit_view(from, &mut f);
            visit_view(to, &mut f);
        }
        DropSequence { name: n } | AlterSequence { name: n, .. } => name(n, &mut f),
        RenameEnum { from, to } | RenameTable { from, to } | RenameSequence { from, to } => {
            name(from, &mut f);
            name(to, &mut f);
        }
        RenameIdentitySequence {
            table, to_schema, ..
        } => {
            name(table, &mut f);
            f(to_schema);
        }
        RebuildEnum {
            name: n, columns, ..
        } => {
            name(n, &mut f);
            for c in columns {
                name(&mut c.table, &mut f);
                column_type(&mut c.ty, &mut f);
            }
        }
        CreateTable { table } => {
            f(&mut table.schema);
            for c in &mut table.columns {
                column_type(&mut c.ty, &mut f);
            }
            for k in &mut table.foreign_keys {
                f(&mut k.ref_schema);
            }
        }
        AddColumn { table, column } | AlterGenerated { table, column, .. } => {
            name(table, &mut f);
            column_type(&mut column.ty, &mut f);
        }
        AlterIdentity { table, ty, .. } => {
            name(table, &mut f);
            column_type(ty, &mut f);
        }
        AlterColumnType {
            table, from, to, ..
        } => {
            name(table, &mut f);
            column_type(from, &mut f);
            column_type(to, &mut f);
        }
        AddForeignKey { table, key } => {
            name(table, &mut f);
            f(&mut key.ref_schema);
        }
        DropTable { table }
        | DropColumn { table, .. }
        | RenameColumn { table, .. }
        | FillNulls { table, .. }
        | SetNotNull { table, .. }
        | DropNotNull { table, .. }
        | SetDefault { table, .. }
        | DropDefault { table, .. }
        | AddIdentity { table, .. }
        | DropIdentity { table, .. }
        | AddPrimaryKey { table, .. }
        | DropPrimaryKey { table, .. }
        | AddUnique { table, .. }
        | DropUnique { table, .. }
        | CreateIndex { table, .. }
        | DropIndex { table, .. }
        | DropForeignKey { table, .. }
        | AddCheck { table, .. }
        | DropCheck { table, .. }
        | RenameConstraint { table, .. }
        | RenameIndex { table, .. }
        | EnableRls { table }
        | DisableRls { table }
        | CreatePolicy { table, .. }
        | DropPolicy { table, .. }
        | AlterPolicy { table, .. }
        | RenamePolicy { table, .. } => name(table, &mut f),
    }
}

fn column_type(ty: &mut ColumnType, f: &mut dyn FnMut(&mut String)) {
    match ty {
        ColumnType::Builtin(_) => {}
        ColumnType::Enum { schema, .. } => f(schema),
        ColumnType::Array(inner) => column_type(inner, f),
    }
}
