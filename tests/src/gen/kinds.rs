//! Issue 13's table kinds in the generator's model: struct-level foreign keys over two or more
//! columns, generated (stored) columns, identity options, `nulls_not_distinct`, row-level
//! security and policies; how each is drawn, repaired and written as definitions.

use super::model::{action, free_name, Model, Table};
use super::spec::{CompositeSpec, FieldSpec, PolicySpec};
use schema_core::def::ForeignKeyDef;
use schema_core::model::{self, FkAction, Generated, IdentityOptions, PolicyCommand};
use schema_core::naming;
use std::collections::{BTreeMap, BTreeSet};

/// The role the PostgreSQL property test creates for policies' `to`.
pub const TEST_ROLE: &str = "property_reader";

pub const POLICY_NAMES: &[&str] = &["own_rows", "read_all", "writers", "Audit rows"];

/// What a generated column computes from its source: `"<source>" <op>`.
const OPS: [&str; 3] = ["* 2", "+ 1", "- 3"];

/// A struct-level `#[foreign_key(columns(..), references = T, ref_columns(..), ..)]`.
#[derive(Debug, Clone)]
pub struct CompositeKey {
    /// Field identifiers of this table.
    pub columns: Vec<String>,
    /// The target table's Rust name.
    pub target: String,
    /// Field identifiers of the target: its primary key or one of its unique sets.
    pub ref_columns: Vec<String>,
    pub name: Option<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

/// A `#[policy(..)]`; `using` and `with_check` are `"<col>" IS NOT NULL` over a field.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    /// The name in schema A; becomes `renamed_from` in B.
    pub orig: Option<String>,
    pub restrictive: bool,
    pub command: PolicyCommand,
    /// `to = TEST_ROLE` rather than `public`.
    pub role: bool,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

/// Identity options from bits: `always`, `start`, `increment`, `min`, `max`, `cache`, `cycle`,
/// each within a `smallint`'s range.
pub fn identity_options(bits: u8) -> IdentityOptions {
    let on = |k: u8| bits & (1 << k) != 0;
    IdentityOptions {
        always: on(0),
        start: on(1).then_some(10),
        increment: on(2).then_some(if on(7) { 5 } else { 2 }),
        min: on(3).then_some(1),
        max: on(4).then_some(30000),
        cache: on(5).then_some(5),
        cycle: on(6),
    }
}

pub fn op(sel: u8) -> &'static str {
    OPS[sel as usize % OPS.len()]
}

fn command(sel: u8) -> PolicyCommand {
    PolicyCommand::ALL[sel as usize % PolicyCommand::ALL.len()].1
}

impl Model {
    /// Adds a struct-level foreign key from table `ti` to a key of two or more columns of the
    /// table `spec.target` picks, on columns of the same types (new ones where none is free).
    pub fn add_composite_key(&mut self, ti: usize, spec: &CompositeSpec) {
        let tj = spec.target as usize % self.tables.len();
        let sets = self.tables[tj].key_sets();
        if sets.is_empty() {
            return;
        }
        let ref_columns = sets[spec.key as usize % sets.len()].clone();
        let target = &self.tables[tj];
        let types: Vec<_> = ref_columns
            .iter()
            .filter_map(|r| target.field(r).map(|f| f.ty.clone()))
            .collect();
        let target_rust = target.rust.clone();
        let enums = self.enums.clone();
        let table = &mut self.tables[ti];
        let mut columns: Vec<String> = Vec::new();
        for (r, ty) in ref_columns.iter().zip(types) {
            let free = table.fields.iter().find(|f| {
                f.ty == ty
                    && f.generated.is_none()
                    && !columns.contains(&f.ident)
                    && !(ti == tj && f.ident == *r)
            });
            let ident = match free {
                Some(f) => f.ident.clone(),
                None => {
                    let spec = FieldSpec {
                        name: spec.key.wrapping_add(columns.len() as u8),
                        ty: 0,
                        nullable: true,
                        default: None,
                        identity: false,
                        identity_options: None,
                        generated: None,
                        unique: false,
                        index: false,
                        references: None,
                    };
                    let fi = table.add_field(&spec, &enums);
                    let f = &mut table.fields[fi];
                    f.ty = ty;
                    f.ident.clone()
                }
            };
            columns.push(ident);
        }
        let name = spec.named.then(|| {
            let k = table.next_number();
            format!("{}_fk{k}", table.name)
        });
        table.foreign_keys.push(CompositeKey {
            columns,
            target: target_rust,
            ref_columns,
            name,
            on_delete: action(spec.del),
            on_update: action(spec.upd),
        });
    }

