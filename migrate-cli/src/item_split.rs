//! Splits a Rust source text at top-level item boundaries, so that a large schema file can be
//! parsed on several threads.
//!
//! A tiny lexer skips comments, strings, raw strings and character literals and tracks bracket
//! depth; a boundary is the end of a line whose last token closed an item (`}` or `;`) at depth
//! zero. The split is only an optimization: a caller that fails to parse a piece parses the
//! whole file instead, so an unusual source can cost speed but never correctness.

/// A piece of a source: its text and the 1-based line it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    pub text: &'a str,
    pub first_line: usize,
}

/// Cuts `text` into at most `pieces` parts of similar size at item boundaries.
pub fn split(text: &str, pieces: usize) -> Vec<Piece<'_>> {
    let boundaries = boundaries(text.as_bytes());
    let target = text.len() / pieces.max(1) + 1;
    let mut out = Vec::new();
    let (mut start, mut line) = (0, 1);
    for (end, end_line) in boundaries {
        if end - start >= target && out.len() + 1 < pieces {
            out.push(Piece {
                text: &text[start..end],
                first_line: line,
            });
            start = end;
            line = end_line;
        }
    }
    if start < text.len() || out.is_empty() {
        out.push(Piece {
            text: &text[start..],
            first_line: line,
        });
    }
    out
}

/// Byte offsets just after a newline that ends a top-level item, with the line that follows.
fn boundaries(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut i, mut depth, mut line) = (0usize, 0i64, 1usize);
    let mut item_closed = false;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                if item_closed && depth == 0 {
                    out.push((i + 1, line));
                }
                item_closed = false;
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i, &mut line);
                continue;
            }
            b'"' => i = skip_string(b, i + 1, &mut line),
            b'r' if is_raw_string_start(b, i) => i = skip_raw_string(b, i + 1, &mut line),
            b'\'' => i = skip_char_or_lifetime(b, i),
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth -= 1;
                item_closed = depth == 0 && b[i] == b'}';
                i += 1;
                continue;
            }
            b';' => {
                item_closed = depth == 0;
                i += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        item_closed = false;
        i += 1;
    }
    out
}

fn skip_block_comment(b: &[u8], mut i: usize, line: &mut usize) -> usize {
    let mut nesting = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            nesting += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            nesting -= 1;
            i += 2;
            if nesting == 0 {
                return i;
            }
        } else {
            *line += usize::from(b[i] == b'\n');
            i += 1;
        }
    }
    i
}

/// From just after the opening quote to the closing quote (the caller steps past it).
fn skip_string(b: &[u8], mut i: usize, line: &mut usize) -> usize {
    while i < b.len() && b[i] != b'"' {
        if b[i] == b'\\' {
            // An escape, also `\` before a newline that continues the string.
            *line += usize::from(b.get(i + 1) == Some(&b'\n'));
            i += 2;
            continue;
        }
        *line += usize::from(b[i] == b'\n');
        i += 1;
    }
    i
}

/// `r"..."`, `r#"..."#`, `br"..."` (the `b` was consumed as an identifier byte).
fn is_raw_string_start(b: &[u8], i: usize) -> bool {
    let ident_before =
        i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') && b[i - 1] != b'b';
    let mut j = i + 1;
    while b.get(j) == Some(&b'#') {
        j += 1;
    }
    !ident_before && b.get(j) == Some(&b'"')
}

/// From just after the `r` to the closing quote of the raw string (the caller steps past).
fn skip_raw_string(b: &[u8], mut i: usize, line: &mut usize) -> usize {
    let mut hashes = 0;
    while b.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    i += 1;
    while i < b.len() {
        if b[i] == b'"'
            && b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == b'#')
                .count()
                == hashes
        {
            return i + hashes;
        }
        *line += usize::from(b[i] == b'\n');
        i += 1;
    }
    i
}

/// `'x'`, `'\n'`, `'\u{1F600}'` are characters; `'a` in `&'a str` is a lifetime. Returns the
/// index of the last byte consumed.
fn skip_char_or_lifetime(b: &[u8], i: usize) -> usize {
    if b.get(i + 1) == Some(&b'\\') {
        let mut j = i + 2;
        while j < b.len() && b[j] != b'\'' && b[j] != b'\n' {
            j += 1;
        }
        return j;
    }
    // A character literal closes after one (possibly multi-byte) character.
    let width = b.get(i + 1).map_or(1, |c| utf8_width(*c));
    if b.get(i + 1 + width) == Some(&b'\'') {
        i + 1 + width
    } else {
        i
    }
}

fn utf8_width(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, n: usize) -> Vec<&str> {
        split(text, n).iter().map(|p| p.text).collect()
    }

    #[test]
    fn splits_between_items_and_keeps_attributes_with_their_item() {
        let text = "use a::b;\n#[derive(Table)]\nstruct A { x: i64 }\n#[derive(Table)]\nstruct B { y: i64 }\n";
        let parts = pieces(text, 2);
        assert_eq!(parts.concat(), text);
        assert_eq!(parts.len(), 2);
        assert!(
            parts[1].starts_with("#[derive(Table)]\nstruct B"),
            "{parts:?}"
        );
        assert_eq!(split(text, 2)[1].first_line, 4);
    }

    #[test]
    fn never_splits_inside_strings_comments_or_blocks() {
        let text = concat!(
            "struct A { s: i64 }\n",
            "/* }\n;\n */\n",
            "const S: &str = \"}\n;\n\";\n",
            "const R: &str = r#\"}\n\"#;\n",
            "const C: char = '}';\nfn f<'a>(x: &'a str) {\n}\n",
            "mod m {\n struct B { y: i64 }\n}\n",
        );
        let parts = pieces(text, 50);
        assert_eq!(parts.concat(), text);
        for p in &parts {
            assert!(syn::parse_file(p).is_ok(), "piece does not parse: {p:?}");
        }
        assert_eq!(parts.len(), 6, "{parts:?}");
    }

    /// A string continued on the next line with `\` still counts that line, so the pieces
    /// after it start on their true lines (error positions depend on it).
    #[test]
    fn a_string_continued_after_a_backslash_counts_its_line() {
        let text = "const S: &str = \"a\\\nb\";\nstruct A { x: i64 }\nstruct B { y: i64 }\n";
        let parts = split(text, 3);
        assert!(parts.len() >= 2, "{parts:?}");
        for p in &parts {
            let line = text[..p.text.as_ptr() as usize - text.as_ptr() as usize]
                .matches('\n')
                .count()
                + 1;
            assert_eq!(p.first_line, line, "{p:?}");
        }
    }
}
