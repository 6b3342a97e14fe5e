//! Views: dropped before the tables they read change and created after, replaced where only
//! their query or columns change, renamed early, and ordered among themselves (a view that
//! reads another is created after it and dropped before it).
//!
//! What a view reads is found without a parser of its dialect: a view depends on every table
//! and view whose name is an identifier token of its query (sqlparser's tokenizer, compared
//! case-insensitively), a superset of what it reads. A view that depends on a table that this
//! migration changes in any way other than its indexes, its identities' sequence options and
//! its row-level security and policies (a column retyped, renamed, dropped or otherwise
//! altered, a constraint, a rename, a drop; on SQLite most of these rebuild the table) is
//! dropped before the changes and created again after them; so is a view that depends on a
//! view that is dropped, created again, replaced or renamed. A view both renamed and created
//! again is renamed first, then dropped and created under its new name.

use super::objects::ObjectKind;
use super::{Change, Ctx, Phase, QualifiedName};
use crate::model::View;
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::collections::{BTreeMap, BTreeSet};

mod stale;
pub use stale::stale_view_columns;

/// The lowercased words and quoted names among the tokens of `sql`; `None` when it does not
/// tokenize (then the view is taken to read everything).
pub(crate) fn identifiers(sql: &str) -> Option<BTreeSet<String>> {
    let tokens = Tokenizer::new(&GenericDialect {}, sql).tokenize().ok()?;
    Some(
        tokens
            .into_iter()
            .filter_map(|t| match t {
                Token::Word(w) => Some(w.value.to_lowercase()),
                _ => None,
            })
            .collect(),
    )
}

/// Whether `view` may read an object called `name`.
fn reads(view: &View, name: &str) -> bool {
    identifiers(&view.sql).is_none_or(|ids| ids.contains(&name.to_lowercase()))
}

fn qualified(v: &View) -> QualifiedName {
    QualifiedName::new(&v.schema, &v.name)
}

/// The names of the tables the planned changes touch in a way a view reading them could feel.
fn touched_tables(ctx: &Ctx) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for change in ctx.plan.changes() {
        match change {
            // Nothing a view reads: an index, the identity's sequence options (`ALTER COLUMN
            // .. SET INCREMENT BY`, PostgreSQL only), row-level security and its policies.
            Change::CreateTable { .. }
            | Change::CreateIndex { .. }
            | Change::DropIndex { .. }
            | Change::RenameIndex { .. }
            | Change::AlterIdentity { .. }
            | Change::EnableRls { .. }
            | Change::DisableRls { .. }
            | Change::CreatePolicy { .. }
            | Change::DropPolicy { .. }
            | Change::AlterPolicy { .. }
            | Change::RenamePolicy { .. } => {}
            Change::RenameTable { from, to } => {
                out.insert(from.name.clone());
                out.insert(to.name.clone());
            }
            Change::RebuildEnum { columns, .. } => {
                out.extend(columns.iter().map(|c| c.table.name.clone()));
            }
            other => out.extend(other.table().map(|t| t.name)),
        }
    }
    out
}

/// Whether a kept view's definition differs in what the database holds.
fn redefined(old: &View, new: &View) -> bool {
    // An empty type is one the database does not say (a view column read from SQLite or
    // MySQL, in a baseline's snapshot): any type matches it.
    let unknown =
        |c: &crate::model::ViewColumn| c.ty == crate::model::ColumnType::Builtin(String::new());
    let same_columns = old.columns.len() == new.columns.len()
        && old
            .columns
            .iter()
            .zip(&new.columns)
            .all(|(o, n)| o.name == n.name && (o.ty == n.ty || unknown(o) || unknown(n)));
    old.sql != new.sql || !same_columns || old.materialized != new.materialized
}

pub(crate) fn diff_views(ctx: &mut Ctx) {
    let pairs = ctx.pairing.objects(ObjectKind::View).clone();
    let touched = touched_tables(ctx);
    // Old keys of the views that go away or change; each kept one that reads one of them, or
    // a touched table, is created again.
    let mut changing: BTreeSet<String> = BTreeSet::new();
    let mut recreated: BTreeSet<String> = BTreeSet::new();
    for (key, old) in &ctx.old.views {
        let Some(new) = pairs.get(key).and_then(|k| ctx.new.views.get(k)) else {
            changing.insert(key.clone());
            continue;
        };
        if touched.iter().any(|t| reads(old, t)) {
            recreated.insert(key.clone());
        }
        if redefined(old, new) || pairs[key] != *key {
            changing.insert(key.clone());
        }
    }
    loop {
        let before = recreated.len();
        for (key, old) in &ctx.old.views {
            if pairs.contains_key(key) && !recreated.contains(key) {
                let names = changing.iter().chain(&recreated);
                let depends = names
                    .filter(|k| *k != key)
                    .filter_map(|k| ctx.old.views.get(k))
                    .any(|v| reads(old, &v.name));
                if depends {
                    recreated.insert(key.clone());
                }
            }
        }
        if recreated.len() == before {
            break;
        }
    }
    drops(ctx, &pairs, &recreated);
    creates(ctx, &pairs, &recreated);
}

