//! Keys, checks, indexes and foreign keys of the tables that stay, matched by content (after
//! the column and table renames): an unchanged one whose name changed is renamed, a changed one
//! is dropped and added again.

use super::columns::{mentions_replaced, uses_replaced};
use super::enums::mentions_rebuilt;
use super::moves::{rename, rename_before_move, Taken};
use super::renames::order_renames;
use super::tables::qualified;
use super::{temp_name, Change, Ctx, Phase, QualifiedName};
use crate::model::{ForeignKey, Index, IndexKey, KeyTarget, Table};
use std::collections::{BTreeMap, BTreeSet};

/// Old and new items paired by content; equal names are preferred.
struct Matches {
    pairs: Vec<(usize, usize)>,
    dropped: Vec<usize>,
    added: Vec<usize>,
}

fn match_items<T, K: PartialEq>(
    old: &[T],
    new: &[T],
    old_content: impl Fn(&T) -> Option<K>,
    new_content: impl Fn(&T) -> K,
    name: impl Fn(&T) -> &str,
) -> Matches {
    let old_keys: Vec<Option<K>> = old.iter().map(old_content).collect();
    let new_keys: Vec<K> = new.iter().map(new_content).collect();
    let (mut used_old, mut used_new) = (vec![false; old.len()], vec![false; new.len()]);
    let mut pairs = Vec::new();
    for same_name_only in [true, false] {
        for (j, key) in new_keys.iter().enumerate() {
            if used_new[j] {
                continue;
            }
            let found = (0..old.len()).find(|&i| {
                !used_old[i]
                    && old_keys[i].as_ref() == Some(key)
                    && (!same_name_only || name(&old[i]) == name(&new[j]))
            });
            if let Some(i) = found {
                used_old[i] = true;
                used_new[j] = true;
                pairs.push((i, j));
            }
        }
    }
    let dropped = (0..old.len()).filter(|&i| !used_old[i]).collect();
    let added = (0..new.len()).filter(|&j| !used_new[j]).collect();
    Matches {
        pairs,
        dropped,
        added,
    }
}

impl Matches {
    /// Turns the pairs whose new item `recreate` names into a drop and an add (in index
    /// order, so the output stays deterministic); returns the pairs it moved.
    fn recreate(&mut self, recreate: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
        let (moved, kept): (Vec<_>, Vec<_>) = self.pairs.iter().partition(|&&(_, j)| recreate(j));
        self.pairs = kept;
        self.dropped.extend(moved.iter().map(|&(i, _)| i));
        self.added.extend(moved.iter().map(|&(_, j)| j));
        self.dropped.sort();
        self.added.sort();
        moved
    }
}

/// One kept table seen from both sides.
pub(crate) struct TablePair<'a> {
    old: &'a Table,
    new: &'a Table,
    pub old_name: QualifiedName,
    pub name: QualifiedName,
    pub key: String,
    columns: BTreeMap<String, String>,
}

impl TablePair<'_> {
    fn map(&self, columns: &[String]) -> Option<Vec<String>> {
        columns
            .iter()
            .map(|c| self.columns.get(c).cloned())
            .collect()
    }
}

pub(crate) fn diff_constraints(ctx: &mut Ctx) {
    let mut key_dropped = BTreeSet::new();
    let mut pairs = Vec::new();
    for (old_key, new_key) in &ctx.pairing.tables {
        let (Some(old), Some(new)) = (ctx.old.tables.get(old_key), ctx.new.tables.get(new_key))
        else {
            continue;
        };
        let columns = ctx
            .pairing
            .columns
            .get(new_key)
            .cloned()
            .unwrap_or_default();
        let (old_name, name) = (qualified(old), qualified(new));
        pairs.push(TablePair {
            old,
            new,
            old_name,
            name,
            key: new_key.clone(),
            columns,
        });
    }
    let mut taken = Taken::default();
    for pair in &pairs {
        let (mut keys, mut checks) = (Vec::new(), Vec::new());
        if keys_and_checks(ctx, pair, &mut keys, &mut checks) {
            key_dropped.insert(pair.key.clone());
        }
        if pair.old_name.schema != pair.name.schema {
            keys = rename_before_move(ctx, pair, &keys, false, &mut taken);
        }
        keys.extend(checks);
        for (from, to) in order_renames(&keys, |n| temp_name(n, "tmp")) {
            let change = rename(false, &pair.name, from, to);
            ctx.plan
                .push(Phase::RenameConstraints, pair.key.clone(), change);
        }
        if indexes(ctx, pair, &mut taken) {
            key_dropped.insert(pair.key.clone());
        }
    }
    for pair in &pairs {
        foreign_keys(ctx, pair, &key_dropped);
    }
    dropped_table_foreign_keys(ctx, &key_dropped);
}

