//! Drift: the live schema against the snapshot of the newest applied migration, compared as
//! `verify` compares ([`super::judge`]: the server judges expressions), which `check --url`
//! reports and `migrate` refuses before applying (unless `--allow-drift`).
//!
//! Only what the history declares can drift: a live table, enum, sequence, view or schema that no snapshot of
//! the folder ever declared belongs to another tool and is left out, and the config's
//! `ignore_tables` leaves out declared tables entirely (on both sides).
//! Which names were ever declared needs every snapshot, so they are read (their names only)
//! only when the live database has objects the newest applied snapshot does not declare.
//! A migration listed before the newest applied one but not applied yet (to be applied out of
//! order) is in that snapshot already and not in the database: the tables, enums and schemas
//! it changes are left out of the comparison.

use crate::backend::Connected;
use crate::config::Config;
use crate::database::{DatabaseError, ServerError};
use crate::error::Error;
use crate::folder::history::{Depth, History};
use schema_core::model::Schema;
use std::collections::{BTreeMap, BTreeSet};

/// What differs, and from which migration's snapshot.
#[derive(Debug, Default)]
pub struct Drift {
    /// The newest applied migration whose snapshot was compared (its tag).
    pub tag: String,
    /// Every difference, one line each, named by object.
    pub differences: Vec<String>,
    /// Why the server could not judge some expressions, which were compared as text instead.
    pub unjudged: Option<String>,
}

/// Compares the database `conn` is connected to with the snapshot of the newest migration of
/// `history` in `applied`; `None` when none is applied (a fresh database: nothing to compare)
/// or its snapshot cannot be read (a folder problem reported elsewhere).
/// `rebuilt` are the `(schema, index)` that pending migrations build concurrently: an
/// interrupted build left such an index invalid, and `migrate` drops it and builds it again.
pub async fn find(
    conn: &mut Connected,
    config: &Config,
    history: &History,
    (applied, rebuilt): (&BTreeSet<i64>, &[(String, String)]),
) -> Result<Option<Drift>, Error> {
    let last = history
        .migrations
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| m.version().is_some_and(|v| applied.contains(&v)));
    let Some((i, last)) = last else {
        return Ok(None);
    };
    let Some(expected) = history.schema(i) else {
        return Ok(None);
    };
    let mut expected = expected.into_owned();
    let mut actual = conn.introspect().await.map_err(|e| DatabaseError::Query {
        context: "cannot read the schema".to_string(),
        what: conn.what.clone(),
        error: ServerError::Server(Box::new(e)),
    })?;
    ignore(&mut expected, &config.ignore_tables);
    ignore(&mut actual, &config.ignore_tables);
    let unapplied = changed_by_unapplied(history, i, applied);
    leave_out(&mut expected, &unapplied);
    leave_out(&mut actual, &unapplied);
    // Left out of both sides: a pending migration may drop and build again one the newest
    // applied snapshot has (a changed concurrent index keeps its name).
    for table in actual
        .tables
        .values_mut()
        .chain(expected.tables.values_mut())
    {
        let schema = &table.schema;
        table
            .indexes
            .retain(|i| !rebuilt.iter().any(|(s, n)| s == schema && *n == i.name));
    }
    if undeclared_here(&expected, &actual) {
        keep_declared(&mut actual, &declared(history));
    }
    let judged = super::judge::compare(conn, &expected, &actual).await;
    Ok(Some(Drift {
        tag: last.tag.clone(),
        differences: judged.differences,
        unjudged: judged.unjudged,
    }))
}

/// Removes the tables `ignore_tables` names: `schema.table`, or a bare `table` in any schema.
pub fn ignore(schema: &mut Schema, names: &[String]) {
    if names.is_empty() {
        return;
    }
    let ignored = |key: &String, t: &schema_core::model::Table| {
        names
            .iter()
            .any(|n| n == key || (!n.contains('.') && *n == t.name))
    };
    // The sequences only ignored tables draw from (a serial column's) go with them.
    let draws = |keep: bool| -> BTreeSet<String> {
        schema
            .tables
            .iter()
            .filter(|(k, t)| ignored(k, t) != keep)
            .flat_map(|(_, t)| &t.columns)
            .filter_map(|c| c.default.as_deref().and_then(crate::pull::nextval_sequence))
            .filter_map(|parts| match parts.as_slice() {
                [name] => Some(Schema::key("public", name)),
                [schema, name] => Some(Schema::key(schema, name)),
                _ => None,
            })
            .collect()
    };
    let (theirs, kept) = (draws(false), draws(true));
    schema
        .sequences
        .retain(|key, _| !theirs.contains(key) || kept.contains(key));
    schema.tables.retain(|key, t| !ignored(key, t));
}

