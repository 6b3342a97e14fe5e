//! Renames: reading the `renamed_from` hints, finding the questions still open, and pairing
//! each old table, column, enum and object of another [`ObjectKind`] with the new one it
//! became.

use super::objects::{entries, hint_key, old_entries, ObjectKind, ObjectRename};
use super::{ColumnRename, RenameQuestion, Renames};
use crate::model::{Schema, Table};
use std::collections::{BTreeMap, BTreeSet};

/// A hint applies while the old name exists only in `old` and the new name only in `new`;
/// otherwise it is stale (the rename happened in an earlier migration) and following it could
/// turn a later re-use of the old name into a rename. Swaps and renames onto a dropped name
/// need an explicit answer.
fn applies<V>(old: &BTreeMap<String, V>, new: &BTreeMap<String, V>, from: &str, to: &str) -> bool {
    old.contains_key(from) && !new.contains_key(from) && !old.contains_key(to)
}

/// See [`super::hinted_renames`].
pub fn hinted_renames(old: &Schema, new: &Schema) -> Renames {
    let mut renames = Renames::default();
    for (key, table) in &new.tables {
        let Some(hint) = &table.renamed_from else {
            continue;
        };
        let from = hint_key(&table.schema, hint);
        if applies(&old.tables, &new.tables, &from, key) {
            renames.tables.push((from, key.clone()));
        }
    }
    for (key, e) in &new.enums {
        let Some(hint) = &e.renamed_from else {
            continue;
        };
        let from = hint_key(&e.schema, hint);
        if applies(&old.enums, &new.enums, &from, key) {
            renames.enums.push((from, key.clone()));
        }
    }
    // Only the table pairs are needed here, not the column pairing of `Pairing::new`.
    let table_pairs = pair_keys(&old.tables, &new.tables, &renames.tables);
    for &kind in ObjectKind::ALL {
        let old_objects = old_entries(kind, old, &table_pairs);
        let new_objects = entries(kind, new);
        for (key, entry) in &new_objects {
            let Some(from) = &entry.hint else {
                continue;
            };
            if applies(&old_objects, &new_objects, from, key) {
                renames.objects.push(ObjectRename {
                    kind,
                    from: from.clone(),
                    to: key.clone(),
                });
            }
        }
    }
    for (old_key, new_key) in &table_pairs {
        let (Some(old_table), Some(new_table)) = (old.tables.get(old_key), new.tables.get(new_key))
        else {
            continue;
        };
        for column in &new_table.columns {
            let Some(from) = &column.renamed_from else {
                continue;
            };
            if old_table.column(from).is_some()
                && old_table.column(&column.name).is_none()
                && new_table.column(from).is_none()
            {
                renames.columns.push(ColumnRename {
                    table: new_key.clone(),
                    from: from.clone(),
                    to: column.name.clone(),
                });
            }
        }
    }
    renames
}

