//! One SQLite migration file from a list of changes.
//!
//! `ALTER TABLE` in SQLite renames tables and columns and adds simple columns; everything
//! else on an existing table (types, nullability, defaults, keys, checks, foreign keys,
//! dropped columns) rebuilds the table: create `__new_<table>`, copy the rows, drop the old
//! table, rename the new one and build its indexes again.
//!
//! sqlx turns foreign-key enforcement on for every connection, and with it on, dropping the
//! old table deletes the rows of the tables that reference it (`ON DELETE CASCADE`) or fails
//! (`RESTRICT`). Enforcement cannot change inside a transaction, so a file that rebuilds or
//! drops a table is a `-- no-transaction` file that turns enforcement off, runs its own
//! transaction (`BEGIN IMMEDIATE`: it takes the write lock first, so a concurrent writer makes
//! it wait instead of failing when it turns from reading to writing), proves integrity with `pragma_foreign_key_check` and turns enforcement on
//! again: correct under any runner, `sqlx::migrate!` included.

use super::{is_literal_default, Sqlite};
use crate::diff::{Change, QualifiedName};
use crate::model::{Column, Schema, Table};
use crate::render::{Dialect, RenderError, Script};
use std::collections::{BTreeMap, BTreeSet};

/// The prefix of the table a rebuild copies the rows into.
pub const REBUILD_PREFIX: &str = "__new_";

/// The prefix a dropped column takes when a renamed column takes its name before the rebuild.
pub const DROPPED_PREFIX: &str = "__dropped_";

/// True when a column of `table` is renamed to `column` in the same change list.
fn renamed_onto(changes: &[Change], table: &QualifiedName, column: &str) -> bool {
    changes.iter().any(
        |c| matches!(c, Change::RenameColumn { table: t, to, .. } if t == table && to == column),
    )
}

/// The statements that close a file with foreign-key enforcement off: a temporary table whose
/// check fails when `pragma_foreign_key_check` finds a row that references nothing.
const FOREIGN_KEY_CHECK: [&str; 3] = [
    "CREATE TEMP TABLE \"__migrate_fk_check\" (\"foreign_key_violations\" integer CHECK (\"foreign_key_violations\" = 0));",
    "INSERT INTO \"__migrate_fk_check\" SELECT count(*) FROM pragma_foreign_key_check;",
    "DROP TABLE \"temp\".\"__migrate_fk_check\";",
];

/// Dropping a rebuilt table drops its triggers, which the model does not hold (they come from
/// hand-written migrations): their names are remembered before the rebuilds, and the file
/// stops (rolled back whole) when one is missing at its end, so none is lost unnoticed. A
/// reviewer recreates them in the file, between the rebuild and this check.
const TRIGGER_CHECK: [&str; 4] = [
    "-- a rebuilt table loses its triggers: recreate them above this check, which stops the migration if one is missing\n\
     CREATE TEMP TABLE \"__migrate_trigger_check\" (\"lost_triggers\" integer CHECK (\"lost_triggers\" = 0));",
    "INSERT INTO \"__migrate_trigger_check\" SELECT count(*) FROM \"temp\".\"__migrate_triggers\" WHERE \"name\" NOT IN (SELECT \"name\" FROM \"main\".\"sqlite_master\" WHERE \"type\" = 'trigger');",
    "DROP TABLE \"temp\".\"__migrate_trigger_check\";",
    "DROP TABLE \"temp\".\"__migrate_triggers\";",
];

/// `CREATE TEMP TABLE "__migrate_triggers" AS SELECT ..`: the triggers of the tables about to
/// be rebuilt (under their names at this point, after the in-place renames).
fn remember_triggers(d: &Sqlite, rebuilt: &BTreeSet<String>) -> String {
    let tables: Vec<String> = rebuilt.iter().map(|t| d.literal(t)).collect();
    format!(
        "CREATE TEMP TABLE \"__migrate_triggers\" AS SELECT \"name\" FROM \"main\".\"sqlite_master\" WHERE \"type\" = 'trigger' AND \"tbl_name\" IN ({});",
        tables.join(", ")
    )
}

