//! Lint: what can go wrong when a migration's changes run against a live database, as findings
//! with a code, a severity, the object concerned, a message and a suggestion; and the
//! `-- lint:allow <code>` lines with which a reviewer acknowledges them in a migration file.
//!
//! The codes are a contract (they appear in migration files and in CI output): spell them
//! exactly as the constants here do.
//!
//! With the tables' estimated row counts ([`TableSizes`], read by the caller), the locking
//! findings ([`LOCKING_CODES`]) say how many rows their table has, and become errors on a table
//! with more than `large_table_rows` rows ([`lint_sized`], [`apply_sizes`]).

use crate::diff::{Change, QualifiedName};
use crate::model::Schema;
use std::collections::BTreeSet;
use std::fmt;

mod comment;
mod down;
mod generated;
mod rebuilds;
mod sequences;
mod sizes;

pub use comment::{parse_comment, parse_comment_with};
pub use down::{lint_down, DOWN_CODES, DOWN_DROP_CODES, IRREVERSIBLE, MISSING_DOWN};
pub use rebuilds::Costs;
pub use sequences::rename_code;
pub use sizes::{
    apply_sizes, locked_table, locked_table_as_written, object_name, tables_to_size, thousands,
    TableSizes, DEFAULT_LARGE_TABLE_ROWS, LOCKING_CODES,
};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Data loss or a migration that fails on a table with rows.
    Error,
    /// Locks, rewrites or scans, or application code that may break.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One thing a reviewer should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The lint code, such as `drop-table`.
    pub code: &'static str,
    pub severity: Severity,
    /// `schema.table` or `schema.table.column` (`schema.enum` for enums, `schema.sequence` for
    /// sequences, `schema` for schemas);
    /// `table` and `table.column` on a dialect without schemas (SQLite, MySQL).
    pub object: String,
    /// What can go wrong.
    pub message: String,
    /// What to do instead, or before.
    pub suggestion: String,
}

impl Finding {
    /// The comment line written at the top of a migration file:
    /// `-- lint: error drop-table public.comments: <message>`, always one line (a line break in
    /// a name becomes a space, so the comment cannot end early).
    pub fn comment(&self) -> String {
        format!("{COMMENT_PREFIX} {self}").replace(['\n', '\r'], " ")
    }
}

impl fmt::Display for Finding {
    /// `error drop-table public.comments: <message>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}: {}",
            self.severity, self.code, self.object, self.message
        )
    }
}

/// What a finding's comment line starts with.
pub const COMMENT_PREFIX: &str = "-- lint:";

/// What an acknowledgement line starts with: `-- lint:allow drop-table`.
pub const ALLOW_PREFIX: &str = "-- lint:allow";

pub const DROP_TABLE: &str = "drop-table";
pub const DROP_COLUMN: &str = "drop-column";
pub const DROP_SCHEMA: &str = "drop-schema";
pub const DROP_ENUM_VALUE: &str = "drop-enum-value";
pub const ADD_NOT_NULL_WITHOUT_DEFAULT: &str = "add-not-null-without-default";
pub const SET_NOT_NULL: &str = "set-not-null";
pub const TYPE_CHANGE: &str = "type-change";
pub const ADD_UNIQUE: &str = "add-unique";
pub const INDEX_WITHOUT_CONCURRENTLY: &str = "index-without-concurrently";
pub const ADD_FOREIGN_KEY: &str = "add-foreign-key";
pub const ADD_CHECK: &str = "add-check";
pub const RENAME_TABLE: &str = "rename-table";
pub const RENAME_COLUMN: &str = "rename-column";
/// `DROP POLICY`: the rows it let through are hidden (a permissive policy) or the rows it held
/// back are shown (a restrictive one).
pub const DROP_POLICY: &str = "drop-policy";
/// `DISABLE ROW LEVEL SECURITY`: every role with a grant on the table sees and writes every row.
pub const DISABLE_RLS: &str = "disable-rls";
/// A policy renamed: scripts that alter or drop it by name fail.
pub const RENAME_POLICY: &str = "rename-policy";

