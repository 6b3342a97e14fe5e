//! Edits of issue 13's kinds: struct-level foreign keys, `nulls_not_distinct`, generated
//! columns, identity options, row-level security and policies, sequences and views. Numbers
//! pick what they act on modulo what exists; an edit that finds nothing does nothing.

use super::kinds::{identity_options, POLICY_NAMES};
use super::model::{action, free_name, Model};
use super::objects::{sequence_options, SEQUENCE_NAMES, VIEW_NAMES};
use super::spec::{CompositeSpec, PolicySpec, SequenceSpec, ViewSpec};
use schema_core::model::PolicyCommand;

#[derive(Debug, Clone)]
pub enum KindEdit {
    AddCompositeKey(u8, CompositeSpec),
    DropCompositeKey(u8, u8),
    /// New actions; the high bit of the last number toggles an explicit name.
    AlterCompositeKey(u8, u8, u8, u8, u8),
    /// On a unique (even numbers) or a unique index (odd ones).
    ToggleNullsNotDistinct(u8, u8),
    /// Makes a column generated over another, changes its expression, or (`op % 4 == 3`)
    /// makes a generated column plain.
    SetGenerated(u8, u8, u8, u8),
    /// On one of the table's identity columns.
    ChangeIdentityOptions(u8, u8, u8),
    ToggleRls(u8),
    AddPolicy(u8, PolicySpec),
    DropPolicy(u8, u8),
    /// Toggles one of: the role, `using`, `with_check`, the command, `as restrictive`.
    AlterPolicy(u8, u8, u8),
    RenamePolicy(u8, u8, u8),
    AddSequence(SequenceSpec),
    DropSequence(u8),
    AlterSequence(u8, u8),
    RenameSequence(u8, u8),
    /// Between `public` and `audit`.
    MoveSequence(u8),
    AddView(ViewSpec),
    DropView(u8),
    /// Toggles the filter, or adds or drops a column (picked by the last number).
    AlterView(u8, u8, u8),
    RenameView(u8, u8),
    MoveView(u8),
}

fn pick(sel: u8, len: usize) -> Option<usize> {
    (len > 0).then(|| sel as usize % len)
}

fn other_schema(schema: &str) -> &'static str {
    if schema == "public" {
        "audit"
    } else {
        "public"
    }
}