/// What the migrations listed before `newest` that are not in `applied` change: objects
/// whose definition differs between each one's snapshot and the one before it.
fn changed_by_unapplied(history: &History, newest: usize, applied: &BTreeSet<i64>) -> Declared {
    let mut out = Declared::default();
    for j in 0..newest {
        let m = &history.migrations[j];
        if m.version().is_none_or(|v| applied.contains(&v)) {
            continue;
        }
        let before = match j {
            0 => Some(std::borrow::Cow::Owned(Schema::default())),
            _ => history.schema(j - 1),
        };
        let (Some(before), Some(after)) = (before, history.schema(j)) else {
            continue;
        };
        changed(&before, &after, &mut out);
    }
    out
}

/// The keys of the tables and enums, and the schemas, that differ between `a` and `b`.
fn changed(a: &Schema, b: &Schema, out: &mut Declared) {
    fn differ<'a, V: PartialEq>(
        a: &'a BTreeMap<String, V>,
        b: &'a BTreeMap<String, V>,
    ) -> impl Iterator<Item = String> + 'a {
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned()
    }
    out.tables.extend(differ(&a.tables, &b.tables));
    out.enums.extend(differ(&a.enums, &b.enums));
    out.sequences.extend(differ(&a.sequences, &b.sequences));
    out.views.extend(differ(&a.views, &b.views));
    let (sa, sb): (BTreeSet<&String>, BTreeSet<&String>) =
        (a.schemas.iter().collect(), b.schemas.iter().collect());
    out.schemas
        .extend(sa.symmetric_difference(&sb).map(|s| s.to_string()));
}

/// Removes the objects `names` lists.
fn leave_out(schema: &mut Schema, names: &Declared) {
    schema.tables.retain(|k, _| !names.tables.contains(k));
    schema.enums.retain(|k, _| !names.enums.contains(k));
    schema.sequences.retain(|k, _| !names.sequences.contains(k));
    schema.views.retain(|k, _| !names.views.contains(k));
    schema.schemas.retain(|s| !names.schemas.contains(s));
}

/// Whether `actual` has a table, enum or schema that `expected` does not declare.
fn undeclared_here(expected: &Schema, actual: &Schema) -> bool {
    actual
        .tables
        .keys()
        .any(|k| !expected.tables.contains_key(k))
        || actual.enums.keys().any(|k| !expected.enums.contains_key(k))
        || actual
            .sequences
            .keys()
            .any(|k| !expected.sequences.contains_key(k))
        || actual.views.keys().any(|k| !expected.views.contains_key(k))
        || actual.schemas.iter().any(|s| !expected.schemas.contains(s))
}

/// Names of tables (`schema.name`), enums (`schema.name`), sequences (`schema.name`) and
/// schemas: those some snapshot of the folder declares, or those a migration changes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Declared {
    pub tables: BTreeSet<String>,
    pub enums: BTreeSet<String>,
    pub schemas: BTreeSet<String>,
    pub sequences: BTreeSet<String>,
    pub views: BTreeSet<String>,
}

/// Removes from `actual` what no snapshot ever declared.
pub fn keep_declared(actual: &mut Schema, declared: &Declared) {
    actual.tables.retain(|k, _| declared.tables.contains(k));
    actual.enums.retain(|k, _| declared.enums.contains(k));
    actual
        .sequences
        .retain(|k, _| declared.sequences.contains(k));
    actual.views.retain(|k, _| declared.views.contains(k));
    actual.schemas.retain(|s| declared.schemas.contains(s));
}

