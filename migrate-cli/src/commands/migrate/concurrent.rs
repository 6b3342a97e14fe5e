//! Concurrent index builds in `-- no-transaction` files: an interrupted `CREATE INDEX
//! CONCURRENTLY` leaves an invalid index that `migrate` drops before building it again.

use crate::backend::Connected;
use crate::error::Error;
use crate::Context;

/// An interrupted `CREATE INDEX CONCURRENTLY` leaves an invalid index behind, which `IF NOT
/// EXISTS` would then keep: drop each such index this migration builds, so it is built again.
pub(super) async fn repair_concurrent_builds(
    conn: &mut Connected,
    sql: &str,
    file: &str,
    ctx: &mut Context<'_>,
) -> Result<(), Error> {
    for (schema, name) in concurrent_builds(sql) {
        if conn.drop_invalid_index(&schema, &name).await? {
            let _ = writeln!(
                ctx.stdout,
                "dropped the invalid index {schema}.{name} left by an interrupted build; {file} builds it again"
            );
        }
    }
    Ok(())
}

/// The `(schema, index)` of every `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS "index"
/// ON "schema"."table"` statement in `sql`, as `generate` writes them.
pub fn concurrent_builds(sql: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in sql.lines() {
        let rest = line
            .strip_prefix("CREATE INDEX CONCURRENTLY IF NOT EXISTS ")
            .or_else(|| line.strip_prefix("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "));
        let Some((name, rest)) = rest.and_then(quoted) else {
            continue;
        };
        let Some((schema, _)) = rest.strip_prefix(" ON ").and_then(quoted) else {
            continue;
        };
        out.push((schema, name));
    }
    out
}

/// A leading `"identifier"` (with `""` for a quote) and the text after it.
fn quoted(text: &str) -> Option<(String, &str)> {
    let mut chars = text.strip_prefix('"')?.char_indices().peekable();
    let mut ident = String::new();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            ident.push(c);
        } else if chars.peek().is_some_and(|(_, next)| *next == '"') {
            ident.push('"');
            chars.next();
        } else {
            return Some((ident, &text[i + 2..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_builds_are_found_with_their_schema() {
        let sql = "-- no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"a\"\"b_idx\" ON \"audit\".\"t\" (\"x\");\n\
                   DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"old_idx\";";
        assert_eq!(
            concurrent_builds(sql),
            [("audit".to_string(), "a\"b_idx".to_string())]
        );
    }
}
