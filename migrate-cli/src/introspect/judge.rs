//! The database judges expressions: which defaults, checks, index predicates and generated
//! column expressions of a snapshot
//! and of the live schema to put through the server (the backend's `normalize_expressions`:
//! PostgreSQL's and MySQL's ask their server, SQLite's judges none), and what its printed-back
//! texts decide.
//!
//! For each pair whose texts differ, both texts are applied to a probe (a temporary copy of the
//! live table) and read back as the server prints them.
//! Printed the same: the snapshot's text is replaced by the live one before comparing.
//! Printed differently, or the snapshot's text does not apply: the pair is a difference, even
//! where the text normalizer ([`super::expr`]) would have called it the same.
//! When the server cannot print the live text, the text normalizer decides, as it does on
//! SQLite; when no probe could be built at all (a read-only login), [`Judged::unjudged`] says
//! why, for the command to print.

use super::compare_by;
use crate::backend::{Connected, ExprKind as Kind};
use schema_core::model::{Index, IndexKey, Schema, Table};
use std::collections::BTreeSet;

/// Where a pair's snapshot text sits in the expected schema, to replace it.
#[derive(Debug, Clone)]
enum Slot {
    Default(usize),
    /// A column's generated expression, judged as the check `(expr) IS NOT NULL` (the same
    /// deparser prints it; a default cannot name columns).
    Generated(usize),
    Check(usize),
    Predicate(usize),
    /// Key `.1` of index `.0`, with the live key to put in its place.
    Key(usize, usize, IndexKey),
    PolicyUsing(usize),
    PolicyCheck(usize),
}

/// One pair to judge: the snapshot's text and the live one (none: the live column has no default).
#[derive(Debug)]
struct Pair {
    slot: Slot,
    kind: Kind,
    want: String,
    have: Option<String>,
}

impl Pair {
    /// The text put on the probe: a generated expression as the condition
    /// `(expr) IS NOT NULL`, everything else as it is.
    fn probe(&self, text: &str) -> String {
        match self.slot {
            Slot::Generated(_) => format!("({text}) IS NOT NULL"),
            _ => text.to_string(),
        }
    }
}

/// What the comparison found.
#[derive(Debug, Default)]
pub struct Judged {
    /// Every difference, one line each, named by object.
    pub differences: Vec<String>,
    /// Why the server could not judge some expressions, which were compared as text instead.
    pub unjudged: Option<String>,
}

/// The database's comparison (`Database::compare`), with the expressions judged by the server
/// `conn` is connected to; where it judges none (SQLite), the text comparison decides.
pub async fn compare(conn: &mut Connected, expected: &Schema, actual: &Schema) -> Judged {
    let mut expected = expected.clone();
    let mut different = BTreeSet::new();
    let mut unjudged = None;
    for (key, want) in expected.tables.iter_mut() {
        let Some(have) = actual.tables.get(key) else {
            continue;
        };
        let pairs = pairs(want, have);
        if pairs.is_empty() {
            continue;
        }
        let mut items = Vec::new();
        for p in &pairs {
            items.push((p.kind.clone(), p.probe(&p.want)));
            if let Some(h) = &p.have {
                items.push((p.kind.clone(), p.probe(h)));
            }
        }
        let printed = match conn.normalize_expressions(have, &items).await {
            Ok(printed) => printed,
            Err(e) => {
                let names = conn.database().names();
                unjudged.get_or_insert_with(|| {
                    format!(
                        "{} could not judge the expressions of {key} ({}), so they were compared as text and one written differently may show as a difference; {}",
                        names.title,
                        crate::database::error_message(&e),
                        names.probe_hint,
                    )
                });
                vec![None; items.len()]
            }
        };
        let mut printed = printed.into_iter();
        for p in pairs {
            let w = printed.next().flatten();
            let h = match p.have {
                Some(_) => printed.next().flatten(),
                None => Some(String::new()),
            };
            match (w, h) {
                (Some(w), Some(h)) if w == h => substitute(want, p.slot, p.have),
                (_, Some(_)) => {
                    if let Some(h) = p.have {
                        different.insert((p.want, h));
                    }
                }
                (_, None) => {}
            }
        }
    }
    let views = view_differences(conn, &expected, actual).await;
    let database = conn.database();
    let rules = database.rules();
    let same = |a: &str, b: &str| {
        !different.contains(&(a.to_string(), b.to_string())) && (rules.same)(a, b)
    };
    Judged {
        differences: compare_by(
            rules,
            !database.has_schemas(),
            &expected,
            actual,
            Some(&same),
        ),
        unjudged,
    }
    .with(views)
}

impl Judged {
    fn with(mut self, more: Vec<String>) -> Judged {
        self.differences.extend(more);
        self
    }
}

/// The views whose live query differs from what the server prints for the snapshot's (created
/// on a probe: a temporary view on PostgreSQL, a view created and dropped at once on MySQL);
/// none where the server judges no view (SQLite, whose text is compared as it ran) or a probe
/// fails.
async fn view_differences(conn: &mut Connected, expected: &Schema, actual: &Schema) -> Vec<String> {
    let both: Vec<(
        &String,
        &schema_core::model::View,
        &schema_core::model::View,
    )> = expected
        .views
        .iter()
        .filter_map(|(k, w)| actual.views.get(k).map(|h| (k, w, h)))
        .filter(|(_, w, h)| w.sql != h.sql)
        .collect();
    if both.is_empty() {
        return Vec::new();
    }
    let wants: Vec<schema_core::model::View> = both.iter().map(|(_, w, _)| (*w).clone()).collect();
    let printed = conn.view_definitions(&wants).await.unwrap_or_default();
    let mut out = Vec::new();
    for ((key, _, have), print) in both.iter().zip(printed) {
        if let Some(print) = print {
            if print.trim() != have.sql.trim() {
                out.push(format!(
                    "{key}: view query `{}`, snapshot's prints `{}`",
                    have.sql.trim(),
                    print.trim()
                ));
            }
        }
    }
    out
}

