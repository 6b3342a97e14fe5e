//! Tables: created, dropped and renamed (moved across schemas when the rename says so).

use super::renames::order_renames;
use super::temp_name;
use super::{Change, Ctx, Phase, QualifiedName};
use crate::model::Table;
use std::collections::BTreeSet;

pub(crate) fn qualified(table: &Table) -> QualifiedName {
    QualifiedName::new(&table.schema, &table.name)
}

pub(crate) fn diff_tables(ctx: &mut Ctx) {
    let rename_targets: BTreeSet<String> = ctx
        .pairing
        .tables
        .iter()
        .filter(|(from, to)| from != to)
        .map(|(_, to)| to.clone())
        .collect();
    for key in ctx.pairing.dropped_tables(ctx.old) {
        let Some(table) = ctx.old.tables.get(&key) else {
            continue;
        };
        let phase = if rename_targets.contains(&key) {
            Phase::DropTablesEarly
        } else {
            Phase::DropTables
        };
        ctx.plan.push(
            phase,
            key.clone(),
            Change::DropTable {
                table: qualified(table),
            },
        );
    }
    for key in ctx.pairing.created_tables(ctx.new) {
        let Some(table) = ctx.new.tables.get(&key) else {
            continue;
        };
        create_table(ctx, &key, table);
    }
    let mut moves = Vec::new();
    for (from, to) in &ctx.pairing.tables {
        if let (Some(o), Some(n)) = (ctx.old.tables.get(from), ctx.new.tables.get(to)) {
            moves.push((qualified(o), qualified(n)));
        }
    }
    let temp = |q: &QualifiedName| QualifiedName::new(&q.schema, temp_name(&q.name, "tmp"));
    for (from, to) in order_renames(&moves, temp) {
        if from.schema != to.schema {
            identity_sequences(ctx, &moves, &from, &to);
        }
        ctx.plan
            .push(Phase::RenameTables, "", Change::RenameTable { from, to });
    }
}

/// A table moving from `from` to `to` takes its identity sequences along under their names,
/// which the new schema may hold: each is renamed first (see
/// [`Change::RenameIdentitySequence`]).
fn identity_sequences(
    ctx: &mut Ctx,
    moves: &[(QualifiedName, QualifiedName)],
    from: &QualifiedName,
    to: &QualifiedName,
) {
    let temp = |q: &QualifiedName| QualifiedName::new(&q.schema, temp_name(&q.name, "tmp"));
    let Some((old, new)) = moves.iter().find(|(_, n)| n == to || temp(n) == *to) else {
        return;
    };
    let Some(table) = ctx.old.tables.get(&old.key()) else {
        return;
    };
    for column in table.columns.iter().filter(|c| c.identity) {
        let name = crate::naming::sequence(&new.name, &column.name);
        let change = Change::RenameIdentitySequence {
            table: from.clone(),
            column: column.name.clone(),
            to_schema: to.schema.clone(),
            name,
        };
        ctx.plan.push(Phase::RenameTables, "", change);
    }
}

fn create_table(ctx: &mut Ctx, key: &str, table: &Table) {
    let name = qualified(table);
    let mut bare = table.clone();
    bare.renamed_from = None;
    bare.indexes.clear();
    bare.foreign_keys.clear();
    for column in &mut bare.columns {
        column.renamed_from = None;
    }
    ctx.plan.push(
        Phase::CreateTables,
        key,
        Change::CreateTable { table: bare },
    );
    for index in &table.indexes {
        let mut index = index.clone();
        index.concurrently = false;
        ctx.plan.push(
            Phase::CreateIndexes,
            key,
            Change::CreateIndex {
                table: name.clone(),
                index,
            },
        );
    }
    for fk in &table.foreign_keys {
        ctx.plan.push(
            Phase::AddForeignKeys,
            key,
            Change::AddForeignKey {
                table: name.clone(),
                key: fk.clone(),
            },
        );
    }
}