/// See [`super::open_questions`].
pub fn open_questions(old: &Schema, new: &Schema, answered: &Renames) -> Vec<RenameQuestion> {
    let pairing = Pairing::new(old, new, answered);
    let mut questions = Vec::new();
    let schema_of = |s: &Schema, key: &str| s.tables.get(key).map(|t| t.schema.clone());
    let dropped = pairing.dropped_tables(old);
    for created in pairing.created_tables(new) {
        let schema = schema_of(new, &created);
        let candidates: Vec<String> = dropped
            .iter()
            .filter(|d| schema_of(old, d) == schema)
            .cloned()
            .collect();
        if !candidates.is_empty() {
            questions.push(RenameQuestion::Table {
                created,
                candidates,
            });
        }
    }
    for (old_key, new_key) in &pairing.tables {
        let (Some(old_table), Some(new_table)) = (old.tables.get(old_key), new.tables.get(new_key))
        else {
            continue;
        };
        let Some(columns) = pairing.columns.get(new_key) else {
            continue;
        };
        let kept_old: BTreeSet<&str> = columns.keys().map(String::as_str).collect();
        let kept_new: BTreeSet<&str> = columns.values().map(String::as_str).collect();
        let candidates: Vec<String> = old_table
            .columns
            .iter()
            .filter(|c| !kept_old.contains(c.name.as_str()))
            .map(|c| c.name.clone())
            .collect();
        if candidates.is_empty() {
            continue;
        }
        for column in new_table
            .columns
            .iter()
            .filter(|c| !kept_new.contains(c.name.as_str()))
        {
            questions.push(RenameQuestion::Column {
                table: new_key.clone(),
                created: column.name.clone(),
                candidates: candidates.clone(),
            });
        }
    }
    let enum_schema = |s: &Schema, key: &str| s.enums.get(key).map(|e| e.schema.clone());
    let paired_old: BTreeSet<&String> = pairing.enums.keys().collect();
    let paired_new: BTreeSet<&String> = pairing.enums.values().collect();
    for created in new.enums.keys().filter(|k| !paired_new.contains(k)) {
        let schema = enum_schema(new, created);
        let candidates: Vec<String> = old
            .enums
            .keys()
            .filter(|k| !paired_old.contains(k) && enum_schema(old, k) == schema)
            .cloned()
            .collect();
        if !candidates.is_empty() {
            questions.push(RenameQuestion::Enum {
                created: created.clone(),
                candidates,
            });
        }
    }
    for &kind in ObjectKind::ALL {
        object_questions(kind, (old, new), &pairing, &mut questions);
    }
    questions
}

/// The open questions about objects of `kind`: each new one unpaired, with the unpaired old
/// ones of its group as candidates.
fn object_questions(
    kind: ObjectKind,
    (old, new): (&Schema, &Schema),
    pairing: &Pairing,
    questions: &mut Vec<RenameQuestion>,
) {
    let old_objects = old_entries(kind, old, &pairing.tables);
    let new_objects = entries(kind, new);
    let pairs = pairing.objects(kind);
    let paired_new: BTreeSet<&String> = pairs.values().collect();
    for (created, entry) in new_objects.iter().filter(|(k, _)| !paired_new.contains(k)) {
        let candidates: Vec<String> = old_objects
            .iter()
            .filter(|(k, o)| !pairs.contains_key(*k) && o.group == entry.group)
            .map(|(k, _)| k.clone())
            .collect();
        if !candidates.is_empty() {
            questions.push(RenameQuestion::Object {
                kind,
                created: created.clone(),
                candidates,
            });
        }
    }
}

/// Which old object each new one continues: by equal key, or by a declared rename.
#[derive(Debug, Default)]
pub struct Pairing {
    /// Old table key to new table key.
    pub tables: BTreeMap<String, String>,
    /// New table key to (old column name to new column name), for paired tables.
    pub columns: BTreeMap<String, BTreeMap<String, String>>,
    /// Old enum key to new enum key.
    pub enums: BTreeMap<String, String>,
    /// For each [`ObjectKind`], old key to new key; a policy's old key names its table by the
    /// new table key ([`super::objects::old_entries`]).
    pub objects: BTreeMap<ObjectKind, BTreeMap<String, String>>,
}

impl Pairing {
    /// Pairs objects; a rename naming something that does not exist on its side is ignored.
    pub fn new(old: &Schema, new: &Schema, renames: &Renames) -> Self {
        let tables = pair_keys(&old.tables, &new.tables, &renames.tables);
        let enums = pair_keys(&old.enums, &new.enums, &renames.enums);
        let mut columns = BTreeMap::new();
        for (old_key, new_key) in &tables {
            let (Some(o), Some(n)) = (old.tables.get(old_key), new.tables.get(new_key)) else {
                continue;
            };
            columns.insert(
                new_key.clone(),
                pair_columns(o, n, new_key, &renames.columns),
            );
        }
        let objects = ObjectKind::ALL
            .iter()
            .map(|&kind| {
                let said: Vec<(String, String)> = renames
                    .objects
                    .iter()
                    .filter(|r| r.kind == kind)
                    .map(|r| (r.from.clone(), r.to.clone()))
                    .collect();
                let old_objects = old_entries(kind, old, &tables);
                let pairs = pair_keys(&old_objects, &entries(kind, new), &said);
                (kind, pairs)
            })
            .collect();
        Self {
            tables,
            columns,
            enums,
            objects,
        }
    }

