//! Enums: created, dropped, renamed, values added in place, or rebuilt when values are
//! removed or reordered (which PostgreSQL cannot do in place).

use super::renames::order_renames;
use super::{temp_name, Change, Ctx, EnumColumn, EnumValuePosition, Phase, QualifiedName};
use crate::model::{ColumnType, Enum};

fn qualified(e: &Enum) -> QualifiedName {
    QualifiedName::new(&e.schema, &e.name)
}

pub(crate) fn diff_enums(ctx: &mut Ctx) {
    let pairs: Vec<(String, String)> = ctx
        .pairing
        .enums
        .iter()
        .map(|(o, n)| (o.clone(), n.clone()))
        .collect();
    let paired_new: Vec<&String> = ctx.pairing.enums.values().collect();
    let created: Vec<Enum> = ctx
        .new
        .enums
        .iter()
        .filter(|(k, _)| !paired_new.contains(k))
        .map(|(_, e)| e.clone())
        .collect();
    let dropped: Vec<Enum> = ctx
        .old
        .enums
        .iter()
        .filter(|(k, _)| !ctx.pairing.enums.contains_key(*k))
        .map(|(_, e)| e.clone())
        .collect();
    for e in created {
        let change = Change::CreateEnum {
            name: qualified(&e),
            values: e.values.clone(),
        };
        ctx.plan.push(Phase::CreateEnums, e.key(), change);
    }
    for e in dropped {
        ctx.plan.push(
            Phase::DropEnums,
            e.key(),
            Change::DropEnum {
                name: qualified(&e),
            },
        );
    }
    let mut moves = Vec::new();
    for (old_key, new_key) in pairs {
        let (Some(old), Some(new)) = (ctx.old.enums.get(&old_key), ctx.new.enums.get(&new_key))
        else {
            continue;
        };
        let (old, new) = (old.clone(), new.clone());
        moves.push((qualified(&old), qualified(&new)));
        if old.values == new.values {
            continue;
        }
        if is_subsequence(&old.values, &new.values) && !new_value_in_default(ctx, &old, &new) {
            add_values(ctx, &old, &new);
        } else {
            rebuild(ctx, &old, &new);
        }
    }
    let temp = |q: &QualifiedName| QualifiedName::new(&q.schema, temp_name(&q.name, "tmp"));
    for (from, to) in order_renames(&moves, temp) {
        ctx.plan
            .push(Phase::RenameEnums, "", Change::RenameEnum { from, to });
    }
}

/// PostgreSQL refuses to use a value added by `ADD VALUE` before the transaction commits, so
/// when a default names a new value the type is rebuilt instead (a new type is usable at once).
fn new_value_in_default(ctx: &Ctx, old: &Enum, new: &Enum) -> bool {
    let added: Vec<String> = new
        .values
        .iter()
        .filter(|v| !old.values.contains(v))
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect();
    ctx.new.tables.values().flat_map(|t| &t.columns).any(|c| {
        uses_enum(&c.ty, new)
            && c.default
                .as_ref()
                .is_some_and(|d| added.iter().any(|v| d.contains(v.as_str())))
    })
}

fn is_subsequence(short: &[String], long: &[String]) -> bool {
    let mut rest = long.iter();
    short.iter().all(|v| rest.any(|w| w == v))
}

/// Each new value goes before the first old value that follows it, or at the end; adding them
/// in declaration order puts every one in its declared place.
fn add_values(ctx: &mut Ctx, old: &Enum, new: &Enum) {
    for (i, value) in new.values.iter().enumerate() {
        if old.values.contains(value) {
            continue;
        }
        let next_old = new.values[i + 1..].iter().find(|v| old.values.contains(v));
        let position = match next_old {
            Some(v) => EnumValuePosition::Before(v.clone()),
            None => EnumValuePosition::End,
        };
        let change = Change::AddEnumValue {
            name: qualified(new),
            value: value.clone(),
            position,
        };
        ctx.plan.push(Phase::AddEnumValues, new.key(), change);
    }
}

fn uses_enum(ty: &ColumnType, e: &Enum) -> bool {
    match ty {
        ColumnType::Builtin(_) => false,
        ColumnType::Enum { schema, name } => *schema == e.schema && *name == e.name,
        ColumnType::Array(inner) => uses_enum(inner, e),
    }
}

fn rebuild(ctx: &mut Ctx, old: &Enum, new: &Enum) {
    let mut columns = Vec::new();
    for (old_key, new_key) in &ctx.pairing.tables {
        let (Some(ot), Some(nt)) = (ctx.old.tables.get(old_key), ctx.new.tables.get(new_key))
        else {
            continue;
        };
        let Some(pairs) = ctx.pairing.columns.get(new_key) else {
            continue;
        };
        for column in nt.columns.iter().filter(|c| uses_enum(&c.ty, new)) {
            let old_column = pairs
                .iter()
                .find(|(_, n)| **n == column.name)
                .and_then(|(o, _)| ot.column(o));
            if old_column.is_some_and(|o| ctx.map_type(&o.ty) == column.ty) {
                columns.push(EnumColumn {
                    table: QualifiedName::new(&nt.schema, &nt.name),
                    column: column.name.clone(),
                    ty: column.ty.clone(),
                    default: column.default.clone(),
                });
            }
        }
    }
    for c in &columns {
        let id = (c.table.key(), c.column.clone());
        ctx.rebuilt.insert(id.clone());
        ctx.retyped.insert(id);
    }
    ctx.rebuilt_enums.insert(old.name.clone());
    ctx.rebuilt_enums.insert(new.name.clone());
    let temp = temp_name(&new.name, "old");
    let change = Change::RebuildEnum {
        name: qualified(new),
        temp_name: temp.clone(),
        old_values: old.values.clone(),
        values: new.values.clone(),
        columns,
    };
    ctx.plan.push(Phase::RebuildEnums, new.key(), change);
    let drop = Change::DropEnum {
        name: QualifiedName::new(&new.schema, temp),
    };
    ctx.plan.push(Phase::DropEnums, new.key(), drop);
}

/// Whether `expr`, a check's expression or an index's predicate on the table `table_key` (new
/// key), may use a column an enum rebuild converts or a rebuilt type. Such an expression is
/// dropped before the rebuild and created again after it: PostgreSQL re-parses the stored
/// expression when the column changes type, and its literals are still of the old type
/// (`state <> 'closed'::ticket_state__old`: no operator compares the two types); a cast to the
/// old type would keep it from being dropped.
///
/// The diff has no SQL parser (the tokenizer is behind the `parser` feature), so this is a
/// superset: any expression containing a converted column's or a rebuilt type's name, in any
/// case, is re-created; one that merely contains the name is re-created unchanged.
pub(crate) fn mentions_rebuilt(ctx: &Ctx, table_key: &str, expr: &str) -> bool {
    if ctx.rebuilt_enums.is_empty() {
        return false;
    }
    let expr = expr.to_lowercase();
    let mentions = |name: &str| expr.contains(&name.to_lowercase());
    ctx.rebuilt
        .iter()
        .any(|(table, column)| table == table_key && mentions(column))
        || ctx.rebuilt_enums.iter().any(|name| mentions(name))
}
