//! Rename answers: the `--rename` flag (`table:OLD=NEW`, `column:TABLE.OLD=NEW`,
//! `enum:OLD=NEW`, and `<kind>:OLD=NEW` for each other [`ObjectKind`], such as
//! `sequence:OLD=NEW`), checking flags against the two schemas, and the question text and flag
//! for every open rename question.

use schema_core::diff::{ColumnRename, ObjectKind, ObjectRename, RenameQuestion, Renames};
use schema_core::model::{Schema, DEFAULT_SCHEMA};
use std::fmt;

/// One `--rename` flag. Table and enum names are keys (`schema.name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameFlag {
    Table {
        from: String,
        to: String,
    },
    /// `table` is the table's key in the new schema.
    Column {
        table: String,
        from: String,
        to: String,
    },
    Enum {
        from: String,
        to: String,
    },
    /// An object of another kind (a sequence, a view), by key.
    Object {
        kind: ObjectKind,
        from: String,
        to: String,
    },
}

/// How to spell the flag, shown with every parse error.
const SYNTAX: &str = "expected table:OLD=NEW, column:TABLE.OLD=NEW, enum:OLD=NEW, \
     sequence:OLD=NEW, view:OLD=NEW or policy:TABLE.OLD=NEW (tables, enums, sequences and views \
     as schema.name where the schema is not public, a policy's table too, by its new name), \
     for example \
     --rename column:accounts.display_name=full_name";

/// Parses a `--rename` value.
pub fn parse_flag(spec: &str) -> Result<RenameFlag, String> {
    let bad = |why: &str| format!("invalid rename `{spec}`: {why}; {SYNTAX}");
    let (kind, rest) = spec
        .split_once(':')
        .ok_or_else(|| bad("missing the kind"))?;
    let (left, right) = rest.split_once('=').ok_or_else(|| bad("missing `=`"))?;
    let (left, right) = (left.trim(), right.trim());
    let ident = |s: &str| !s.is_empty() && !s.contains(['.', '=', ':', ' ']);
    let object = ObjectKind::parse(kind.trim());
    // Tables, enums and the other kinds are keys (`schema.name`); columns are named in a table.
    let keyed =
        matches!(kind.trim(), "table" | "enum") || object.is_some_and(|k| k != ObjectKind::Policy);
    match kind.trim() {
        "policy" => {
            let (table, from) = left
                .rsplit_once('.')
                .ok_or_else(|| bad("the policy needs its table: TABLE.OLD"))?;
            let table = key(table).ok_or_else(|| bad("the table name is empty"))?;
            if !ident(from) || !ident(right) {
                return Err(bad("a policy name is empty or contains `.`"));
            }
            Ok(RenameFlag::Object {
                kind: ObjectKind::Policy,
                from: format!("{table}.{from}"),
                to: format!("{table}.{right}"),
            })
        }
        _ if keyed => {
            let from = key(left).ok_or_else(|| bad("the old name is empty"))?;
            // A new name without a schema stays in the old one's schema.
            let to = match right.split_once('.') {
                Some(_) => key(right),
                None if ident(right) => Some(Schema::key(schema_of(&from), right)),
                None => None,
            };
            let to = to.ok_or_else(|| bad("the new name is empty"))?;
            Ok(match (kind.trim(), object) {
                (_, Some(kind)) => RenameFlag::Object { kind, from, to },
                ("table", None) => RenameFlag::Table { from, to },
                _ => RenameFlag::Enum { from, to },
            })
        }
        "column" => {
            let (table, from) = left
                .rsplit_once('.')
                .ok_or_else(|| bad("the column needs its table: TABLE.OLD"))?;
            let table = key(table).ok_or_else(|| bad("the table name is empty"))?;
            if !ident(from) || !ident(right) {
                return Err(bad("a column name is empty or contains `.`"));
            }
            Ok(RenameFlag::Column {
                table,
                from: from.to_string(),
                to: right.to_string(),
            })
        }
        other => Err(bad(&format!("unknown kind `{other}`"))),
    }
}

/// `name` → `public.name`; `schema.name` as is.
fn key(s: &str) -> Option<String> {
    let valid = |p: &str| !p.is_empty() && !p.contains(['=', ':', ' ']);
    match s.split_once('.') {
        Some((schema, name)) if valid(schema) && valid(name) && !name.contains('.') => {
            Some(Schema::key(schema, name))
        }
        None if valid(s) => Some(Schema::key(DEFAULT_SCHEMA, s)),
        _ => None,
    }
}

fn schema_of(key: &str) -> &str {
    key.split_once('.').map_or(DEFAULT_SCHEMA, |(s, _)| s)
}

