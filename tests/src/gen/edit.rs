//! Edits that turn schema A into B: one per kind of change the diff knows. Numbers pick the
//! table, column, enum or new name modulo what exists; an edit that finds nothing to act on
//! does nothing, and [`Model::repair`] fixes up whatever an edit left dangling.

use super::edit_kinds::KindEdit;
use super::model::{
    action, free_name, Enum, Field, Model, Table, COLUMN_NAMES, ENUM_NAMES, ENUM_VALUES,
    TABLE_NAMES,
};
use super::spec::{EnumSpec, FieldSpec, IndexSpec, TableSpec};
use super::ty::Ty;

/// One edit; see each variant's effect in [`Model::apply`].
#[derive(Debug, Clone)]
pub enum Edit {
    AddTable(TableSpec),
    DropTable(u8),
    RenameTable(u8, u8),
    /// Between `public` and `audit`, with `renamed_from = "schema.name"`.
    MoveTable(u8),
    /// Every table and enum of `audit` to `archive` (a schema rename), unless `archive` is in use.
    RenameSchema,
    AddColumn(u8, FieldSpec),
    DropColumn(u8, u8),
    RenameColumn(u8, u8, u8),
    /// To a type the column can be cast to; with the high bit set, the foreign keys that point
    /// at the column follow it.
    ChangeType(u8, u8, u8),
    ToggleNullable(u8, u8),
    ChangeDefault(u8, u8, u8),
    ToggleIdentity(u8, u8),
    ToggleUnique(u8, u8),
    ToggleIndex(u8, u8),
    ChangePrimaryKey(u8, u8, u8, bool),
    AddIndex(u8, IndexSpec),
    DropIndex(u8, u8),
    /// Toggles one of: unique, the predicate, `using = "hash"`, a second column.
    AlterIndex(u8, u8, u8),
    AddUnique(u8, u8, Option<u8>),
    DropUnique(u8, u8),
    AddCheck(u8, u8, i32),
    DropCheck(u8, u8),
    AlterCheck(u8, u8, i32),
    /// On the column when its type matches the target's key, else on a new column.
    AddForeignKey(u8, u8, (u8, u8, u8)),
    DropForeignKey(u8, u8),
    AlterForeignKey(u8, u8, u8, u8),
    AddEnum(EnumSpec),
    DropEnum(u8),
    RenameEnum(u8, u8),
    MoveEnum(u8),
    AddEnumValue(u8, u8, u8),
    RemoveEnumValue(u8, u8),
    SwapEnumValues(u8, u8),
    /// An edit of issue 13's kinds (see [`KindEdit`]).
    Kind(KindEdit),
}

/// The types field `f` may have in B: its type in A and the types that type casts to.
fn castable(f: &Field, enums: &[String]) -> Vec<Ty> {
    let base = f.orig_ty.clone().unwrap_or_else(|| f.ty.clone());
    let mut options = base.casts(enums);
    options.push(base);
    options.retain(|t| *t != f.ty);
    options
}

fn pick(sel: u8, len: usize) -> Option<usize> {
    (len > 0).then(|| sel as usize % len)
}

impl Model {
    /// Schema B: this model after `edits`, repaired.
    pub fn edited(&self, edits: &[Edit]) -> Model {
        let mut m = self.clone();
        for e in edits {
            m.apply(e);
            m.repair();
        }
        m.avoid_known_bugs(self);
        m
    }

    pub(super) fn table(&mut self, sel: u8) -> Option<(usize, &mut Table)> {
        let i = pick(sel, self.tables.len())?;
        Some((i, &mut self.tables[i]))
    }

    fn enum_mut(&mut self, sel: u8) -> Option<&mut Enum> {
        let i = pick(sel, self.enums.len())?;
        Some(&mut self.enums[i])
    }

