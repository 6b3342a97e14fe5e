//! The generator's model written out as the definitions the parser would read from its
//! source: [`Model::defs`].

use super::model::{hint, Model, Table};
use schema_core::def::{CheckDef, EnumDef, FieldDef, IndexDef, TableDef, UniqueDef};

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

impl Model {
    /// The definitions the parser would read from this model's source.
    pub fn defs(&self) -> super::Defs {
        let tables = self.tables.iter().map(Table::def).collect();
        let enums = self
            .enums
            .iter()
            .map(|e| EnumDef {
                rust_name: e.rust.clone(),
                name: e.name.clone(),
                schema: e.schema.clone(),
                values: e.values.clone(),
                renamed_from: hint(&e.orig, &e.schema, &e.name),
            })
            .collect();
        super::Defs {
            tables,
            enums,
            sequences: self.sequence_defs(),
            views: self.view_defs(),
        }
    }
}

impl Table {
    pub(super) fn def(&self) -> TableDef {
        let fields = self
            .fields
            .iter()
            .map(|f| FieldDef {
                field: f.ident.clone(),
                name: f.name.clone(),
                ty: f.ty.field_type(),
                // What the source writes for the type (see `source::rust_type`).
                sql_type: super::source::rust_type(&f.ty.field_type()).1,
                nullable: f.nullable,
                default: f.default.clone(),
                identity: f.identity,
                identity_options: f.identity_options,
                generated: self.generated_def(f),
                unique: f.unique,
                index: f.index,
                renamed_from: f.orig.clone().filter(|o| *o != f.name),
                references: f.references.clone(),
            })
            .collect();
        let indexes = self
            .indexes
            .iter()
            .map(|i| IndexDef {
                columns: match self.descending(i) {
                    true => Vec::new(),
                    false => i.columns.clone(),
                },
                keys: match self.descending(i) {
                    true => self.desc_keys(i),
                    false => Vec::new(),
                },
                with: Default::default(),
                name: i.name.clone(),
                unique: i.unique,
                predicate: i
                    .predicate
                    .as_ref()
                    .map(|p| format!("{} IS NOT NULL", quoted(&self.sql_name(p)))),
                using: i.using.map(String::from),
                concurrently: false,
                nulls_not_distinct: i.nnd,
            })
            .collect();
        let uniques = self
            .uniques
            .iter()
            .map(|u| UniqueDef {
                columns: u.columns.clone(),
                name: u.name.clone(),
                nulls_not_distinct: u.nnd,
            })
            .collect();
        let checks = self
            .checks
            .iter()
            .map(|c| CheckDef {
                name: c.name.clone(),
                expr: format!("{} > {}", quoted(&self.sql_name(&c.column)), c.bound),
            })
            .collect();
        TableDef {
            rust_name: self.rust.clone(),
            name: self.name.clone(),
            schema: self.schema.clone(),
            renamed_from: hint(&self.orig, &self.schema, &self.name),
            fields,
            primary_key: self.primary_key.clone(),
            indexes,
            uniques,
            checks,
            primary_key_name: self.pk_name.clone(),
            foreign_keys: self.composite_defs(),
            rls: self.rls,
            policies: self.policy_defs(),
        }
    }
}
