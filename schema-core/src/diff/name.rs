//! Migration names derived from the changes: `create_accounts`, `add_email_to_users`.

use super::Change;
use std::collections::BTreeSet;

const MAX_LEN: usize = 60;

/// A short snake_case name for a migration: the headline of its first change, and how many
/// more headlines follow (`create_accounts_and_3_more`). At most 60 characters of
/// `[a-z0-9_]`; `custom` when there is no change.
pub fn migration_name(changes: &[Change]) -> String {
    let headlines = headlines(changes);
    let Some(first) = headlines.first() else {
        return "custom".to_string();
    };
    let first = clean(first);
    if headlines.len() == 1 {
        return cut(&first, MAX_LEN);
    }
    let suffix = format!("_and_{}_more", headlines.len() - 1);
    format!("{}{suffix}", cut(&first, MAX_LEN - suffix.len()))
}

/// One headline per object the migration is about, by rank then change order, without repeats.
fn headlines(changes: &[Change]) -> Vec<String> {
    // Keys, indexes and foreign keys of tables created or dropped here are part of that.
    let whole: BTreeSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable { table } => Some(table.name.clone()),
            Change::DropTable { table } => Some(table.name.clone()),
            _ => None,
        })
        .collect();
    let temps: BTreeSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::RebuildEnum { temp_name, .. } => Some(temp_name.clone()),
            _ => None,
        })
        .collect();
    let mut ranked: Vec<(u8, String)> = Vec::new();
    let mut seen: BTreeSet<(u8, String)> = BTreeSet::new();
    for change in changes {
        if matches!(change, Change::DropEnum { name } if temps.contains(&name.name)) {
            continue;
        }
        let Some(line) = headline(change, &whole) else {
            continue;
        };
        if seen.insert(line.clone()) {
            ranked.push(line);
        }
    }
    ranked.sort_by_key(|(rank, _)| *rank);
    let mut out: Vec<String> = ranked.into_iter().map(|(_, line)| line).collect();
    if out.is_empty() {
        for change in changes {
            let line = match change {
                Change::CreateSchema { name } => format!("create_schema_{name}"),
                Change::DropSchema { name } => format!("drop_schema_{name}"),
                Change::RenameConstraint { table, .. } | Change::RenameIndex { table, .. } => {
                    format!("alter_{}", table.name)
                }
                _ => continue,
            };
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    out
}

/// The headline of one change and its rank (tables first, then enums and sequences, columns,
/// the rest);
/// `None` for what follows from another change.
fn headline(change: &Change, whole: &BTreeSet<String>) -> Option<(u8, String)> {
    use Change::*;
    Some(match change {
        CreateSchema { .. } | DropSchema { .. } | RenameConstraint { .. } | RenameIndex { .. } => {
            return None
        }
        CreateTable { table } => (0, format!("create_{}", table.name)),
        DropTable { table } => (0, format!("drop_{}", table.name)),
        RenameTable { from, to } if from.name == to.name => {
            (0, format!("move_{}_to_{}", to.name, to.schema))
        }
        RenameTable { from, to } => (0, format!("rename_{}_to_{}", from.name, to.name)),
        CreateEnum { name, .. } => (1, format!("create_{}", name.name)),
        DropEnum { name } => (1, format!("drop_{}", name.name)),
        RenameEnum { from, to } => (1, format!("rename_{}_to_{}", from.name, to.name)),
        AddColumn { table, column } => (2, format!("add_{}_to_{}", column.name, table.name)),
        DropColumn { table, column } => (2, format!("drop_{column}_from_{}", table.name)),
        RenameColumn { table, from, to } => (2, format!("rename_{from}_to_{to}_in_{}", table.name)),
        AddEnumValue { name, value, .. } => (3, format!("add_{value}_to_{}", name.name)),
        RebuildEnum { name, .. } => (3, format!("alter_{}", name.name)),
        CreateSequence { sequence } => (1, format!("create_{}", sequence.name)),
        DropSequence { name } => (1, format!("drop_{}", name.name)),
        RenameSequence { from, to } if from.name == to.name => {
            (1, format!("move_{}_to_{}", to.name, to.schema))
        }
        RenameSequence { from, to } => (1, format!("rename_{}_to_{}", from.name, to.name)),
        AlterSequence { name, .. } => (3, format!("alter_{}", name.name)),
        other => {
            let table = other.table()?;
            if whole.contains(&table.name) {
                return None;
            }
            (4, format!("alter_{}", table.name))
        }
    })
}

/// Lowercase ASCII letters and digits; everything else becomes one `_`.
fn clean(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

fn cut(s: &str, max: usize) -> String {
    let cut = if s.len() > max { &s[..max] } else { s };
    let cut = cut.trim_end_matches('_');
    if cut.is_empty() {
        "migration".to_string()
    } else {
        cut.to_string()
    }
}
