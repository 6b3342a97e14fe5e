//! Rows for a generated schema pair: values that fit both A and B (every enum check, every
//! `"c" > bound` check, every unique and every foreign key), so a migration that loses none
//! of A's data must keep every row.
//!
//! Row `i` holds `1000 + i` in every column that is no enum: distinct per row for the uniques,
//! above every generated check bound, and equal in a child and its parent row, which satisfies
//! each foreign key. Enum columns hold a label both A and B allow, so tables with one get a
//! single row. Generated columns are never written; an identity `ALWAYS` is written with
//! `OVERRIDING SYSTEM VALUE` (PostgreSQL).

use super::Defs;
use schema_core::def::{EnumDef, FieldDef, FieldType, TableDef};
use schema_core::model::ColumnType;

/// The rows to insert into A's tables.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// One entry per table of A, in A's order.
    pub tables: Vec<TableRows>,
    /// Whether the inserts name the schema (PostgreSQL).
    pub qualified: bool,
}

/// The rows for one table.
#[derive(Debug, Clone, Default)]
pub struct TableRows {
    pub schema: String,
    pub table: String,
    pub columns: Vec<String>,
    /// A column is an identity `ALWAYS`: PostgreSQL takes its values only when told to.
    pub overriding: bool,
    /// Each row's values as SQL literals, in `columns` order.
    pub rows: Vec<Vec<String>>,
}

impl Rows {
    /// `INSERT` statements, one per table.
    pub fn inserts(&self) -> Vec<String> {
        self.tables
            .iter()
            .filter(|t| !t.rows.is_empty())
            .map(
                |TableRows {
                     schema,
                     table,
                     columns,
                     overriding,
                     rows,
                 }| {
                    let columns: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
                    let rows: Vec<String> =
                        rows.iter().map(|r| format!("({})", r.join(", "))).collect();
                    let target = if self.qualified {
                        format!("{}.{}", quoted(schema), quoted(table))
                    } else {
                        quoted(table)
                    };
                    let overriding = match overriding {
                        true => " OVERRIDING SYSTEM VALUE",
                        false => "",
                    };
                    format!(
                        "INSERT INTO {} ({}){overriding} VALUES {};",
                        target,
                        columns.join(", "),
                        rows.join(", ")
                    )
                },
            )
            .collect()
    }