    fn apply(&mut self, edit: &Edit) {
        use Edit::*;
        match edit {
            AddTable(spec) => {
                let ti = self.add_table(spec);
                self.link_fields(ti, spec);
            }
            DropTable(t) => {
                if let Some(i) = pick(*t, self.tables.len()) {
                    self.tables.remove(i);
                }
            }
            RenameTable(t, n) => self.rename_table(*t, None, *n),
            MoveTable(t) => {
                let Some((_, table)) = self.table(*t) else {
                    return;
                };
                let to = if table.schema == "public" {
                    "audit"
                } else {
                    "public"
                };
                self.rename_table(*t, Some(to.to_string()), 0);
            }
            RenameSchema => self.rename_schema("audit", "archive"),
            AddColumn(t, spec) => {
                let enums = self.enums.clone();
                let Some((ti, table)) = self.table(*t) else {
                    return;
                };
                let fi = table.add_field(spec, &enums);
                if let Some(r) = spec.references {
                    self.link(ti, fi, r);
                }
            }
            DropColumn(t, c) => {
                let Some((_, table)) = self.table(*t) else {
                    return;
                };
                if table.fields.len() > 1 {
                    let i = *c as usize % table.fields.len();
                    table.fields.remove(i);
                }
            }
            RenameColumn(t, c, n) => {
                let Some((_, table)) = self.table(*t) else {
                    return;
                };
                let i = *c as usize % table.fields.len();
                let name = free_name(COLUMN_NAMES, *n, |x| table.used.contains(x));
                table.used.insert(name.clone());
                table.fields[i].name = name;
            }
            ChangeType(t, c, n) => self.change_type(*t, *c, *n),
            ToggleNullable(t, c) => self.with_field(*t, *c, |f| f.nullable = !f.nullable),
            ChangeDefault(t, c, n) => {
                let enums = self.enums.clone();
                self.with_field(*t, *c, |f| {
                    let options = f.ty.defaults(&Model::labels(&enums, &f.ty));
                    f.default = options.get(*n as usize % (options.len() + 1)).cloned();
                    f.identity &= f.default.is_none();
                });
            }
            ToggleIdentity(t, c) => self.with_field(*t, *c, |f| {
                f.identity = !f.identity && f.ty.is_integer();
                if f.identity {
                    f.nullable = false;
                    f.default = None;
                }
            }),
            ToggleUnique(t, c) => self.with_field(*t, *c, |f| f.unique = !f.unique),
            ToggleIndex(t, c) => self.with_field(*t, *c, |f| f.index = !f.index),
            ChangePrimaryKey(t, a, b, composite) => {
                let Some((_, table)) = self.table(*t) else {
                    return;
                };
                let n = table.fields.len();
                let first = *a as usize % n;
                table.primary_key = vec![table.fields[first].ident.clone()];
                if *composite && n >= 2 {
                    let second = (first + 1 + *b as usize % (n - 1)) % n;
                    table.primary_key.push(table.fields[second].ident.clone());
                }
                // A name of its own, or the derived one: the same columns then rename the key.
                table.pk_name = (*b % 3 == 0).then(|| format!("{}_pk{}", table.name, b % 2));
            }
            AddIndex(t, spec) => {
                if let Some((_, table)) = self.table(*t) {
                    table.add_index(spec);
                }
            }
            DropIndex(t, i) => self.with_table(*t, |table| {
                if let Some(i) = pick(*i, table.indexes.len()) {
                    table.indexes.remove(i);
                }
            }),
            AlterIndex(t, i, what) => self.alter_index(*t, *i, *what),
            AddUnique(t, a, b) => self.with_table(*t, |table| table.add_unique(*a, *b, false)),
            DropUnique(t, i) => self.with_table(*t, |table| {
                if let Some(i) = pick(*i, table.uniques.len()) {
                    table.uniques.remove(i);
                }
            }),
            AddCheck(t, c, bound) => {
                self.with_table(*t, |table| table.add_check(*c, *bound, false))
            }
            DropCheck(t, i) => self.with_table(*t, |table| {
                if let Some(i) = pick(*i, table.checks.len()) {
                    table.checks.remove(i);
                }
            }),
            AlterCheck(t, i, bound) => self.with_table(*t, |table| {
                if let Some(i) = pick(*i, table.checks.len()) {
                    table.checks[i].bound = *bound;
                }
            }),
            AddForeignKey(t, c, target) => self.add_foreign_key(*t, *c, *target),
            DropForeignKey(t, i) => self.with_foreign_key(*t, *i, |f| f.references = None),
            AlterForeignKey(t, i, d, u) => self.with_foreign_key(*t, *i, |f| {
                if let Some(r) = &mut f.references {
                    r.on_delete = action(*d);
                    r.on_update = action(*u);
                }
            }),
            AddEnum(spec) => self.add_enum(spec),
            DropEnum(e) => {
                if let Some(i) = pick(*e, self.enums.len()) {
                    self.enums.remove(i);
                }
            }
            RenameEnum(e, n) => self.rename_enum(*e, None, *n),
            MoveEnum(e) => {
                let Some(en) = self.enum_mut(*e) else { return };
                let to = if en.schema == "public" {
                    "audit"
                } else {
                    "public"
                };
                self.rename_enum(*e, Some(to.to_string()), 0);
            }
            AddEnumValue(e, v, p) => {
                if let Some(en) = self.enum_mut(*e) {
                    let value = free_name(ENUM_VALUES, *v, |x| en.values.iter().any(|w| w == x));
                    let at = *p as usize % (en.values.len() + 1);
                    en.values.insert(at, value);
                }
            }
            RemoveEnumValue(e, i) => {
                if let Some(en) = self.enum_mut(*e) {
                    if en.values.len() > 1 {
                        en.values.remove(*i as usize % en.values.len());
                    }
                }
            }
            Kind(k) => self.apply_kind(k),
            SwapEnumValues(e, i) => {
                if let Some(en) = self.enum_mut(*e) {
                    if en.values.len() > 1 {
                        let i = *i as usize % (en.values.len() - 1);
                        en.values.swap(i, i + 1);
                    }
                }
            }
        }
    }