/// Primary key, uniques and checks, with the renames of the kept keys and of the kept checks;
/// true when a key that a foreign key may use is dropped.
fn keys_and_checks(
    ctx: &mut Ctx,
    p: &TablePair,
    keys: &mut Vec<(String, String)>,
    checks_renamed: &mut Vec<(String, String)>,
) -> bool {
    let (old_t, new_t) = (&p.old_name, &p.name);
    let mut checks = match_items(
        &p.old.checks,
        &p.new.checks,
        |c| Some(c.expr.clone()),
        |c| c.expr.clone(),
        |c| &c.name,
    );
    checks.recreate(|j| {
        let expr = &p.new.checks[j].expr;
        mentions_rebuilt(ctx, &p.key, expr) || mentions_replaced(ctx, &p.key, expr)
    });
    for &i in &checks.dropped {
        let name = p.old.checks[i].name.clone();
        ctx.plan.push(
            Phase::DropConstraints,
            p.key.clone(),
            Change::DropCheck {
                table: old_t.clone(),
                name,
            },
        );
    }
    let mut uniques = match_items(
        &p.old.uniques,
        &p.new.uniques,
        |u| p.map(&u.columns).map(|c| (c, u.nulls_not_distinct)),
        |u| (u.columns.clone(), u.nulls_not_distinct),
        |u| &u.name,
    );
    uniques.recreate(|j| uses_replaced(ctx, &p.key, &p.new.uniques[j].columns));
    for &i in &uniques.dropped {
        let name = p.old.uniques[i].name.clone();
        ctx.plan.push(
            Phase::DropConstraints,
            p.key.clone(),
            Change::DropUnique {
                table: old_t.clone(),
                name,
            },
        );
    }
    let old_pk: Vec<_> = p.old.primary_key.iter().cloned().collect();
    let new_pk: Vec<_> = p.new.primary_key.iter().cloned().collect();
    let mut pks = match_items(
        &old_pk,
        &new_pk,
        |k| p.map(&k.columns),
        |k| k.columns.clone(),
        |k| &k.name,
    );
    pks.recreate(|j| uses_replaced(ctx, &p.key, &new_pk[j].columns));
    for &i in &pks.dropped {
        let name = old_pk[i].name.clone();
        ctx.plan.push(
            Phase::DropConstraints,
            p.key.clone(),
            Change::DropPrimaryKey {
                table: old_t.clone(),
                name,
            },
        );
    }
    for &j in &pks.added {
        let key = new_pk[j].clone();
        ctx.plan.push(
            Phase::AddConstraints,
            p.key.clone(),
            Change::AddPrimaryKey {
                table: new_t.clone(),
                key,
            },
        );
    }
    for &j in &uniques.added {
        let unique = p.new.uniques[j].clone();
        ctx.plan.push(
            Phase::AddConstraints,
            p.key.clone(),
            Change::AddUnique {
                table: new_t.clone(),
                unique,
            },
        );
    }
    for &j in &checks.added {
        let check = p.new.checks[j].clone();
        ctx.plan.push(
            Phase::AddConstraints,
            p.key.clone(),
            Change::AddCheck {
                table: new_t.clone(),
                check,
            },
        );
    }
    keys.extend(
        pks.pairs
            .iter()
            .map(|&(i, j)| (old_pk[i].name.clone(), new_pk[j].name.clone())),
    );
    keys.extend(
        uniques
            .pairs
            .iter()
            .map(|&(i, j)| (p.old.uniques[i].name.clone(), p.new.uniques[j].name.clone())),
    );
    checks_renamed.extend(
        checks
            .pairs
            .iter()
            .map(|&(i, j)| (p.old.checks[i].name.clone(), p.new.checks[j].name.clone())),
    );
    !pks.dropped.is_empty() || !uniques.dropped.is_empty()
}