/// `DROP SEQUENCE`: the numbers it has handed out are forgotten, and a default still calling it
/// fails.
pub const DROP_SEQUENCE: &str = "drop-sequence";
/// A sequence renamed: code and defaults that name it by its old name fail.
pub const RENAME_SEQUENCE: &str = "rename-sequence";
/// A generated column's expression changes, or a plain column becomes generated: every row's
/// value is computed anew and the table rewritten.
pub const GENERATED_EXPRESSION_CHANGE: &str = "generated-expression-change";
/// `DROP VIEW` / `DROP MATERIALIZED VIEW` of a view the new schema no longer has: code reading
/// it fails. A warning: a view holds no rows of its own, and a materialized view's rows are
/// what its query derives from tables, which stay.
pub const DROP_VIEW: &str = "drop-view";
/// A view renamed: code that reads it by its old name fails.
pub const RENAME_VIEW: &str = "rename-view";
/// `DROP INDEX` without `CONCURRENTLY` (PostgreSQL): found in the statements only.
pub const DROP_INDEX_WITHOUT_CONCURRENTLY: &str = "drop-index-without-concurrently";
/// `DROP DATABASE`: found in the statements only.
pub const DROP_DATABASE: &str = "drop-database";
/// `TRUNCATE`: deletes every row of the table; found in the statements only.
pub const TRUNCATE_TABLE: &str = "truncate-table";
/// A statement the SQL parser cannot read: found in the statements only.
pub const UNPARSED_STATEMENT: &str = "unparsed-statement";

/// A `-- no-transaction` line that is not the file's first line (sqlx then runs the file in a
/// transaction): found in the file only.
pub const MISPLACED_NO_TRANSACTION: &str = "misplaced-no-transaction";

/// The codes only the statements of a file give (no change of the diff makes them); `generate`
/// writes them as comment lines too, and the gate reads them again from the SQL.
pub const STATEMENT_CODES: &[&str] = &[
    DROP_INDEX_WITHOUT_CONCURRENTLY,
    DROP_DATABASE,
    TRUNCATE_TABLE,
    UNPARSED_STATEMENT,
    MISPLACED_NO_TRANSACTION,
];

/// Every code, in the order of the contract's table.
pub const CODES: &[&str] = &[
    DROP_TABLE,
    DROP_COLUMN,
    DROP_SCHEMA,
    DROP_ENUM_VALUE,
    ADD_NOT_NULL_WITHOUT_DEFAULT,
    SET_NOT_NULL,
    TYPE_CHANGE,
    ADD_UNIQUE,
    INDEX_WITHOUT_CONCURRENTLY,
    ADD_FOREIGN_KEY,
    ADD_CHECK,
    RENAME_TABLE,
    RENAME_COLUMN,
    DROP_SEQUENCE,
    RENAME_SEQUENCE,
    GENERATED_EXPRESSION_CHANGE,
    DROP_VIEW,
    RENAME_VIEW,
    DROP_POLICY,
    DISABLE_RLS,
    RENAME_POLICY,
];

/// The findings for `changes` (the diff from `old` to `new`), in the changes' order; a change
/// with several findings gives them in a fixed order. A table is "existing" unless one of
/// `changes` creates it: constraints and indexes on a table created in the same migration are
/// built on an empty table and give no finding.
pub fn lint(old: &Schema, new: &Schema, changes: &[Change]) -> Vec<Finding> {
    lint_with(old, new, changes, Costs::IN_PLACE)
}

/// [`lint`] for a dialect whose changes cost `costs`; without schemas ([`Costs::schemas`]) the
/// findings name `t` and `t.col`.
pub fn lint_with(old: &Schema, new: &Schema, changes: &[Change], costs: Costs) -> Vec<Finding> {
    // `new` is part of the contract for lints that need the target state; none reads it yet.
    let _ = new;
    let unqualified: Vec<Change>;
    let changes = match costs.schemas {
        true => changes,
        false => {
            unqualified = changes.iter().map(Change::unqualified).collect();
            &unqualified
        }
    };
    let created: BTreeSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable { table } => Some(QualifiedName::new(&table.schema, &table.name)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for change in changes {
        let existing = |t: &QualifiedName| !created.contains(t);
        lint_change(old, changes, change, costs, &existing, &mut out);
    }
    out
}

/// [`lint`], then [`apply_sizes`]: the locking findings on a table of known size say its row
/// count, and are errors above `sizes.large_table_rows`.
pub fn lint_sized(
    old: &Schema,
    new: &Schema,
    changes: &[Change],
    sizes: &TableSizes,
) -> Vec<Finding> {
    lint_sized_with(old, new, changes, sizes, Costs::IN_PLACE)
}

/// [`lint_sized`] for a dialect whose changes cost `costs`.
pub fn lint_sized_with(
    old: &Schema,
    new: &Schema,
    changes: &[Change],
    sizes: &TableSizes,
    costs: Costs,
) -> Vec<Finding> {
    let mut findings = lint_with(old, new, changes, costs);
    apply_sizes(&mut findings, sizes);
    findings
}

/// The findings `allowed` does not acknowledge.
pub fn unacknowledged(findings: Vec<Finding>, allowed: &BTreeSet<String>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| !allowed.contains(f.code))
        .collect()
}

