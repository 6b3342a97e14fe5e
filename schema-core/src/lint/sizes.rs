//! Table sizes in lint: the estimated row count of each table a locking finding concerns goes in
//! its message, and above `large_table_rows` the warning becomes an error.
//!
//! The counts are data handed in by the caller (`migrate-cli` reads them from a database):
//! nothing here does IO. Without them every finding stays as [`super::lint`] gives it.
//!
//! The locking codes are those whose change locks an existing table while it scans, rewrites or
//! indexes it, so that the time the lock is held grows with the table: [`LOCKING_CODES`].
//! The others either do not depend on the table's size (renames, which are quick but break
//! running code) or are errors already (drops, a NOT NULL column without a default).

use super::Costs;
use super::{
    Finding, Severity, ADD_CHECK, ADD_FOREIGN_KEY, ADD_UNIQUE, GENERATED_EXPRESSION_CHANGE,
    INDEX_WITHOUT_CONCURRENTLY, SET_NOT_NULL, TYPE_CHANGE,
};
use crate::diff::{Change, QualifiedName};
use crate::model::{Schema, DEFAULT_SCHEMA};
use std::collections::BTreeMap;

/// The codes whose severity depends on the table's size: each locks an existing table for a time
/// that grows with its rows (an index build, a validation scan, a rewrite).
pub const LOCKING_CODES: &[&str] = &[
    SET_NOT_NULL,
    TYPE_CHANGE,
    ADD_UNIQUE,
    INDEX_WITHOUT_CONCURRENTLY,
    ADD_FOREIGN_KEY,
    ADD_CHECK,
    GENERATED_EXPRESSION_CHANGE,
];

/// The locking codes whose object is a column (`schema.table.column`) rather than a table.
const COLUMN_CODES: &[&str] = &[SET_NOT_NULL, TYPE_CHANGE, GENERATED_EXPRESSION_CHANGE];

/// The `large_table_rows` a config leaves out.
pub const DEFAULT_LARGE_TABLE_ROWS: u64 = 1_000_000;

/// What a size note in a message starts with: ` (about 1,234,567 rows)`.
const NOTE_START: &str = " (about ";

/// Estimated row counts, and the count above which a locking warning becomes an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSizes {
    /// Estimated rows by `schema.table` (`table` without schemas), as findings name the table
    /// (after any rename in the same migration, see [`object_name`]); a table missing here
    /// has an unknown size and its findings stay as they are.
    pub rows: BTreeMap<String, u64>,
    /// Locking findings on a table with more rows than this are errors.
    pub large_table_rows: u64,
}

impl Default for TableSizes {
    /// No known sizes, the default threshold.
    fn default() -> Self {
        TableSizes::new(DEFAULT_LARGE_TABLE_ROWS)
    }
}

impl TableSizes {
    /// No known sizes yet.
    pub fn new(large_table_rows: u64) -> Self {
        TableSizes {
            rows: BTreeMap::new(),
            large_table_rows,
        }
    }

    /// These sizes with `table` (`schema.table`) holding about `rows` rows.
    pub fn with(mut self, table: &str, rows: u64) -> Self {
        self.rows.insert(table.to_string(), rows);
        self
    }

    /// The size of the table `finding` concerns, when it is a locking finding and the size is
    /// known.
    fn of(&self, finding: &Finding) -> Option<u64> {
        if !LOCKING_CODES.contains(&finding.code) {
            return None;
        }
        let object = finding.object.as_str();
        if !COLUMN_CODES.contains(&finding.code) {
            return self.rows.get(object).copied();
        }
        // `schema.table.column`: the longest known table the object starts with, so a dot in a
        // column name does not matter.
        object
            .rmatch_indices('.')
            .find_map(|(at, _)| self.rows.get(&object[..at]).copied())
    }
}

