//! MySQL/MariaDB statements of one chunk of a migration file (the text between two
//! `--> statement-breakpoint` lines), cut by sqlparser's tokenizer with its MySQL dialect.
//!
//! A statement ends at a `;` outside literals, quoted identifiers and comments, except inside
//! the `BEGIN ... END` body of a `CREATE PROCEDURE`, `FUNCTION`, `TRIGGER` or `EVENT` (or of a
//! MariaDB `BEGIN NOT ATOMIC` block), whose inner `;`s belong to it: such a statement is sent
//! whole, as the mysql client sends it after a `DELIMITER` change. An executable comment
//! (`/*!50001 ... */`, MariaDB's `/*M! ... */`) is SQL: the server runs what it holds. Comments
//! between statements and empty statements are left out. `DELIMITER` is a command of the mysql
//! client, not SQL, and is refused, as is text the tokenizer cannot read (an unclosed quote or
//! comment) and a body without its `END`: each with the line, before anything runs.
//! sqlparser reads `--` as a comment only before a space (MySQL also before a tab or a line
//! end), so `--` followed by a tab is read as SQL here: a quote in such a comment is refused.

#[cfg(test)]
mod tests;

use sqlparser::dialect::MySqlDialect;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace, Word};

/// One statement: its text from its first token to its `;` (included when there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    /// The file line (1-based) of its first token.
    pub line: usize,
    pub text: &'a str,
}

/// Why a chunk cannot be cut into statements; `line` is the file line, which the caller shows
/// with the file's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("cannot read the SQL: {message}; close the quote or comment")]
    Unreadable { line: usize, message: String },
    #[error("DELIMITER is a command of the mysql client, not SQL; remove the DELIMITER lines and end each statement with ; (the BEGIN ... END body of a procedure, function, trigger or event is sent whole without them)")]
    Delimiter { line: usize },
    #[error("the BEGIN ... END body of the statement starting on this line has no END; add the missing END (a breakpoint line inside the body also cuts it)")]
    Unclosed { line: usize },
}

impl SplitError {
    /// The file line the error points at.
    pub fn line(&self) -> usize {
        match self {
            SplitError::Unreadable { line, .. }
            | SplitError::Delimiter { line }
            | SplitError::Unclosed { line } => *line,
        }
    }
}

/// The statements of `chunk`, which starts on file line `first_line`.
pub fn split(chunk: &str, first_line: usize) -> Result<Vec<Piece<'_>>, SplitError> {
    let line_of = |l: Location| first_line + usize::try_from(l.line).unwrap_or(1).max(1) - 1;
    let tokens = Tokenizer::new(&MySqlDialect {}, chunk)
        .tokenize_with_location()
        .map_err(|e| SplitError::Unreadable {
            line: line_of(e.location),
            message: e.message,
        })?;
    let mut bytes = Cursor::new(chunk);
    let mut out = Vec::new();
    // The statement being read: its start (byte, line) and what its words say.
    let mut current: Option<(usize, usize, Shape)> = None;
    for (i, t) in tokens.iter().enumerate() {
        if !is_sql(&t.token) {
            continue;
        }
        if t.token == Token::SemiColon {
            let Some((start, line, shape)) = &current else {
                continue; // an empty statement
            };
            if shape.ends_at_semicolon() {
                let end = bytes.offset(t.span.end);
                out.push(Piece {
                    line: *line,
                    text: &chunk[*start..end],
                });
                current = None;
            }
            continue;
        }
        if current.is_none() {
            let line = line_of(t.span.start);
            if is_word(&t.token, "DELIMITER") {
                return Err(SplitError::Delimiter { line });
            }
            current = Some((bytes.offset(t.span.start), line, Shape::default()));
        }
        if let Some((_, _, shape)) = current.as_mut() {
            shape.read(&t.token, next_sql(&tokens[i + 1..]));
        }
    }
    if let Some((start, line, shape)) = current {
        if !shape.ends_at_semicolon() {
            return Err(SplitError::Unclosed { line });
        }
        let end = tokens
            .iter()
            .rev()
            .find(|t| is_sql(&t.token))
            .map_or(chunk.len(), |t| bytes.offset(t.span.end));
        out.push(Piece {
            line,
            text: &chunk[start..end.max(start)],
        });
    }
    Ok(out)
}

/// Whether a token is SQL: not whitespace, not a comment (unless executable), not the end.
fn is_sql(token: &Token) -> bool {
    match token {
        Token::EOF => false,
        Token::Whitespace(Whitespace::MultiLineComment(text)) => {
            text.starts_with('!') || text.starts_with("M!")
        }
        Token::Whitespace(_) => false,
        _ => true,
    }
}

/// The first SQL token of `rest`.
fn next_sql(rest: &[TokenWithSpan]) -> Option<&Token> {
    rest.iter().map(|t| &t.token).find(|t| is_sql(t))
}