/// The migration file for `changes`, which take `old` to `new`.
pub fn script(
    d: &Sqlite,
    changes: &[Change],
    old: &Schema,
    new: &Schema,
) -> Result<Script, RenderError> {
    let names = Names::new(changes, old);
    let created: BTreeSet<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable { table } => Some(table.name.as_str()),
            _ => None,
        })
        .collect();
    let mut rebuilt: BTreeSet<String> = BTreeSet::new();
    for change in changes {
        if let Some(table) = rebuild_reason(change) {
            for name in names.candidates(&table.name) {
                if new_table(new, &name).is_some() && !created.contains(name.as_str()) {
                    rebuilt.insert(name);
                }
            }
        }
    }
    let mut statements = Vec::new();
    let mut drops = false;
    // Views are created after the rebuilds, since a rebuild renames its table, which SQLite
    // refuses while a view reads a table that is missing at that moment.
    let mut views = Vec::new();
    // A view renamed and then dropped under its new name to be created again (around a
    // column change): SQLite renames a view by dropping and creating it, so only the old
    // view's drop is left, in place of the drop of the new name; the create comes later.
    let dropped_again: BTreeSet<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropView {
                name,
                recreated: true,
                ..
            } => Some(name.name.as_str()),
            _ => None,
        })
        .collect();
    let renamed_away: BTreeSet<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::RenameView { to, .. } if dropped_again.contains(to.name.as_str()) => {
                Some(to.name.as_str())
            }
            _ => None,
        })
        .collect();
    for change in changes {
        match change {
            Change::RenameView { from, to, view } if renamed_away.contains(to.name.as_str()) => {
                let drop = Change::DropView {
                    name: from.clone(),
                    materialized: view.materialized,
                    recreated: true,
                };
                statements.extend(d.statements(&drop)?);
            }
            Change::DropView { name, .. } if renamed_away.contains(name.name.as_str()) => {}
            Change::CreateView { .. } | Change::ReplaceView { .. } | Change::RenameView { .. } => {
                views.extend(d.statements(change)?)
            }
            _ => statements.extend(in_place(d, changes, change, new, &rebuilt, &mut drops)?),
        }
    }
    if !rebuilt.is_empty() {
        statements.push(remember_triggers(d, &rebuilt));
    }
    for name in &rebuilt {
        if let Some(table) = new_table(new, name) {
            statements.extend(rebuild(d, table, &names, old)?);
        }
    }
    if !rebuilt.is_empty() {
        statements.extend(TRIGGER_CHECK.iter().map(|s| s.to_string()));
    }
    statements.extend(views);
    if rebuilt.is_empty() && !drops {
        return Ok(Script {
            statements,
            no_transaction: false,
        });
    }
    let mut wrapped = vec![
        "PRAGMA foreign_keys=OFF;".to_string(),
        "BEGIN IMMEDIATE;".to_string(),
    ];
    wrapped.extend(statements);
    wrapped.extend(FOREIGN_KEY_CHECK.iter().map(|s| s.to_string()));
    wrapped.push("COMMIT;".to_string());
    wrapped.push("PRAGMA foreign_keys=ON;".to_string());
    Ok(Script {
        statements: wrapped,
        no_transaction: true,
    })
}

fn new_table<'a>(new: &'a Schema, name: &str) -> Option<&'a Table> {
    new.tables
        .get(&Schema::key(crate::model::DEFAULT_SCHEMA, name))
}

/// The table a change needs a rebuild of, if it needs one.
fn rebuild_reason(change: &Change) -> Option<&QualifiedName> {
    use Change::*;
    match change {
        AddColumn { table, column } if !addable(column) => Some(table),
        DropColumn { table, .. }
        | AlterGenerated { table, .. }
        | AlterColumnType { table, .. }
        | FillNulls { table, .. }
        | SetNotNull { table, .. }
        | DropNotNull { table, .. }
        | SetDefault { table, .. }
        | DropDefault { table, .. }
        | AddIdentity { table, .. }
        | DropIdentity { table, .. }
        | AddPrimaryKey { table, .. }
        | DropPrimaryKey { table, .. }
        | AddUnique { table, .. }
        | DropUnique { table, .. }
        | AddCheck { table, .. }
        | DropCheck { table, .. }
        | AddForeignKey { table, .. }
        | DropForeignKey { table, .. }
        | RenameConstraint { table, .. } => Some(table),
        _ => None,
    }
}