    /// Old key to new key of the objects of `kind` that continue.
    pub fn objects(&self, kind: ObjectKind) -> &BTreeMap<String, String> {
        static NONE: BTreeMap<String, String> = BTreeMap::new();
        self.objects.get(&kind).unwrap_or(&NONE)
    }

    /// Old table keys with no new table.
    pub fn dropped_tables(&self, old: &Schema) -> Vec<String> {
        old.tables
            .keys()
            .filter(|k| !self.tables.contains_key(*k))
            .cloned()
            .collect()
    }

    /// New table keys with no old table.
    pub fn created_tables(&self, new: &Schema) -> Vec<String> {
        let paired: BTreeSet<&String> = self.tables.values().collect();
        new.tables
            .keys()
            .filter(|k| !paired.contains(k))
            .cloned()
            .collect()
    }

    /// The new name of `column` of the old table `old_table`, if both survive.
    pub fn column(&self, old_table: &str, column: &str) -> Option<&str> {
        let new_table = self.tables.get(old_table)?;
        self.columns.get(new_table)?.get(column).map(String::as_str)
    }
}

fn pair_keys<V>(
    old: &BTreeMap<String, V>,
    new: &BTreeMap<String, V>,
    renames: &[(String, String)],
) -> BTreeMap<String, String> {
    let mut pairs = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for (from, to) in renames {
        if old.contains_key(from)
            && new.contains_key(to)
            && !pairs.contains_key(from)
            && !taken.contains(to)
        {
            pairs.insert(from.clone(), to.clone());
            taken.insert(to.clone());
        }
    }
    for key in old.keys() {
        if new.contains_key(key) && !pairs.contains_key(key) && !taken.contains(key) {
            pairs.insert(key.clone(), key.clone());
            taken.insert(key.clone());
        }
    }
    pairs
}

fn pair_columns(
    old: &Table,
    new: &Table,
    new_key: &str,
    renames: &[ColumnRename],
) -> BTreeMap<String, String> {
    if !renames.iter().any(|r| r.table == new_key) {
        // No renames in this table (the common case): columns pair by name.
        return old
            .columns
            .iter()
            .filter(|c| new.column(&c.name).is_some())
            .map(|c| (c.name.clone(), c.name.clone()))
            .collect();
    }
    let mut pairs = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for r in renames.iter().filter(|r| r.table == new_key) {
        if old.column(&r.from).is_some()
            && new.column(&r.to).is_some()
            && !pairs.contains_key(&r.from)
            && !taken.contains(&r.to)
        {
            pairs.insert(r.from.clone(), r.to.clone());
            taken.insert(r.to.clone());
        }
    }
    for c in &old.columns {
        if new.column(&c.name).is_some() && !pairs.contains_key(&c.name) && !taken.contains(&c.name)
        {
            pairs.insert(c.name.clone(), c.name.clone());
            taken.insert(c.name.clone());
        }
    }
    pairs
}

/// Orders renames so that none targets a name still in use by another pending rename; a cycle
/// (a swap) goes through a temporary name made by `temp`.
pub fn order_renames<T: Clone + Ord>(pairs: &[(T, T)], temp: impl Fn(&T) -> T) -> Vec<(T, T)> {
    let mut pending: Vec<(T, T)> = pairs.iter().filter(|(a, b)| a != b).cloned().collect();
    pending.sort();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|(_, to)| !pending.iter().any(|(from, _)| from == to));
        match ready {
            Some(i) => out.push(pending.remove(i)),
            None => {
                let (from, to) = pending.remove(0);
                let tmp = temp(&from);
                out.push((from, tmp.clone()));
                pending.push((tmp, to));
            }
        }
    }
    out
}
