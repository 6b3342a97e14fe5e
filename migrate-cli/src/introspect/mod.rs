//! Comparing a snapshot with a live schema (read back by the database's backend, see
//! [`crate::backend`]) object by object: what `verify` and `check`'s drift report.
//!
//! The comparison ignores what a catalog cannot hold: column order, rename hints and
//! whether an index is built `CONCURRENTLY`. Defaults, checks and index predicates are
//! compared through [`expr::same`], which drops the casts and parentheses PostgreSQL adds;
//! on MySQL ([`Rules::MYSQL`]) through [`expr::same_mysql`], and a foreign key's `RESTRICT` is
//! its `NO ACTION` there. `verify` and `check --url` let the server judge expressions first
//! ([`judge`]).

mod column_kinds;
pub mod drift;
pub mod expr;
pub mod judge;
mod policies;
mod sequences;
mod views;

use schema_core::model::{Column, ColumnType, FkAction, Index, IndexKey, KeyTarget, Schema, Table};
use std::collections::{BTreeMap, BTreeSet};

/// What two spellings of one object a database's catalog treats as the same.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    /// Whether two expressions are the same.
    same: &'a dyn Fn(&str, &str) -> bool,
    /// A foreign key action as the dialect enforces it.
    action: fn(FkAction) -> FkAction,
    /// An index method (`using`) as the dialect builds it; none is `btree`.
    method: fn(Option<&str>) -> String,
}

impl Rules<'static> {
    /// PostgreSQL's and SQLite's.
    pub const STANDARD: Rules<'static> = Rules {
        same: &expr::same,
        action: |a| a,
        method: |m| m.unwrap_or("btree").to_lowercase(),
    };

    /// MySQL's and MariaDB's: InnoDB's `RESTRICT` is `NO ACTION`, and it builds a btree for
    /// `USING HASH`.
    pub const MYSQL: Rules<'static> = Rules {
        same: &expr::same_mysql,
        action: |a| match a {
            FkAction::Restrict => FkAction::NoAction,
            other => other,
        },
        method: |m| match m.map(str::to_lowercase).as_deref() {
            None | Some("hash") => "btree".into(),
            Some(other) => other.into(),
        },
    };
}

/// Every difference between `expected` (a snapshot) and `actual` (the live schema), one line
/// each, named by object: `public.accounts.active: missing column`.
pub fn compare(expected: &Schema, actual: &Schema) -> Vec<String> {
    compare_with(Rules::STANDARD, expected, actual)
}

/// [`compare`] with a database's rules: `unqualified` names objects without the default schema
/// (`accounts.active`, for databases that have no schemas), and `same`, when given, decides
/// whether two expressions are the same instead of the rules' text comparison (the server's
/// verdicts, see [`judge`]).
pub fn compare_by(
    rules: &Rules<'_>,
    unqualified: bool,
    expected: &Schema,
    actual: &Schema,
    same: Option<&dyn Fn(&str, &str) -> bool>,
) -> Vec<String> {
    let rules = match same {
        Some(same) => Rules { same, ..*rules },
        None => *rules,
    };
    let lines = compare_with(rules, expected, actual);
    if !unqualified {
        return lines;
    }
    // Each line starts with its object's key; these databases hold the default schema only.
    let prefix = format!("{}.", schema_core::model::DEFAULT_SCHEMA);
    lines
        .into_iter()
        .map(|line| match line.strip_prefix(&prefix) {
            Some(unqualified) => unqualified.to_string(),
            None => line,
        })
        .collect()
}

fn compare_with(rules: Rules, expected: &Schema, actual: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let want: BTreeSet<&String> = expected.schemas.iter().collect();
    let have: BTreeSet<&String> = actual.schemas.iter().collect();
    for s in want.difference(&have) {
        out.push(format!("schema {s}: missing"));
    }
    for s in have.difference(&want) {
        out.push(format!("schema {s}: not in the snapshot"));
    }
    for (key, e) in &expected.enums {
        match actual.enums.get(key) {
            None => out.push(format!("{key}: missing enum")),
            Some(a) if a.values != e.values => out.push(format!(
                "{key}: enum values ({}), snapshot says ({})",
                a.values.join(", "),
                e.values.join(", ")
            )),
            Some(_) => {}
        }
    }
    for key in actual
        .enums
        .keys()
        .filter(|k| !expected.enums.contains_key(*k))
    {
        out.push(format!("{key}: enum not in the snapshot"));
    }
    for (key, t) in &expected.tables {
        match actual.tables.get(key) {
            None => out.push(format!("{key}: missing table")),
            Some(a) => compare_table(rules, key, t, a, &mut out),
        }
    }
    for key in actual
        .tables
        .keys()
        .filter(|k| !expected.tables.contains_key(*k))
    {
        out.push(format!("{key}: table not in the snapshot"));
    }
    sequences::compare(expected, actual, &mut out);
    views::compare(expected, actual, &mut out);
    out
}

