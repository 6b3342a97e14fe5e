//! The kinds of object renamed the way tables are, beyond tables, columns and enums: each is
//! keyed in the schema, may carry a `renamed_from` hint, is asked about when one goes and one
//! of the same group comes, and is answered with `--rename <kind>:OLD=NEW`. Sequences are the
//! first; a new kind (a view, a policy) adds a variant here and its objects in [`entries`],
//! and hints, questions, pairing and reversal follow. A kind that lives inside a table (a
//! policy, keyed `schema.table.name`) gives the table's key as its group, so its questions
//! stay within one table, and the CLI reads its flag's `TABLE.OLD` as it reads a column's.

use crate::model::Schema;
use std::collections::BTreeMap;

/// A kind of object renamed by hints, questions and `--rename` flags, by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    /// `#[derive(Sequence)]`, keyed `schema.name`, asked about within its schema.
    Sequence,
    /// `#[derive(View)]` (materialized or not), keyed `schema.name`, asked about within its
    /// schema.
    View,
    /// `#[policy(..)]`, keyed `schema.table.name`, asked about within its table. A rename's
    /// keys both name the table by its key in the NEW schema, as a column rename does (see
    /// [`old_entries`]).
    Policy,
}

impl ObjectKind {
    /// Every kind, in the order questions about them are asked.
    pub const ALL: &'static [ObjectKind] =
        &[ObjectKind::Sequence, ObjectKind::View, ObjectKind::Policy];

    /// The kind as `--rename` flags, questions and messages spell it: `sequence`.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Sequence => "sequence",
            ObjectKind::View => "view",
            ObjectKind::Policy => "policy",
        }
    }

    /// The kind a `--rename` flag names (`sequence`).
    pub fn parse(name: &str) -> Option<ObjectKind> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Whether `schema` holds an object of this kind under `key`.
    pub fn exists(self, schema: &Schema, key: &str) -> bool {
        match self {
            ObjectKind::Sequence => schema.sequences.contains_key(key),
            ObjectKind::View => schema.views.contains_key(key),
            ObjectKind::Policy => entries(self, schema).contains_key(key),
        }
    }
}

/// A rename of an object of `kind` from the old key to the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRename {
    pub kind: ObjectKind,
    pub from: String,
    pub to: String,
}

impl ObjectRename {
    /// The same rename the other way.
    pub fn reversed(&self) -> ObjectRename {
        ObjectRename {
            kind: self.kind,
            from: self.to.clone(),
            to: self.from.clone(),
        }
    }
}

/// One object as renames see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Rename candidates come from the same group: a sequence's schema.
    pub group: String,
    /// The key its `renamed_from` hint names, if it has one.
    pub hint: Option<String>,
}

/// The objects of `kind` in `schema`, by key.
pub(crate) fn entries(kind: ObjectKind, schema: &Schema) -> BTreeMap<String, Entry> {
    match kind {
        ObjectKind::Sequence => schema
            .sequences
            .iter()
            .map(|(key, s)| {
                let entry = Entry {
                    group: s.schema.clone(),
                    hint: s.renamed_from.as_deref().map(|h| hint_key(&s.schema, h)),
                };
                (key.clone(), entry)
            })
            .collect(),
        ObjectKind::View => schema
            .views
            .iter()
            .map(|(key, v)| {
                let entry = Entry {
                    group: v.schema.clone(),
                    hint: v.renamed_from.as_deref().map(|h| hint_key(&v.schema, h)),
                };
                (key.clone(), entry)
            })
            .collect(),
        ObjectKind::Policy => schema
            .tables
            .iter()
            .flat_map(|(table_key, t)| {
                t.policies.iter().map(move |p| {
                    let entry = Entry {
                        group: table_key.clone(),
                        hint: p
                            .renamed_from
                            .as_deref()
                            .map(|h| super::policies::key(table_key, h)),
                    };
                    (super::policies::key(table_key, &p.name), entry)
                })
            })
            .collect(),
    }
}

/// The objects of `kind` in the old schema `old`, keyed as renames and pairing see them given
/// the table pairs `tables` (old table key to new table key): a policy of a kept table under
/// its table's NEW key (`schema.new_table.name`), as a column rename names its table by the new
/// key, so a policy hint, question or `--rename policy:` flag of a renamed table pairs with the
/// policy under the old one; the policies of a dropped table go with it and are left out.
/// Other kinds as [`entries`] gives them.
pub(crate) fn old_entries(
    kind: ObjectKind,
    old: &Schema,
    tables: &BTreeMap<String, String>,
) -> BTreeMap<String, Entry> {
    if kind != ObjectKind::Policy {
        return entries(kind, old);
    }
    let mut out = BTreeMap::new();
    for (old_key, new_key) in tables {
        let Some(t) = old.tables.get(old_key) else {
            continue;
        };
        for p in &t.policies {
            let entry = Entry {
                group: new_key.clone(),
                hint: None,
            };
            out.insert(super::policies::key(new_key, &p.name), entry);
        }
    }
    out
}

/// Resolves a hint (`name` or `schema.name`) to a key, relative to `schema`.
pub(crate) fn hint_key(schema: &str, hint: &str) -> String {
    if hint.contains('.') {
        hint.to_string()
    } else {
        Schema::key(schema, hint)
    }
}