/// `ALTER TABLE .. ADD COLUMN` takes a column that is nullable or has a constant default
/// (not `CURRENT_*`, not an expression), and is not a STORED generated column.
fn addable(column: &Column) -> bool {
    // Only a VIRTUAL generated column can be added in place (SQLite computes it on read).
    if column.generated.as_ref().is_some_and(|g| !g.is_virtual) {
        return false;
    }
    match &column.default {
        None => column.nullable,
        Some(default) => {
            let lower = default.trim().to_lowercase();
            is_literal_default(default)
                && !lower.starts_with("current_")
                && (column.nullable || lower != "null")
        }
    }
}

/// The statements a change runs where it stands; changes folded into a rebuild or into a
/// `CREATE TABLE` give none.
fn in_place(
    d: &Sqlite,
    changes: &[Change],
    change: &Change,
    new: &Schema,
    rebuilt: &BTreeSet<String>,
    drops: &mut bool,
) -> Result<Vec<String>, RenderError> {
    use Change::*;
    let is_rebuilt = |t: &QualifiedName| rebuilt.contains(&t.name);
    match change {
        CreateTable { table } => match new_table(new, &table.name) {
            Some(full) => d.create_table(full),
            None => d.create_table(table),
        },
        DropTable { .. } => {
            *drops = true;
            d.statements(change)
        }
        // Renames run in place even on a table that is rebuilt: SQLite carries a renamed
        // column into the foreign keys of the tables that reference it.
        RenameTable { .. } | DropIndex { .. } | RenameColumn { .. } => d.statements(change),
        // A dropped column whose name a renamed column takes moves out of the way first.
        DropColumn { table, column } if renamed_onto(changes, table, column) => Ok(vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {};",
            d.qualified(table),
            d.quote(column),
            d.quote(&format!("{DROPPED_PREFIX}{column}"))
        )]),
        AddColumn { table, .. } | CreateIndex { table, .. } if is_rebuilt(table) => Ok(Vec::new()),
        AddColumn { .. } | CreateIndex { .. } => d.statements(change),
        RenameIndex { table, .. } if is_rebuilt(table) => Ok(Vec::new()),
        RenameIndex { table, from, to } => {
            let index =
                new_table(new, &table.name).and_then(|t| t.indexes.iter().find(|i| &i.name == to));
            let Some(index) = index else {
                return d.rename_index(table, from, to);
            };
            let mut out = d.drop_index(table, from, false)?;
            out.extend(d.create_index(table, index)?);
            Ok(out)
        }
        _ if rebuild_reason(change).is_some() => Ok(Vec::new()),
        _ => d.statements(change),
    }
}

/// Create `__new_<table>`, copy the rows (renamed columns mapped, new NOT NULL columns filled
/// from their defaults), drop the old table, rename the new one, build the indexes.
fn rebuild(
    d: &Sqlite,
    table: &Table,
    names: &Names,
    old: &Schema,
) -> Result<Vec<String>, RenderError> {
    let temp_name = format!("{REBUILD_PREFIX}{}", table.name);
    let mut temp = table.clone();
    temp.name.clone_from(&temp_name);
    let mut out = d.create_table(&temp)?;
    let before = names.origin(&table.name).and_then(|o| {
        old.tables
            .get(&Schema::key(crate::model::DEFAULT_SCHEMA, o))
    });
    let mut into = Vec::new();
    let mut from = Vec::new();
    if let Some(before) = before {
        let renamed = names.columns.get(&table.name);
        let dropped = names.dropped.get(&table.name);
        for column in &before.columns {
            if dropped.is_some_and(|d| d.contains(&column.name)) {
                continue;
            }
            // Renamed in place already: the column has its final name.
            let now = renamed
                .and_then(|r| r.get(&column.name))
                .unwrap_or(&column.name);
            // A generated column is computed by SQLite, never written.
            let Some(target) = table.column(now).filter(|t| t.generated.is_none()) else {
                continue;
            };
            into.push(d.quote(&target.name));
            from.push(copy_expr(d, &table.name, column, target));
        }
    }
    let current = QualifiedName::new(&table.schema, &table.name);
    if before.is_some() {
        // With no column kept, each row still comes across (its new columns from their
        // defaults, or failing on a NOT NULL one without).
        if into.is_empty() {
            into.push("rowid".to_string());
            from.push("rowid".to_string());
        }
        out.push(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {};",
            d.quote(&temp_name),
            into.join(", "),
            from.join(", "),
            d.qualified(&current)
        ));
    }
    out.push(format!("DROP TABLE {};", d.qualified(&current)));
    // The rename without SQLite's schema-wide check: a view over the table (hand-written)
    // names it while it is gone and would fail the check; it reads the new table afterwards.
    out.push("PRAGMA legacy_alter_table=ON;".to_string());
    out.push(format!(
        "ALTER TABLE {} RENAME TO {};",
        d.quote(&temp_name),
        d.quote(&table.name)
    ));
    out.push("PRAGMA legacy_alter_table=OFF;".to_string());
    for index in &table.indexes {
        out.extend(d.create_index(&current, index)?);
    }
    Ok(out)
}

