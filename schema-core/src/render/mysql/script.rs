//! One migration file for MySQL: the diff's changes in order, with what MySQL needs done
//! differently.
//!
//! - The changes of one column (type, nullability, default, identity) become one
//!   `ALTER TABLE .. MODIFY COLUMN <whole definition>` at the place of its last change; a
//!   `FillNulls` `UPDATE` stays where it is, before it.
//! - A table whose primary key changes gets one `ALTER TABLE` at the place of the last of
//!   those changes: `DROP PRIMARY KEY`, its column drops, adds and modifications, then
//!   `ADD PRIMARY KEY (..)` and the new index of a foreign key the old key served. MySQL refuses a table whose `AUTO_INCREMENT` column leads no key,
//!   and a nullable column in a primary key, at every statement; in one statement only the
//!   end state counts.
//! - An index a kept foreign key needs (MySQL refuses to drop it) is dropped after the table's
//!   new indexes are built, or together with the new index of the same name
//!   (`ALTER TABLE .. DROP INDEX i, ADD INDEX i (..)`).
//!   The columns of such an index change after the drop when the index could not hold their
//!   new types (a blob, text or json type, or strings longer than a key holds).
//! - A renamed foreign key or check (MySQL cannot rename either) is dropped and added again
//!   under its new name; the index of a foreign key stays.
//! - Consecutive actions on one table (column adds, drops and `MODIFY COLUMN`s, the key
//!   statement's actions, check and foreign key additions) share one `ALTER TABLE` (see
//!   [`AlterBatch`]). Constraint drops stay statements of their own: they rewrite nothing, and
//!   MySQL 8 refuses to drop and add foreign keys in one statement that copies the table.

use super::adapt::column_type;
use super::limits::fits_in_key;
use super::Mysql;
use crate::diff::{Change, QualifiedName};
use crate::model::{Column, Schema, Table, DEFAULT_SCHEMA};
use crate::render::batch::AlterBatch;
use crate::render::standard::{self, check_name};
use crate::render::{Dialect, RenderError, Script};
use std::collections::{BTreeMap, BTreeSet};

/// The statements of one change without the rest of the file: what needs a column's or
/// constraint's new definition is an error (use [`script`]).
pub(super) fn standalone(d: &Mysql, change: &Change) -> Result<Vec<String>, RenderError> {
    use Change::*;
    match change {
        AddPrimaryKey { table, key } => Ok(vec![d.alter(
            table,
            &format!("ADD PRIMARY KEY ({})", d.columns(&key.columns)),
        )]),
        DropPrimaryKey { table, .. } => Ok(vec![d.alter(table, "DROP PRIMARY KEY")]),
        DropUnique { table, name } => d.drop_index(table, name, false),
        DropForeignKey { table, name } => {
            Ok(vec![d.alter(
                table,
                &format!("DROP FOREIGN KEY {}", d.quote(name)),
            )])
        }
        AlterColumnType { .. }
        | SetNotNull { .. }
        | DropNotNull { .. }
        | SetDefault { .. }
        | DropDefault { .. }
        | AddIdentity { .. }
        | DropIdentity { .. }
        | RenameConstraint { .. } => Err(d.needs_script(change)),
        _ => standard::statements(d, change),
    }
}

/// The migration file for `changes`, which take `old` to `new`.
pub(super) fn script(
    d: &Mysql,
    changes: &[Change],
    old: &Schema,
    new: &Schema,
) -> Result<Script, RenderError> {
    let plan = Plan::new(changes, old, new);
    let mut batch = AlterBatch::new(d.combines_alter_actions());
    for (i, change) in changes.iter().enumerate() {
        plan.at(d, i, change, &mut batch)?;
        for &drop in plan.deferred.get(&i).into_iter().flatten() {
            if let Change::DropIndex { table, name, .. } = &changes[drop] {
                let table = QualifiedName::new(&table.schema, plan.final_name(&table.name));
                batch.statements(d.drop_index(&table, name, false)?);
            }
        }
        for &modify in plan.postponed.get(&i).into_iter().flatten() {
            plan.modify(d, &changes[modify], &mut batch)?;
        }
    }
    Ok(Script {
        statements: batch.finish(),
        no_transaction: false,
    })
}