    /// The number of rows inserted into `schema.table`.
    pub fn count(&self, schema: &str, table: &str) -> usize {
        self.tables
            .iter()
            .find(|t| t.schema == schema && t.table == table)
            .map_or(0, |t| t.rows.len())
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Which database the literals are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Every value is an integer (SQLite stores it under any affinity).
    Sqlite,
    /// A literal of each column's own type.
    Postgres,
}

/// Rows for A that B accepts too; `None` when some enum column has no label both allow.
pub fn plan(a: &Defs, b: &Defs, flavor: Flavor) -> Option<Rows> {
    let any_enum = a
        .tables
        .iter()
        .flat_map(|t| &t.fields)
        .any(|f| matches!(f.ty, FieldType::User { .. }));
    let n = if any_enum { 1 } else { 3 };
    let mut rows = Rows {
        tables: Vec::new(),
        qualified: flavor == Flavor::Postgres,
    };
    for t in &a.tables {
        let b_table = b.tables.iter().find(|x| x.rust_name == t.rust_name);
        let written: Vec<&FieldDef> = t.fields.iter().filter(|f| f.generated.is_none()).collect();
        let columns: Vec<String> = written.iter().map(|f| f.name.clone()).collect();
        let mut table_rows = Vec::new();
        for i in 0..n {
            let mut row = Vec::new();
            for f in &written {
                let b_field = b_table.and_then(|bt| bt.fields.iter().find(|x| x.field == f.field));
                row.push(value(f, b_field, a, b, i, flavor)?);
            }
            table_rows.push(row);
        }
        rows.tables.push(TableRows {
            schema: t.schema.clone(),
            table: t.name.clone(),
            columns,
            overriding: written.iter().any(|f| f.identity_options.always),
            rows: table_rows,
        });
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

fn value(
    f: &FieldDef,
    b_field: Option<&FieldDef>,
    a: &Defs,
    b: &Defs,
    i: usize,
    flavor: Flavor,
) -> Option<String> {
    let in_a = labels(f, &a.enums);
    let in_b = b_field.and_then(|bf| labels(bf, &b.enums));
    let label = match (in_a, in_b) {
        (None, None) => None,
        (Some(la), None) => Some(la.first()?),
        (None, Some(lb)) => Some(lb.first()?),
        (Some(la), Some(lb)) => Some(la.iter().find(|v| lb.contains(v))?),
    };
    let array = matches!(
        f.ty,
        FieldType::Sql(ColumnType::Array(_)) | FieldType::User { array: true, .. }
    );
    Some(match (flavor, label) {
        (Flavor::Sqlite, Some(label)) => literal(label),
        (Flavor::Sqlite, None) => (1000 + i).to_string(),
        (Flavor::Postgres, Some(label)) if array => literal(&format!("{{\"{label}\"}}")),
        (Flavor::Postgres, Some(label)) => literal(label),
        (Flavor::Postgres, None) => match &f.ty {
            FieldType::Sql(ty) => postgres_literal(ty, i),
            FieldType::User { .. } => return None,
        },
    })
}

/// A PostgreSQL literal of type `ty` for row `i`, the same for every column of that type (so
/// a child row matches its parent row), and numeric where a cast to another type may follow.
fn postgres_literal(ty: &ColumnType, i: usize) -> String {
    let n = 1000 + i;
    match ty {
        ColumnType::Array(inner) => {
            let element = postgres_literal(inner, i);
            let bare = element.trim_matches('\'');
            format!("'{{\"{bare}\"}}'")
        }
        ColumnType::Enum { .. } => literal(&n.to_string()),
        ColumnType::Builtin(name) => match name.split('(').next().unwrap_or("") {
            "boolean" => (i % 2 == 0).to_string(),
            "bytea" => format!("'\\x{n:04}'"),
            "uuid" => literal(&format!("00000000-0000-0000-0000-{n:012}")),
            "date" => literal(&format!("2020-01-{:02}", i + 1)),
            n if n.starts_with("timestamp") => literal(&format!("2020-01-{:02} 00:00:00", i + 1)),
            _ => literal(&n.to_string()),
        },
    }
}

/// A table as `(schema, name)`.
pub type TableName = (String, String);

/// B's tables that hold A's rows (the same struct, under the same name or renamed from it),
/// each with its name in A.
pub fn survivors(a: &Defs, b: &Defs) -> Vec<(TableName, TableName)> {
    let mut out = Vec::new();
    for bt in &b.tables {
        let Some(at) = a.tables.iter().find(|t| t.rust_name == bt.rust_name) else {
            continue;
        };
        let same = bt.name == at.name && bt.schema == at.schema;
        let hint = bt.renamed_from.as_deref();
        let renamed = hint == Some(at.name.as_str()) && bt.schema == at.schema
            || hint == Some(format!("{}.{}", at.schema, at.name).as_str());
        if same || renamed {
            out.push((name_of(bt), name_of(at)));
        }
    }
    out
}

fn name_of(t: &TableDef) -> TableName {
    (t.schema.clone(), t.name.clone())
}

/// Lint codes of changes that can fail on existing rows.
const DATA_RISKS: &[&str] = &[
    "add-not-null-without-default",
    "set-not-null",
    "add-unique",
    "add-check",
    "add-foreign-key",
    "type-change",
    "drop-enum-value",
];

/// Why a migration of `changes` (`old` → `new`) may fail on rows that fit both sides: the lint
/// codes that warn of it, and a primary key added (it fails on duplicates as a unique does,
/// without a code of its own).
pub fn data_risks(
    old: &schema_core::model::Schema,
    new: &schema_core::model::Schema,
    changes: &[schema_core::diff::Change],
) -> Vec<&'static str> {
    let mut risks: Vec<&'static str> = schema_core::lint::lint(old, new, changes)
        .iter()
        .map(|f| f.code)
        .filter(|c| DATA_RISKS.contains(c))
        .collect();
    if changes
        .iter()
        .any(|c| matches!(c, schema_core::diff::Change::AddPrimaryKey { .. }))
    {
        risks.push("primary key added");
    }
    risks
}

/// Why the down of a migration (`down`, the changes from `own` back to `previous`, `up` the
/// changes of the way there) may fail on the rows that went through the up: the codes of the
/// down's findings ([`schema_core::lint::lint_down`]) that warn of it, and a primary key it
/// adds back.
pub fn down_risks(
    previous: &schema_core::model::Schema,
    own: &schema_core::model::Schema,
    up: &[schema_core::diff::Change],
    down: &[schema_core::diff::Change],
    costs: schema_core::lint::Costs,
) -> Vec<&'static str> {
    let mut risks: Vec<&'static str> = schema_core::lint::lint_down(own, previous, up, down, costs)
        .iter()
        .map(|f| f.code)
        .filter(|c| DATA_RISKS.contains(c))
        .collect();
    if down
        .iter()
        .any(|c| matches!(c, schema_core::diff::Change::AddPrimaryKey { .. }))
    {
        risks.push("primary key added");
    }
    risks
}
