//! Sequences and views in the generator's model: drawn from specs, repaired after every edit
//! (a view loses the columns its table lost, and goes with its table), and written as
//! [`SequenceDef`]s and [`ViewDef`]s. A view reads one table: `SELECT "a", "b" FROM
//! "schema"."table"`, maybe `WHERE "c" IS NOT NULL`, its fields typed as those columns.

use super::model::{free_name, hint, Model, Table};
use super::spec::{SequenceSpec, ViewSpec};
use schema_core::def::{SequenceDef, ViewColumnDef, ViewDef};
use schema_core::model::SequenceOptions;
use std::collections::BTreeSet;

pub const SEQUENCE_NAMES: &[&str] = &["order_numbers", "ticket_seq", "Invoice numbers"];
pub const VIEW_NAMES: &[&str] = &["open_items", "recent", "summary", "Active rows"];

#[derive(Debug, Clone)]
pub struct Sequence {
    pub rust: String,
    pub name: String,
    pub schema: String,
    pub orig: Option<(String, String)>,
    pub options: SequenceOptions,
}

#[derive(Debug, Clone)]
pub struct View {
    pub rust: String,
    pub name: String,
    pub schema: String,
    pub orig: Option<(String, String)>,
    /// The Rust name of the table it reads.
    pub table: String,
    /// (field identifier of the table, the view's column name): the name is the column's
    /// when it was added, and stays when the table's column is renamed.
    pub columns: Vec<(String, String)>,
    /// The field of a `WHERE "<col>" IS NOT NULL`.
    pub filter: Option<String>,
}

/// Sequence options from bits; bit 6 makes it descending.
pub fn sequence_options(bits: u8) -> SequenceOptions {
    let on = |k: u8| bits & (1 << k) != 0;
    if on(6) {
        return SequenceOptions {
            start: Some(-5),
            increment: Some(-1),
            min: Some(-1000),
            max: Some(-1),
            cache: on(4).then_some(3),
            cycle: on(5),
        };
    }
    SequenceOptions {
        start: on(0).then_some(100),
        increment: on(1).then_some(5),
        min: on(2).then_some(10),
        max: on(3).then_some(100_000),
        cache: on(4).then_some(3),
        cycle: on(5),
    }
}

fn schema_of(audit: bool) -> String {
    if audit { "audit" } else { "public" }.to_string()
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

impl Model {
    /// A name of `pool` free in `schema` (never one any relation there ever had), claimed.
    pub(super) fn claim_name(&mut self, pool: &[&str], sel: u8, schema: &str) -> String {
        let name = free_name(pool, sel, |n| {
            self.used.contains(&(schema.to_string(), n.to_string()))
        });
        self.used.insert((schema.to_string(), name.clone()));
        name
    }

    fn next_rust(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id - 1)
    }

    pub fn add_sequence(&mut self, spec: &SequenceSpec) {
        let schema = schema_of(spec.audit);
        let name = self.claim_name(SEQUENCE_NAMES, spec.name, &schema);
        let rust = self.next_rust("S");
        self.sequences.push(Sequence {
            rust,
            name,
            schema,
            orig: None,
            options: sequence_options(spec.options),
        });
    }

    pub fn add_view(&mut self, spec: &ViewSpec) {
        if self.tables.is_empty() {
            return;
        }
        let schema = schema_of(spec.audit);
        let t = &self.tables[spec.table as usize % self.tables.len()];
        let n = t.fields.len();
        let columns = spec
            .columns
            .iter()
            .map(|c| {
                let f = &t.fields[*c as usize % n];
                (f.ident.clone(), f.name.clone())
            })
            .collect();
        let filter = spec.filter.map(|c| t.fields[c as usize % n].ident.clone());
        let table = t.rust.clone();
        let name = self.claim_name(VIEW_NAMES, spec.name, &schema);
        let rust = self.next_rust("V");
        self.views.push(View {
            rust,
            name,
            schema,
            orig: None,
            table,
            columns,
            filter,
        });
        self.repair_views();
    }

    /// Views lose the columns (and filter) their table lost, repeat no column name, and go
    /// when their table or every column is gone.
    pub(super) fn repair_views(&mut self) {
        let tables = self.tables.clone();
        self.views.retain_mut(|v| {
            let Some(t) = tables.iter().find(|t| t.rust == v.table) else {
                return false;
            };
            let mut seen = BTreeSet::new();
            v.columns
                .retain(|(f, name)| t.field(f).is_some() && seen.insert(name.to_lowercase()));
            v.filter = v.filter.take().filter(|f| t.field(f).is_some());
            !v.columns.is_empty()
        });
    }

    pub(super) fn sequence_defs(&self) -> Vec<SequenceDef> {
        self.sequences
            .iter()
            .map(|s| SequenceDef {
                rust_name: s.rust.clone(),
                name: s.name.clone(),
                schema: s.schema.clone(),
                options: s.options,
                renamed_from: hint(&s.orig, &s.schema, &s.name),
            })
            .collect()
    }

    pub(super) fn view_defs(&self) -> Vec<ViewDef> {
        self.views
            .iter()
            .filter_map(|v| {
                let t = self.tables.iter().find(|t| t.rust == v.table)?;
                Some(view_def(v, t))
            })
            .collect()
    }
}

fn view_def(v: &View, t: &Table) -> ViewDef {
    let sql_name = |f: &str| t.field(f).map(|f| f.name.clone()).unwrap_or_default();
    let list: Vec<String> = v
        .columns
        .iter()
        .map(|(f, _)| quoted(&sql_name(f)))
        .collect();
    let mut sql = format!(
        "SELECT {} FROM {}.{}",
        list.join(", "),
        quoted(&t.schema),
        quoted(&t.name)
    );
    if let Some(f) = &v.filter {
        sql.push_str(&format!(" WHERE {} IS NOT NULL", quoted(&sql_name(f))));
    }
    let columns = v
        .columns
        .iter()
        .enumerate()
        .map(|(i, (f, name))| ViewColumnDef {
            field: format!("c{i}"),
            name: name.clone(),
            ty: t
                .field(f)
                .map(|f| f.ty.field_type())
                .unwrap_or_else(|| super::ty::Ty::Text.field_type()),
        })
        .collect();
    ViewDef {
        rust_name: v.rust.clone(),
        name: v.name.clone(),
        schema: v.schema.clone(),
        sql,
        materialized: false,
        renamed_from: hint(&v.orig, &v.schema, &v.name),
        columns,
    }
}