/// An unquoted word, compared without case.
fn unquoted(token: &Token) -> Option<&Word> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w),
        _ => None,
    }
}

fn is_word(token: &Token, word: &str) -> bool {
    unquoted(token).is_some_and(|w| w.value.eq_ignore_ascii_case(word))
}

/// What a statement's words say about where it ends.
#[derive(Debug, Default)]
struct Shape {
    /// Its SQL tokens read so far.
    read: usize,
    kind: Kind,
    /// Open `BEGIN` and `CASE` of a body.
    depth: usize,
    /// The previous token: after `.` a word is a name (`NEW.end`), after `=` a value.
    previous: Previous,
    /// The word after an `END` that closes it (`END IF`, `END CASE`): not an opener.
    skip_next: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
enum Kind {
    /// Its first words are still being read.
    #[default]
    Head,
    /// Ends at its first `;`.
    Plain,
    /// May hold a `BEGIN ... END` body, and ends at the first `;` outside it.
    Compound,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Previous {
    #[default]
    Other,
    Period,
    Equals,
}

/// Words between `CREATE` and the kind of object it creates.
const CREATE_OPTIONS: &[&str] = &[
    "OR",
    "REPLACE",
    "DEFINER",
    "CURRENT_USER",
    "SQL",
    "SECURITY",
    "INVOKER",
    "AGGREGATE",
];

/// The objects whose definition may hold a `BEGIN ... END` body.
const WITH_BODY: &[&str] = &["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"];

/// Words that an `END` closes without their openers having been counted.
const END_OF: &[&str] = &["IF", "LOOP", "WHILE", "REPEAT", "FOR"];

/// How many tokens a `CREATE` statement may take to name the kind of object it creates.
const HEAD_LIMIT: usize = 24;

fn is_one_of(word: &Word, words: &[&str]) -> bool {
    words.iter().any(|w| word.value.eq_ignore_ascii_case(w))
}

impl Shape {
    fn ends_at_semicolon(&self) -> bool {
        self.kind != Kind::Compound || self.depth == 0
    }

    /// Reads the statement's next SQL token; `next` is the one after it.
    fn read(&mut self, token: &Token, next: Option<&Token>) {
        let previous = self.previous;
        self.previous = match token {
            Token::Period => Previous::Period,
            Token::Eq => Previous::Equals,
            _ => Previous::Other,
        };
        self.read += 1;
        if self.kind == Kind::Head {
            self.kind = self.head(token, next, previous);
            return;
        }
        if self.kind != Kind::Compound || previous == Previous::Period {
            return;
        }
        if std::mem::take(&mut self.skip_next) {
            return;
        }
        let Some(word) = unquoted(token) else {
            return;
        };
        if is_one_of(word, &["BEGIN", "CASE"]) {
            self.depth += 1;
        } else if is_one_of(word, &["END"]) {
            let closes_other = next
                .and_then(unquoted)
                .is_some_and(|n| is_one_of(n, END_OF));
            if !closes_other {
                self.depth = self.depth.saturating_sub(1);
            }
            self.skip_next = closes_other || next.is_some_and(|n| is_word(n, "CASE"));
        }
    }

    /// The kind a statement's first tokens give it, `Head` while undecided.
    fn head(&mut self, token: &Token, next: Option<&Token>, previous: Previous) -> Kind {
        if self.read == 1 {
            // MariaDB's anonymous block `BEGIN NOT ATOMIC`; a bare BEGIN starts a transaction.
            if is_word(token, "BEGIN") && next.is_some_and(|n| is_word(n, "NOT")) {
                self.depth = 1;
                return Kind::Compound;
            }
            return match is_word(token, "CREATE") {
                true => Kind::Head,
                false => Kind::Plain,
            };
        }
        if self.read > HEAD_LIMIT {
            return Kind::Plain;
        }
        // Quoted names, `=`, `@` and `()` of a DEFINER clause leave it undecided.
        let Some(word) = unquoted(token) else {
            return Kind::Head;
        };
        if is_one_of(word, WITH_BODY) {
            return Kind::Compound;
        }
        // A DEFINER's user: `= root`, `root@localhost`.
        let definer = previous == Previous::Equals || word.value.contains('@');
        match definer || is_one_of(word, CREATE_OPTIONS) {
            true => Kind::Head,
            false => Kind::Plain,
        }
    }
}

/// Byte offsets of tokenizer locations (1-based line and column, columns in characters), for
/// locations given in increasing order.
struct Cursor<'a> {
    text: &'a str,
    line: u64,
    column: u64,
    byte: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            line: 1,
            column: 1,
            byte: 0,
        }
    }

    /// The byte offset of `at`; moves forward only.
    fn offset(&mut self, at: Location) -> usize {
        let mut chars = self.text[self.byte..].chars();
        while (self.line, self.column) < (at.line, at.column) {
            let Some(c) = chars.next() else {
                break;
            };
            self.byte += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}