fn compare_table(rules: Rules, key: &str, want: &Table, have: &Table, out: &mut Vec<String>) {
    policies::compare(rules, key, want, have, out);
    for c in &want.columns {
        match have.column(&c.name) {
            None => out.push(format!("{key}.{}: missing column", c.name)),
            Some(a) => compare_column(rules, &format!("{key}.{}", c.name), c, a, out),
        }
    }
    for c in have
        .columns
        .iter()
        .filter(|c| want.column(&c.name).is_none())
    {
        out.push(format!("{key}.{}: column not in the snapshot", c.name));
    }
    let pk = |t: &Table| {
        t.primary_key
            .as_ref()
            .map(|p| format!("({}) named {}", p.columns.join(", "), p.name))
    };
    match (pk(want), pk(have)) {
        (Some(w), None) => out.push(format!("{key}: primary key {w} missing")),
        (None, Some(h)) => out.push(format!("{key}: primary key {h} not in the snapshot")),
        (Some(w), Some(h)) if w != h => {
            out.push(format!("{key}: primary key {h}, snapshot says {w}"))
        }
        _ => {}
    }
    let uniques = |t: &Table| -> BTreeMap<Vec<String>, String> {
        t.uniques
            .iter()
            .map(|u| {
                let nulls = if u.nulls_not_distinct {
                    " nulls not distinct"
                } else {
                    ""
                };
                (u.columns.clone(), format!("{}{nulls}", u.name))
            })
            .collect()
    };
    keyed(
        key,
        "unique",
        &uniques(want),
        &uniques(have),
        out,
        |w, h| (w != h).then(|| format!("named {h}, snapshot says {w}")),
    );
    let fks = |t: &Table| -> BTreeMap<Vec<String>, String> {
        t.foreign_keys
            .iter()
            .map(|f| {
                let text = format!(
                    "named {} references {}.{} ({}) on delete {} on update {}",
                    f.name,
                    f.ref_schema,
                    f.ref_table,
                    f.ref_columns.join(", "),
                    (rules.action)(f.on_delete).sql().to_lowercase(),
                    (rules.action)(f.on_update).sql().to_lowercase()
                );
                (f.columns.clone(), text)
            })
            .collect()
    };
    keyed(key, "foreign key", &fks(want), &fks(have), out, |w, h| {
        (w != h).then(|| format!("{h}, snapshot says {w}"))
    });
    compare_indexes(rules, key, &want.indexes, &have.indexes, out);
    for c in &want.checks {
        match have.checks.iter().find(|a| a.name == c.name) {
            None => out.push(format!("{key}: check {} missing", c.name)),
            Some(a) if !(rules.same)(&c.expr, &a.expr) => out.push(format!(
                "{key}: check {} is {}, snapshot says {}",
                c.name, a.expr, c.expr
            )),
            Some(_) => {}
        }
    }
    for c in have
        .checks
        .iter()
        .filter(|a| !want.checks.iter().any(|c| c.name == a.name))
    {
        out.push(format!("{key}: check {} not in the snapshot", c.name));
    }
}

/// Objects keyed by their columns: missing, not in the snapshot, or different (`differ`).
fn keyed(
    key: &str,
    kind: &str,
    want: &BTreeMap<Vec<String>, String>,
    have: &BTreeMap<Vec<String>, String>,
    out: &mut Vec<String>,
    differ: impl Fn(&str, &str) -> Option<String>,
) {
    for (cols, w) in want {
        let cols_text = cols.join(", ");
        match have.get(cols) {
            None => out.push(format!("{key}: {kind} ({cols_text}) missing")),
            Some(h) => {
                if let Some(d) = differ(w, h) {
                    out.push(format!("{key}: {kind} ({cols_text}) {d}"));
                }
            }
        }
    }
    for cols in have.keys().filter(|c| !want.contains_key(*c)) {
        out.push(format!(
            "{key}: {kind} ({}) not in the snapshot",
            cols.join(", ")
        ));
    }
}