/// The tables whose sizes matter for `changes` (the diff from `old`): each table of `old` that a
/// change with a locking finding concerns, keyed by the name its findings give it with `costs`
/// (`schema.table`, or `table` without schemas), with its name in the database before the
/// migration (a table renamed in the same migration still has its old name there). Tables
/// created by the migration are empty and left out.
pub fn tables_to_size<'a, I>(
    old: &Schema,
    changes: I,
    costs: Costs,
) -> BTreeMap<String, QualifiedName>
where
    I: IntoIterator<Item = &'a Change> + Clone,
{
    let renamed: BTreeMap<String, &QualifiedName> = changes
        .clone()
        .into_iter()
        .filter_map(|c| match c {
            Change::RenameTable { from, to } => Some((to.key(), from)),
            _ => None,
        })
        .collect();
    let mut out = BTreeMap::new();
    for change in changes {
        use Change::*;
        let table = match change {
            SetNotNull { table, .. }
            | AlterColumnType { table, .. }
            | AddUnique { table, .. }
            | CreateIndex { table, .. }
            | AddForeignKey { table, .. }
            | AddCheck { table, .. }
            | AlterGenerated { table, .. } => table,
            _ => continue,
        };
        let before = renamed.get(&table.key()).copied().unwrap_or(table);
        if old.tables.contains_key(&before.key()) {
            out.insert(object_name(table, costs), before.clone());
        }
    }
    out
}

/// The table a locking finding concerns, read from its object (`schema.table`, or
/// `schema.table.column` for [`SET_NOT_NULL`] and [`TYPE_CHANGE`]; without schemas in `costs`,
/// `table` or `table.column`, in the default schema); `None` for other codes.
/// For a finding read back from a migration file, where only the object is left; a dot inside
/// a schema or column name makes the guess wrong, and the size of that table unknown.
/// The finding names the table as [`object_name`] gives it.
pub fn locked_table(finding: &Finding, costs: Costs) -> Option<QualifiedName> {
    let table = locked_table_as_written(finding)?;
    if !costs.schemas {
        return Some(QualifiedName::new(DEFAULT_SCHEMA, table));
    }
    // Hand-written SQL leaves the default schema out (`CREATE INDEX .. ON items`).
    let (schema, name) = table.split_once('.').unwrap_or((DEFAULT_SCHEMA, table));
    Some(QualifiedName::new(schema, name))
}

/// The table of a locking finding as its object writes it (`schema.table`, or just `table`
/// in hand-written SQL): the key [`TableSizes`] looks its size up by.
pub fn locked_table_as_written(finding: &Finding) -> Option<&str> {
    if !LOCKING_CODES.contains(&finding.code) {
        return None;
    }
    match COLUMN_CODES.contains(&finding.code) {
        true => Some(finding.object.rsplit_once('.')?.0),
        false => Some(finding.object.as_str()),
    }
}

/// `table` as the findings of a dialect that costs `costs` name it, the key of its size in
/// [`TableSizes`]: `schema.table`, or `table` without schemas.
pub fn object_name(table: &QualifiedName, costs: Costs) -> String {
    match costs.schemas {
        true => table.key(),
        false => table.name.clone(),
    }
}

/// Puts the row count of its table in the message of each locking warning whose table's size
/// is known, and makes it an error when the table has more than `large_table_rows` rows.
///
/// Errors are left as they are, so this never lowers a severity. A size note already in a
/// message (a finding read back from a migration file) is replaced, so the estimate shown is
/// always the latest.
pub fn apply_sizes(findings: &mut [Finding], sizes: &TableSizes) {
    for finding in findings {
        if finding.severity != Severity::Warning {
            continue;
        }
        let Some(rows) = sizes.of(finding) else {
            continue;
        };
        let base = strip_size_note(&finding.message).to_string();
        let large = rows > sizes.large_table_rows;
        finding.message = format!("{base}{}", size_note(rows, large, sizes.large_table_rows));
        if large {
            finding.severity = Severity::Error;
        }
    }
}

/// ` (about 1,234,567 rows)`, or with the reason when the table is large:
/// ` (about 1,234,567 rows, more than large_table_rows = 1,000,000, so this is an error)`.
fn size_note(rows: u64, large: bool, large_table_rows: u64) -> String {
    let noun = if rows == 1 { "row" } else { "rows" };
    let why = if large {
        format!(
            ", more than large_table_rows = {}, so this is an error",
            thousands(large_table_rows)
        )
    } else {
        String::new()
    };
    format!("{NOTE_START}{} {noun}{why})", thousands(rows))
}

/// `message` without the size note [`apply_sizes`] puts at its end.
fn strip_size_note(message: &str) -> &str {
    match message.rfind(NOTE_START) {
        Some(at)
            if message.ends_with(')')
                && message[at + NOTE_START.len()..].starts_with(|c: char| c.is_ascii_digit()) =>
        {
            &message[..at]
        }
        _ => message,
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