type IndexContent = (
    Vec<IndexKey>,
    bool,
    Option<String>,
    String,
    BTreeMap<String, String>,
    bool,
);

/// What an index is, in the new schema's column names (`None` when a column it names is
/// gone): its keys, uniqueness, predicate, method and storage parameters. Expressions compare
/// as written, so an expression over a renamed column is built again.
fn index_content(index: &Index, rename: impl Fn(&str) -> Option<String>) -> Option<IndexContent> {
    let using = index
        .using
        .clone()
        .unwrap_or_else(|| "btree".to_string())
        .to_lowercase();
    let mut keys = index.keys();
    for key in &mut keys {
        if let KeyTarget::Column(c) = &key.target {
            key.target = KeyTarget::Column(rename(c)?);
        }
    }
    Some((
        keys,
        index.unique,
        index.predicate.clone(),
        using,
        index.with.clone(),
        index.nulls_not_distinct,
    ))
}

/// Indexes; true when a unique index is dropped.
///
/// A partial index whose predicate uses a column an enum rebuild converts is dropped before
/// and built again after it (see [`mentions_rebuilt`]), without `CONCURRENTLY`: the conversion
/// rewrites the table under an exclusive lock in the same transaction anyway.
fn indexes(ctx: &mut Ctx, p: &TablePair, taken: &mut Taken) -> bool {
    let mut m = match_items(
        &p.old.indexes,
        &p.new.indexes,
        |i| index_content(i, |c| p.columns.get(c).cloned()),
        |i| index_content(i, |c| Some(c.to_string())).unwrap_or_default(),
        |i| &i.name,
    );
    let recreated = m.recreate(|j| {
        let index = &p.new.indexes[j];
        let expressions = index.keys.iter().filter_map(|k| k.expression());
        index
            .predicate
            .as_deref()
            .into_iter()
            .chain(expressions)
            .any(|e| mentions_rebuilt(ctx, &p.key, e) || mentions_replaced(ctx, &p.key, e))
            // Every plain column key, of either form (`columns`, or `keys` with `DESC` ..).
            || uses_replaced(ctx, &p.key, &plain_columns(index))
    });
    for &i in &m.dropped {
        let index = &p.old.indexes[i];
        let change = Change::DropIndex {
            table: p.old_name.clone(),
            name: index.name.clone(),
            concurrently: index.concurrently && !recreated.iter().any(|&(o, _)| o == i),
        };
        ctx.plan.push(Phase::DropConstraints, p.key.clone(), change);
    }
    let mut renames: Vec<(String, String)> = m
        .pairs
        .iter()
        .map(|&(i, j)| (p.old.indexes[i].name.clone(), p.new.indexes[j].name.clone()))
        .collect();
    if p.old_name.schema != p.name.schema {
        renames = rename_before_move(ctx, p, &renames, true, taken);
    }
    for (from, to) in order_renames(&renames, |n| temp_name(n, "tmp")) {
        let change = rename(true, &p.name, from, to);
        ctx.plan
            .push(Phase::RenameConstraints, p.key.clone(), change);
    }
    for &j in &m.added {
        let mut index = p.new.indexes[j].clone();
        index.concurrently &= !recreated.iter().any(|&(_, n)| n == j);
        ctx.plan.push(
            Phase::CreateIndexes,
            p.key.clone(),
            Change::CreateIndex {
                table: p.name.clone(),
                index,
            },
        );
    }
    m.dropped.iter().any(|&i| p.old.indexes[i].unique)
}

/// The content of an old foreign key in new terms, or `None` when something it uses is gone.
fn old_fk_content(ctx: &Ctx, p: &TablePair, fk: &ForeignKey) -> Option<ForeignKey> {
    let old_ref = crate::model::Schema::key(&fk.ref_schema, &fk.ref_table);
    let new_ref = ctx.new.tables.get(ctx.pairing.tables.get(&old_ref)?)?;
    let ref_columns = fk
        .ref_columns
        .iter()
        .map(|c| ctx.pairing.column(&old_ref, c).map(str::to_string))
        .collect::<Option<_>>()?;
    Some(ForeignKey {
        name: String::new(),
        columns: p.map(&fk.columns)?,
        ref_schema: new_ref.schema.clone(),
        ref_table: new_ref.name.clone(),
        ref_columns,
        on_delete: fk.on_delete,
        on_update: fk.on_update,
    })
}