/// A key as the user writes it: `accounts` in `public`, `audit.accounts` elsewhere.
pub fn shown(key: &str) -> &str {
    match key.split_once('.') {
        Some((DEFAULT_SCHEMA, name)) => name,
        _ => key,
    }
}

impl fmt::Display for RenameFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pair = |f: &mut fmt::Formatter<'_>, kind: &str, from: &str, to: &str| {
            let to = if schema_of(from) == schema_of(to) {
                to.split_once('.').map_or(to, |(_, n)| n)
            } else {
                to
            };
            write!(f, "--rename {kind}:{}={to}", shown(from))
        };
        match self {
            RenameFlag::Table { from, to } => pair(f, "table", from, to),
            RenameFlag::Enum { from, to } => pair(f, "enum", from, to),
            RenameFlag::Object {
                kind: ObjectKind::Policy,
                from,
                to,
            } => {
                let (table, old) = from.rsplit_once('.').unwrap_or(("", from));
                let new = to.rsplit_once('.').map_or(to.as_str(), |(_, n)| n);
                write!(f, "--rename policy:{}.{old}={new}", shown(table))
            }
            RenameFlag::Object { kind, from, to } => pair(f, kind.name(), from, to),
            RenameFlag::Column { table, from, to } => {
                write!(f, "--rename column:{}.{from}={to}", shown(table))
            }
        }
    }
}