/// The pairs of `want` (snapshot) and `have` (live) whose texts differ.
fn pairs(want: &Table, have: &Table) -> Vec<Pair> {
    let mut out = Vec::new();
    for (i, c) in want.columns.iter().enumerate() {
        let (Some(w), Some(live)) = (&c.default, have.column(&c.name)) else {
            continue;
        };
        if live.default.as_ref() != Some(w) {
            out.push(Pair {
                slot: Slot::Default(i),
                kind: Kind::Default(c.name.clone()),
                want: w.clone(),
                have: live.default.clone(),
            });
        }
    }
    for (i, c) in want.columns.iter().enumerate() {
        let (Some(w), Some(h)) = (
            &c.generated,
            have.column(&c.name).and_then(|l| l.generated.as_ref()),
        ) else {
            continue;
        };
        if w.expr != h.expr {
            out.push(Pair {
                slot: Slot::Generated(i),
                kind: Kind::Check,
                want: w.expr.clone(),
                have: Some(h.expr.clone()),
            });
        }
    }
    for (i, c) in want.checks.iter().enumerate() {
        if let Some(h) = have
            .checks
            .iter()
            .find(|h| h.name == c.name && h.expr != c.expr)
        {
            out.push(Pair {
                slot: Slot::Check(i),
                kind: Kind::Check,
                want: c.expr.clone(),
                have: Some(h.expr.clone()),
            });
        }
    }
    for (i, w) in want.indexes.iter().enumerate() {
        let Some(wp) = &w.predicate else { continue };
        let counterpart = have
            .indexes
            .iter()
            .find(|h| h.name == w.name && h.predicate.is_some())
            .or_else(|| {
                have.indexes
                    .iter()
                    .find(|h| h.keys() == w.keys() && h.predicate.is_some())
            });
        match counterpart.and_then(|h| h.predicate.as_ref()) {
            Some(hp) if hp != wp => out.push(Pair {
                slot: Slot::Predicate(i),
                kind: Kind::Predicate,
                want: wp.clone(),
                have: Some(hp.clone()),
            }),
            Some(_) => {}
            // The live index of that name has none: the server may have dropped a predicate
            // that is always true (`WHERE true`), which it then prints as nothing.
            None if have.indexes.iter().any(|h| h.name == w.name) => out.push(Pair {
                slot: Slot::Predicate(i),
                kind: Kind::Predicate,
                want: wp.clone(),
                have: None,
            }),
            None => {}
        }
    }
    key_pairs(want, have, &mut out);
    policy_pairs(want, have, &mut out);
    out
}

/// The keys of an index and of its live namesake that differ: a column or expression written
/// another way, or an operator class that is its type's default, which the catalog leaves out.
/// Each text is the key with the index's method, as JSON for the backend to render.
fn key_pairs(want: &Table, have: &Table, out: &mut Vec<Pair>) {
    for (i, w) in want.indexes.iter().enumerate() {
        let Some(h) = have.indexes.iter().find(|h| h.name == w.name) else {
            continue;
        };
        let (w_keys, h_keys) = (w.keys(), h.keys());
        if w_keys.len() != h_keys.len() || w_keys == h_keys {
            continue;
        }
        let text = |index: &Index, key: &IndexKey| {
            serde_json::to_string(&(&index.using, key)).unwrap_or_default()
        };
        for (k, (wk, hk)) in w_keys.iter().zip(&h_keys).enumerate() {
            if wk != hk {
                out.push(Pair {
                    slot: Slot::Key(i, k, hk.clone()),
                    kind: Kind::IndexKey,
                    want: text(w, wk),
                    have: Some(text(h, hk)),
                });
            }
        }
    }
}

/// A policy's `USING` and `WITH CHECK` texts against the live policy of the same name, judged
/// as check expressions are (a probe check constraint; one the server refuses there, such as a
/// subquery, is compared as text).
fn policy_pairs(want: &Table, have: &Table, out: &mut Vec<Pair>) {
    for (i, w) in want.policies.iter().enumerate() {
        let Some(h) = have.policies.iter().find(|h| h.name == w.name) else {
            continue;
        };
        let texts = [
            (Slot::PolicyUsing(i), &w.using, &h.using),
            (Slot::PolicyCheck(i), &w.with_check, &h.with_check),
        ];
        for (slot, w, h) in texts {
            if let (Some(w), Some(h)) = (w, h) {
                if w != h {
                    out.push(Pair {
                        slot,
                        kind: Kind::Check,
                        want: w.clone(),
                        have: Some(h.clone()),
                    });
                }
            }
        }
    }
}

/// Puts the live text into the snapshot's slot (the server printed both the same).
fn substitute(want: &mut Table, slot: Slot, have: Option<String>) {
    match slot {
        Slot::Default(i) => want.columns[i].default = have,
        Slot::Generated(i) => {
            if let (Some(g), Some(h)) = (&mut want.columns[i].generated, have) {
                g.expr = h;
            }
        }
        Slot::Check(i) => {
            if let Some(h) = have {
                want.checks[i].expr = h;
            }
        }
        Slot::Predicate(i) => want.indexes[i].predicate = have,
        Slot::Key(i, k, key) => {
            let mut keys = want.indexes[i].keys();
            if let Some(slot) = keys.get_mut(k) {
                *slot = key;
            }
            want.indexes[i].set_keys(keys);
        }
        Slot::PolicyUsing(i) => want.policies[i].using = have,
        Slot::PolicyCheck(i) => want.policies[i].with_check = have,
    }
}