/// Indexes are matched by columns and predicate, then compared by name, uniqueness and method.
fn compare_indexes(rules: Rules, key: &str, want: &[Index], have: &[Index], out: &mut Vec<String>) {
    let label = |i: &Index| match &i.predicate {
        Some(p) => format!("index ({}) where {p}", i.keys_text()),
        None => format!("index ({})", i.keys_text()),
    };
    let same_key = |x: &IndexKey, y: &IndexKey| {
        let text = |k: &IndexKey| match &k.target {
            KeyTarget::Column(c) | KeyTarget::Expression(c) => c.clone(),
        };
        let opclass = |k: &IndexKey| k.opclass.as_ref().map(|o| o.to_lowercase());
        (rules.same)(&text(x), &text(y))
            && opclass(x) == opclass(y)
            && x.desc == y.desc
            && x.nulls == y.nulls
    };
    let matches = |a: &Index, b: &Index| {
        let (a_keys, b_keys) = (a.keys(), b.keys());
        a_keys.len() == b_keys.len()
            && a_keys.iter().zip(&b_keys).all(|(x, y)| same_key(x, y))
            && match (&a.predicate, &b.predicate) {
                (Some(x), Some(y)) => (rules.same)(x, y),
                (x, y) => x.is_none() && y.is_none(),
            }
    };
    let method = |i: &Index| (rules.method)(i.using.as_deref());
    for w in want {
        // Two indexes on the same columns: the one of the same name is the counterpart.
        let same_name = have.iter().find(|h| h.name == w.name && matches(w, h));
        match same_name.or_else(|| have.iter().find(|h| matches(w, h))) {
            None => out.push(format!("{key}: {} missing", label(w))),
            Some(h) => {
                let mut what = Vec::new();
                if h.name != w.name {
                    what.push(format!("named {}, snapshot says {}", h.name, w.name));
                }
                if h.unique != w.unique {
                    let u = |b: bool| if b { "unique" } else { "not unique" };
                    what.push(format!("{}, snapshot says {}", u(h.unique), u(w.unique)));
                }
                if h.nulls_not_distinct != w.nulls_not_distinct {
                    let n = |b: bool| {
                        if b {
                            "nulls not distinct"
                        } else {
                            "nulls distinct"
                        }
                    };
                    let (h, w) = (n(h.nulls_not_distinct), n(w.nulls_not_distinct));
                    what.push(format!("{h}, snapshot says {w}"));
                }
                if method(h) != method(w) {
                    what.push(format!("using {}, snapshot says {}", method(h), method(w)));
                }
                if h.with != w.with {
                    let with = |i: &Index| match i.with.is_empty() {
                        true => "no storage parameters".to_string(),
                        false => {
                            let p: Vec<String> =
                                i.with.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                            format!("with ({})", p.join(", "))
                        }
                    };
                    what.push(format!("{}, snapshot says {}", with(h), with(w)));
                }
                if !what.is_empty() {
                    out.push(format!("{key}: {} {}", label(w), what.join("; ")));
                }
            }
        }
    }
    for h in have.iter().filter(|h| !want.iter().any(|w| matches(w, h))) {
        out.push(format!("{key}: {} not in the snapshot", label(h)));
    }
}

fn compare_column(rules: Rules, at: &str, want: &Column, have: &Column, out: &mut Vec<String>) {
    if want.ty != have.ty {
        out.push(format!(
            "{at}: type {}, snapshot says {}",
            type_name(&have.ty),
            type_name(&want.ty)
        ));
    }
    let null = |n: bool| if n { "nullable" } else { "not null" };
    if want.nullable != have.nullable {
        out.push(format!(
            "{at}: {}, snapshot says {}",
            null(have.nullable),
            null(want.nullable)
        ));
    }
    let same_default = match (&want.default, &have.default) {
        (Some(w), Some(h)) => (rules.same)(w, h),
        (w, h) => w.is_none() && h.is_none(),
    };
    if !same_default {
        let show = |d: &Option<String>| {
            d.clone()
                .map_or("no default".into(), |d| format!("default {d}"))
        };
        out.push(format!(
            "{at}: {}, snapshot says {}",
            show(&have.default),
            show(&want.default)
        ));
    }
    if want.identity != have.identity {
        let id = |b: bool| if b { "identity" } else { "not identity" };
        out.push(format!(
            "{at}: {}, snapshot says {}",
            id(have.identity),
            id(want.identity)
        ));
    }
    column_kinds::compare(rules, at, want, have, out);
}

