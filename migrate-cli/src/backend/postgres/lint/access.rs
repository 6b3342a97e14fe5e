//! `drop-view`, `drop-policy` and `disable-rls`: `DROP VIEW`, `DROP MATERIALIZED VIEW`,
//! `DROP POLICY` and `ALTER TABLE .. DISABLE ROW LEVEL SECURITY`, with the codes, objects and
//! severities the change list gives the generated drop (squawk has no rule for these).
//!
//! A view or policy dropped and created again later in the same file (a generated file drops
//! what reads a column it retypes and creates it again after) is no finding: see
//! [`Recreated`]. A policy's severity is the permissive one's (a warning): the statement does
//! not say whether the policy was restrictive, which makes its drop an error in the change list.

use super::{last_part, name, table_of, At};
use schema_core::lint::{DISABLE_RLS, DROP_POLICY, DROP_VIEW};
use squawk_syntax::ast::{self, AstNode};
use std::collections::BTreeMap;

pub(super) fn check(stmt: &ast::Stmt, at: &mut At<'_>) {
    match stmt {
        ast::Stmt::DropView(d) => views(d.view_refs(), false, at),
        ast::Stmt::DropMaterializedView(d) => views(d.view_refs(), true, at),
        ast::Stmt::DropPolicy(d) => {
            let table = d
                .on_table()
                .and_then(|t| t.table_name_ref())
                .map(|t| table_of(t.syntax()))
                .unwrap_or_default();
            let policy = d.policy_ref().map(|p| name(p.syntax())).unwrap_or_default();
            let message = format!(
                "dropping policy {policy} on {table} changes who sees which rows: the rows only it let through become invisible to its roles (or, a restrictive one, the rows it held back become visible)"
            );
            at.report(DROP_POLICY, &format!("{table}.{policy}"), message);
        }
        ast::Stmt::AlterTable(t) => {
            let Some(table) = t.table_relation_name().map(|n| table_of(n.syntax())) else {
                return;
            };
            for action in t.actions() {
                if let ast::AlterTableAction::DisableRls(_) = action {
                    let message = format!("disabling row-level security on {table} lets every role with a grant on it see and change every row");
                    at.report(DISABLE_RLS, &table, message);
                }
            }
        }
        _ => {}
    }
}

fn views(refs: ast::AstChildren<ast::ViewRef>, materialized: bool, at: &mut At<'_>) {
    let (kind, rows) = match materialized {
        true => (
            "materialized view",
            "; its rows are derived from tables, which keep theirs",
        ),
        false => ("view", ""),
    };
    for view in refs {
        let view = name(view.syntax());
        let message = format!("dropping {kind} {view} breaks code that still reads it{rows}");
        at.report(DROP_VIEW, &view, message);
    }
}

/// The views and policies a file creates, by the line of each create: a `drop-view` or
/// `drop-policy` finding whose object is created again on a later line is no finding.
#[derive(Debug, Default)]
pub(super) struct Recreated {
    /// `view` (last part of the name) or `table.policy` (the table's last part) to the lines
    /// of its creates.
    created: BTreeMap<String, Vec<usize>>,
}

impl Recreated {
    /// Notes what `stmt`, on line `line`, creates.
    pub(super) fn remember(&mut self, stmt: &ast::Stmt, line: usize) {
        let key = match stmt {
            ast::Stmt::CreateView(v) => v.view().map(|v| last_part(v.syntax())),
            ast::Stmt::CreateMaterializedView(v) => v.view().map(|v| last_part(v.syntax())),
            ast::Stmt::CreatePolicy(p) => {
                let table = p.on_table().and_then(|t| t.table_name_ref());
                match (table, p.policy()) {
                    (Some(t), Some(p)) => {
                        Some(policy_key(&table_of(t.syntax()), &name(p.syntax())))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(key) = key {
            self.created.entry(key).or_default().push(line);
        }
    }

    /// Whether the object of finding `code` on `object`, on line `line`, is created again later.
    pub(super) fn again(&self, code: &str, object: &str, line: usize) -> bool {
        let key = match code {
            DROP_VIEW => crate::statements::lint::last_part(object),
            DROP_POLICY => match object.rsplit_once('.') {
                Some((table, policy)) => policy_key(table, policy),
                None => return false,
            },
            _ => return false,
        };
        self.created
            .get(&key)
            .is_some_and(|lines| lines.iter().any(|&l| l > line))
    }
}

/// A policy's key: its table's last part and its name.
fn policy_key(table: &str, policy: &str) -> String {
    format!("{}.{policy}", crate::statements::lint::last_part(table))
}
