//! Keys and indexes of a table that moves to another schema: their names live in the schema's
//! namespace (with tables), so the ones that change are renamed before the move, in the old
//! schema, and nothing moves under a name the new schema may still hold.

use super::constraints::TablePair;
use super::{temp_name, Change, Ctx, Phase, QualifiedName};
use crate::model::Schema;
use std::collections::{BTreeMap, BTreeSet};

/// Names of the old schemas' tables, keys and indexes, plus those the early renames take.
#[derive(Default)]
pub(crate) struct Taken {
    by_schema: BTreeMap<String, BTreeSet<String>>,
}

impl Taken {
    fn schema(&mut self, old: &Schema, schema: &str) -> &mut BTreeSet<String> {
        self.by_schema.entry(schema.to_string()).or_insert_with(|| {
            let mut names = BTreeSet::new();
            for t in old.tables.values().filter(|t| t.schema == schema) {
                names.insert(t.name.clone());
                names.extend(t.primary_key.iter().map(|k| k.name.clone()));
                names.extend(t.uniques.iter().map(|u| u.name.clone()));
                names.extend(t.indexes.iter().map(|i| i.name.clone()));
            }
            names
        })
    }
}

/// Renames the keys (`index` false) or indexes of a moved table before the move: straight to
/// the new name when no table, key or index of the old schema has it, else to a temporary name.
/// Returns the renames left for after the move (temporary name → new name, in the new schema).
pub(crate) fn rename_before_move(
    ctx: &mut Ctx,
    p: &TablePair,
    renames: &[(String, String)],
    index: bool,
    taken: &mut Taken,
) -> Vec<(String, String)> {
    let mut after = Vec::new();
    let names = taken.schema(ctx.old, &p.old_name.schema);
    let mut before = Vec::new();
    for (from, to) in renames.iter().filter(|(from, to)| from != to) {
        let step = if names.insert(to.clone()) {
            to.clone()
        } else {
            let temp = temp_name(from, "move");
            names.insert(temp.clone());
            after.push((temp.clone(), to.clone()));
            temp
        };
        before.push((from.clone(), step));
    }
    for (from, to) in before {
        let change = rename(index, &p.old_name, from, to);
        ctx.plan
            .push(Phase::RenameBeforeMoves, p.key.clone(), change);
    }
    after
}

/// The change that renames a key (`index` false) or an index of `table`.
pub(crate) fn rename(index: bool, table: &QualifiedName, from: String, to: String) -> Change {
    let table = table.clone();
    if index {
        Change::RenameIndex { table, from, to }
    } else {
        Change::RenameConstraint { table, from, to }
    }
}