    pub(super) fn with_table(&mut self, t: u8, f: impl FnOnce(&mut Table)) {
        if let Some((_, table)) = self.table(t) {
            f(table);
        }
    }

    pub(super) fn with_field(&mut self, t: u8, c: u8, f: impl FnOnce(&mut Field)) {
        if let Some((_, table)) = self.table(t) {
            let i = c as usize % table.fields.len();
            f(&mut table.fields[i]);
        }
    }

    /// The `i`-th field of table `t` that is a foreign key.
    fn with_foreign_key(&mut self, t: u8, i: u8, f: impl FnOnce(&mut Field)) {
        if let Some((_, table)) = self.table(t) {
            let mut keys: Vec<&mut Field> = table
                .fields
                .iter_mut()
                .filter(|f| f.references.is_some())
                .collect();
            if let Some(i) = pick(i, keys.len()) {
                f(keys.swap_remove(i));
            }
        }
    }

    /// Renames (to a free name picked by `n`) or moves (to `schema`, keeping the name when free).
    fn rename_table(&mut self, t: u8, schema: Option<String>, n: u8) {
        let Some(i) = pick(t, self.tables.len()) else {
            return;
        };
        let schema = schema.unwrap_or_else(|| self.tables[i].schema.clone());
        let start = TABLE_NAMES
            .iter()
            .position(|x| *x == self.tables[i].name)
            .unwrap_or(0);
        let sel = if schema == self.tables[i].schema {
            n
        } else {
            start as u8
        };
        let name = free_name(TABLE_NAMES, sel, |x| {
            self.used.contains(&(schema.clone(), x.to_string()))
        });
        self.used.insert((schema.clone(), name.clone()));
        self.tables[i].schema = schema;
        self.tables[i].name = name;
    }

    /// Moves every table and enum of `from` to `to`, keeping their names, when `to` is empty.
    fn rename_schema(&mut self, from: &str, to: &str) {
        let in_use = self.tables.iter().any(|t| t.schema == to)
            || self.enums.iter().any(|e| e.schema == to)
            || self.sequences.iter().any(|q| q.schema == to)
            || self.views.iter().any(|v| v.schema == to)
            || self.used.iter().any(|(s, _)| s == to);
        if in_use {
            return;
        }
        for t in self.tables.iter_mut().filter(|t| t.schema == from) {
            t.schema = to.to_string();
            self.used.insert((t.schema.clone(), t.name.clone()));
        }
        for e in self.enums.iter_mut().filter(|e| e.schema == from) {
            e.schema = to.to_string();
        }
        for q in self.sequences.iter_mut().filter(|q| q.schema == from) {
            q.schema = to.to_string();
            self.used.insert((q.schema.clone(), q.name.clone()));
        }
        for v in self.views.iter_mut().filter(|v| v.schema == from) {
            v.schema = to.to_string();
            self.used.insert((v.schema.clone(), v.name.clone()));
        }
    }

