//! MySQL statements parsed for the statement lint (`crate::statements::lint::sqlparsed`):
//! sqlparser's MySQL dialect, and MySQL's `ALTER TABLE t RENAME {INDEX | KEY} old TO new`,
//! which `generate` writes and sqlparser 0.59 does not read, read with the parser's own pieces
//! as the one action of its statement; it renames an index in place (no finding).

use crate::statements::lint::sqlparsed::Reader;
use sqlparser::ast::{AlterIndexOperation, ObjectName, Statement};
use sqlparser::dialect::MySqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// How the lint reads a MySQL file.
pub(super) const READER: Reader = Reader {
    split: super::statements::split,
    parse: parse_statement,
};

/// The statements of one MySQL statement's `text`; an executable comment (`/*!50001 ... */`,
/// which MySQL runs) is read for the statement inside it.
fn parse_statement(text: &str) -> Result<Vec<Statement>, ParserError> {
    if let Some(inner) = executable_comment(text) {
        return parse_statement(&inner);
    }
    match parse(text) {
        Some(rename) => rename.map(|s| vec![s]),
        None => Parser::parse_sql(&MySqlDialect {}, text),
    }
}

/// The SQL inside `text` when it is one executable comment (`/*!50001 DROP TABLE t */`,
/// `/*M!100100 ... */`), as sqlparser's tokenizer reads the comment: the version dropped.
fn executable_comment(text: &str) -> Option<String> {
    use sqlparser::tokenizer::{Tokenizer, Whitespace};
    let tokens = Tokenizer::new(&MySqlDialect {}, text).tokenize().ok()?;
    let mut solid = tokens.iter().filter(|t| {
        !matches!(
            t,
            Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab)
                | Token::SemiColon
        )
    });
    let (Some(Token::Whitespace(Whitespace::MultiLineComment(body))), None) =
        (solid.next(), solid.next())
    else {
        return None;
    };
    let body = body.strip_prefix('!').or_else(|| body.strip_prefix("M!"))?;
    Some(
        body.trim_start_matches(|c: char| c.is_ascii_digit())
            .to_string(),
    )
}

/// The statement if `text` is such a rename, `None` if it is not one.
fn parse(text: &str) -> Option<Result<Statement, ParserError>> {
    let dialect = MySqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(text).ok()?;
    if !parser.parse_keywords(&[Keyword::ALTER, Keyword::TABLE]) {
        return None;
    }
    parser.parse_object_name(false).ok()?;
    if !parser.parse_keyword(Keyword::RENAME)
        || parser
            .parse_one_of_keywords(&[Keyword::INDEX, Keyword::KEY])
            .is_none()
    {
        return None;
    }
    Some(rest(&mut parser))
}

fn rest(parser: &mut Parser) -> Result<Statement, ParserError> {
    let old = parser.parse_identifier()?;
    parser.expect_keyword_is(Keyword::TO)?;
    let new = parser.parse_identifier()?;
    let _ = parser.consume_token(&Token::SemiColon);
    parser.expect_token(&Token::EOF)?;
    Ok(Statement::AlterIndex {
        name: ObjectName::from(vec![old]),
        operation: AlterIndexOperation::RenameIndex {
            index_name: ObjectName::from(vec![new]),
        },
    })
}