fn fk_content(fk: &ForeignKey) -> ForeignKey {
    ForeignKey {
        name: String::new(),
        ..fk.clone()
    }
}

fn foreign_keys(ctx: &mut Ctx, p: &TablePair, key_dropped: &BTreeSet<String>) {
    let mut m = match_items(
        &p.old.foreign_keys,
        &p.new.foreign_keys,
        |fk| old_fk_content(ctx, p, fk),
        fk_content,
        |fk| &fk.name,
    );
    // A key whose columns change type, or whose referenced key is rebuilt, is dropped first and
    // added again afterwards.
    let (stable, unstable): (Vec<_>, Vec<_>) = m.pairs.iter().partition(|&&(_, j)| {
        let fk = &p.new.foreign_keys[j];
        let ref_key = crate::model::Schema::key(&fk.ref_schema, &fk.ref_table);
        !key_dropped.contains(&ref_key)
            && !uses_replaced(ctx, &p.key, &fk.columns)
            && !uses_replaced(ctx, &ref_key, &fk.ref_columns)
            && !fk
                .columns
                .iter()
                .any(|c| ctx.retyped.contains(&(p.key.clone(), c.clone())))
            && !fk
                .ref_columns
                .iter()
                .any(|c| ctx.retyped.contains(&(ref_key.clone(), c.clone())))
    });
    m.dropped.extend(unstable.iter().map(|&&(i, _)| i));
    m.added.extend(unstable.iter().map(|&&(_, j)| j));
    m.dropped.sort();
    m.added.sort();
    for &i in &m.dropped {
        let name = p.old.foreign_keys[i].name.clone();
        ctx.plan.push(
            Phase::DropForeignKeys,
            p.key.clone(),
            Change::DropForeignKey {
                table: p.old_name.clone(),
                name,
            },
        );
    }
    let renames: Vec<(String, String)> = stable
        .iter()
        .map(|&&(i, j)| {
            (
                p.old.foreign_keys[i].name.clone(),
                p.new.foreign_keys[j].name.clone(),
            )
        })
        .collect();
    for (from, to) in order_renames(&renames, |n| temp_name(n, "tmp")) {
        let change = Change::RenameConstraint {
            table: p.name.clone(),
            from,
            to,
        };
        ctx.plan
            .push(Phase::RenameConstraints, p.key.clone(), change);
    }
    for &j in &m.added {
        let key = p.new.foreign_keys[j].clone();
        ctx.plan.push(
            Phase::AddForeignKeys,
            p.key.clone(),
            Change::AddForeignKey {
                table: p.name.clone(),
                key,
            },
        );
    }
}

/// A dropped table goes last, so its foreign keys to other dropped tables (which may form a
/// cycle), to keys being dropped and to columns changing type are dropped first.
fn dropped_table_foreign_keys(ctx: &mut Ctx, key_dropped: &BTreeSet<String>) {
    for key in ctx.pairing.dropped_tables(ctx.old) {
        let Some(table) = ctx.old.tables.get(&key) else {
            continue;
        };
        for fk in &table.foreign_keys {
            let ref_key = crate::model::Schema::key(&fk.ref_schema, &fk.ref_table);
            let blocks = match ctx.pairing.tables.get(&ref_key) {
                None => ref_key != key,
                Some(new_ref) => {
                    key_dropped.contains(new_ref)
                        || fk.ref_columns.iter().any(|c| {
                            let column = ctx.pairing.column(&ref_key, c).unwrap_or(c);
                            ctx.retyped.contains(&(new_ref.clone(), column.to_string()))
                        })
                }
            };
            if blocks {
                let change = Change::DropForeignKey {
                    table: qualified(table),
                    name: fk.name.clone(),
                };
                ctx.plan.push(Phase::DropForeignKeys, key.clone(), change);
            }
        }
    }
}

/// The columns an index's keys name as columns (with or without ordering or operator class).
fn plain_columns(index: &crate::model::Index) -> Vec<String> {
    index
        .keys()
        .iter()
        .filter_map(|k| match &k.target {
            crate::model::KeyTarget::Column(c) => Some(c.clone()),
            crate::model::KeyTarget::Expression(_) => None,
        })
        .collect()
}