    /// Renames (to a free name picked by `n`) or moves (to `schema`, keeping the name when free).
    fn rename_enum(&mut self, e: u8, schema: Option<String>, n: u8) {
        let Some(i) = pick(e, self.enums.len()) else {
            return;
        };
        let schema = schema.unwrap_or_else(|| self.enums[i].schema.clone());
        let start = ENUM_NAMES
            .iter()
            .position(|x| *x == self.enums[i].name)
            .unwrap_or(0);
        let sel = if schema == self.enums[i].schema {
            n
        } else {
            start as u8
        };
        let taken: Vec<String> = self
            .enums
            .iter()
            .filter(|o| o.schema == schema && o.rust != self.enums[i].rust)
            .map(|o| o.name.clone())
            .collect();
        let name = free_name(ENUM_NAMES, sel, |x| taken.iter().any(|t| t == x));
        self.enums[i].schema = schema;
        self.enums[i].name = name;
    }

    fn change_type(&mut self, t: u8, c: u8, n: u8) {
        let rusts = self.enum_rusts();
        let Some((_, table)) = self.table(t) else {
            return;
        };
        let fi = c as usize % table.fields.len();
        let field = &mut table.fields[fi];
        let options = castable(field, &rusts);
        let Some(k) = pick(n & 0x7f, options.len()) else {
            return;
        };
        let (from, to) = (field.ty.clone(), options[k].clone());
        field.ty = to.clone();
        let (rust, ident) = (table.rust.clone(), field.ident.clone());
        if n & 0x80 == 0 {
            return;
        }
        for other in self.tables.iter_mut().flat_map(|t| t.fields.iter_mut()) {
            let points_here = other
                .references
                .as_ref()
                .is_some_and(|r| r.table == rust && r.field == ident);
            if points_here && other.ty == from && castable(other, &rusts).contains(&to) {
                other.ty = to.clone();
            }
        }
    }

    fn alter_index(&mut self, t: u8, i: u8, what: u8) {
        let Some((_, table)) = self.table(t) else {
            return;
        };
        let Some(i) = pick(i, table.indexes.len()) else {
            return;
        };
        let first = table.fields[0].ident.clone();
        let last = table.fields[table.fields.len() - 1].ident.clone();
        let index = &mut table.indexes[i];
        match what % 4 {
            0 => index.unique = !index.unique,
            1 => {
                index.predicate = if index.predicate.is_some() {
                    None
                } else {
                    Some(first)
                }
            }
            2 => {
                index.using = if index.using == Some("hash") {
                    None
                } else {
                    Some("hash")
                }
            }
            _ => {
                if index.columns.len() > 1 {
                    index.columns.truncate(1);
                } else {
                    index.columns.push(last);
                }
            }
        }
    }

    fn add_foreign_key(&mut self, t: u8, c: u8, (target, del, upd): (u8, u8, u8)) {
        let Some(ti) = pick(t, self.tables.len()) else {
            return;
        };
        let fi = c as usize % self.tables[ti].fields.len();
        let tj = target as usize % self.tables.len();
        let target_ty = match self.tables[tj].primary_key.as_slice() {
            [pk] => self.tables[tj].field(pk).map(|f| f.ty.clone()),
            _ => None,
        };
        let Some(target_ty) = target_ty else { return };
        let fi = if self.tables[ti].fields[fi].ty == target_ty {
            fi
        } else {
            let spec = FieldSpec {
                name: c,
                ty: 0,
                nullable: del % 2 == 0,
                default: None,
                identity: false,
                identity_options: None,
                generated: None,
                unique: false,
                index: false,
                references: None,
            };
            let enums = self.enums.clone();
            self.tables[ti].add_field(&spec, &enums)
        };
        self.link(ti, fi, (target, del, upd));
    }
}
