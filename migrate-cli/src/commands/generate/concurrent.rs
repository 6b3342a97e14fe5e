//! Concurrent index builds and drops (PostgreSQL, `#[index(..., concurrently)]`): which changes
//! leave the main migration for a file of their own that runs without a transaction, and the
//! schema the database has between the two files.

use schema_core::diff::{Change, QualifiedName, Renames};
use schema_core::model::Schema;
use std::collections::BTreeSet;

/// The first line that makes sqlx run a migration outside a transaction.
pub const NO_TRANSACTION: &str = "-- no-transaction";

/// What the no-transaction file's name ends with: `<YYYYMMDDHHMMSS>_<name>_concurrent_indexes.sql`.
pub const FILE_SUFFIX: &str = "concurrent_indexes";

/// A migration's changes, split by where they run.
#[derive(Debug, Default)]
pub struct Split {
    /// The changes of the main file, in the diff's order.
    pub main: Vec<Change>,
    /// `CREATE INDEX CONCURRENTLY` and `DROP INDEX CONCURRENTLY`, in the diff's order, each
    /// naming its table as it is after the main file (renamed or moved there).
    pub concurrent: Vec<Change>,
    /// For each concurrent drop: the table's name before the migration and the index name.
    dropped: Vec<(QualifiedName, String)>,
}

/// A concurrent build or drop of an index on a table that already exists (the diff only marks
/// those: an index on a new table is built with the table).
fn is_concurrent(change: &Change) -> bool {
    match change {
        Change::CreateIndex { index, .. } => index.concurrently,
        Change::DropIndex { concurrently, .. } => *concurrently,
        _ => false,
    }
}

/// Moves the concurrent index changes after everything else. Two stay in the main file as plain
/// statements, since the main file needs them done: a unique index that a new foreign key of the
/// migration references, and a drop whose name the main file gives to something else.
pub fn split(changes: Vec<Change>) -> Split {
    if !changes.iter().any(is_concurrent) {
        return Split {
            main: changes,
            ..Split::default()
        };
    }
    let taken = names_taken(&changes);
    let referenced = referenced_keys(&changes);
    let renamed: Vec<(QualifiedName, QualifiedName)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::RenameTable { from, to } => Some((from.clone(), to.clone())),
            _ => None,
        })
        .collect();
    let mut out = Split::default();
    for mut change in changes {
        if !is_concurrent(&change) {
            out.main.push(change);
            continue;
        }
        match &mut change {
            Change::CreateIndex { table, index } => {
                let mut columns = index.columns.clone();
                columns.sort();
                let unique = index.unique && index.predicate.is_none();
                if unique && referenced.contains(&(table.clone(), columns)) {
                    index.concurrently = false;
                    out.main.push(change);
                    continue;
                }
            }
            Change::DropIndex {
                table,
                name,
                concurrently,
            } => {
                let after = renamed_table(table, &renamed);
                if taken.contains(&(after.schema.clone(), name.clone())) {
                    *concurrently = false;
                    out.main.push(change);
                    continue;
                }
                out.dropped.push((table.clone(), name.clone()));
                *table = after;
            }
            _ => {}
        }
        out.concurrent.push(change);
    }
    out
}

/// The table's name after the main file's renames and moves, applied in order.
fn renamed_table(
    table: &QualifiedName,
    renamed: &[(QualifiedName, QualifiedName)],
) -> QualifiedName {
    let mut current = table.clone();
    for (from, to) in renamed {
        if *from == current {
            current = to.clone();
        }
    }
    current
}

/// Relation names (schema, name) the changes create: tables, indexes and the indexes behind
/// primary keys and unique constraints share one namespace per schema.
fn names_taken(changes: &[Change]) -> BTreeSet<(String, String)> {
    let mut taken = BTreeSet::new();
    for change in changes {
        let (schema, name) = match change {
            Change::CreateTable { table } => {
                let s = &table.schema;
                for key in table.primary_key.iter().map(|k| &k.name) {
                    taken.insert((s.clone(), key.clone()));
                }
                for u in &table.uniques {
                    taken.insert((s.clone(), u.name.clone()));
                }
                (s, &table.name)
            }
            Change::RenameTable { to, .. } => (&to.schema, &to.name),
            Change::CreateIndex { table, index } if !index.concurrently => {
                (&table.schema, &index.name)
            }
            Change::RenameIndex { table, to, .. } | Change::RenameConstraint { table, to, .. } => {
                (&table.schema, to)
            }
            Change::AddUnique { table, unique } => (&table.schema, &unique.name),
            Change::AddPrimaryKey { table, key } => (&table.schema, &key.name),
            _ => continue,
        };
        taken.insert((schema.clone(), name.clone()));
    }
    taken
}

/// (table, sorted columns) of every key a new foreign key references.
fn referenced_keys(changes: &[Change]) -> BTreeSet<(QualifiedName, Vec<String>)> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::AddForeignKey { key, .. } => {
                let mut columns = key.ref_columns.clone();
                columns.sort();
                let table = QualifiedName::new(&key.ref_schema, &key.ref_table);
                Some((table, columns))
            }
            _ => None,
        })
        .collect()
}

/// The schema after the main file and the first `done` concurrent changes (each has a
/// no-transaction file of its own): `new` without the indexes the later files build, and with
/// those they drop, as `old` had them (columns renamed by the migration follow; an index on a
/// column the migration drops went with the column).
pub fn between(
    old: &Schema,
    new: &Schema,
    renames: &Renames,
    split: &Split,
    done: usize,
) -> Schema {
    let mut schema = new.clone();
    for change in split.concurrent.iter().skip(done) {
        if let Change::CreateIndex { table, index } = change {
            if let Some(t) = schema
                .tables
                .get_mut(&Schema::key(&table.schema, &table.name))
            {
                t.indexes.retain(|i| i.name != index.name);
            }
        }
    }
    let drops = split
        .concurrent
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Change::DropIndex { table, .. } => Some((i, table)),
            _ => None,
        });
    for ((before, name), (i, after)) in split.dropped.iter().zip(drops) {
        if i < done {
            continue;
        }
        let Some(index) = old
            .tables
            .get(&Schema::key(&before.schema, &before.name))
            .and_then(|t| t.indexes.iter().find(|i| i.name == *name))
        else {
            continue;
        };
        let key = Schema::key(&after.schema, &after.name);
        let Some(table) = schema.tables.get_mut(&key) else {
            continue;
        };
        let mut index = index.clone();
        for column in &mut index.columns {
            if let Some(r) = renames
                .columns
                .iter()
                .find(|r| r.table == key && r.from == *column)
            {
                column.clone_from(&r.to);
            }
        }
        let exists = |c: &String| table.columns.iter().any(|t| t.name == *c);
        if index.columns.iter().all(exists) {
            table.indexes.retain(|i| i.name != index.name);
            table.indexes.push(index);
        }
    }
    schema
}

#[cfg(test)]
mod tests;
