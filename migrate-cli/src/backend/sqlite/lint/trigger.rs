//! SQLite's `CREATE TRIGGER`, which sqlparser 0.59 reads for other dialects only (and with a
//! mandatory `FOR EACH ROW`): `CREATE [TEMP] TRIGGER [IF NOT EXISTS] name [BEFORE | AFTER |
//! INSTEAD OF] event ON table [FOR EACH ROW] [WHEN expr] BEGIN statement; ... END`, read with
//! the parser's own pieces. The body runs when the trigger fires, not when the migration
//! runs: it is read, not linted.

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    BeginEndStatements, ConditionalStatements, CreateTrigger, Statement, TriggerObject,
    TriggerPeriod,
};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// Reads a `CREATE TRIGGER` if the parser stands at one; leaves it where it was otherwise.
pub(super) fn create_trigger(parser: &mut Parser) -> Option<Result<Statement, ParserError>> {
    if !parser.parse_keyword(Keyword::CREATE) {
        return None;
    }
    let temp = parser
        .parse_one_of_keywords(&[Keyword::TEMP, Keyword::TEMPORARY])
        .is_some();
    if parser.parse_keyword(Keyword::TRIGGER) {
        return Some(trigger(parser));
    }
    if temp {
        parser.prev_token();
    }
    parser.prev_token();
    None
}

fn trigger(parser: &mut Parser) -> Result<Statement, ParserError> {
    let _ = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
    let name = parser.parse_object_name(false)?;
    let period = match parser.peek_token().token {
        Token::Word(w)
            if matches!(
                w.keyword,
                Keyword::BEFORE | Keyword::AFTER | Keyword::INSTEAD
            ) =>
        {
            parser.parse_trigger_period()?
        }
        _ => TriggerPeriod::Before,
    };
    let event = parser.parse_trigger_event()?;
    parser.expect_keyword_is(Keyword::ON)?;
    let table_name = parser.parse_object_name(false)?;
    let include_each = parser.parse_keywords(&[Keyword::FOR, Keyword::EACH, Keyword::ROW]);
    let condition = match parser.parse_keyword(Keyword::WHEN) {
        true => Some(parser.parse_expr()?),
        false => None,
    };
    parser.expect_keyword_is(Keyword::BEGIN)?;
    let mut statements = Vec::new();
    while !parser.parse_keyword(Keyword::END) {
        statements.push(parser.parse_statement()?);
        parser.expect_token(&Token::SemiColon)?;
    }
    Ok(Statement::CreateTrigger(CreateTrigger {
        or_alter: false,
        or_replace: false,
        is_constraint: false,
        name,
        period,
        period_before_table: true,
        events: vec![event],
        table_name,
        referenced_table_name: None,
        referencing: Vec::new(),
        trigger_object: TriggerObject::Row,
        include_each,
        condition,
        exec_body: None,
        statements_as: false,
        statements: Some(ConditionalStatements::BeginEnd(BeginEndStatements {
            begin_token: AttachedToken::empty(),
            statements,
            end_token: AttachedToken::empty(),
        })),
        characteristics: None,
    }))
}
