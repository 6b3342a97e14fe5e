//! SQL fragments of the schema sources (`predicate`, a check's `expr`, `default_sql`,
//! `generated`, `sql_type`, `using`, a view's `sql`, an index's expression keys), read by the dialect's own parser before `generate` writes anything:
//! each must be exactly one expression, one type or one index method, so that no fragment
//! ends its statement, hides the rest of it behind a comment or carries a second one.
//! The derive's check (`schema_core::parser`) only tokenizes; this one knows the dialect.

use crate::backend::Database;
use crate::scan::{ScanErrors, Scanned};
use schema_core::def::{DefaultDef, TableDef};
use schema_core::model::{Schema, Table};
use schema_core::render::Dialect;
use schema_core::resolve::ResolveError;
use sqlparser::dialect::Dialect as SqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What a fragment must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One SQL expression: `predicate`, `expr`, `default_sql`.
    Expression,
    /// One column type: `sql_type`.
    Type,
    /// One index method name: `using`.
    IndexMethod,
    /// One query: a view's `sql`.
    Query,
}

/// Why `sql` is not exactly one fragment of `kind` as `dialect`'s parser reads it.
pub fn problem(kind: Kind, sql: &str, dialect: &dyn SqlDialect) -> Result<(), String> {
    let tokens = Tokenizer::new(dialect, sql)
        .tokenize()
        .map_err(|e| format!("it does not read as SQL ({e})"))?;
    for token in &tokens {
        match token {
            Token::SemiColon => {
                return Err(
                    "it holds a `;`, which would end the statement and run what follows as another"
                        .into(),
                )
            }
            Token::Whitespace(Whitespace::SingleLineComment { .. })
            | Token::Whitespace(Whitespace::MultiLineComment(_)) => {
                return Err("it holds a comment, which would hide the rest of the statement".into())
            }
            _ => {}
        }
    }
    match kind {
        Kind::IndexMethod => {
            let mut words = tokens.iter().filter(|t| !matches!(t, Token::Whitespace(_)));
            match (words.next(), words.next()) {
                (Some(Token::Word(w)), None) if w.quote_style.is_none() => Ok(()),
                _ => Err("it is not one bare name".into()),
            }
        }
        Kind::Expression | Kind::Type | Kind::Query => parsed(kind, tokens, dialect),
    }
}

/// Parses `tokens` as one `kind`; everything must be read. sqlparser 0.59 panics on some
/// unfinished operators (MySQL's `a DIV`, SQLite's `a REGEXP`): a panic is a parse error.
fn parsed(kind: Kind, tokens: Vec<Token>, dialect: &dyn SqlDialect) -> Result<(), String> {
    let read = catch_unwind(AssertUnwindSafe(|| {
        let mut parser = Parser::new(dialect).with_tokens(tokens);
        let read = match kind {
            Kind::Type => type_with_collation(&mut parser),
            Kind::Query => parser.parse_query().map(|q| q.to_string()),
            _ => parser.parse_expr().map(|e| e.to_string()),
        };
        read.map(|read| (read, parser.peek_token().token))
    }));
    match read {
        Ok(Ok((_, Token::EOF))) => Ok(()),
        Ok(Ok((read, next))) => Err(format!(
            "`{next}` follows {} `{read}`",
            match kind {
                Kind::Type => "the type",
                Kind::Query => "the query",
                _ => "the expression",
            }
        )),
        // A type the parser does not know is the database's to judge; only what follows one
        // type is refused here.
        Ok(Err(_)) if kind == Kind::Type => Ok(()),
        Ok(Err(e)) => Err(format!("it does not parse ({e})")),
        Err(_) => Err("it does not parse (it ends inside an operator)".into()),
    }
}

/// One data type and what belongs to it in a column definition: `CHARACTER SET x`,
/// `COLLATE y` (MySQL's `varchar(20) character set utf8mb4`).
fn type_with_collation(parser: &mut Parser) -> Result<String, ParserError> {
    let mut read = parser.parse_data_type()?.to_string();
    loop {
        let what = if parser.parse_keywords(&[Keyword::CHARACTER, Keyword::SET]) {
            "CHARACTER SET"
        } else if parser.parse_keyword(Keyword::CHARSET) {
            "CHARSET"
        } else if parser.parse_keyword(Keyword::COLLATE) {
            "COLLATE"
        } else {
            return Ok(read);
        };
        read = format!("{read} {what} {}", parser.parse_object_name(false)?);
    }
}

