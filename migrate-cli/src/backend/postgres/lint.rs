//! PostgreSQL files read by squawk's parser (`squawk_syntax`, the parser squawk-cli runs), one
//! rule module per kind of statement, in the style of squawk-linter's rules: `drops`,
//! `access` (views, policies, row-level security), `columns`, `constraints`, `indexes`,
//! `renames`.
//!
//! squawk's parser reads the whole file and recovers after an error; a statement holding a
//! syntax error is linted for what was read and is also `unparsed-statement`. Tables created
//! earlier in the same file are new and empty: constraints and indexes built on them give no
//! finding, as squawk judges them inside a migration's transaction.

mod access;
mod columns;
mod constraints;
mod drops;
mod indexes;
mod renames;

use crate::statements::lint::{unparsed, LineIndex, Lines, StatementFinding};
use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SourceFile, SyntaxKind, SyntaxNode};
use std::collections::{BTreeMap, BTreeSet};

/// What the rules know of the statements read before the current one.
#[derive(Debug, Default)]
struct Seen {
    /// Tables created in the file (last part of the name, unquoted).
    created: BTreeSet<String>,
    /// Constraints added `NOT VALID` in the file, with the code of their kind.
    not_valid: BTreeMap<String, &'static str>,
    /// Views and policies created in the file, by line.
    recreated: access::Recreated,
}

/// The statement being judged: its line and where its findings go.
struct At<'a> {
    lines: Lines,
    out: &'a mut Vec<StatementFinding>,
}

impl At<'_> {
    fn report(&mut self, code: &'static str, object: &str, message: String) {
        self.out.push(crate::statements::lint::found(
            self.lines, code, object, message,
        ));
    }
}

/// The findings of a PostgreSQL file. Each chunk between `--> statement-breakpoint` lines is
/// parsed on its own and its tree dropped before the next: a generated file of thousands of
/// statements never holds one tree of all of them (memory the allocator would have to fault in).
pub(crate) fn lint(sql: &str) -> Vec<StatementFinding> {
    let index = LineIndex::new(sql);
    let mut seen = Seen::default();
    let mut out = Vec::new();
    let mut garbage = BTreeSet::new();
    for chunk in crate::statements::split_statements(sql) {
        let base = chunk.text.as_ptr() as usize - sql.as_ptr() as usize;
        let line_at = |offset: usize| index.line(base + offset);
        lint_chunk(chunk.text, &line_at, &mut seen, &mut garbage, &mut out);
    }
    out.retain(|f| {
        !seen
            .recreated
            .again(f.finding.code, &f.finding.object, f.line)
    });
    out.sort_by_key(|f| f.line);
    out
}

/// The findings of one chunk of a file; `line_at` gives the file line of an offset into it.
fn lint_chunk(
    sql: &str,
    line_at: &dyn Fn(usize) -> usize,
    seen: &mut Seen,
    garbage: &mut BTreeSet<usize>,
    out: &mut Vec<StatementFinding>,
) {
    let parse = SourceFile::parse(sql);
    let errors = parse.errors();
    let mut judged = Vec::new();
    for stmt in parse.tree().stmts() {
        let range = stmt.syntax().text_range();
        let (first, last) =
            sql_offsets(stmt.syntax()).unwrap_or((offset(range.start()), offset(range.end())));
        let lines = Lines {
            first: line_at(first),
            last: line_at(last),
        };
        judged.push(range);
        if let Some(e) = errors.iter().find(|e| range.intersect(e.range()).is_some()) {
            out.push(unparsed(lines, e.message()));
        }
        let mut at = At { lines, out };
        drops::check(&stmt, &mut at);
        access::check(&stmt, &mut at);
        columns::check(&stmt, &mut at);
        constraints::check(&stmt, seen, &mut at);
        indexes::check(&stmt, seen, &mut at);
        renames::check(&stmt, &mut at);
        seen.recreated.remember(&stmt, lines.first);
        remember(&stmt, seen);
    }
    // Text that no statement holds (garbage between statements): its line.
    for e in errors.iter() {
        if judged.iter().all(|r| r.intersect(e.range()).is_none()) {
            let line = line_at(offset(e.range().start()));
            if garbage.insert(line) {
                let last = line_at(offset(e.range().end()));
                out.push(unparsed(Lines { first: line, last }, e.message()));
            }
        }
    }
}

/// What a statement tells the rules about the statements after it.
fn remember(stmt: &ast::Stmt, seen: &mut Seen) {
    match stmt {
        ast::Stmt::CreateTable(t) => {
            if let Some(name) = t.table_name() {
                seen.created.insert(last_part(name.syntax()));
            }
        }
        ast::Stmt::AlterTable(t) => {
            for action in t.actions() {
                let ast::AlterTableAction::AddConstraint(add) = action else {
                    continue;
                };
                let Some(constraint) = add.constraint() else {
                    continue;
                };
                if let (true, Some(name)) =
                    (constraint.is_not_valid(), constraint.constraint_name())
                {
                    let code = constraints::code_of(&constraint);
                    seen.not_valid.insert(last_part(name.syntax()), code);
                }
            }
        }
        _ => {}
    }
}

/// The byte offsets of the start of a node's first token and of the start of its last that
/// are neither whitespace nor a comment.
pub(super) fn sql_offsets(node: &SyntaxNode) -> Option<(usize, usize)> {
    let mut sql = node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !matches!(t.kind(), SyntaxKind::WHITESPACE | SyntaxKind::COMMENT));
    let first = sql.next()?;
    let last = sql.last().unwrap_or_else(|| first.clone());
    Some((
        offset(first.text_range().start()),
        offset(last.text_range().start()),
    ))
}

fn offset(size: impl Into<usize>) -> usize {
    size.into()
}

/// A node's text without quotes, spaces collapsed: `"public"."orders"` → `public.orders`.
pub(super) fn name(node: &SyntaxNode) -> String {
    crate::statements::lint::unquoted(&node.text().to_string())
}

/// The last part of a node's name: `"public"."orders"` → `orders`.
fn last_part(node: &SyntaxNode) -> String {
    crate::statements::lint::last_part(&node.text().to_string())
}

/// The table an `ALTER TABLE` names, as written without quotes.
fn altered_table(stmt: &ast::Stmt) -> Option<(String, ast::AstChildren<ast::AlterTableAction>)> {
    match stmt {
        ast::Stmt::AlterTable(t) => Some((
            t.table_relation_name().map(|n| table_of(n.syntax()))?,
            t.actions(),
        )),
        ast::Stmt::AlterForeignTable(t) => Some((
            t.table_relation_name().map(|n| table_of(n.syntax()))?,
            t.actions(),
        )),
        _ => None,
    }
}

/// The table of a relation name (`ONLY "public"."orders"` → `public.orders`).
pub(super) fn table_of(node: &SyntaxNode) -> String {
    let text = name(node);
    text.strip_prefix("ONLY ")
        .or_else(|| text.strip_prefix("only "))
        .unwrap_or(&text)
        .trim_end_matches(" *")
        .to_string()
}

/// The attribute actions (on columns of a composite type) of `ALTER TYPE`, with the type's
/// name; none for another `ALTER TYPE`.
fn attribute_actions(t: &ast::AlterType) -> (String, Vec<ast::AlterTypeAttributeAction>) {
    let Some(ast::AlterTypeAction::AlterTypeAttributeActionList(list)) = t.action() else {
        return (String::new(), Vec::new());
    };
    let ty = t
        .type_name_ref()
        .map(|n| name(n.syntax()))
        .unwrap_or_default();
    (ty, list.actions().collect())
}
