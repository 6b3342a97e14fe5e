//! Repair: makes any model valid, the way a user would have to fix the source to compile and
//! resolve. Whatever an edit left dangling (a key on a dropped column, a foreign key whose
//! target changed type, a default that no longer fits) is dropped or brought in line.

use super::model::{Enum, Model, Table, ENUM_VALUES};
use super::ty::Ty;
use schema_core::model::FkAction;
use schema_core::naming;
use std::collections::{BTreeMap, BTreeSet};

/// PostgreSQL's `CREATE TABLE` silently leaves out a UNIQUE constraint whose column list equals
/// the primary key's or an earlier UNIQUE's, so `resolve` rejects such a declaration; the
/// generator never declares one (see `redundant_uniques_are_rejected` in
/// `pg_property/known_bugs.rs`).
pub const AVOID_REDUNDANT_UNIQUES: bool = true;

pub fn dedup(list: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    list.retain(|x| seen.insert(x.clone()));
}

impl Model {
    /// Makes the model valid: whatever an edit left dangling or contradictory is dropped or
    /// brought in line, the way a user would have to fix it to compile.
    pub fn repair(&mut self) {
        for e in &mut self.enums {
            dedup(&mut e.values);
            if e.values.is_empty() {
                e.values.push(ENUM_VALUES[0].to_string());
            }
        }
        let enums = self.enums.clone();
        for t in &mut self.tables {
            t.repair(&enums);
        }
        self.repair_references();
        self.repair_composite_keys();
        self.repair_views();
        self.repair_relation_names();
    }

    fn repair_references(&mut self) {
        let targets: BTreeMap<String, (Vec<String>, BTreeMap<String, Ty>)> = self
            .tables
            .iter()
            .map(|t| {
                let types = t
                    .fields
                    .iter()
                    .map(|f| (f.ident.clone(), f.ty.clone()))
                    .collect();
                (t.rust.clone(), (t.primary_key.clone(), types))
            })
            .collect();
        for t in &mut self.tables {
            for f in &mut t.fields {
                let Some(r) = &mut f.references else { continue };
                let valid = targets.get(&r.table).is_some_and(|(pk, types)| {
                    pk.as_slice() == [r.field.clone()] && types.get(&r.field) == Some(&f.ty)
                }) && !(r.table == t.rust && r.field == f.ident);
                if !valid {
                    f.references = None;
                    continue;
                }
                for a in [&mut r.on_delete, &mut r.on_update] {
                    let bad = (*a == FkAction::SetNull && !f.nullable)
                        || (*a == FkAction::SetDefault && f.default.is_none());
                    if bad {
                        *a = FkAction::NoAction;
                    }
                }
            }
        }
    }

    /// Tables, keys and indexes share one namespace per schema: a later key or index whose
    /// name is taken is dropped.
    fn repair_relation_names(&mut self) {
        let mut seen: BTreeSet<(String, String)> = self
            .tables
            .iter()
            .map(|t| (t.schema.clone(), t.name.clone()))
            .collect();
        for t in &mut self.tables {
            let mut claim = |name: String| seen.insert((t.schema.clone(), name));
            if let Some(name) = &t.pk_name {
                if !claim(name.clone()) {
                    t.pk_name = None;
                }
            }
            if t.pk_name.is_none() {
                claim(naming::primary_key(&t.name));
            }
            let names: BTreeMap<String, String> = t
                .fields
                .iter()
                .map(|f| (f.ident.clone(), f.name.clone()))
                .collect();
            let sql = |cols: &[String]| -> Vec<String> {
                cols.iter().map(|c| names[c].clone()).collect()
            };
            for f in &mut t.fields {
                if f.unique && !claim(naming::unique(&t.name, std::slice::from_ref(&f.name))) {
                    f.unique = false;
                }
            }
            t.uniques.retain(|u| {
                claim(
                    u.name
                        .clone()
                        .unwrap_or_else(|| naming::unique(&t.name, &sql(&u.columns))),
                )
            });
            for f in &mut t.fields {
                if f.index && !claim(naming::index(&t.name, std::slice::from_ref(&f.name))) {
                    f.index = false;
                }
            }
            t.indexes.retain(|i| {
                claim(
                    i.name
                        .clone()
                        .unwrap_or_else(|| naming::index(&t.name, &sql(&i.columns))),
                )
            });
        }
    }
}

impl Table {
    pub(super) fn repair(&mut self, enums: &[Enum]) {
        let known: BTreeSet<&str> = enums.iter().map(|e| e.rust.as_str()).collect();
        for f in &mut self.fields {
            if f.ty.enum_name().is_some_and(|e| !known.contains(e)) {
                f.ty = if f.ty.is_array() {
                    Ty::TextArray
                } else {
                    Ty::Text
                };
            }
        }
        let idents: BTreeSet<String> = self.fields.iter().map(|f| f.ident.clone()).collect();
        let exists = |c: &String| idents.contains(c);
        self.primary_key.retain(exists);
        dedup(&mut self.primary_key);
        if self.primary_key.is_empty() {
            self.primary_key.push(self.fields[0].ident.clone());
        }
        for f in &mut self.fields {
            if self.primary_key.contains(&f.ident) {
                f.nullable = false;
            }
            f.identity &= f.ty.is_integer();
            if f.identity {
                f.nullable = false;
                f.default = None;
            }
            let fits = f
                .default
                .as_ref()
                .map(|d| f.ty.defaults(&Model::labels(enums, &f.ty)).contains(d));
            if fits == Some(false) {
                f.default = None;
            }
        }
        let types: BTreeMap<String, Ty> = self
            .fields
            .iter()
            .map(|f| (f.ident.clone(), f.ty.clone()))
            .collect();
        for i in &mut self.indexes {
            i.columns.retain(exists);
            dedup(&mut i.columns);
            i.predicate = i.predicate.take().filter(exists);
            let single = match i.columns.as_slice() {
                [c] => Some(&types[c]),
                _ => None,
            };
            i.using = match i.using {
                Some("hash") if single.is_none() => None,
                Some("gin") if !single.is_some_and(Ty::is_array) => None,
                other => other,
            };
            if matches!(i.using, Some("hash" | "gin")) {
                i.unique = false;
            }
        }
        self.indexes.retain(|i| !i.columns.is_empty());
        for u in &mut self.uniques {
            u.columns.retain(exists);
            dedup(&mut u.columns);
        }
        self.uniques.retain(|u| !u.columns.is_empty());
        if AVOID_REDUNDANT_UNIQUES {
            let mut lists = vec![self.primary_key.clone()];
            for f in &mut self.fields {
                let list = vec![f.ident.clone()];
                if f.unique && lists.contains(&list) {
                    f.unique = false;
                } else if f.unique {
                    lists.push(list);
                }
            }
            self.uniques.retain(|u| {
                let fresh = !lists.contains(&u.columns);
                lists.push(u.columns.clone());
                fresh
            });
        }
        self.checks
            .retain(|c| types.get(&c.column).is_some_and(Ty::is_integer));
        self.repair_kinds();
    }
}