    /// Drops every struct-level foreign key that no longer fits: a column gone or generated,
    /// a type that differs from its target's, a target key that is no longer a key; actions
    /// the columns cannot take become `NO ACTION`.
    pub(super) fn repair_composite_keys(&mut self) {
        let targets: BTreeMap<String, Table> = self
            .tables
            .iter()
            .map(|t| (t.rust.clone(), t.clone()))
            .collect();
        for t in &mut self.tables {
            let fields = t.fields.clone();
            let field = |i: &String| fields.iter().find(|f| f.ident == *i);
            // Constraint names are one namespace per table.
            let mut names: BTreeSet<String> = fields
                .iter()
                .filter(|f| f.references.is_some())
                .map(|f| naming::foreign_key(&t.name, std::slice::from_ref(&f.name)))
                .collect();
            let mut declared = BTreeSet::new();
            t.foreign_keys.retain_mut(|k| {
                let Some(target) = targets.get(&k.target) else {
                    return false;
                };
                let is_key = target
                    .key_sets()
                    .iter()
                    .any(|s| same_set(s, &k.ref_columns));
                let mut seen = BTreeSet::new();
                let columns_fit = k.columns.len() == k.ref_columns.len()
                    && k.columns.iter().zip(&k.ref_columns).all(|(c, r)| {
                        let (Some(c), Some(r)) = (field(c), target.field(r)) else {
                            return false;
                        };
                        c.ty == r.ty && c.generated.is_none() && seen.insert(c.ident.clone())
                    });
                if !is_key || !columns_fit {
                    return false;
                }
                let sql: Vec<String> = k
                    .columns
                    .iter()
                    .filter_map(|c| field(c).map(|f| f.name.clone()))
                    .collect();
                let name = k
                    .name
                    .clone()
                    .unwrap_or_else(|| naming::foreign_key(&t.name, &sql));
                // The same key twice (its column pairs in any order) is no schema a user
                // writes, and SQLite's catalog cannot tell the two apart by name.
                let mut pairs: Vec<(String, String)> = k
                    .columns
                    .iter()
                    .cloned()
                    .zip(k.ref_columns.iter().cloned())
                    .collect();
                pairs.sort();
                if !names.insert(name) || !declared.insert((k.target.clone(), pairs)) {
                    return false;
                }
                let nullable = k
                    .columns
                    .iter()
                    .all(|c| field(c).is_some_and(|f| f.nullable));
                let defaults = k
                    .columns
                    .iter()
                    .all(|c| field(c).is_some_and(|f| f.default.is_some()));
                for a in [&mut k.on_delete, &mut k.on_update] {
                    if (*a == FkAction::SetNull && !nullable)
                        || (*a == FkAction::SetDefault && !defaults)
                    {
                        *a = FkAction::NoAction;
                    }
                }
                true
            });
        }
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let (x, y): (BTreeSet<&String>, BTreeSet<&String>) = (a.iter().collect(), b.iter().collect());
    x == y && a.len() == b.len()
}

impl Table {
    /// Keys of two or more columns a composite foreign key may reference: the primary key and
    /// the `#[unique(..)]` sets, none over a generated column.
    pub fn key_sets(&self) -> Vec<Vec<String>> {
        let mut sets = vec![self.primary_key.clone()];
        sets.extend(self.uniques.iter().map(|u| u.columns.clone()));
        sets.retain(|s| {
            s.len() >= 2
                && s.iter()
                    .all(|c| self.field(c).is_some_and(|f| f.generated.is_none()))
        });
        sets
    }