/// A type as a user writes it: `character varying(320)`, `public.issue_state`, `text[]`.
pub fn type_name(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Builtin(name) => name.clone(),
        ColumnType::Enum { schema, name } => format!("{schema}.{name}"),
        ColumnType::Array(inner) => format!("{}[]", type_name(inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_core::model::{Check, PrimaryKey, Unique};

    fn column(name: &str, ty: &str, default: Option<&str>) -> Column {
        Column {
            name: name.into(),
            ty: ColumnType::Builtin(ty.into()),
            nullable: false,
            default: default.map(str::to_string),
            identity: false,
            identity_options: Default::default(),
            generated: None,
            renamed_from: None,
        }
    }

    fn table(columns: Vec<Column>) -> Table {
        Table {
            schema: "public".into(),
            name: "t".into(),
            columns,
            primary_key: Some(PrimaryKey {
                name: "t_pkey".into(),
                columns: vec!["id".into()],
            }),
            uniques: Vec::new(),
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            renamed_from: None,
            rls: false,
            policies: Vec::new(),
        }
    }

    fn index(columns: &[&str], predicate: Option<&str>) -> Index {
        Index {
            keys: Vec::new(),
            with: Default::default(),
            name: format!("t_{}_idx", columns.join("_")),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            unique: false,
            predicate: predicate.map(str::to_string),
            using: None,
            concurrently: false,
            nulls_not_distinct: false,
        }
    }

    /// `compare` of a one-table schema before and after `edit`.
    fn check(want: Table, edit: impl Fn(&mut Table), expect: &[&str]) {
        let mut have = want.clone();
        edit(&mut have);
        let schema = |t: Table| Schema {
            tables: [(t.key(), t)].into_iter().collect(),
            ..Schema::default()
        };
        assert_eq!(compare(&schema(want), &schema(have)), expect);
    }

    fn base() -> Table {
        let mut t = table(vec![
            column("id", "bigint", None),
            column("email", "character varying(320)", None),
            column("state", "text", Some("'open'")),
        ]);
        t.indexes = vec![
            index(&["id", "state"], None),
            index(&["id"], Some("state <> 'closed'")),
        ];
        t.checks = vec![Check {
            name: "t_email_check".into(),
            expr: "length(email) > 0".into(),
        }];
        t
    }

    #[test]
    fn what_postgresql_prints_back_is_no_difference() {
        check(
            base(),
            |t| {
                t.columns[2].default = Some("'open'::text".into());
                t.indexes[1].predicate = Some("(state <> 'closed'::text)".into());
                t.checks[0].expr = "(length((email)::text) > 0)".into();
                t.columns.swap(0, 1);
            },
            &[],
        );
    }

    /// Issue 9, defect 14: SQLite and MySQL name no schema.
    #[test]
    fn sqlite_and_mysql_differences_name_no_schema() {
        let want = Schema {
            tables: [(base().key(), base())].into_iter().collect(),
            ..Schema::default()
        };
        let mut have = want.clone();
        if let Some(t) = have.tables.values_mut().next() {
            t.columns.remove(2);
        }
        for dialect in [
            crate::config::Dialect::Sqlite,
            crate::config::Dialect::Mysql,
        ] {
            assert_eq!(
                crate::backend::of(dialect).compare(&want, &have),
                ["t.state: missing column"]
            );
        }
        assert_eq!(
            crate::backend::of(crate::config::Dialect::Postgres).compare(&want, &have),
            ["public.t.state: missing column"]
        );
    }

    #[test]
    fn each_difference_is_named_by_object() {
        check(
            base(),
            |t| drop(t.columns.remove(2)),
            &["public.t.state: missing column"],
        );
        check(
            base(),
            |t| t.columns[1].ty = ColumnType::Builtin("text".into()),
            &["public.t.email: type text, snapshot says character varying(320)"],
        );
        check(
            base(),
            |t| t.columns[1].nullable = true,
            &["public.t.email: nullable, snapshot says not null"],
        );
        check(
            base(),
            |t| t.columns[2].default = None,
            &["public.t.state: no default, snapshot says default 'open'"],
        );
        check(
            base(),
            |t| drop(t.indexes.remove(0)),
            &["public.t: index (id, state) missing"],
        );
        check(
            base(),
            |t| t.indexes[1].predicate = Some("state <> 'open'".into()),
            &[
                "public.t: index (id) where state <> 'closed' missing",
                "public.t: index (id) where state <> 'open' not in the snapshot",
            ],
        );
        check(
            base(),
            |t| t.checks.clear(),
            &["public.t: check t_email_check missing"],
        );
        check(
            base(),
            |t| {
                t.uniques.push(Unique {
                    name: "t_email_key".into(),
                    columns: vec!["email".into()],
                    nulls_not_distinct: false,
                })
            },
            &["public.t: unique (email) not in the snapshot"],
        );
        check(
            base(),
            |t| t.primary_key = None,
            &["public.t: primary key (id) named t_pkey missing"],
        );
    }
}
