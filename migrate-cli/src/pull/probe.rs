//! Which Rust type (and `sql_type`) gives back a column's type: each candidate is written as a
//! one-column struct, read by the scanner and adapted to the dialect exactly as `generate`
//! reads the pulled sources, so a type is chosen only when it maps back to the same SQL type.

use crate::config::Dialect;
use crate::scan::{scan_source, Scanned};
use schema_core::model::{ColumnType, Schema, Table};
use std::collections::HashMap;
use std::path::Path;

/// The Rust types tried before `sql_type`, in order of preference: where two give the same
/// SQL type on a dialect (SQLite's `integer`), the first wins.
const CANDIDATES: &[&str] = &[
    "i64",
    "i32",
    "i16",
    "bool",
    "f64",
    "f32",
    "String",
    "chrono::NaiveDateTime",
    "chrono::DateTime<chrono::Utc>",
    "chrono::NaiveDate",
    "chrono::NaiveTime",
    "uuid::Uuid",
    "rust_decimal::Decimal",
    "serde_json::Value",
    "Vec<u8>",
];

/// A field's Rust type and, when no Rust type maps, the `sql_type` it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustType {
    pub rust: String,
    pub sql_type: Option<String>,
}

/// The probes run so far for one dialect, by source text.
pub struct Probe {
    dialect: Dialect,
    seen: HashMap<String, Option<Table>>,
}

impl Probe {
    pub fn new(dialect: Dialect) -> Probe {
        Probe {
            dialect,
            seen: HashMap::new(),
        }
    }

    /// The Rust type of a column of type `ty` (not an enum: the caller names its `DbEnum`), or
    /// `None` when neither a mapped Rust type nor `sql_type` gives it back.
    pub fn rust_type(&mut self, ty: &ColumnType) -> Option<RustType> {
        let (candidates, sql): (Vec<String>, String) = match ty {
            ColumnType::Builtin(name) => (
                CANDIDATES.iter().map(|c| c.to_string()).collect(),
                name.clone(),
            ),
            ColumnType::Array(inner) => match inner.as_ref() {
                ColumnType::Builtin(name) => (
                    CANDIDATES
                        .iter()
                        .filter(|c| **c != "Vec<u8>")
                        .map(|c| format!("Vec<{c}>"))
                        .collect(),
                    format!("{name}[]"),
                ),
                _ => return None,
            },
            ColumnType::Enum { .. } => return None,
        };
        for rust in &candidates {
            if self.column_type(rust, None, "").as_ref() == Some(ty) {
                return Some(RustType {
                    rust: rust.clone(),
                    sql_type: None,
                });
            }
        }
        // With `sql_type`, the Rust type of the same kind (`numeric(10,2)` is a `Decimal`),
        // else a `String`.
        let kind = base(ty);
        let fallback = match ty {
            ColumnType::Array(_) => "Vec<String>",
            _ => "String",
        };
        let mut tries: Vec<String> = candidates
            .into_iter()
            .filter(|c| {
                self.column_type(c, None, "")
                    .is_some_and(|mapped| base(&mapped) == kind)
            })
            .collect();
        tries.push(fallback.to_string());
        tries.into_iter().find_map(|rust| {
            (self.column_type(&rust, Some(&sql), "").as_ref() == Some(ty)).then(|| RustType {
                rust,
                sql_type: Some(sql.clone()),
            })
        })
    }

    /// The column type a field `rust` (with `sql_type`) has once adapted to the dialect, with
    /// `items` (an enum, say) beside the probe struct.
    pub fn column_type(
        &mut self,
        rust: &str,
        sql_type: Option<&str>,
        items: &str,
    ) -> Option<ColumnType> {
        let attr = match sql_type {
            Some(t) => format!("#[column(sql_type = {})]", super::names::literal(t)),
            None => String::new(),
        };
        let field = format!("{attr} pub probe: {rust},");
        self.table(&field, items)?
            .columns
            .get(1)
            .map(|c| c.ty.clone())
    }

    /// The adapted table of a probe struct with an `id` key and `fields`, with `items` beside
    /// it; `None` when the scanner or the dialect refuses it.
    pub fn table(&mut self, fields: &str, items: &str) -> Option<Table> {
        let text = format!(
            "{items}\n#[derive(Table)]\n#[table(name = \"probe\")]\npub struct Probe {{ #[column(primary_key)] pub id: i64, {fields} }}\n"
        );
        if let Some(seen) = self.seen.get(&text) {
            return seen.clone();
        }
        let (mut scanned, mut errors) = (Scanned::default(), Vec::new());
        scan_source(Path::new("probe.rs"), &text, &mut scanned, &mut errors);
        let table = match errors.is_empty() {
            true => scanned
                .resolve_for(self.dialect.renderer())
                .ok()
                .and_then(|s| s.tables.get(&Schema::key("public", "probe")).cloned()),
            false => None,
        };
        self.seen.insert(text, table.clone());
        table
    }
}

/// A type's name without its arguments: `numeric` of `numeric(10,2)`; `jsonb` is of the kind
/// of `json` (a `serde_json::Value` with `sql_type = "json"`, which decodes it).
fn base(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Builtin(name) => match name.split('(').next().unwrap_or(name).trim() {
            "jsonb" => "json".to_string(),
            other => other.to_string(),
        },
        ColumnType::Array(inner) => format!("{}[]", base(inner)),
        ColumnType::Enum { name, .. } => name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> ColumnType {
        ColumnType::Builtin(s.to_string())
    }

    #[test]
    fn picks_the_rust_type_that_maps_back() {
        let mut pg = Probe::new(Dialect::Postgres);
        let rust = |p: &mut Probe, t: &str| p.rust_type(&b(t)).map(|r| (r.rust, r.sql_type));
        assert_eq!(rust(&mut pg, "bigint"), Some(("i64".into(), None)));
        assert_eq!(
            rust(&mut pg, "timestamp with time zone"),
            Some(("chrono::DateTime<chrono::Utc>".into(), None))
        );
        assert_eq!(
            rust(&mut pg, "character varying(20)"),
            Some(("String".into(), Some("character varying(20)".into())))
        );
        assert_eq!(
            pg.rust_type(&ColumnType::Array(Box::new(b("text"))))
                .map(|r| r.rust),
            Some("Vec<String>".into())
        );
        assert_eq!(
            rust(&mut pg, "json"),
            Some(("serde_json::Value".into(), Some("json".into())))
        );
        let mut sqlite = Probe::new(Dialect::Sqlite);
        assert_eq!(rust(&mut sqlite, "integer"), Some(("i64".into(), None)));
        assert_eq!(rust(&mut sqlite, "blob"), Some(("Vec<u8>".into(), None)));
        let mut mysql = Probe::new(Dialect::Mysql);
        assert_eq!(rust(&mut mysql, "int"), Some(("i32".into(), None)));
        assert_eq!(rust(&mut mysql, "tinyint(1)"), Some(("bool".into(), None)));
        assert_eq!(
            rust(&mut mysql, "text"),
            Some(("String".into(), Some("text".into())))
        );
    }
}
