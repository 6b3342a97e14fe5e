//! SQLite statements parsed for the statement lint (`crate::statements::lint::sqlparsed`):
//! sqlparser's SQLite dialect, with what migration files need and it lacks: SQLite's
//! `CREATE TRIGGER` ([`trigger`]), `PRAGMA name = ON`
//! (SQLite reads a keyword or name as the value, sqlparser only numbers and strings), and
//! `x REGEXP y` / `x MATCH y` whose right side fails to parse as an error, not a panic (sqlparser
//! 0.59 unwraps it). Everything else is `SQLiteDialect`'s: the parser's own dialect checks see
//! `SQLiteDialect` through [`Dialect::dialect`].

mod trigger;

use crate::statements::lint::sqlparsed::Reader;
use sqlparser::ast::{BinaryOperator, Expr, Statement, Value};
use sqlparser::dialect::{Dialect, SQLiteDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;
use std::any::TypeId;

/// How the lint reads a SQLite file: cut by the MySQL splitter (a backslash before a quote in
/// a SQLite string reads as an escape there, so its chunk is one `unparsed-statement`).
pub(super) const READER: Reader = Reader {
    split: crate::backend::mysql::statements::split,
    parse: parse_statement,
};

/// The statements of one SQLite statement's `text`.
pub(super) fn parse_statement(text: &str) -> Result<Vec<Statement>, ParserError> {
    Parser::parse_sql(&Sqlite, text)
}

#[derive(Debug)]
struct Sqlite;

const BASE: SQLiteDialect = SQLiteDialect {};

impl Dialect for Sqlite {
    fn dialect(&self) -> TypeId {
        TypeId::of::<SQLiteDialect>()
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        BASE.is_delimited_identifier_start(ch)
    }
    fn identifier_quote_style(&self, identifier: &str) -> Option<char> {
        BASE.identifier_quote_style(identifier)
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        BASE.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        BASE.is_identifier_part(ch)
    }
    fn supports_filter_during_aggregation(&self) -> bool {
        true
    }
    fn supports_start_transaction_modifier(&self) -> bool {
        true
    }
    fn supports_in_empty_list(&self) -> bool {
        true
    }
    fn supports_limit_comma(&self) -> bool {
        true
    }
    fn supports_asc_desc_in_column_definition(&self) -> bool {
        true
    }
    fn supports_dollar_placeholder(&self) -> bool {
        true
    }
    fn supports_notnull_operator(&self) -> bool {
        true
    }

    fn parse_statement(&self, parser: &mut Parser) -> Option<Result<Statement, ParserError>> {
        if parser.parse_keyword(Keyword::PRAGMA) {
            return Some(pragma(parser));
        }
        if let Some(trigger) = trigger::create_trigger(parser) {
            return Some(trigger);
        }
        BASE.parse_statement(parser)
    }

    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        _precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        for (keyword, op) in [
            (Keyword::REGEXP, BinaryOperator::Regexp),
            (Keyword::MATCH, BinaryOperator::Match),
        ] {
            if parser.parse_keyword(keyword) {
                return Some(parser.parse_expr().map(|right| Expr::BinaryOp {
                    left: Box::new(expr.clone()),
                    op,
                    right: Box::new(right),
                }));
            }
        }
        None
    }
}

/// `PRAGMA [schema.]name [= value | (value)]`, the value a number, a string or a name.
fn pragma(parser: &mut Parser) -> Result<Statement, ParserError> {
    let name = parser.parse_object_name(false)?;
    let (value, is_eq) = if parser.consume_token(&Token::LParen) {
        let value = pragma_value(parser)?;
        parser.expect_token(&Token::RParen)?;
        (Some(value), false)
    } else if parser.consume_token(&Token::Eq) {
        (Some(pragma_value(parser)?), true)
    } else {
        (None, false)
    };
    Ok(Statement::Pragma { name, value, is_eq })
}

fn pragma_value(parser: &mut Parser) -> Result<Value, ParserError> {
    if let Token::Word(w) = parser.peek_token().token {
        parser.next_token();
        return Ok(Value::SingleQuotedString(w.value));
    }
    if parser.consume_token(&Token::Minus) {
        return match parser.parse_number_value()?.value {
            Value::Number(n, long) => Ok(Value::Number(format!("-{n}"), long)),
            v => Ok(v),
        };
    }
    Ok(parser.parse_value()?.value)
}