/// The column of a change that `MODIFY COLUMN` renders.
fn modified_column(change: &Change) -> Option<(&QualifiedName, &str)> {
    use Change::*;
    match change {
        AlterColumnType { table, column, .. }
        | SetNotNull { table, column }
        | DropNotNull { table, column }
        | SetDefault { table, column, .. }
        | DropDefault { table, column }
        | AddIdentity { table, column }
        | DropIdentity { table, column } => Some((table, column)),
        AlterGenerated {
            table,
            column,
            from,
        } if modifies_generated(from.as_ref(), column.generated.as_ref()) => {
            Some((table, &column.name))
        }
        _ => None,
    }
}

/// Whether `MODIFY COLUMN` takes a column from one generation to another: MySQL changes an
/// expression in place, and turns a plain column into a STORED one and back, but never
/// changes STORED into VIRTUAL or a VIRTUAL column into a plain one (the column is dropped and
/// added again instead, see [`Mysql`]'s `alter_generated`).
fn modifies_generated(
    from: Option<&crate::model::Generated>,
    to: Option<&crate::model::Generated>,
) -> bool {
    match (from, to) {
        (Some(a), Some(b)) => a.is_virtual == b.is_virtual,
        (None, Some(g)) | (Some(g), None) => !g.is_virtual,
        (None, None) => true,
    }
}

fn dropped_foreign_key(c: &Change) -> Option<(&QualifiedName, &str)> {
    match c {
        Change::DropForeignKey { table, name } => Some((table, name)),
        _ => None,
    }
}

fn dropped_index(c: &Change) -> Option<(&QualifiedName, &str)> {
    match c {
        Change::DropIndex { table, name, .. } => Some((table, name)),
        _ => None,
    }
}

fn dropped_key(c: &Change) -> Option<(&QualifiedName, &str)> {
    match c {
        Change::DropPrimaryKey { table, name } => Some((table, name)),
        _ => None,
    }
}

/// Where each statement of the file goes.
struct Plan<'a> {
    changes: &'a [Change],
    old: &'a Schema,
    new: &'a Schema,
    /// The table renames in order (old name, new name).
    renames: Vec<(String, String)>,
    /// Per table whose primary key changes (final name): where its one `ALTER TABLE` goes.
    key_tables: BTreeMap<String, usize>,
    /// Changes folded into their table's key statement.
    folded: BTreeSet<usize>,
    /// Indexes of foreign keys built in their table's key statement, where the old primary
    /// key served the foreign key (MySQL refuses to drop it before another index does).
    key_indexes: BTreeSet<usize>,
    /// Per column (final table name, column): the place of its last change.
    modify_at: BTreeMap<(String, String), usize>,
    /// After the change at a place: the index drops moved there.
    deferred: BTreeMap<usize, Vec<usize>>,
    /// The place of a `CreateIndex` and the `DropIndex` of the same name done together.
    together: BTreeMap<usize, usize>,
    /// Index drops moved elsewhere.
    moved: BTreeSet<usize>,
    /// After the change at a place (and its deferred index drops): the `MODIFY COLUMN`s of
    /// columns those dropped indexes cover, by the place of their column's last change.
    postponed: BTreeMap<usize, Vec<usize>>,
}

impl<'a> Plan<'a> {
    fn new(changes: &'a [Change], old: &'a Schema, new: &'a Schema) -> Self {
        let renames = changes
            .iter()
            .filter_map(|c| match c {
                Change::RenameTable { from, to } => Some((from.name.clone(), to.name.clone())),
                _ => None,
            })
            .collect();
        let mut plan = Plan {
            changes,
            old,
            new,
            renames,
            key_tables: BTreeMap::new(),
            folded: BTreeSet::new(),
            key_indexes: BTreeSet::new(),
            modify_at: BTreeMap::new(),
            deferred: BTreeMap::new(),
            together: BTreeMap::new(),
            moved: BTreeSet::new(),
            postponed: BTreeMap::new(),
        };
        plan.place_key_changes();
        plan.place_modifies();
        plan.place_index_drops();
        plan.postpone_modifies();
        plan.place_key_indexes();
        plan
    }

