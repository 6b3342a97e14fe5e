//! A struct's `#[foreign_key(..)]`: the referenced struct, its fields and the key they must
//! form, resolved into a [`ForeignKey`] over the SQL columns.

use super::{err, is_unique_set, Ctx, ResolveError};
use crate::def::ForeignKeyDef;
use crate::model::ForeignKey;
use crate::naming;

impl Ctx<'_> {
    pub(super) fn struct_foreign_key(
        &self,
        fk: &ForeignKeyDef,
        errors: &mut Vec<ResolveError>,
    ) -> Option<ForeignKey> {
        let rust_name = &self.def.rust_name;
        let written = format!(
            "#[foreign_key(columns({}), references = {}, ref_columns({}))]",
            fk.columns.join(", "),
            fk.table,
            fk.ref_columns.join(", ")
        );
        let columns = self.columns_of(&fk.columns, errors);
        let Some(target) = self.tables.get(fk.table.as_str()) else {
            errors.push(err(rust_name, None, format!(
                "{written} references `{}`, but no #[derive(Table)] struct `{}` is in the schema files",
                fk.table, fk.table
            )));
            return None;
        };
        let mut ref_columns = Vec::new();
        for field in &fk.ref_columns {
            match target.fields.iter().find(|f| &f.field == field) {
                Some(f) => ref_columns.push(f.name.clone()),
                None => errors.push(err(rust_name, None, format!(
                    "{written} names `{field}` in `ref_columns`, but `{}` has no column field `{field}`",
                    fk.table
                ))),
            }
        }
        if ref_columns.len() != fk.ref_columns.len() || columns.len() != fk.columns.len() {
            return None;
        }
        if columns.len() != ref_columns.len() {
            errors.push(err(rust_name, None, format!(
                "{written} lists {} column(s) but {} referenced column(s); name one referenced field for each column, in the same order",
                columns.len(),
                ref_columns.len()
            )));
            return None;
        }
        if !is_unique_set(target, &fk.ref_columns) {
            errors.push(err(rust_name, None, format!(
                "{written} references ({}) of `{}`, which are neither its primary key nor a unique set, so the database cannot tell which row a value points at; reference its primary key, or declare #[unique(columns({}))] on `{}`",
                fk.ref_columns.join(", "),
                fk.table,
                fk.ref_columns.join(", "),
                fk.table
            )));
            return None;
        }
        Some(ForeignKey {
            name: fk
                .name
                .clone()
                .unwrap_or_else(|| naming::foreign_key(&self.def.name, &columns)),
            columns,
            ref_schema: target.schema.clone(),
            ref_table: target.name.clone(),
            ref_columns,
            on_delete: fk.on_delete,
            on_update: fk.on_update,
        })
    }
}

/// Two foreign keys of one table with one name (a struct's key named like a field's): the
/// database refuses the second.
pub(super) fn check_names(rust_name: &str, keys: &[ForeignKey], errors: &mut Vec<ResolveError>) {
    for (i, fk) in keys.iter().enumerate() {
        if keys[..i].iter().any(|k| k.name == fk.name) {
            errors.push(err(rust_name, None, format!(
                "two foreign keys of this table are named `{}`; give one of them another `name = \"...\"` in #[foreign_key(..)], or remove the duplicate",
                fk.name
            )));
        }
    }
}
