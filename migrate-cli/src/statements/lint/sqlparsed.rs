//! SQLite and MySQL files read by sqlparser: cut into chunks at `--> statement-breakpoint`
//! lines, each chunk into statements and each statement parsed as its backend reads them
//! ([`Reader`]: `backend::sqlite::lint`, `backend::mysql::lint`; both cut chunks with the
//! MySQL splitter, which respects quotes, comments and `BEGIN ... END` bodies).
//!
//! A table created in the file is new: dropping or renaming it gives no finding, nor do its
//! constraints. This is how a SQLite table rebuild reads (`CREATE TABLE "__new_t"`, copy,
//! `DROP TABLE "t"`, `ALTER TABLE "__new_t" RENAME TO "t"`): a table dropped and then replaced
//! by a table of the file under its name is rebuilt, not dropped. What the rebuild changes is
//! not in the file (the old definition is not), so the change list's findings say it.
//!
//! The splitter reads with sqlparser's MySQL tokenizer, also for SQLite: a backslash before a
//! quote in a SQLite string (where it is an ordinary character) reads as an escape, so the
//! chunk holding it comes back as one `unparsed-statement` on that line (the statements after
//! it in the chunk are not judged), never silently misread.

mod alter;
mod views;

use super::{last_part, unparsed, unquoted, Lines, StatementFinding};
use crate::backend::{Piece, SplitError};
use sqlparser::ast::{ObjectName, ObjectType, Statement};
use sqlparser::parser::ParserError;
use std::collections::BTreeSet;

/// What the rules know of the file.
#[derive(Debug, Default)]
struct Seen {
    /// Tables created in the file, up to the current statement.
    created: BTreeSet<String>,
    /// Tables that a table created in the file replaces (`ALTER TABLE new RENAME TO old`).
    replaced: BTreeSet<String>,
}

impl Seen {
    fn existing(&self, table: &str) -> bool {
        !self.created.contains(&last_part(table))
    }
}

/// The statement being judged: its line and where its findings go.
struct At<'a> {
    lines: Lines,
    out: &'a mut Vec<StatementFinding>,
}

impl At<'_> {
    fn report(&mut self, code: &'static str, object: &str, message: String) {
        self.out
            .push(super::found(self.lines, code, object, message));
    }
}

/// How a database's backend reads its files for the lint.
pub(crate) struct Reader {
    /// Cuts one chunk, starting on the given file line, into its statements.
    pub(crate) split: fn(&str, usize) -> Result<Vec<Piece<'_>>, SplitError>,
    /// Parses one statement's text.
    pub(crate) parse: fn(&str) -> Result<Vec<Statement>, ParserError>,
}

/// The findings of a SQLite or MySQL file, read by `reader`.
pub(crate) fn lint(reader: &Reader, sql: &str) -> Vec<StatementFinding> {
    let mut out = Vec::new();
    let mut statements = Vec::new();
    for statement in crate::statements::split_statements(sql) {
        let (first_line, chunk) = (statement.first_line, statement.text);
        match (reader.split)(chunk, first_line) {
            Ok(pieces) => statements.extend(pieces.into_iter().map(|p| {
                let last = p.line + p.text.matches('\n').count();
                (
                    Lines {
                        first: p.line,
                        last,
                    },
                    parse(reader.parse, p.text),
                )
            })),
            Err(e) => {
                let line = e.line();
                out.push(unparsed(
                    Lines {
                        first: line,
                        last: line,
                    },
                    &e.to_string(),
                ))
            }
        }
    }
    let mut seen = Seen {
        replaced: replaced(&statements),
        ..Seen::default()
    };
    for (lines, parsed) in &statements {
        match parsed {
            Ok(stmts) => {
                for stmt in stmts {
                    check(
                        stmt,
                        &seen,
                        &mut At {
                            lines: *lines,
                            out: &mut out,
                        },
                    );
                    remember(stmt, &mut seen);
                }
            }
            Err(why) => out.push(unparsed(*lines, why)),
        }
    }
    views::without_recreated(&mut out, &statements);
    out.sort_by_key(|f| f.line);
    out
}

