//! The `KNOWN BUG` switches: patterns of pairs that tripped a bug of the diff, which the
//! generator avoids while a switch is set (each names the test that holds the bug's minimal
//! pair), applied to B after its edits ([`Model::avoid_known_bugs`]).

use super::model::{Model, Table};
use schema_core::naming;
use std::collections::BTreeSet;

/// No longer a known bug: a table or enum moved to another schema and renamed in one migration
/// goes through a temporary name, and a moved table's keys and indexes whose names change are
/// renamed before the move, in the old schema (through a temporary name when the new one is taken
/// there), so none collides with those of a table of its old name in the new schema
/// (`table_moved_onto_its_old_name` in `pg_property/known_bugs.rs`). While set, such a table
/// or enum loses its `renamed_from` (it becomes a drop and a create); kept as a switch for
/// bisecting.
pub const AVOID_MOVE_ONTO_OLD_NAME: bool = false;

/// No longer a known bug: `ALTER TABLE .. SET SCHEMA` moves a table's identity sequences along
/// under their names (`events_id_seq`), so before a move each is renamed to a name free in
/// both schemas (`Change::RenameIdentitySequence`;
/// `table_with_identity_moved_onto_its_old_name` in `pg_property/known_bugs.rs`). While set, a
/// moved table whose identity sequence would meet one of the same name loses its
/// `renamed_from` (it becomes a drop and a create); kept as a switch for bisecting.
pub const AVOID_MOVE_ONTO_SEQUENCE_NAME: bool = false;

/// KNOWN BUG: a key or index name that one table gives up and another table of the same
/// schema takes in one migration collides: `audit.teams` renames its `teams_pk` to
/// `teams_pkey` while `public.teams`, keeping its `teams_pk`, moves into `audit`, and the move
/// comes before the constraint rename (`relation "teams_pk" already exists in schema
/// "audit"`; `table_moved_onto_a_key_name_freed_in_the_same_migration` in
/// `pg_property/known_bugs.rs`, ignored); likewise a rename onto a name a table dropped later in the migration still holds.
/// While set, B's tables never take an explicit name another table of their schema had in A
/// (the name is left out, so the derived one is used).
pub const AVOID_MOVE_ONTO_FREED_KEY_NAME: bool = true;

/// The names `t` takes in its schema's relation namespace: its primary key, unique
/// constraints and indexes (explicit or derived).
pub(super) fn relation_names(t: &Table) -> BTreeSet<String> {
    let sql = |cols: &[String]| -> Vec<String> {
        cols.iter()
            .filter_map(|c| t.field(c).map(|f| f.name.clone()))
            .collect()
    };
    let mut out = BTreeSet::new();
    out.insert(
        t.pk_name
            .clone()
            .unwrap_or_else(|| naming::primary_key(&t.name)),
    );
    for f in &t.fields {
        let one = std::slice::from_ref(&f.name);
        if f.unique {
            out.insert(naming::unique(&t.name, one));
        }
        if f.index {
            out.insert(naming::index(&t.name, one));
        }
    }
    for u in &t.uniques {
        out.insert(
            u.name
                .clone()
                .unwrap_or_else(|| naming::unique(&t.name, &sql(&u.columns))),
        );
    }
    for i in &t.indexes {
        out.insert(
            i.name
                .clone()
                .unwrap_or_else(|| naming::index(&t.name, &sql(&i.columns))),
        );
    }
    out
}

impl Model {
    /// B (this model) with the patterns the set switches avoid taken out; `before` is A.
    pub(super) fn avoid_known_bugs(&mut self, before: &Model) {
        if AVOID_MOVE_ONTO_OLD_NAME {
            for t in &mut self.tables {
                let Some((schema, name)) = t.orig.clone() else {
                    continue;
                };
                let collides = schema != t.schema
                    && name != t.name
                    && before
                        .tables
                        .iter()
                        .any(|o| o.schema == t.schema && o.name == name);
                if collides {
                    t.orig = None;
                    for f in &mut t.fields {
                        f.orig = None;
                        f.orig_ty = None;
                    }
                }
            }
            for e in &mut self.enums {
                let Some((schema, name)) = e.orig.clone() else {
                    continue;
                };
                let collides = schema != e.schema
                    && name != e.name
                    && before
                        .enums
                        .iter()
                        .any(|o| o.schema == e.schema && o.name == name);
                if collides {
                    e.orig = None;
                }
            }
        }
        if AVOID_MOVE_ONTO_FREED_KEY_NAME {
            self.avoid_freed_key_names(before);
        }
        if AVOID_MOVE_ONTO_SEQUENCE_NAME {
            for t in &mut self.tables {
                if before.sequence_collides(t) {
                    t.orig = None;
                    for f in &mut t.fields {
                        f.orig = None;
                        f.orig_ty = None;
                    }
                }
            }
        }
    }

    /// Clears every explicit key or index name of a table of B (this model) that another
    /// table of the same schema had in A (`before`), then repairs: the derived names of
    /// distinct tables never meet. See [`AVOID_MOVE_ONTO_FREED_KEY_NAME`].
    fn avoid_freed_key_names(&mut self, before: &Model) {
        for t in &mut self.tables {
            let held: std::collections::BTreeSet<String> = before
                .tables
                .iter()
                .filter(|o| o.schema == t.schema && o.rust != t.rust)
                .flat_map(relation_names)
                .collect();
            let taken = |n: &Option<String>| n.as_ref().is_some_and(|n| held.contains(n));
            if taken(&t.pk_name) {
                t.pk_name = None;
            }
            for u in &mut t.uniques {
                if taken(&u.name) {
                    u.name = None;
                }
            }
            for i in &mut t.indexes {
                if taken(&i.name) {
                    i.name = None;
                }
            }
        }
        self.repair();
    }

    /// Whether `t` (of schema B) is moved from another schema with an identity column whose
    /// sequence name (`table_column_seq`) an identity column of `t`'s new schema in A has.
    fn sequence_collides(&self, t: &Table) -> bool {
        let Some((schema, name)) = &t.orig else {
            return false;
        };
        let Some(old) = self
            .tables
            .iter()
            .find(|o| o.schema == *schema && o.name == *name)
        else {
            return false;
        };
        if old.schema == t.schema {
            return false;
        }
        let sequences = |o: &Table| -> Vec<String> {
            o.fields
                .iter()
                .filter(|f| f.identity)
                .map(|f| format!("{}_{}_seq", o.name, f.name))
                .collect()
        };
        let moved = sequences(old);
        self.tables
            .iter()
            .filter(|o| o.schema == t.schema)
            .any(|o| sequences(o).iter().any(|s| moved.contains(s)))
    }
}