/// Adds `flags` to `renames`; a flag replaces a hint about the same old or new object.
pub fn apply(flags: &[RenameFlag], renames: &mut Renames) {
    fn set(pairs: &mut Vec<(String, String)>, from: &str, to: &str) {
        pairs.retain(|(f, t)| f != from && t != to);
        pairs.push((from.to_string(), to.to_string()));
    }
    for flag in flags {
        match flag {
            RenameFlag::Table { from, to } => set(&mut renames.tables, from, to),
            RenameFlag::Enum { from, to } => set(&mut renames.enums, from, to),
            RenameFlag::Object { kind, from, to } => {
                renames
                    .objects
                    .retain(|r| r.kind != *kind || (&r.from != from && &r.to != to));
                renames.objects.push(ObjectRename {
                    kind: *kind,
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            RenameFlag::Column { table, from, to } => {
                renames
                    .columns
                    .retain(|c| &c.table != table || (&c.from != from && &c.to != to));
                renames.columns.push(ColumnRename {
                    table: table.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
    }
}

/// Problems with `flags` given the last snapshot `old`, the source `new` and every rename.
pub fn check(flags: &[RenameFlag], old: &Schema, new: &Schema, renames: &Renames) -> Vec<String> {
    let mut problems = Vec::new();
    for flag in flags {
        match flag {
            RenameFlag::Table { from, to } => {
                let exists = |s: &Schema, k: &str| s.tables.contains_key(k);
                check_pair(flag, "table", (from, to), (old, new), exists, &mut problems);
            }
            RenameFlag::Enum { from, to } => {
                let exists = |s: &Schema, k: &str| s.enums.contains_key(k);
                check_pair(flag, "enum", (from, to), (old, new), exists, &mut problems);
            }
            RenameFlag::Object { kind, from, to } => {
                // A policy's table is named by its new key; the last snapshot has it under the
                // old key when the table is renamed too.
                let in_old = |k: &str| match kind {
                    ObjectKind::Policy => renames
                        .tables
                        .iter()
                        .find(|(_, t)| k.starts_with(&format!("{t}.")))
                        .map_or(k.to_string(), |(f, t)| format!("{f}{}", &k[t.len()..])),
                    _ => k.to_string(),
                };
                let exists = |s: &Schema, k: &str| kind.exists(s, k);
                let old_keys = (in_old(from), in_old(to));
                let keys = (from.as_str(), to.as_str(), &old_keys);
                let what = kind.name();
                check_object(flag, what, keys, (old, new), exists, &mut problems);
            }
            RenameFlag::Column { table, from, to } => {
                check_column(flag, (table, from, to), (old, new), renames, &mut problems);
            }
        }
    }
    problems
}

fn check_pair(
    flag: &RenameFlag,
    what: &str,
    (from, to): (&str, &str),
    (old, new): (&Schema, &Schema),
    exists: impl Fn(&Schema, &str) -> bool,
    problems: &mut Vec<String>,
) {
    let old_keys = (from.to_string(), to.to_string());
    check_object(
        flag,
        what,
        (from, to, &old_keys),
        (old, new),
        exists,
        problems,
    );
}

/// As [`check_pair`], with the keys the last snapshot has the objects under (a policy of a
/// renamed table is under the table's old key there).
fn check_object(
    flag: &RenameFlag,
    what: &str,
    (from, to, (old_from, old_to)): (&str, &str, &(String, String)),
    (old, new): (&Schema, &Schema),
    exists: impl Fn(&Schema, &str) -> bool,
    problems: &mut Vec<String>,
) {
    if !exists(old, old_from) {
        problems.push(format!(
            "{flag}: there is no {what} {} in the last snapshot",
            shown(from)
        ));
    }
    if !exists(new, to) {
        problems.push(format!(
            "{flag}: there is no {what} {} in the schema sources",
            shown(to)
        ));
    }
    if from != to && exists(old, old_to) {
        problems.push(format!(
            "{flag}: {what} {} already exists in the last snapshot",
            shown(to)
        ));
    }
}

fn check_column(
    flag: &RenameFlag,
    (table, from, to): (&str, &str, &str),
    (old, new): (&Schema, &Schema),
    renames: &Renames,
    problems: &mut Vec<String>,
) {
    let Some(new_table) = new.tables.get(table) else {
        problems.push(format!(
            "{flag}: there is no table {} in the schema sources",
            shown(table)
        ));
        return;
    };
    let old_key = renames
        .tables
        .iter()
        .find(|(_, t)| t == table)
        .map_or(table, |(f, _)| f.as_str());
    let Some(old_table) = old.tables.get(old_key) else {
        problems.push(format!(
            "{flag}: table {} is new, so it has no old column to rename",
            shown(table)
        ));
        return;
    };
    if old_table.column(from).is_none() {
        problems.push(format!(
            "{flag}: table {} has no column {from} in the last snapshot",
            shown(old_key)
        ));
    }
    if new_table.column(to).is_none() {
        problems.push(format!(
            "{flag}: table {} has no column {to} in the schema sources",
            shown(table)
        ));
    }
}

/// The question as asked: `column accounts.full_name: created, or renamed from display_name?`.
pub fn question_text(q: &RenameQuestion) -> String {
    let (what, candidates) = match q {
        RenameQuestion::Table {
            created,
            candidates,
        } => (format!("table {}", shown(created)), candidates),
        RenameQuestion::Column {
            table,
            created,
            candidates,
        } => (format!("column {}.{created}", shown(table)), candidates),
        RenameQuestion::Enum {
            created,
            candidates,
        } => (format!("enum {}", shown(created)), candidates),
        RenameQuestion::Object {
            kind,
            created,
            candidates,
        } => (format!("{} {}", kind.name(), shown(created)), candidates),
    };
    let from: Vec<&str> = candidates.iter().map(|c| shown(c)).collect();
    format!("{what}: created, or renamed from {}?", from.join(" or "))
}

/// The answers to offer: "created" first, then "renamed from X" for each candidate.
pub fn options(q: &RenameQuestion) -> Vec<String> {
    let candidates = match q {
        RenameQuestion::Table { candidates, .. }
        | RenameQuestion::Column { candidates, .. }
        | RenameQuestion::Enum { candidates, .. }
        | RenameQuestion::Object { candidates, .. } => candidates,
    };
    std::iter::once("created".to_string())
        .chain(
            candidates
                .iter()
                .map(|c| format!("renamed from {}", shown(c))),
        )
        .collect()
}

/// The option selected before the user moves: the first "renamed from", which keeps the data
/// ("created" drops the old object and its data with it).
pub fn default_option(q: &RenameQuestion) -> usize {
    let candidates = match q {
        RenameQuestion::Table { candidates, .. }
        | RenameQuestion::Column { candidates, .. }
        | RenameQuestion::Enum { candidates, .. }
        | RenameQuestion::Object { candidates, .. } => candidates,
    };
    usize::from(!candidates.is_empty())
}

/// The flag that answers `q` with its `n`-th candidate.
pub fn answer(q: &RenameQuestion, n: usize) -> Option<RenameFlag> {
    Some(match q {
        RenameQuestion::Table {
            created,
            candidates,
        } => RenameFlag::Table {
            from: candidates.get(n)?.clone(),
            to: created.clone(),
        },
        RenameQuestion::Column {
            table,
            created,
            candidates,
        } => RenameFlag::Column {
            table: table.clone(),
            from: candidates.get(n)?.clone(),
            to: created.clone(),
        },
        RenameQuestion::Enum {
            created,
            candidates,
        } => RenameFlag::Enum {
            from: candidates.get(n)?.clone(),
            to: created.clone(),
        },
        RenameQuestion::Object {
            kind,
            created,
            candidates,
        } => RenameFlag::Object {
            kind: *kind,
            from: candidates.get(n)?.clone(),
            to: created.clone(),
        },
    })
}

/// Every possible answer of `q` as flags.
pub fn answers(q: &RenameQuestion) -> Vec<RenameFlag> {
    (0..).map_while(|n| answer(q, n)).collect()
}

#[cfg(test)]
mod tests;