    /// The name a table has at the end of the file's renames.
    fn final_name(&self, name: &str) -> String {
        let mut now = name.to_string();
        for (from, to) in &self.renames {
            if *from == now {
                now.clone_from(to);
            }
        }
        now
    }

    fn new_table(&self, name: &str) -> Option<&'a Table> {
        self.new.tables.get(&Schema::key(DEFAULT_SCHEMA, name))
    }

    fn old_table(&self, name: &str) -> Option<&'a Table> {
        self.old.tables.get(&Schema::key(DEFAULT_SCHEMA, name))
    }

    /// True for a column drop that must run early: a renamed column takes its name.
    fn early_drop(&self, table: &QualifiedName, column: &str) -> bool {
        self.changes.iter().any(|c| {
            matches!(c, Change::RenameColumn { table: t, to, .. } if t == table && to == column)
        })
    }

    fn place_key_changes(&mut self) {
        for (i, change) in self.changes.iter().enumerate() {
            let table = match change {
                Change::DropPrimaryKey { table, .. } => self.final_name(&table.name),
                Change::AddPrimaryKey { table, .. } => table.name.clone(),
                _ => continue,
            };
            self.folded.insert(i);
            let at = self.key_tables.entry(table).or_insert(i);
            *at = (*at).max(i);
        }
        for (i, change) in self.changes.iter().enumerate() {
            let table = match change {
                Change::AddColumn { table, .. } => table,
                Change::DropColumn { table, column } if !self.early_drop(table, column) => table,
                _ => match modified_column(change) {
                    Some((table, _)) => table,
                    None => continue,
                },
            };
            if let Some(at) = self.key_tables.get_mut(&table.name) {
                self.folded.insert(i);
                *at = (*at).max(i);
            }
        }
    }

    fn place_modifies(&mut self) {
        for (i, change) in self.changes.iter().enumerate() {
            if let Some((table, column)) = modified_column(change) {
                if !self.folded.contains(&i) {
                    self.modify_at
                        .insert((table.name.clone(), column.to_string()), i);
                }
            }
        }
    }

    /// The new index of a foreign key on a table whose primary key changes is built by the
    /// key statement.
    fn place_key_indexes(&mut self) {
        for (j, change) in self.changes.iter().enumerate() {
            let Change::CreateIndex { table, index } = change else {
                continue;
            };
            let of_key = self
                .new_table(&table.name)
                .is_some_and(|t| t.foreign_keys.iter().any(|fk| fk.name == index.name));
            if of_key
                && self.key_tables.contains_key(&table.name)
                && !self.together.contains_key(&j)
            {
                self.key_indexes.insert(j);
            }
        }
    }

    /// Index drops a kept foreign key needs wait for the table's new indexes.
    fn place_index_drops(&mut self) {
        for (i, change) in self.changes.iter().enumerate() {
            let Change::DropIndex { table, name, .. } = change else {
                continue;
            };
            if !self.needed_by_foreign_key(&table.name, name) {
                continue;
            }
            let table = self.final_name(&table.name);
            let creates = self
                .changes
                .iter()
                .enumerate()
                .filter_map(|(j, c)| match c {
                    Change::CreateIndex { table: t, index } if t.name == table => Some((j, index)),
                    _ => None,
                });
            let mut last = None;
            let mut same_name = None;
            for (j, index) in creates {
                last = Some(j);
                if index.name == *name {
                    same_name = Some(j);
                }
            }
            if let Some(j) = same_name {
                self.together.insert(j, i);
                self.moved.insert(i);
                continue;
            }
            let key_at = self.key_tables.get(&table).copied();
            if let Some(after) = last.max(key_at).filter(|&j| j > i) {
                self.deferred.entry(after).or_default().push(i);
                self.moved.insert(i);
            }
        }
    }

    /// The columns of an index dropped late (a kept foreign key needs it until the table's new
    /// indexes are built) change after the drop when the index could not hold their new types:
    /// a blob, text or json type, or strings too long for a key, would leave MySQL with a key it
    /// cannot build ("BLOB/TEXT column used in key specification without a key length",
    /// "Specified key was too long").
    fn postpone_modifies(&mut self) {
        for (&after, drops) in &self.deferred {
            for &drop in drops {
                let Change::DropIndex { table, name, .. } = &self.changes[drop] else {
                    continue;
                };
                let Some(index) = self
                    .old_table(&table.name)
                    .and_then(|t| t.indexes.iter().find(|i| i.name == *name))
                else {
                    continue;
                };
                let table = self.final_name(&table.name);
                let new_types = index.columns.iter().filter_map(|c| {
                    let new = self.new_table(&table).and_then(|t| column_type(t, c));
                    new.or_else(|| self.old_table(&table).and_then(|t| column_type(t, c)))
                });
                if fits_in_key(new_types) {
                    continue;
                }
                for column in &index.columns {
                    let key = (table.clone(), column.clone());
                    if let Some(at) = self.modify_at.get_mut(&key).filter(|at| **at < after) {
                        self.postponed.entry(after).or_default().push(*at);
                        // No place renders it now: `postponed` does.
                        *at = usize::MAX;
                    }
                }
            }
        }
    }

    /// True when a foreign key of the old table that this file keeps has no other index (or
    /// primary key) left to use than index `name`.
    fn needed_by_foreign_key(&self, table: &str, name: &str) -> bool {
        let Some(old) = self.old_table(table) else {
            return false;
        };
        let Some(index) = old.indexes.iter().find(|i| i.name == name) else {
            return false;
        };
        let dropped = |what: fn(&Change) -> Option<(&QualifiedName, &str)>, n: &str| {
            self.changes
                .iter()
                .filter_map(what)
                .any(|(t, x)| t.name == table && x == n)
        };
        old.foreign_keys
            .iter()
            .filter(|fk| !dropped(dropped_foreign_key, &fk.name))
            .filter(|fk| index.columns.starts_with(&fk.columns))
            .any(|fk| {
                let by_key = old.primary_key.as_ref().is_some_and(|pk| {
                    pk.columns.starts_with(&fk.columns) && !dropped(dropped_key, &pk.name)
                });
                let by_index = old.indexes.iter().any(|other| {
                    other.name != name
                        && other.columns.starts_with(&fk.columns)
                        && !dropped(dropped_index, &other.name)
                });
                !by_key && !by_index
            })
    }

    /// The statements or `ALTER TABLE` actions at place `i`.
    fn at(
        &self,
        d: &Mysql,
        i: usize,
        change: &Change,
        batch: &mut AlterBatch,
    ) -> Result<(), RenderError> {
        use Change::*;
        if self.moved.contains(&i) || self.key_indexes.contains(&i) {
            return Ok(());
        }
        if self.folded.contains(&i) {
            let table = match change {
                DropPrimaryKey { table, .. } => self.final_name(&table.name),
                _ => change.table().map(|t| t.name).unwrap_or_default(),
            };
            if self.key_tables.get(&table) == Some(&i) {
                let name = d.qualified(&QualifiedName::new(DEFAULT_SCHEMA, &table));
                for clause in self.key_clauses(d, &table)? {
                    batch.action(name.clone(), None, clause);
                }
            }
            return Ok(());
        }
        if let Some((table, column)) = modified_column(change) {
            let at = self
                .modify_at
                .get(&(table.name.clone(), column.to_string()));
            if at == Some(&i) {
                self.modify(d, change, batch)?;
            }
            return Ok(());
        }
        let dropped = self.together.get(&i).map(|&drop| &self.changes[drop]);
        if let (CreateIndex { table, index }, Some(DropIndex { name, .. })) = (change, dropped) {
            let (kind, columns) = d.index_parts(index)?;
            let table = d.qualified(table);
            batch.action(table.clone(), None, format!("DROP INDEX {}", d.quote(name)));
            batch.action(table, None, format!("ADD {kind} {columns}"));
            return Ok(());
        }
        match change {
            RenameConstraint { table, from, to } => {
                batch.statements(self.rename_constraint(d, i, table, from, to)?);
            }
            FillNulls { table, column, .. } => {
                batch.update(&d.qualified(table), column, standalone(d, change)?);
            }
            _ => match d.alter_action(change) {
                Some(action) => {
                    let (table, action) = action?;
                    batch.action(d.qualified(&table), None, action);
                }
                None => batch.statements(standalone(d, change)?),
            },
        }
        Ok(())
    }

    /// The `MODIFY COLUMN` of the column `change` modifies, with its whole new definition.
    fn modify(
        &self,
        d: &Mysql,
        change: &Change,
        batch: &mut AlterBatch,
    ) -> Result<(), RenderError> {
        if let Some((table, column)) = modified_column(change) {
            let def = self.new_column(d, change, &table.name, column)?;
            batch.action(d.qualified(table), Some(column), d.modify(table, def)?);
        }
        Ok(())
    }

    /// The column's definition in the new schema.
    fn new_column(
        &self,
        d: &Mysql,
        change: &Change,
        table: &str,
        column: &str,
    ) -> Result<&'a Column, RenderError> {
        self.new_table(table)
            .and_then(|t| t.column(column))
            .ok_or_else(|| d.needs_script(change))
    }

    /// The actions of `ALTER TABLE t DROP PRIMARY KEY, <column changes>, ADD PRIMARY KEY (..);`.
    fn key_clauses(&self, d: &Mysql, table: &str) -> Result<Vec<String>, RenderError> {
        let mut clauses = Vec::new();
        let mut add_key = None;
        let mut modified = BTreeSet::new();
        for &i in &self.folded {
            let change = &self.changes[i];
            match change {
                Change::DropPrimaryKey { table: t, .. } if self.final_name(&t.name) == table => {
                    clauses.insert(0, "DROP PRIMARY KEY".to_string());
                }
                Change::AddPrimaryKey { table: t, key } if t.name == table => {
                    add_key = Some(format!("ADD PRIMARY KEY ({})", d.columns(&key.columns)));
                }
                Change::AddColumn { table: t, column } if t.name == table => {
                    clauses.push(format!("ADD COLUMN {}", d.column_definition(t, column)?));
                }
                Change::DropColumn { table: t, column } if t.name == table => {
                    clauses.push(format!("DROP COLUMN {}", d.quote(column)));
                }
                _ => {
                    if let Some((t, column)) = modified_column(change) {
                        if t.name == table && modified.insert(column.to_string()) {
                            let def = self.new_column(d, change, table, column)?;
                            clauses.push(d.modify(t, def)?);
                        }
                    }
                }
            }
        }
        clauses.extend(add_key);
        for &j in &self.key_indexes {
            if let Change::CreateIndex { table: t, index } = &self.changes[j] {
                if t.name == table {
                    let (kind, columns) = d.index_parts(index)?;
                    clauses.push(format!("ADD {kind} {columns}"));
                }
            }
        }
        Ok(clauses)
    }

    /// A foreign key or check under a new name: dropped, then added with its definition.
    fn rename_constraint(
        &self,
        d: &Mysql,
        i: usize,
        table: &QualifiedName,
        from: &str,
        to: &str,
    ) -> Result<Vec<String>, RenderError> {
        check_name(d, to)?;
        // A swap goes through temporary names: the definition is under the last one.
        let mut last = to.to_string();
        for change in &self.changes[i + 1..] {
            if let Change::RenameConstraint { table: t, from, to } = change {
                if t == table && *from == last {
                    last.clone_from(to);
                }
            }
        }
        let new = self.new_table(&table.name);
        if let Some(fk) = new.and_then(|t| t.foreign_keys.iter().find(|k| k.name == last)) {
            let mut fk = fk.clone();
            fk.name = to.to_string();
            return Ok(vec![
                d.alter(table, &format!("DROP FOREIGN KEY {}", d.quote(from))),
                d.alter(table, &format!("ADD {}", standard::foreign_key(d, &fk)?)),
            ]);
        }
        if let Some(check) = new.and_then(|t| t.checks.iter().find(|c| c.name == last)) {
            let mut check = check.clone();
            check.name = to.to_string();
            return Ok(vec![
                d.alter(table, &format!("DROP CONSTRAINT {}", d.quote(from))),
                d.alter(table, &format!("ADD {}", standard::check(d, &check)?)),
            ]);
        }
        Err(d.needs_script(&Change::RenameConstraint {
            table: table.clone(),
            from: from.to_string(),
            to: to.to_string(),
        }))
    }
}