/// The codes a migration file acknowledges with `-- lint:allow <code>` lines (several codes may
/// share a line, separated by spaces or commas). Only whole lines count, leading whitespace
/// aside; the codes are kept as written, so a misspelt one acknowledges nothing.
pub fn allowed(sql: &str) -> BTreeSet<String> {
    // Only the file's leading comment block, where a reviewer reads them: an allow line below
    // the first statement acknowledges nothing.
    sql.lines()
        .take_while(|line| {
            let line = line.trim_start();
            line.is_empty() || (line.starts_with("--") && !line.starts_with("-->"))
        })
        .filter_map(|line| line.trim_start().strip_prefix(ALLOW_PREFIX))
        .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        .flat_map(|rest| {
            rest.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|code| !code.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What to do about a finding with `code` (the suggestion [`lint`] gives; a unique index, as
/// opposed to a unique constraint, gets [`UNIQUE_INDEX_SUGGESTION`]), empty for an unknown code.
pub fn suggestion_for(code: &str) -> &'static str {
    match code {
        DROP_SCHEMA => "make sure nothing in the schema is still used, and back it up first; \
             acknowledge with -- lint:allow drop-schema",
        DROP_TABLE => "expand / contract: stop reading and writing the table in a deploy first, \
             back it up, then drop it; acknowledge with -- lint:allow drop-table",
        DROP_COLUMN => "expand / contract: deploy code that no longer uses the column first, then drop it \
             in a later migration; acknowledge with -- lint:allow drop-column",
        DROP_ENUM_VALUE => "backfill first: update the rows holding the removed values to another value \
             in an earlier migration, and stop writing them; acknowledge with -- lint:allow drop-enum-value",
        ADD_NOT_NULL_WITHOUT_DEFAULT => "expand / backfill / contract: add the column nullable (or with a default), \
             backfill it, then set NOT NULL in a later migration",
        SET_NOT_NULL => "backfill the NULLs first; on PostgreSQL add a CHECK (column IS NOT NULL) NOT VALID, \
             VALIDATE it, then set NOT NULL",
        TYPE_CHANGE => "expand / backfill / contract: add a new column of the new type, backfill it, \
             switch the code over, then drop the old column",
        RENAME_TABLE => "deploy code that works with both names first (for example through a view named \
             after the old table), or rename during a maintenance window",
        RENAME_COLUMN => "expand / backfill / contract: add the new column, write both, backfill, switch \
             reads, then drop the old one",
        DROP_SEQUENCE => "drop the defaults that call it and stop calling it from code in a deploy first; \
             acknowledge with -- lint:allow drop-sequence",
        DROP_POLICY => "check which roles see which rows without it (a permissive policy lets rows through, \
             a restrictive one holds them back); acknowledge with -- lint:allow drop-policy",
        DISABLE_RLS => "keep row-level security on and widen the policies instead; \
             acknowledge with -- lint:allow disable-rls",
        RENAME_POLICY => "change the scripts that alter or drop the policy by its old name",
        RENAME_SEQUENCE => "change the defaults and the code that call it by name (nextval('old')) in the same \
             deploy; a default written as nextval('old'::regclass) follows the rename",
        GENERATED_EXPRESSION_CHANGE => "on a large table add a new generated column under another name, switch \
             the code over, then drop the old one; or run it in a maintenance window",
        DROP_VIEW => "stop reading it from code in a deploy first; acknowledge with -- lint:allow drop-view",
        RENAME_VIEW => "change the code that reads it by name in the same deploy, or keep a view under the old name until it has",
        ADD_UNIQUE => "remove the duplicates first; on PostgreSQL build a unique index CONCURRENTLY, \
             then add the constraint USING INDEX",
        INDEX_WITHOUT_CONCURRENTLY => "on PostgreSQL build it without blocking writes: \
             #[index(..., concurrently)] puts it in a -- no-transaction file of its own",
        ADD_FOREIGN_KEY => "on PostgreSQL add it NOT VALID, then VALIDATE CONSTRAINT in a later migration; \
             fix orphan rows first",
        ADD_CHECK => "fix violating rows first; on PostgreSQL add it NOT VALID, then VALIDATE CONSTRAINT \
             in a later migration",
        DROP_INDEX_WITHOUT_CONCURRENTLY => "on PostgreSQL use DROP INDEX CONCURRENTLY, alone in a \
             -- no-transaction file",
        DROP_DATABASE => "a migration never drops its own database; remove the statement",
        TRUNCATE_TABLE => "back the rows up first, and make sure no running code needs them; \
             acknowledge with -- lint:allow truncate-table",
        MISPLACED_NO_TRANSACTION => "move the -- no-transaction line to the very first line of the file, \
             above every other comment line",
        UNPARSED_STATEMENT => "check the statement's syntax; if the database accepts it, review it by hand \
             and acknowledge with -- lint:allow unparsed-statement",
        MISSING_DOWN => "write <tag>.down.sql by hand, the SQL that takes the database back to the previous \
             migration's schema (generate writes one beside every new migration; a migration written before \
             down files existed, or by generate --custom, has none); for the newest migration, applied nowhere \
             yet, migrate-cli drop and generate write it again with its down; or roll forward with a new \
             migration when it must be undone",
        IRREVERSIBLE => "keep a backup to restore the data from, or roll forward instead (generate a fix); \
             acknowledge with -- lint:allow irreversible",
        _ => "",
    }
}

/// The suggestion of `add-unique` for a unique index.
pub const UNIQUE_INDEX_SUGGESTION: &str = "remove the duplicates first";

fn finding(
    code: &'static str,
    severity: Severity,
    object: String,
    message: String,
    suggestion: &str,
) -> Finding {
    Finding {
        code,
        severity,
        object,
        message,
        suggestion: suggestion.to_string(),
    }
}

fn lint_change(
    old: &Schema,
    changes: &[Change],
    change: &Change,
    costs: Costs,
    existing: &dyn Fn(&QualifiedName) -> bool,
    out: &mut Vec<Finding>,
) {
    use Change::*;
    use Severity::{Error, Warning};
    match change {
        DropSchema { name } => out.push(finding(
            DROP_SCHEMA,
            Error,
            name.clone(),
            format!("dropping schema {name} deletes everything left in it"),
            suggestion_for(DROP_SCHEMA),
        )),
        DropTable { table } => out.push(finding(
            DROP_TABLE,
            Error,
            table.to_string(),
            format!("dropping table {table} deletes all its rows; running code that still reads it fails"),
            suggestion_for(DROP_TABLE),
        )),
        DropColumn { table, column } if old_column(old, table, column).is_some_and(|c| c.generated.is_some()) => out.push(finding(
            DROP_COLUMN,
            Warning,
            format!("{table}.{column}"),
            format!(
                "dropping generated column {table}.{column}{} loses no data (its values are computed from other columns); running code that still selects it fails",
                old_type(old, table, column)
            ),
            suggestion_for(DROP_COLUMN),
        )),
        DropColumn { table, column } => out.push(finding(
            DROP_COLUMN,
            Error,
            format!("{table}.{column}"),
            format!(
                "dropping column {table}.{column}{} deletes its data; running code that still selects it fails",
                old_type(old, table, column)
            ),
            suggestion_for(DROP_COLUMN),
        )),
        RebuildEnum {
            name,
            old_values,
            values,
            ..
        } => {
            let lost: Vec<&str> = old_values
                .iter()
                .filter(|v| !values.contains(v))
                .map(String::as_str)
                .collect();
            if !lost.is_empty() {
                out.push(finding(
                    DROP_ENUM_VALUE,
                    Error,
                    name.to_string(),
                    format!(
                        "removing value(s) {} from enum {name} fails on any row that still holds them, \
                         and rewrites every column of the type",
                        lost.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
                    ),
                    suggestion_for(DROP_ENUM_VALUE),
                ));
            }
        }
        AddColumn { table, column }
            if existing(table)
                && !column.nullable
                && column.default.is_none()
                && !column.identity
                && column.generated.is_none() =>
        {
            out.push(finding(
                ADD_NOT_NULL_WITHOUT_DEFAULT,
                Error,
                format!("{table}.{}", column.name),
                format!(
                    "adding NOT NULL column {table}.{} without a default {}",
                    column.name,
                    costs.in_place(ADD_NOT_NULL_WITHOUT_DEFAULT, "fails if the table has rows")
                ),
                costs.suggestion(ADD_NOT_NULL_WITHOUT_DEFAULT),
            ));
        }
        SetNotNull { table, column } if existing(table) => {
            let filled = changes.iter().find_map(|c| match c {
                FillNulls { table: t, column: c, value } if t == table && c == column => {
                    Some(value)
                }
                _ => None,
            });
            let scan = "scans the whole table under an exclusive lock";
            let message = match (filled, costs.rebuilds_tables) {
                (Some(value), false) => format!("setting {table}.{column} NOT NULL first sets its NULLs to its default {value} (an UPDATE of those rows), then {}", costs.in_place(SET_NOT_NULL, scan)),
                (Some(value), true) => format!("setting {table}.{column} NOT NULL first sets its NULLs to its default {value} as it {}", costs.phrase(SET_NOT_NULL, scan)),
                (None, _) => format!("setting {table}.{column} NOT NULL {}, and fails if a row holds NULL", costs.phrase(SET_NOT_NULL, scan)),
            };
            out.push(finding(
                SET_NOT_NULL,
                Warning,
                format!("{table}.{column}"),
                message,
                costs.suggestion(SET_NOT_NULL),
            ))
        }
        AlterColumnType { table, column, from, to } if existing(table) => {
            if let Some(lost) = rebuilds::lost_enum_values(from, to) {
                out.push(finding(
                    DROP_ENUM_VALUE,
                    Error,
                    format!("{table}.{column}"),
                    format!(
                        "removing value(s) {} from the enum of column {table}.{column} fails on any row that still holds them",
                        lost.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
                    ),
                    suggestion_for(DROP_ENUM_VALUE),
                ));
            }
            let in_place = "may rewrite the table under an exclusive lock, and the cast may fail on existing rows";
            if let Some(cost) = costs.type_change(from, to, in_place) {
                out.push(finding(
                    TYPE_CHANGE,
                    Warning,
                    format!("{table}.{column}"),
                    format!(
                        "changing {table}.{column} from {} to {} {cost}",
                        crate::diff::type_label(from),
                        crate::diff::type_label(to),
                    ),
                    costs.suggestion(TYPE_CHANGE),
                ));
            }
        }
        RenameTable { from, to } => out.push(finding(
            RENAME_TABLE,
            Warning,
            to.to_string(),
            format!("renaming table {from} to {to} breaks running code that still uses the old name"),
            suggestion_for(RENAME_TABLE),
        )),
        RenameColumn { table, from, to } => out.push(finding(
            RENAME_COLUMN,
            Warning,
            format!("{table}.{to}"),
            format!("renaming column {table}.{from} to {to} breaks running code that still uses the old name"),
            suggestion_for(RENAME_COLUMN),
        )),
        DropSequence { .. } | RenameSequence { .. } => sequences::lint(change, out),
        AlterGenerated { .. } => generated::lint(change, costs, existing, out),
        DropView {
            name,
            materialized,
            recreated: false,
        } => {
            let (kind, rows) = match materialized {
                true => ("materialized view", "; its rows are derived from tables, which keep theirs"),
                false => ("view", ""),
            };
            out.push(finding(
                DROP_VIEW,
                Warning,
                name.to_string(),
                format!("dropping {kind} {name} breaks code that still reads it{rows}"),
                suggestion_for(DROP_VIEW),
            ))
        }
        RenameView { from, to, .. } => out.push(finding(
            RENAME_VIEW,
            Warning,
            to.to_string(),
            format!("renaming view {from} to {to} breaks running code that still reads it by the old name"),
            suggestion_for(RENAME_VIEW),
        )),
        DropPolicy {
            table,
            policy,
            recreated: false,
        } => {
            let (severity, effect) = match policy.restrictive {
                true => (Error, "the rows it held back become visible"),
                false => (Warning, "the rows only it let through become invisible to its roles"),
            };
            out.push(finding(
                DROP_POLICY,
                severity,
                format!("{table}.{}", policy.name),
                format!("dropping policy {} on {table} changes who sees which rows: {effect}", policy.name),
                suggestion_for(DROP_POLICY),
            ))
        }
        DisableRls { table } => out.push(finding(
            DISABLE_RLS,
            Error,
            table.to_string(),
            format!("disabling row-level security on {table} lets every role with a grant on it see and change every row"),
            suggestion_for(DISABLE_RLS),
        )),
        RenamePolicy { table, from, to } => out.push(finding(
            RENAME_POLICY,
            Warning,
            format!("{table}.{to}"),
            format!("renaming policy {from} on {table} to {to} breaks scripts that name it by the old name"),
            suggestion_for(RENAME_POLICY),
        )),
        _ => lint_constraint(change, costs, existing, out),
    }
}

/// ` (integer)`: the type a column had in `old`, or nothing when `old` does not have it; a
/// `table` without a schema ([`Change::unqualified`]) is in the default one.
fn old_type(old: &Schema, table: &QualifiedName, column: &str) -> String {
    old_column(old, table, column)
        .map(|c| format!(" ({})", crate::diff::type_label(&c.ty)))
        .unwrap_or_default()
}

/// Column `column` of `table` in `old` (a table named without its schema is in the default
/// schema).
fn old_column<'a>(
    old: &'a Schema,
    table: &QualifiedName,
    column: &str,
) -> Option<&'a crate::model::Column> {
    let key = match table.schema.is_empty() {
        true => Schema::key(crate::model::DEFAULT_SCHEMA, &table.name),
        false => table.key(),
    };
    old.tables
        .get(&key)
        .and_then(|t| t.columns.iter().find(|c| c.name == column))
}

fn lint_constraint(
    change: &Change,
    costs: Costs,
    existing: &dyn Fn(&QualifiedName) -> bool,
    out: &mut Vec<Finding>,
) {
    use Change::*;
    use Severity::Warning;
    match change {
        AddUnique { table, unique } if existing(table) => out.push(finding(
            ADD_UNIQUE,
            Warning,
            table.to_string(),
            format!(
                "adding unique constraint {} ({}) on {table} {}, and fails if rows already repeat a value",
                unique.name,
                unique.columns.join(", "),
                costs.phrase(ADD_UNIQUE, "builds an index that blocks writes")
            ),
            costs.suggestion(ADD_UNIQUE),
        )),
        CreateIndex { table, index } if existing(table) => {
            if index.unique {
                out.push(finding(
                    ADD_UNIQUE,
                    Warning,
                    table.to_string(),
                    format!(
                        "adding unique index {} ({}) on {table} fails if rows already repeat a value",
                        index.name,
                        index.keys_text()
                    ),
                    UNIQUE_INDEX_SUGGESTION,
                ));
            }
            if !index.concurrently && costs.concurrent_indexes {
                out.push(finding(
                    INDEX_WITHOUT_CONCURRENTLY,
                    Warning,
                    table.to_string(),
                    format!(
                        "building index {} on {table} blocks writes to the table until it is done",
                        index.name
                    ),
                    suggestion_for(INDEX_WITHOUT_CONCURRENTLY),
                ));
            }
        }
        AddForeignKey { table, key } if existing(table) => out.push(finding(
            ADD_FOREIGN_KEY,
            Warning,
            table.to_string(),
            format!(
                "adding foreign key {} on {table} {} {table} and {}",
                key.name,
                costs.phrase(ADD_FOREIGN_KEY, "scans the table to validate it, locking"),
                QualifiedName::new(&key.ref_schema, &key.ref_table)
            ),
            costs.suggestion(ADD_FOREIGN_KEY),
        )),
        AddCheck { table, check } if existing(table) => out.push(finding(
            ADD_CHECK,
            Warning,
            table.to_string(),
            format!(
                "adding check {} on {table} {}, and fails if a row violates it",
                check.name,
                costs.phrase(ADD_CHECK, "scans the table under an exclusive lock")
            ),
            costs.suggestion(ADD_CHECK),
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
