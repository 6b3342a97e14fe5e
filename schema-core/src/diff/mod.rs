//! Diff: the changes that turn one [`Schema`] into another, in an order the database accepts.
//!
//! Objects are paired by key or by a declared rename ([`Renames`]); constraints and indexes are
//! matched by content, so a re-derived name becomes a rename rather than a drop and an add.
//! Every change goes into a [`Phase`]; the output is the phases in order, each sorted by key.

mod change;
mod columns;
mod constraints;
mod enums;
mod generated;
mod moves;
mod name;
mod objects;
mod policies;
mod renames;
mod schemas;
mod sequences;
mod tables;
mod unqualified;
mod views;

pub use change::{type_label, Change, EnumColumn, EnumValuePosition, QualifiedName};
pub use name::migration_name;
pub use objects::{ObjectKind, ObjectRename};
pub use views::stale_view_columns;

use crate::model::{ColumnType, Schema};
use renames::Pairing;
use std::collections::BTreeSet;

/// Renames declared by hints or answered by the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    /// (old key `schema.name`, new key).
    pub tables: Vec<(String, String)>,
    pub columns: Vec<ColumnRename>,
    /// (old key, new key).
    pub enums: Vec<(String, String)>,
    /// Renames of the other kinds of object ([`ObjectKind`]: sequences, views, policies), by old
    /// and new key (a policy's both under its table's new key, as a column rename's table).
    pub objects: Vec<ObjectRename>,
}

impl Renames {
    /// The same renames the other way, for the diff from the new schema back to the old one:
    /// each pair swapped, and each column rename keyed by its table's old key.
    pub fn reversed(&self) -> Renames {
        let old_key = |new_key: &str| {
            self.tables
                .iter()
                .find(|(_, to)| to == new_key)
                .map_or_else(|| new_key.to_string(), |(from, _)| from.clone())
        };
        let swap = |pairs: &[(String, String)]| {
            pairs.iter().map(|(a, b)| (b.clone(), a.clone())).collect()
        };
        Renames {
            tables: swap(&self.tables),
            columns: self
                .columns
                .iter()
                .map(|c| ColumnRename {
                    table: old_key(&c.table),
                    from: c.to.clone(),
                    to: c.from.clone(),
                })
                .collect(),
            enums: swap(&self.enums),
            objects: self
                .objects
                .iter()
                .map(|r| self.reversed_object(r, &old_key))
                .collect(),
        }
    }

    /// `r` the other way; a policy's keys name their table by its key in the new schema, which
    /// is the old key of the way back.
    fn reversed_object(&self, r: &ObjectRename, old_key: &dyn Fn(&str) -> String) -> ObjectRename {
        let back = r.reversed();
        if r.kind != ObjectKind::Policy {
            return back;
        }
        let retable = |key: &str| {
            let table = self
                .tables
                .iter()
                .map(|(_, to)| to)
                .find(|to| key.starts_with(&format!("{to}.")));
            match table {
                Some(t) => format!("{}{}", old_key(t), &key[t.len()..]),
                None => key.to_string(),
            }
        };
        ObjectRename {
            from: retable(&back.from),
            to: retable(&back.to),
            ..back
        }
    }
}

/// A column rename inside one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRename {
    /// The NEW table key.
    pub table: String,
    pub from: String,
    pub to: String,
}

/// A drop and an add of the same kind in the same parent: maybe a rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameQuestion {
    /// `created` is a new table key; `candidates` are dropped old keys of the same schema.
    Table {
        created: String,
        candidates: Vec<String>,
    },
    /// `table` is the new table key; `candidates` are dropped columns of that table.
    Column {
        table: String,
        created: String,
        candidates: Vec<String>,
    },
    /// `created` is a new enum key; `candidates` are dropped old keys of the same schema.
    Enum {
        created: String,
        candidates: Vec<String>,
    },
    /// `created` is a new key of an object of `kind`; `candidates` are dropped old keys of the
    /// same group (the same schema for a sequence).
    Object {
        kind: ObjectKind,
        created: String,
        candidates: Vec<String>,
    },
}

/// Renames declared by `renamed_from` hints in `new` that apply to `old` (a hint whose old name
/// no longer exists in `old` is ignored: the rename already happened).
pub fn hinted_renames(old: &Schema, new: &Schema) -> Renames {
    renames::hinted_renames(old, new)
}

/// Questions still open after `answered`: a drop and an add of the same kind in the same parent
/// (columns of one table, tables of one schema, enums of one schema, objects of one
/// [`ObjectKind`] and group) with no rename declared.
/// Tables first, then columns, then enums, then the other kinds in [`ObjectKind::ALL`]'s order,
/// each sorted by key.
pub fn open_questions(old: &Schema, new: &Schema, answered: &Renames) -> Vec<RenameQuestion> {
    renames::open_questions(old, new, answered)
}