/// What the snapshots of `history` declare; with [`Depth::Heads`] each snapshot file is read
/// again for its names only (the objects themselves are skipped, not built).
pub fn declared(history: &History) -> Declared {
    let mut out = Declared::default();
    for m in &history.migrations {
        match (&m.snapshot, history.depth) {
            (Some(snapshot), Depth::Full) => add(&mut out, &snapshot.schema),
            _ => {
                let names = std::fs::read_to_string(&m.snapshot_path)
                    .ok()
                    .and_then(|text| serde_json::from_str::<Names>(&text).ok());
                if let Some(names) = names {
                    out.tables.extend(names.tables.into_keys());
                    out.enums.extend(names.enums.into_keys());
                    out.sequences.extend(names.sequences.into_keys());
                    out.views.extend(names.views.into_keys());
                    out.schemas.extend(names.schemas);
                }
            }
        }
    }
    out
}

fn add(out: &mut Declared, schema: &Schema) {
    out.tables.extend(schema.tables.keys().cloned());
    out.enums.extend(schema.enums.keys().cloned());
    out.sequences.extend(schema.sequences.keys().cloned());
    out.views.extend(schema.views.keys().cloned());
    out.schemas.extend(schema.schemas.iter().cloned());
}

/// A snapshot's object names, its objects skipped.
#[derive(serde::Deserialize)]
struct Names {
    #[serde(default)]
    schemas: Vec<String>,
    #[serde(default)]
    enums: BTreeMap<String, serde::de::IgnoredAny>,
    #[serde(default)]
    tables: BTreeMap<String, serde::de::IgnoredAny>,
    #[serde(default)]
    sequences: BTreeMap<String, serde::de::IgnoredAny>,
    #[serde(default)]
    views: BTreeMap<String, serde::de::IgnoredAny>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_core::model::Table;

    fn schema(tables: &[(&str, &str)]) -> Schema {
        let mut s = Schema::default();
        for (schema, name) in tables {
            let t: Table = serde_json::from_value(serde_json::json!({
                "schema": schema, "name": name, "columns": []
            }))
            .unwrap();
            s.tables.insert(format!("{schema}.{name}"), t);
        }
        s
    }

    #[test]
    fn ignore_tables_match_the_key_or_a_bare_name_in_any_schema() {
        let mut s = schema(&[("public", "a"), ("audit", "a"), ("public", "b"), ("x", "c")]);
        ignore(
            &mut s,
            &["a".to_string(), "x.c".to_string(), "public.zz".to_string()],
        );
        assert_eq!(s.tables.keys().collect::<Vec<_>>(), ["public.b"]);
    }

    #[test]
    fn only_what_no_snapshot_declared_is_left_out() {
        let mut actual = schema(&[("public", "a"), ("public", "old"), ("public", "other")]);
        actual.schemas = vec!["audit".into(), "postgis".into()];
        let expected = schema(&[("public", "a")]);
        assert!(undeclared_here(&expected, &actual));
        let declared = Declared {
            tables: ["public.a", "public.old"].map(String::from).into(),
            schemas: ["audit".to_string()].into(),
            ..Declared::default()
        };
        keep_declared(&mut actual, &declared);
        assert_eq!(
            actual.tables.keys().collect::<Vec<_>>(),
            ["public.a", "public.old"]
        );
        assert_eq!(actual.schemas, ["audit"]);
        assert!(!undeclared_here(&expected, &expected.clone()));
    }

    #[test]
    fn what_an_unapplied_migration_changes_is_named() {
        let a = schema(&[("public", "a"), ("public", "b")]);
        let mut b = schema(&[("public", "a"), ("public", "c")]);
        b.schemas = vec!["audit".into()];
        let mut out = Declared::default();
        changed(&a, &b, &mut out);
        assert_eq!(
            out.tables,
            ["public.b", "public.c"].map(String::from).into()
        );
        assert_eq!(out.schemas, ["audit".to_string()].into());
        let mut s = b.clone();
        leave_out(&mut s, &out);
        assert_eq!(s.tables.keys().collect::<Vec<_>>(), ["public.a"]);
        assert!(s.schemas.is_empty());
    }

    #[test]
    fn names_are_read_without_the_objects() {
        let text = r#"{"version":"1","dialect":"postgres","id":"x","prevId":"y","schemas":["audit"],
            "enums":{"public.e":{"values":["a"]}},"tables":{"public.t":{"columns":[{"name":"id"}]}}}"#;
        let names: Names = serde_json::from_str(text).unwrap();
        assert_eq!(names.schemas, ["audit"]);
        assert_eq!(names.enums.keys().collect::<Vec<_>>(), ["public.e"]);
        assert_eq!(names.tables.keys().collect::<Vec<_>>(), ["public.t"]);
    }
}
