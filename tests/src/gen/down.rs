//! The down of a generated pair (A, B) as `generate` writes it ([`sql`]), and what it must give
//! back untouched ([`untouched`]): the columns the change did not touch, whose rows must read
//! the same before the up as after its down.
//!
//! "Untouched" is conservative: a table of A that B keeps under the same name, schema and
//! struct with no rename hint (every row of it must come back), and of it the columns B keeps
//! with the same field, name, type, nullability, default, identity and no rename hint (an enum
//! column also needs the same enum in both, labels included).

use super::Defs;
use schema_core::def::{FieldDef, FieldType};
use schema_core::diff::{self, Change};
use schema_core::model::Schema;
use schema_core::render::{self, RenderError};

/// A pair's way there and back, as `generate` writes them: the up's changes, and the down's
/// changes and file body.
pub struct Down {
    pub up: Vec<Change>,
    pub changes: Vec<Change>,
    pub statements: Vec<String>,
    pub sql: String,
}

/// The down of the migration `old → new` with the renames their hints declare: [`diff::down`]
/// with those renames, rendered by `dialect`'s script from `new` to `old` into a file body, as
/// `generate` writes the down file (without its `-- lint:` comment lines).
pub fn sql(dialect: &dyn render::Dialect, old: &Schema, new: &Schema) -> Result<Down, RenderError> {
    let renames = diff::hinted_renames(old, new);
    let up = diff::diff(old, new, &renames);
    let changes = diff::down(old, new, &renames);
    let statements = dialect.script(&changes, new, old)?.statements;
    let sql = render::file_sql(dialect, &statements);
    Ok(Down {
        up,
        changes,
        statements,
        sql,
    })
}

/// A table the change kept under its name, and its untouched columns (maybe none: its rows
/// must still all be there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub schema: String,
    pub table: String,
    pub columns: Vec<String>,
}

/// How [`Kept::select`] reads a column's value as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
    Mysql,
}

impl Kept {
    /// A query whose rows are the table's rows, each as one text of the untouched columns'
    /// values (NULL written as such); the order is the database's, so sort before comparing.
    /// Without untouched columns each row reads as `''`, so only the number of rows counts.
    pub fn select(&self, dialect: Dialect) -> String {
        let dq = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
        let bq = |n: &str| format!("`{}`", n.replace('`', "``"));
        if self.columns.is_empty() {
            return match dialect {
                Dialect::Postgres => {
                    format!(
                        "SELECT ''::text FROM {}.{}",
                        dq(&self.schema),
                        dq(&self.table)
                    )
                }
                Dialect::Sqlite => format!("SELECT '' FROM {}", dq(&self.table)),
                Dialect::Mysql => format!("SELECT '' FROM {}", bq(&self.table)),
            };
        }
        match dialect {
            Dialect::Postgres => {
                let columns: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| format!("{}::text", dq(c)))
                    .collect();
                format!(
                    "SELECT ROW({})::text FROM {}.{}",
                    columns.join(", "),
                    dq(&self.schema),
                    dq(&self.table)
                )
            }
            Dialect::Sqlite => {
                let columns: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| format!("quote({})", dq(c)))
                    .collect();
                format!(
                    "SELECT {} FROM {}",
                    columns.join(" || '|' || "),
                    dq(&self.table)
                )
            }
            Dialect::Mysql => {
                let columns: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| format!("QUOTE({})", bq(c)))
                    .collect();
                format!(
                    "SELECT CAST(CONCAT_WS('|', {}) AS CHAR) FROM {}",
                    columns.join(", "),
                    bq(&self.table)
                )
            }
        }
    }
}

/// The tables and columns of A that the change `a → b` did not touch (see the module).
pub fn untouched(a: &Defs, b: &Defs) -> Vec<Kept> {
    let mut out = Vec::new();
    for at in &a.tables {
        let Some(bt) = b
            .tables
            .iter()
            .find(|t| t.schema == at.schema && t.name == at.name)
        else {
            continue;
        };
        if bt.rust_name != at.rust_name || bt.renamed_from.is_some() {
            continue;
        }
        let columns: Vec<String> = at
            .fields
            .iter()
            .filter(|f| {
                bt.fields
                    .iter()
                    .find(|g| g.name == f.name)
                    .is_some_and(|g| same_column(f, g, a, b))
            })
            .map(|f| f.name.clone())
            .collect();
        out.push(Kept {
            schema: at.schema.clone(),
            table: at.name.clone(),
            columns,
        });
    }
    out
}

fn same_column(f: &FieldDef, g: &FieldDef, a: &Defs, b: &Defs) -> bool {
    let same = f.field == g.field
        && f.ty == g.ty
        && f.sql_type == g.sql_type
        && f.nullable == g.nullable
        && f.default == g.default
        && f.identity == g.identity
        && f.identity_options == g.identity_options
        && f.generated == g.generated
        && g.renamed_from.is_none();
    same && match &f.ty {
        FieldType::User { rust, .. } => {
            let find = |d: &Defs| d.enums.iter().find(|e| &e.rust_name == rust).cloned();
            match (find(a), find(b)) {
                (Some(ea), Some(eb)) => {
                    ea.name == eb.name
                        && ea.schema == eb.schema
                        && ea.values == eb.values
                        && eb.renamed_from.is_none()
                }
                _ => false,
            }
        }
        FieldType::Sql(_) => true,
    }
}