/// The old column's value for the new column: `COALESCE("c", default)` when the column turns
/// NOT NULL and has a default, else the value as it is (SQLite converts it to the column's
/// affinity where that loses nothing).
///
/// The source column is qualified with its table: SQLite reads an unknown double-quoted name
/// as a string literal, so a bare `"title"` that is no column would copy the text `title` into
/// every row, where `"issues"."title"` fails.
fn copy_expr(d: &Sqlite, table: &str, before: &Column, after: &Column) -> String {
    let column = format!("{}.{}", d.quote(table), d.quote(&after.name));
    match &after.default {
        Some(default) if before.nullable && !after.nullable => {
            let default = if is_literal_default(default) {
                default.clone()
            } else {
                format!("({default})")
            };
            format!("COALESCE({column}, {default})")
        }
        _ => column,
    }
}

/// The table and column renames of a change list.
struct Names {
    /// Each old table's name at the end of the renames.
    tables: BTreeMap<String, String>,
    /// Per table (by its final name): each old column name's final name.
    columns: BTreeMap<String, BTreeMap<String, String>>,
    /// Per table (by its final name): the columns dropped, by their old names.
    dropped: BTreeMap<String, BTreeSet<String>>,
}

impl Names {
    fn new(changes: &[Change], old: &Schema) -> Self {
        let mut current: Vec<(String, String)> = old
            .tables
            .values()
            .map(|t| (t.name.clone(), t.name.clone()))
            .collect();
        let mut columns: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let mut dropped: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for change in changes {
            match change {
                Change::DropColumn { table, column } => {
                    dropped
                        .entry(table.name.clone())
                        .or_default()
                        .insert(column.clone());
                }
                Change::RenameTable { from, to } => {
                    if let Some(entry) = current.iter_mut().find(|(_, now)| *now == from.name) {
                        entry.1.clone_from(&to.name);
                    }
                }
                Change::RenameColumn { table, from, to } => {
                    let list = columns.entry(table.name.clone()).or_default();
                    match list.iter_mut().find(|(_, now)| now == from) {
                        Some(entry) => entry.1.clone_from(to),
                        None => list.push((from.clone(), to.clone())),
                    }
                }
                _ => {}
            }
        }
        Self {
            tables: current.into_iter().collect(),
            columns: columns
                .into_iter()
                .map(|(t, list)| (t, list.into_iter().collect()))
                .collect(),
            dropped,
        }
    }

    /// The old name of the table called `name` at the end.
    fn origin(&self, name: &str) -> Option<&str> {
        self.tables
            .iter()
            .find(|(_, now)| *now == name)
            .map(|(old, _)| old.as_str())
    }

    /// The final names a change's table name may stand for: the name itself, and the final
    /// name of the old table so called (a change before the renames uses old names).
    fn candidates(&self, name: &str) -> Vec<String> {
        let mut out = vec![name.to_string()];
        if let Some(now) = self.tables.get(name) {
            if now != name {
                out.push(now.clone());
            }
        }
        out
    }
}