/// All changes from `old` to `new`, in a dependency-respecting order. Anything not covered by
/// `renames` is a real drop and add.
pub fn diff(old: &Schema, new: &Schema, renames: &Renames) -> Vec<Change> {
    let mut ctx = Ctx {
        old,
        new,
        pairing: Pairing::new(old, new, renames),
        plan: Plan::default(),
        retyped: BTreeSet::new(),
        rebuilt: BTreeSet::new(),
        rebuilt_enums: BTreeSet::new(),
        replaced: BTreeSet::new(),
    };
    let schema_renames = schemas::schema_renames(&ctx);
    schemas::diff_schemas(&mut ctx, &schema_renames);
    enums::diff_enums(&mut ctx);
    sequences::diff_sequences(&mut ctx);
    tables::diff_tables(&mut ctx);
    columns::diff_columns(&mut ctx);
    constraints::diff_constraints(&mut ctx);
    views::diff_views(&mut ctx);
    policies::diff_policies(&mut ctx);
    schemas::follow_renames(ctx.plan.finish(), &schema_renames)
}

/// The changes that take a database from `new` back to `old`, given the `renames` of the way
/// from `old` to `new`: a down migration is the diff the other way, renames reversed.
pub fn down(old: &Schema, new: &Schema, renames: &Renames) -> Vec<Change> {
    diff(new, old, &renames.reversed())
}

/// When a change runs. Drops of what depends on something come before it changes; additions
/// of what depends on something come after it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    CreateSchemas,
    RenameSchemas,
    DropViews,
    RenameViews,
    RenameEnums,
    CreateEnums,
    AddEnumValues,
    DropSequencesEarly,
    RenameSequences,
    CreateSequences,
    DropForeignKeys,
    DropPolicies,
    DropConstraints,
    DropTablesEarly,
    RenameBeforeMoves,
    RenameTables,
    DropColumnsEarly,
    RenameColumns,
    RenameConstraints,
    RebuildEnums,
    CreateTables,
    AlterColumns,
    AddConstraints,
    CreateIndexes,
    AddForeignKeys,
    CreateViews,
    RenamePolicies,
    CreatePolicies,
    DropTables,
    DropSequences,
    DropEnums,
    DropSchemas,
}

/// Changes collected per phase; stable-sorted by (phase, key) at the end.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    items: Vec<(Phase, String, Change)>,
}

impl Plan {
    pub(crate) fn push(&mut self, phase: Phase, key: impl Into<String>, change: Change) {
        self.items.push((phase, key.into(), change));
    }

    /// The changes planned so far, in no particular order.
    pub(crate) fn changes(&self) -> impl Iterator<Item = &Change> {
        self.items.iter().map(|(_, _, c)| c)
    }

    fn finish(self) -> Vec<Change> {
        // A stable sort of positions rather than of the items: a change is large to move.
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.items[a], &self.items[b]);
            (a.0, &a.1).cmp(&(b.0, &b.1))
        });
        let mut changes: Vec<Option<Change>> =
            self.items.into_iter().map(|(_, _, c)| Some(c)).collect();
        order
            .into_iter()
            .filter_map(|i| changes[i].take())
            .collect()
    }
}

/// What the diff passes work through.
pub(crate) struct Ctx<'a> {
    pub old: &'a Schema,
    pub new: &'a Schema,
    pub pairing: Pairing,
    pub plan: Plan,
    /// (new table key, new column name) of kept columns whose type changes in this migration.
    pub retyped: BTreeSet<(String, String)>,
    /// (new table key, new column name) of kept columns converted by an enum rebuild, which
    /// also set their new default.
    pub rebuilt: BTreeSet<(String, String)>,
    /// Old and new names of the enum types rebuilt in this migration.
    pub rebuilt_enums: BTreeSet<String>,
    /// (new table key, new column name) of kept columns whose generated expression changes
    /// ([`Change::AlterGenerated`]), which PostgreSQL drops and adds again: their indexes and
    /// constraints are dropped before and created again after.
    pub replaced: BTreeSet<(String, String)>,
}

impl Ctx<'_> {
    /// An old column type in new terms: enum names follow the enum renames.
    pub fn map_type(&self, ty: &ColumnType) -> ColumnType {
        match ty {
            ColumnType::Builtin(_) => ty.clone(),
            ColumnType::Enum { schema, name } => {
                let key = Schema::key(schema, name);
                match self
                    .pairing
                    .enums
                    .get(&key)
                    .and_then(|k| self.new.enums.get(k))
                {
                    Some(e) => ColumnType::Enum {
                        schema: e.schema.clone(),
                        name: e.name.clone(),
                    },
                    None => ty.clone(),
                }
            }
            ColumnType::Array(inner) => ColumnType::Array(Box::new(self.map_type(inner))),
        }
    }
}

/// The namespaces a schema uses: the declared ones and those of its tables, enums,
/// sequences and views.
fn namespaces(s: &Schema) -> BTreeSet<String> {
    let mut all: BTreeSet<String> = s.schemas.iter().cloned().collect();
    all.extend(s.tables.values().map(|t| t.schema.clone()));
    all.extend(s.enums.values().map(|e| e.schema.clone()));
    all.extend(s.sequences.values().map(|q| q.schema.clone()));
    all.extend(s.views.values().map(|v| v.schema.clone()));
    all.remove(crate::model::DEFAULT_SCHEMA);
    all
}

/// A temporary name for `name` (`name__tmp`), cut to PostgreSQL's 63 bytes.
pub(crate) fn temp_name(name: &str, suffix: &str) -> String {
    let suffix = format!("__{suffix}");
    let mut end = 63usize.saturating_sub(suffix.len()).min(name.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{suffix}", &name[..end])
}
