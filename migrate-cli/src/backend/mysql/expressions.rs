//! MySQL and MariaDB print expressions back: each one is applied to a probe, a temporary copy
//! (`CREATE TEMPORARY TABLE .. LIKE ..`) of the live table, visible to this session only and
//! dropped afterwards; the user's tables are only read.
//! MariaDB 10.11's `information_schema` does not list temporary tables, so a default is read
//! from `SHOW COLUMNS` and a check from `SHOW CREATE TABLE`, cut out with sqlparser's tokenizer.
//! Each statement is sent alone (prepared), so a text cannot carry a second statement.

use crate::backend::ExprKind as Kind;
use schema_core::model::Table;
use sqlparser::dialect::MySqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};
use sqlx::{MySqlConnection, Row};

/// The probe's check's name.
const CHECK: &str = "migrate_probe_check";

/// The probe's name: a temporary table shadows a table of its name in this session, so it is
/// never the name of the table it copies.
fn probe_for(table: &Table) -> &'static str {
    match table.name.eq_ignore_ascii_case("migrate_probe") {
        true => "migrate_probe_2",
        false => "migrate_probe",
    }
}

/// Each text of `items` as the server prints it back once applied to a copy of `table` (none:
/// it does not apply); no default prints as the empty text. An error when no probe could be
/// built (no `CREATE TEMPORARY TABLES` privilege, a read-only server).
pub async fn normalize(
    conn: &mut MySqlConnection,
    table: &Table,
    items: &[(Kind, String)],
) -> Result<Vec<Option<String>>, sqlx::Error> {
    let probe = probe_for(table);
    let mut out = vec![None; items.len()];
    let _ = run(conn, &format!("DROP TEMPORARY TABLE IF EXISTS {probe}")).await;
    let create = format!("CREATE TEMPORARY TABLE {probe} LIKE {}", quote(&table.name));
    run(conn, &create).await?;
    for (slot, (kind, text)) in out.iter_mut().zip(items) {
        *slot = match kind {
            Kind::Default(column) => default(conn, probe, column, text).await,
            Kind::Check => check(conn, probe, text).await,
            Kind::Predicate | Kind::IndexKey => None,
        };
    }
    let _ = run(conn, &format!("DROP TEMPORARY TABLE IF EXISTS {probe}")).await;
    Ok(out)
}

/// A default as `SHOW COLUMNS` prints it; a literal is set as written, an expression in
/// parentheses (as `ALTER COLUMN .. SET DEFAULT` wants it).
async fn default(
    conn: &mut MySqlConnection,
    probe: &str,
    column: &str,
    text: &str,
) -> Option<String> {
    let set = |t: &str| {
        format!(
            "ALTER TABLE {probe} ALTER COLUMN {} SET DEFAULT {t}",
            quote(column)
        )
    };
    if run(conn, &set(text)).await.is_err() {
        run(conn, &set(&format!("({text})"))).await.ok()?;
    }
    let rows = sqlx::query(&format!("SHOW COLUMNS FROM {probe}"))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .ok()?;
    let row = rows
        .iter()
        .find(|r| text_of(r, 0).as_deref() == Some(column))?;
    Some(text_of(row, 4).unwrap_or_default())
}

/// A column of a `SHOW` row as text (the server may send it as binary).
fn text_of(row: &sqlx::mysql::MySqlRow, i: usize) -> Option<String> {
    match row.try_get::<Option<String>, _>(i) {
        Ok(v) => v,
        Err(_) => row
            .try_get::<Option<Vec<u8>>, _>(i)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
    }
}

/// A check as `SHOW CREATE TABLE` prints it; the probe's check is dropped again.
async fn check(conn: &mut MySqlConnection, probe: &str, text: &str) -> Option<String> {
    let add = format!("ALTER TABLE {probe} ADD CONSTRAINT {CHECK} CHECK ({text})");
    run(conn, &add).await.ok()?;
    let shown = sqlx::query(&format!("SHOW CREATE TABLE {probe}"))
        .persistent(false)
        .fetch_one(&mut *conn)
        .await
        .ok()
        .and_then(|row| text_of(&row, 1));
    let _ = run(
        conn,
        &format!("ALTER TABLE {probe} DROP CONSTRAINT {CHECK}"),
    )
    .await;
    check_clause(&shown?, CHECK)
}

/// The expression of check `name` in a `CREATE TABLE` statement: the tokens inside the
/// parentheses after `CONSTRAINT name CHECK`.
pub fn check_clause(create: &str, name: &str) -> Option<String> {
    let tokens = Tokenizer::new(&MySqlDialect {}, create).tokenize().ok()?;
    let solid: Vec<(usize, &Token)> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t, Token::Whitespace(_)))
        .collect();
    let at = solid.windows(3).position(|w| {
        matches!(w[0].1, Token::Word(x) if x.value == name)
            && matches!(w[1].1, Token::Word(x) if x.value.eq_ignore_ascii_case("check"))
            && matches!(w[2].1, Token::LParen)
    })?;
    let start = solid[at + 2].0 + 1;
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(start) {
        match t {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => {
                let inside: String = tokens[start..i].iter().map(|t| t.to_string()).collect();
                return Some(inside.trim().to_string());
            }
            Token::RParen => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Runs one statement as a prepared statement (one statement only), not cached.
async fn run(conn: &mut MySqlConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .persistent(false)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// `name` as a backquoted identifier.
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::check_clause;

    #[test]
    fn a_check_is_cut_out_of_show_create_table() {
        let create = "CREATE TEMPORARY TABLE `migrate_probe` (\n  `id` int(11) NOT NULL,\n  \
                      CONSTRAINT `t_c` CHECK (`active` = 1),\n  \
                      CONSTRAINT `migrate_probe_check` CHECK (cast(`p` as char charset utf8mb3) <> ')')\n) \
                      ENGINE=InnoDB";
        assert_eq!(
            check_clause(create, "migrate_probe_check").as_deref(),
            Some("cast(`p` as char charset utf8mb3) <> ')'")
        );
        assert_eq!(check_clause(create, "t_c").as_deref(), Some("`active` = 1"));
        assert_eq!(check_clause(create, "other"), None);
    }
}