impl Model {
    pub(super) fn apply_kind(&mut self, edit: &KindEdit) {
        use KindEdit::*;
        match edit {
            AddCompositeKey(t, spec) => {
                if let Some(ti) = pick(*t, self.tables.len()) {
                    self.add_composite_key(ti, spec);
                }
            }
            DropCompositeKey(t, i) => self.with_table(*t, |table| {
                if let Some(i) = pick(*i, table.foreign_keys.len()) {
                    table.foreign_keys.remove(i);
                }
            }),
            AlterCompositeKey(t, i, d, u, n) => self.with_table(*t, |table| {
                let Some(i) = pick(*i, table.foreign_keys.len()) else {
                    return;
                };
                let name = (n & 0x80 != 0).then(|| {
                    let k = table.next_number();
                    format!("{}_fk{k}", table.name)
                });
                let key = &mut table.foreign_keys[i];
                key.on_delete = action(*d);
                key.on_update = action(*u);
                if n & 0x80 != 0 {
                    key.name = if key.name.is_some() { None } else { name };
                }
            }),
            ToggleNullsNotDistinct(t, i) => self.with_table(*t, |table| {
                if i % 2 == 0 {
                    if let Some(k) = pick(i / 2, table.uniques.len()) {
                        table.uniques[k].nnd = !table.uniques[k].nnd;
                    }
                } else if let Some(k) = pick(i / 2, table.indexes.len()) {
                    table.indexes[k].nnd = !table.indexes[k].nnd;
                }
            }),
            SetGenerated(t, c, src, o) => self.with_table(*t, |table| {
                // A generated column to make plain, or an integer column that may be one.
                let candidates: Vec<usize> = (0..table.fields.len())
                    .filter(|&i| {
                        let f = &table.fields[i];
                        match o % 4 == 3 {
                            true => f.generated.is_some(),
                            false => {
                                f.ty.is_integer()
                                    && !f.identity
                                    && !table.primary_key.contains(&f.ident)
                            }
                        }
                    })
                    .collect();
                let Some(k) = pick(*c, candidates.len()) else {
                    return;
                };
                let fi = candidates[k];
                if o % 4 == 3 {
                    table.fields[fi].generated = None;
                } else {
                    table.set_generated(fi, *src, *o);
                }
            }),
            ChangeIdentityOptions(t, c, o) => self.with_table(*t, |table| {
                let mut identities: Vec<_> =
                    table.fields.iter_mut().filter(|f| f.identity).collect();
                if let Some(i) = pick(*c, identities.len()) {
                    identities[i].identity_options = identity_options(*o);
                }
            }),
            // Policies need `rls` (#[policy] on a table without it does not compile): turning
            // it off drops them, adding one turns it on.
            ToggleRls(t) => self.with_table(*t, |table| {
                table.rls = !table.rls;
                if !table.rls {
                    table.policies.clear();
                }
            }),
            AddPolicy(t, spec) => self.with_table(*t, |table| {
                table.rls = true;
                table.add_policy(spec);
            }),
            DropPolicy(t, i) => self.with_table(*t, |table| {
                if let Some(i) = pick(*i, table.policies.len()) {
                    table.policies.remove(i);
                }
            }),
            AlterPolicy(t, i, what) => self.with_table(*t, |table| {
                let Some(i) = pick(*i, table.policies.len()) else {
                    return;
                };
                let first = table.fields[*what as usize % table.fields.len()]
                    .ident
                    .clone();
                let p = &mut table.policies[i];
                match what % 5 {
                    0 => p.role = !p.role,
                    1 => p.using = if p.using.is_some() { None } else { Some(first) },
                    2 => {
                        p.with_check = if p.with_check.is_some() {
                            None
                        } else {
                            Some(first)
                        }
                    }
                    3 => {
                        let all = PolicyCommand::ALL;
                        let at = all.iter().position(|(_, c)| *c == p.command).unwrap_or(0);
                        p.command = all[(at + 1) % all.len()].1;
                    }
                    _ => p.restrictive = !p.restrictive,
                }
            }),
            RenamePolicy(t, i, n) => self.with_table(*t, |table| {
                let Some(i) = pick(*i, table.policies.len()) else {
                    return;
                };
                let taken: Vec<String> = table
                    .policies
                    .iter()
                    .flat_map(|p| [Some(p.name.clone()), p.orig.clone()])
                    .flatten()
                    .collect();
                table.policies[i].name =
                    free_name(POLICY_NAMES, *n, |x| taken.iter().any(|t| t == x));
            }),
            AddSequence(spec) => self.add_sequence(spec),
            DropSequence(i) => {
                if let Some(i) = pick(*i, self.sequences.len()) {
                    self.sequences.remove(i);
                }
            }
            AlterSequence(i, o) => {
                if let Some(i) = pick(*i, self.sequences.len()) {
                    self.sequences[i].options = sequence_options(*o);
                }
            }
            RenameSequence(i, n) => {
                if let Some(i) = pick(*i, self.sequences.len()) {
                    let schema = self.sequences[i].schema.clone();
                    self.sequences[i].name = self.claim_name(SEQUENCE_NAMES, *n, &schema);
                }
            }
            MoveSequence(i) => {
                if let Some(i) = pick(*i, self.sequences.len()) {
                    let schema = other_schema(&self.sequences[i].schema).to_string();
                    let sel = SEQUENCE_NAMES
                        .iter()
                        .position(|x| *x == self.sequences[i].name)
                        .unwrap_or(0) as u8;
                    self.sequences[i].name = self.claim_name(SEQUENCE_NAMES, sel, &schema);
                    self.sequences[i].schema = schema;
                }
            }
            AddView(spec) => self.add_view(spec),
            DropView(i) => {
                if let Some(i) = pick(*i, self.views.len()) {
                    self.views.remove(i);
                }
            }
            AlterView(i, what, c) => self.alter_view(*i, *what, *c),
            RenameView(i, n) => {
                if let Some(i) = pick(*i, self.views.len()) {
                    let schema = self.views[i].schema.clone();
                    self.views[i].name = self.claim_name(VIEW_NAMES, *n, &schema);
                }
            }
            MoveView(i) => {
                if let Some(i) = pick(*i, self.views.len()) {
                    let schema = other_schema(&self.views[i].schema).to_string();
                    let sel = VIEW_NAMES
                        .iter()
                        .position(|x| *x == self.views[i].name)
                        .unwrap_or(0) as u8;
                    self.views[i].name = self.claim_name(VIEW_NAMES, sel, &schema);
                    self.views[i].schema = schema;
                }
            }
        }
    }

    fn alter_view(&mut self, i: u8, what: u8, c: u8) {
        let Some(i) = pick(i, self.views.len()) else {
            return;
        };
        let Some(t) = self.tables.iter().find(|t| t.rust == self.views[i].table) else {
            return;
        };
        let f = &t.fields[c as usize % t.fields.len()];
        let (ident, name) = (f.ident.clone(), f.name.clone());
        let v = &mut self.views[i];
        match what % 3 {
            0 => {
                v.filter = if v.filter.is_some() {
                    None
                } else {
                    Some(ident)
                }
            }
            1 if v.columns.len() > 1 => {
                v.columns.remove(c as usize % v.columns.len());
            }
            _ => v.columns.push((ident, name)),
        }
    }
}