/// A table created in the file, or one that replaces a table under its name (a rebuild's
/// `ALTER TABLE "__new_t" RENAME TO "t"`): its indexes are built with the file (a rebuild
/// builds the table's indexes again; a new one is the change list's `add-unique`).
fn remember(stmt: &Statement, seen: &mut Seen) {
    match stmt {
        Statement::CreateTable(t) => {
            seen.created.insert(last_part(&t.name.to_string()));
        }
        Statement::AlterTable {
            name, operations, ..
        } if !seen.existing(&name.to_string()) => {
            for new in operations.iter().filter_map(alter::renamed_to) {
                seen.created.insert(last_part(&new));
            }
        }
        _ => {}
    }
}

/// One statement's text parsed; one that parses to nothing (a comment the dialect's reader
/// does not open, as MySQL's reader opens `/*!50001 ... */`) is unread.
fn parse(
    parser: fn(&str) -> Result<Vec<Statement>, ParserError>,
    text: &str,
) -> Result<Vec<Statement>, String> {
    match parser(text) {
        Ok(stmts) if stmts.is_empty() => {
            Err("a comment, which holds no statement the reader can see".into())
        }
        Ok(stmts) => Ok(stmts),
        Err(e) => Err(e.to_string()),
    }
}

/// The tables a table created in the file replaces by taking their name.
fn replaced(statements: &[(Lines, Result<Vec<Statement>, String>)]) -> BTreeSet<String> {
    let mut created = BTreeSet::new();
    let mut replaced = BTreeSet::new();
    for stmt in statements
        .iter()
        .filter_map(|(_, s)| s.as_ref().ok())
        .flatten()
    {
        match stmt {
            Statement::CreateTable(t) => {
                created.insert(last_part(&t.name.to_string()));
            }
            Statement::AlterTable {
                name, operations, ..
            } if created.contains(&last_part(&name.to_string())) => {
                for op in operations {
                    if let Some(new) = alter::renamed_to(op) {
                        replaced.insert(last_part(&new));
                    }
                }
            }
            _ => {}
        }
    }
    replaced
}

fn check(stmt: &Statement, seen: &Seen, at: &mut At<'_>) {
    use schema_core::lint::{
        ADD_UNIQUE, DROP_DATABASE, DROP_SCHEMA, DROP_TABLE, RENAME_TABLE, TRUNCATE_TABLE,
    };
    match stmt {
        Statement::Drop {
            object_type, names, ..
        } => {
            for name in names.iter().map(object) {
                match object_type {
                    ObjectType::Table
                        if seen.existing(&name) && !seen.replaced.contains(&last_part(&name)) =>
                    {
                        let message = format!("dropping table {name} deletes all its rows; running code that still reads it fails");
                        at.report(DROP_TABLE, &name, message);
                    }
                    ObjectType::Schema => {
                        let message = format!("dropping schema {name} deletes everything in it");
                        at.report(DROP_SCHEMA, &name, message);
                    }
                    ObjectType::Database => {
                        let message = format!("dropping database {name} deletes every table in it");
                        at.report(DROP_DATABASE, &name, message);
                    }
                    _ => {}
                }
            }
            for name in names {
                views::check(object_type, name, at);
            }
        }
        // Rows put in by this file (a table it created) are no data yet.
        Statement::Truncate { table_names, .. } => {
            for name in table_names.iter().map(|t| object(&t.name)) {
                if seen.existing(&name) {
                    let message = format!("truncating table {name} deletes all its rows");
                    at.report(TRUNCATE_TABLE, &name, message);
                }
            }
        }
        Statement::AlterTable {
            name, operations, ..
        } => {
            let table = object(name);
            for op in operations {
                alter::check(&table, op, seen, at);
            }
        }
        Statement::CreateIndex(index)
            if index.unique && seen.existing(&object(&index.table_name)) =>
        {
            let table = object(&index.table_name);
            let name = index
                .name
                .as_ref()
                .map(object)
                .unwrap_or_else(|| "an index".into());
            let message =
                format!("unique index {name} on {table} fails if the table holds duplicates");
            at.report(ADD_UNIQUE, &table, message);
        }
        Statement::RenameTable(renames) => {
            for r in renames {
                let (old, new) = (object(&r.old_name), object(&r.new_name));
                let message = format!("renaming table {old} to {new} breaks running code that still uses the old name");
                at.report(RENAME_TABLE, &super::renamed_table(&old, &new), message);
            }
        }
        _ => {}
    }
}

fn object(name: &ObjectName) -> String {
    unquoted(&name.to_string())
}
