//! Rows for a generated schema pair: values that fit both A and B (every enum check, every
//! `"c" > bound` check, every unique and every foreign key), so a migration that loses none
//! of A's data must keep every row.
//!
//! Row `i` holds `1000 + i` in every column that is no enum: distinct per row for the uniques,
//! above every generated check bound, and equal in a child and its parent row, which satisfies
//! each foreign key. Enum columns hold a label both A and B allow, so tables with one get a
//! single row.

use super::Defs;
use schema_core::def::{EnumDef, FieldDef, FieldType, TableDef};

/// The rows to insert into A's tables.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// (table, columns, rows of SQL literals), in A's table order.
    pub tables: Vec<(String, Vec<String>, Vec<Vec<String>>)>,
}

impl Rows {
    /// `INSERT` statements, one per table.
    pub fn inserts(&self) -> Vec<String> {
        self.tables
            .iter()
            .filter(|(_, _, rows)| !rows.is_empty())
            .map(|(table, columns, rows)| {
                let columns: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
                let rows: Vec<String> =
                    rows.iter().map(|r| format!("({})", r.join(", "))).collect();
                format!(
                    "INSERT INTO {} ({}) VALUES {};",
                    quoted(table),
                    columns.join(", "),
                    rows.join(", ")
                )
            })
            .collect()
    }

    /// The number of rows inserted into `table`.
    pub fn count(&self, table: &str) -> usize {
        self.tables
            .iter()
            .find(|(t, _, _)| t == table)
            .map_or(0, |(_, _, rows)| rows.len())
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Rows for A that B accepts too; `None` when some enum column has no label both allow.
pub fn plan(a: &Defs, b: &Defs) -> Option<Rows> {
    let any_enum =
        a.0.iter()
            .flat_map(|t| &t.fields)
            .any(|f| matches!(f.ty, FieldType::User { .. }));
    let n = if any_enum { 1 } else { 3 };
    let mut rows = Rows::default();
    for t in &a.0 {
        let b_table = b.0.iter().find(|x| x.rust_name == t.rust_name);
        let columns: Vec<String> = t.fields.iter().map(|f| f.name.clone()).collect();
        let mut table_rows = Vec::new();
        for i in 0..n {
            let mut row = Vec::new();
            for f in &t.fields {
                let b_field = b_table.and_then(|bt| bt.fields.iter().find(|x| x.field == f.field));
                row.push(value(f, b_field, a, b, i)?);
            }
            table_rows.push(row);
        }
        rows.tables.push((t.name.clone(), columns, table_rows));
    }
    Some(rows)
}

fn labels<'a>(f: &FieldDef, enums: &'a [EnumDef]) -> Option<&'a [String]> {
    match &f.ty {
        FieldType::User { rust, .. } => enums
            .iter()
            .find(|e| &e.rust_name == rust)
            .map(|e| e.values.as_slice()),
        FieldType::Sql(_) => None,
    }
}

fn value(f: &FieldDef, b_field: Option<&FieldDef>, a: &Defs, b: &Defs, i: usize) -> Option<String> {
    let in_a = labels(f, &a.1);
    let in_b = b_field.and_then(|bf| labels(bf, &b.1));
    match (in_a, in_b) {
        (None, None) => Some((1000 + i).to_string()),
        (Some(la), None) => la.first().map(|v| literal(v)),
        (None, Some(lb)) => lb.first().map(|v| literal(v)),
        (Some(la), Some(lb)) => la.iter().find(|v| lb.contains(v)).map(|v| literal(v)),
    }
}

/// B's tables that hold A's rows (same struct, same name or renamed from it), with A's name.
pub fn survivors(a: &Defs, b: &Defs) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for bt in &b.0 {
        let Some(at) = a.0.iter().find(|t| t.rust_name == bt.rust_name) else {
            continue;
        };
        if bt.name == at.name || bt.renamed_from.as_deref() == Some(at.name.as_str()) {
            out.push((bt.name.clone(), at.name.clone()));
        }
    }
    out
}

/// A table definition by its SQL name.
pub fn table<'a>(defs: &'a Defs, name: &str) -> Option<&'a TableDef> {
    defs.0.iter().find(|t| t.name == name)
}
