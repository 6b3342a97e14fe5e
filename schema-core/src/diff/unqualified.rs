//! A change as a dialect without schemas names its objects: `t` and `t.col`, not
//! `public.t` (SQLite and MySQL keep every table in the default schema, which they never name).

use super::change::{Change, QualifiedName};

impl Change {
    /// [`Change::summary`] as a dialect names the objects: with `schemas` false (a dialect
    /// without schemas, `Dialect::supports_schemas`), `~ column t.a: set not null` instead of
    /// `~ column public.t.a: set not null`.
    pub fn summary_for(&self, schemas: bool) -> String {
        match schemas {
            true => self.summary(),
            false => self.unqualified().summary(),
        }
    }

    /// This change with every schema name left out (empty), for the messages of a dialect
    /// without schemas: a [`QualifiedName`] without a schema shows as its bare name. Only for
    /// showing; the model's keys keep their schema.
    pub fn unqualified(&self) -> Change {
        use Change::*;
        let mut change = self.clone();
        match &mut change {
            CreateEnum { name, .. }
            | DropEnum { name }
            | AddEnumValue { name, .. }
            | DropTable { table: name }
            | DropSequence { name }
            | AlterSequence { name, .. }
            | RenameIdentitySequence { table: name, .. } => unqualify(name),
            CreateSequence { sequence } => sequence.schema.clear(),
            CreateView { view } => view.schema.clear(),
            DropView { name, .. } => unqualify(name),
            RenameView { from, to, view } => {
                unqualify(from);
                unqualify(to);
                view.schema.clear();
            }
            ReplaceView { from, to } => {
                from.schema.clear();
                to.schema.clear();
            }
            RenameEnum { from, to } | RenameTable { from, to } | RenameSequence { from, to } => {
                unqualify(from);
                unqualify(to);
            }
            RebuildEnum { name, columns, .. } => {
                unqualify(name);
                columns.iter_mut().for_each(|c| unqualify(&mut c.table));
            }
            CreateTable { table } => table.schema.clear(),
            AddForeignKey { table, key } => {
                unqualify(table);
                key.ref_schema.clear();
            }
            AddColumn { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | AlterColumnType { table, .. }
            | FillNulls { table, .. }
            | SetNotNull { table, .. }
            | DropNotNull { table, .. }
            | SetDefault { table, .. }
            | DropDefault { table, .. }
            | AddIdentity { table, .. }
            | DropIdentity { table, .. }
            | AlterIdentity { table, .. }
            | AlterGenerated { table, .. }
            | AddPrimaryKey { table, .. }
            | DropPrimaryKey { table, .. }
            | AddUnique { table, .. }
            | DropUnique { table, .. }
            | CreateIndex { table, .. }
            | DropIndex { table, .. }
            | DropForeignKey { table, .. }
            | AddCheck { table, .. }
            | DropCheck { table, .. }
            | RenameConstraint { table, .. }
            | RenameIndex { table, .. }
            | EnableRls { table }
            | DisableRls { table }
            | CreatePolicy { table, .. }
            | DropPolicy { table, .. }
            | AlterPolicy { table, .. }
            | RenamePolicy { table, .. } => unqualify(table),
            CreateSchema { .. } | DropSchema { .. } | RenameSchema { .. } => {}
        }
        change
    }
}

fn unqualify(name: &mut QualifiedName) {
    name.schema.clear();
}