/// Refuses every fragment of `schema` (adapted to `render`) that `database`'s parser does not
/// read as exactly one expression, type or index method, each at its struct and field.
pub fn check(
    scanned: &Scanned,
    schema: &Schema,
    render: &dyn Dialect,
    database: &dyn Database,
) -> Result<(), ScanErrors> {
    let dialect = database.sql_dialect();
    let mut errors = Vec::new();
    // Each table's definition by key, once (a schema of thousands of tables).
    let defs: std::collections::HashMap<String, _> = scanned
        .tables
        .iter()
        .map(|d| (Schema::key(&d.schema, &d.name), d))
        .collect();
    for (key, table) in &schema.tables {
        let def = defs.get(key).copied();
        let mut refuse = |field: Option<&str>, what: String, kind: Kind, sql: &str| {
            if let Err(problem) = problem(kind, sql, dialect) {
                errors.push(refusal(table, def, field, &what, kind, &problem));
            }
        };
        for column in &table.columns {
            let field = def.and_then(|d| d.fields.iter().find(|f| f.name == column.name));
            let name = field.map_or(column.name.as_str(), |f| f.field.as_str());
            // The type as written, and as the dialect writes it after normalizing it.
            if let Some(written) = field.and_then(|f| f.sql_type.as_ref()) {
                let what = format!("`sql_type = {written:?}` of field `{name}`");
                let rendered = render.column_type(&column.ty);
                let sql = match problem(Kind::Type, written, dialect) {
                    Ok(()) => rendered.as_str(),
                    Err(_) => written.as_str(),
                };
                refuse(Some(name), what, Kind::Type, sql);
            }
            if let Some(default) = &column.default {
                let what = match field.and_then(|f| f.default.as_ref()) {
                    Some(DefaultDef::Sql(written)) => format!("`default_sql = {written:?}`"),
                    _ => format!("default `{default}`"),
                };
                let what = format!("{what} of field `{name}`");
                refuse(Some(name), what, Kind::Expression, default);
            }
            if let Some(generated) = &column.generated {
                let what = format!("`generated = {:?}` of field `{name}`", generated.expr);
                refuse(Some(name), what, Kind::Expression, &generated.expr);
            }
        }
        for index in &table.indexes {
            if let Some(predicate) = &index.predicate {
                let what = format!("`predicate = {predicate:?}` of index `{}`", index.name);
                refuse(None, what, Kind::Expression, predicate);
            }
            if let Some(using) = &index.using {
                let what = format!("`using = {using:?}` of index `{}`", index.name);
                refuse(None, what, Kind::IndexMethod, using);
            }
            for expression in index.keys.iter().filter_map(|k| k.expression()) {
                let what = format!("key `{expression}` of index `{}`", index.name);
                refuse(None, what, Kind::Expression, expression);
            }
        }
        for check in &table.checks {
            let what = format!("`expr = {:?}` of check `{}`", check.expr, check.name);
            refuse(None, what, Kind::Expression, &check.expr);
        }
        for policy in &table.policies {
            let clauses = [("using", &policy.using), ("with_check", &policy.with_check)];
            for (key, sql) in clauses {
                if let Some(sql) = sql {
                    let what = format!("`{key} = {sql:?}` of policy `{}`", policy.name);
                    refuse(None, what, Kind::Expression, sql);
                }
            }
        }
    }
    for view in &scanned.views {
        if let Err(problem) = problem(Kind::Query, &view.sql, dialect) {
            errors.push(ResolveError {
                rust_name: view.rust_name.clone(),
                field: None,
                message: format!(
                    "the `sql` of view `{}` must be exactly one query, but {problem}; write one SELECT (for example `SELECT id, title FROM issues`), and put anything more in a --custom migration; nothing was written",
                    view.name
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(scanned.located(errors))
    }
}

/// The error for a fragment of `table` (from `def`), described as `what`.
fn refusal(
    table: &Table,
    def: Option<&TableDef>,
    field: Option<&str>,
    what: &str,
    kind: Kind,
    problem: &str,
) -> ResolveError {
    let (must_be, example) = match kind {
        Kind::Expression => ("exactly one SQL expression", "`archived = false`, `now()`"),
        Kind::Type => ("exactly one SQL type", "`varchar(320)`, `numeric(10,2)`"),
        Kind::IndexMethod => ("exactly one index method name", "`btree`, `gin`"),
        Kind::Query => ("exactly one query", "`SELECT id FROM issues`"),
    };
    ResolveError {
        rust_name: def.map_or_else(|| table.name.clone(), |d| d.rust_name.clone()),
        field: field.map(str::to_string),
        message: format!(
            "the {what} on table `{}` must be {must_be}, but {problem}; write one, such as {example}, and put anything more in a --custom migration; nothing was written",
            table.name
        ),
    }
}

#[cfg(test)]
mod tests;