    pub fn add_policy(&mut self, spec: &PolicySpec) {
        let taken: Vec<String> = self.policies.iter().map(|p| p.name.clone()).collect();
        let name = free_name(POLICY_NAMES, spec.name, |n| taken.iter().any(|t| t == n));
        let n = self.fields.len();
        let pick = |sel: u8| self.fields[sel as usize % n].ident.clone();
        self.policies.push(Policy {
            name,
            orig: None,
            restrictive: spec.restrictive,
            command: command(spec.command),
            role: spec.role,
            using: spec.using.map(pick),
            with_check: spec.with_check.map(pick),
        });
    }

    /// Makes field `fi` generated over the integer field `src` picks (repair drops it where
    /// that cannot be).
    pub fn set_generated(&mut self, fi: usize, src: u8, op_sel: u8) {
        let sources: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.ty.is_integer() && f.ident != self.fields[fi].ident)
            .map(|f| f.ident.clone())
            .collect();
        if sources.is_empty() {
            return;
        }
        let source = sources[src as usize % sources.len()].clone();
        let f = &mut self.fields[fi];
        f.generated = Some((source, op(op_sel)));
        f.default = None;
        f.identity = false;
    }

    /// The per-table rules of issue 13's kinds: a generated column is an integer over an
    /// integer field that is neither generated nor an identity, and is no key, identity,
    /// default or reference; identity options need an identity; `nulls_not_distinct` needs a
    /// unique btree index; policies read existing fields, only in the clauses their command
    /// takes, and have distinct names.
    pub(super) fn repair_kinds(&mut self) {
        let snapshot = self.fields.clone();
        for f in &mut self.fields {
            let valid = f.generated.as_ref().is_some_and(|(src, _)| {
                let source = snapshot.iter().find(|s| s.ident == *src);
                f.ty.is_integer()
                    && !f.identity
                    && !self.primary_key.contains(&f.ident)
                    && *src != f.ident
                    && source
                        .is_some_and(|s| s.ty.is_integer() && s.generated.is_none() && !s.identity)
            });
            if valid {
                f.default = None;
                f.references = None;
            } else {
                f.generated = None;
            }
            if !f.identity {
                f.identity_options = IdentityOptions::default();
            }
        }
        for i in &mut self.indexes {
            i.nnd &= i.unique && i.using.is_none_or(|u| u == "btree");
        }
        let idents: BTreeSet<String> = self.fields.iter().map(|f| f.ident.clone()).collect();
        let mut names = BTreeSet::new();
        self.policies.retain(|p| names.insert(p.name.clone()));
        for p in &mut self.policies {
            p.using = p
                .using
                .take()
                .filter(|c| idents.contains(c) && p.command.takes_using());
            p.with_check = p
                .with_check
                .take()
                .filter(|c| idents.contains(c) && p.command.takes_with_check());
        }
    }

    pub(super) fn generated_def(&self, f: &super::model::Field) -> Option<Generated> {
        let (src, op) = f.generated.as_ref()?;
        Some(Generated {
            expr: format!("{} {op}", quoted(&self.sql_name(src))),
            is_virtual: false,
        })
    }

    pub(super) fn composite_defs(&self) -> Vec<ForeignKeyDef> {
        self.foreign_keys
            .iter()
            .map(|k| ForeignKeyDef {
                columns: k.columns.clone(),
                table: k.target.clone(),
                ref_columns: k.ref_columns.clone(),
                name: k.name.clone(),
                on_delete: k.on_delete,
                on_update: k.on_update,
            })
            .collect()
    }

    pub(super) fn policy_defs(&self) -> Vec<model::Policy> {
        let clause = |c: &Option<String>| {
            c.as_ref()
                .map(|c| format!("{} IS NOT NULL", quoted(&self.sql_name(c))))
        };
        self.policies
            .iter()
            .map(|p| model::Policy {
                name: p.name.clone(),
                restrictive: p.restrictive,
                command: p.command,
                roles: match p.role {
                    true => vec![TEST_ROLE.to_string()],
                    false => Vec::new(),
                },
                using: clause(&p.using),
                with_check: clause(&p.with_check),
                renamed_from: p.orig.clone().filter(|o| *o != p.name),
            })
            .collect()
    }
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}