/// Drops (real ones and those created again later), dependents first, and renames.
fn drops(ctx: &mut Ctx, pairs: &BTreeMap<String, String>, recreated: &BTreeSet<String>) {
    let order = dependency_order(&ctx.old.views);
    for (i, key) in order.iter().rev().enumerate() {
        let old = &ctx.old.views[key];
        let new = pairs.get(key).and_then(|k| ctx.new.views.get(k));
        let again = match new {
            None => Some(false),
            Some(_) if recreated.contains(key) => Some(true),
            // A materialized view is never replaced in place.
            Some(new) if redefined(old, new) && (old.materialized || new.materialized) => {
                Some(true)
            }
            Some(_) => None,
        };
        let renamed = new.filter(|_| pairs[key] != *key);
        let rename = |new: &View| {
            let view = View {
                schema: new.schema.clone(),
                name: new.name.clone(),
                ..old.without_hint()
            };
            Change::RenameView {
                from: qualified(old),
                to: qualified(new),
                view,
            }
        };
        match (again, renamed) {
            // Renamed and created again: renamed first, so the migration says `rename-view`
            // and drops and creates it under its new name (unless an old view holds that name
            // until it is dropped).
            (Some(true), Some(new)) if !ctx.old.views.contains_key(&pairs[key]) => {
                let at = format!("{i:06}");
                ctx.plan.push(Phase::DropViews, at.clone(), rename(new));
                let change = Change::DropView {
                    name: qualified(new),
                    materialized: old.materialized,
                    recreated: true,
                };
                ctx.plan.push(Phase::DropViews, at, change);
            }
            (Some(recreated), _) => {
                let change = Change::DropView {
                    name: qualified(old),
                    materialized: old.materialized,
                    recreated,
                };
                ctx.plan.push(Phase::DropViews, format!("{i:06}"), change);
            }
            (None, Some(new)) => {
                ctx.plan
                    .push(Phase::RenameViews, format!("{i:06}"), rename(new));
            }
            (None, None) => {}
        }
    }
}

/// Creates and replacements, dependencies first.
fn creates(ctx: &mut Ctx, pairs: &BTreeMap<String, String>, recreated: &BTreeSet<String>) {
    let old_of: BTreeMap<&String, &String> = pairs.iter().map(|(o, n)| (n, o)).collect();
    let order = dependency_order(&ctx.new.views);
    for (i, key) in order.iter().enumerate() {
        let new = ctx.new.views[key].without_hint();
        let old = old_of.get(key).map(|k| (*k, &ctx.old.views[*k]));
        let change = match old {
            Some((old_key, old))
                if !recreated.contains(old_key) && !old.materialized && !new.materialized =>
            {
                if !redefined(old, &new) {
                    continue;
                }
                let from = View {
                    schema: new.schema.clone(),
                    name: new.name.clone(),
                    ..old.without_hint()
                };
                Change::ReplaceView { from, to: new }
            }
            Some((old_key, old)) if !recreated.contains(old_key) && !redefined(old, &new) => {
                continue
            }
            _ => Change::CreateView { view: new },
        };
        ctx.plan.push(Phase::CreateViews, format!("{i:06}"), change);
    }
}

/// The keys of `views` with every view after the views it reads (by name).
fn dependency_order(views: &BTreeMap<String, View>) -> Vec<String> {
    fn visit(
        key: &String,
        views: &BTreeMap<String, View>,
        seen: &mut BTreeSet<String>,
        out: &mut Vec<String>,
    ) {
        if !seen.insert(key.clone()) {
            return;
        }
        let view = &views[key];
        for (other, v) in views {
            if other != key && reads(view, &v.name) {
                visit(other, views, seen, out);
            }
        }
        out.push(key.clone());
    }
    let (mut seen, mut out) = (BTreeSet::new(), Vec::new());
    for key in views.keys() {
        visit(key, views, &mut seen, &mut out);
    }
    out
}

#[cfg(test)]
mod tests;
