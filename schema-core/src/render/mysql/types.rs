//! MySQL column types and defaults as the model spells them: [`normalize_type`] and
//! [`canonical_default`] (shared with introspection, so both sides write the same text), the
//! mapping from the resolver's PostgreSQL names ([`from_postgres`]), and how a default is
//! written in a column definition ([`default_sql`]).

/// The canonical spelling of a MySQL type, used for `sql_type = "..."` overrides and for the
/// `COLUMN_TYPE` introspection reads: lowercase (string literals of `enum(..)`/`set(..)` kept
/// as written), single spaces, no integer display widths (`int(11)` is `int`, but
/// `tinyint(1)` stays: it is the boolean type), `integer` is `int`, `bool`/`boolean` is
/// `tinyint(1)`, `numeric`/`decimal` is `decimal(p,s)` (bare: `decimal(10,0)`),
/// `double precision`/`real` is `double`, `character varying(n)` is `varchar(n)`,
/// `character(n)` is `char(n)`, a zero fractional-seconds precision (`datetime(0)`) is left
/// out; `signed` is dropped, `unsigned` and `zerofill` are kept.
pub fn normalize_type(sql: &str) -> String {
    let s = collapse(sql);
    if s.starts_with("enum(") || s.starts_with("set(") {
        return s;
    }
    let (head, args, tail) = match s.find('(') {
        Some(open) => {
            let close = s.rfind(')').unwrap_or(s.len());
            let args = s[open + 1..close.max(open + 1)].to_string();
            let tail = s.get(close + 1..).unwrap_or("").trim().to_string();
            (s[..open].trim().to_string(), Some(args), tail)
        }
        None => (s.clone(), None, String::new()),
    };
    // Modifiers written before any parentheses (`int unsigned`) join the tail.
    let mut words: Vec<&str> = head.split(' ').collect();
    let mut modifiers: Vec<&str> = Vec::new();
    while let Some(last) = words.last() {
        if words.len() > 1 && matches!(*last, "unsigned" | "signed" | "zerofill") {
            modifiers.insert(0, last);
            words.pop();
        } else {
            break;
        }
    }
    let name = words.join(" ");
    modifiers.extend(tail.split(' ').filter(|w| !w.is_empty()));
    modifiers.retain(|m| *m != "signed");
    let base = base_type(&name, args.as_deref());
    if modifiers.is_empty() {
        base
    } else {
        format!("{base} {}", modifiers.join(" "))
    }
}

/// The canonical type for a type name and its arguments (without spaces).
fn base_type(name: &str, args: Option<&str>) -> String {
    let with_args = |n: &str| match args {
        Some(a) => format!("{n}({a})"),
        None => n.to_string(),
    };
    let fractional = |n: &str| match args {
        Some("0") | None => n.to_string(),
        Some(a) => format!("{n}({a})"),
    };
    match name {
        "integer" | "int" | "int4" => "int".into(),
        "smallint" | "int2" => "smallint".into(),
        "mediumint" => "mediumint".into(),
        "bigint" | "int8" => "bigint".into(),
        "tinyint" if args == Some("1") => "tinyint(1)".into(),
        "tinyint" => "tinyint".into(),
        "bool" | "boolean" => "tinyint(1)".into(),
        "numeric" | "decimal" | "dec" | "fixed" => match args {
            None => "decimal(10,0)".into(),
            Some(a) if a.contains(',') => format!("decimal({a})"),
            Some(a) => format!("decimal({a},0)"),
        },
        "double precision" | "double" | "real" | "float8" => with_args("double"),
        "float4" => with_args("float"),
        "character varying" | "varchar" => with_args("varchar"),
        "character" | "char" => format!("char({})", args.unwrap_or("1")),
        "datetime" | "timestamp" | "time" => fractional(name),
        _ => with_args(name),
    }
}

/// Lowercase and single-spaced outside string literals, no spaces inside parentheses.
fn collapse(sql: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut depth = 0usize;
    let mut space = false;
    for c in sql.trim().chars() {
        if quoted {
            out.push(c);
            if c == '\'' {
                quoted = false;
            }
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && depth == 0 && !out.is_empty() && c != '(' {
            out.push(' ');
        }
        space = false;
        match c {
            '\'' => quoted = true,
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The MySQL type for a resolved type name (the canonical PostgreSQL spelling of
/// [`crate::types::normalize`]); `Err` names what MySQL lacks.
pub(super) fn from_postgres(pg: &str) -> Result<String, String> {
    let base = pg.split('(').next().unwrap_or(pg).trim();
    let args = pg
        .find('(')
        .and_then(|open| pg[open + 1..].split(')').next())
        .map(str::to_string);
    let precision = |kind: &str| match args.as_deref() {
        None => format!("{kind}(6)"),
        Some("0") => kind.to_string(),
        Some(p) => format!("{kind}({p})"),
    };
    Ok(match base {
        "smallint" => "smallint".into(),
        "integer" => "int".into(),
        "bigint" => "bigint".into(),
        "real" => "float".into(),
        "double precision" => "double".into(),
        "boolean" => "tinyint(1)".into(),
        "text" => "varchar(255)".into(),
        "character varying" => format!("varchar({})", args.as_deref().unwrap_or("255")),
        "uuid" => "char(36)".into(),
        "bytea" => "longblob".into(),
        "json" | "jsonb" => "json".into(),
        "date" => "date".into(),
        "numeric" if args.is_none() => "decimal(65,30)".into(),
        _ if pg.starts_with("timestamp") => precision("datetime"),
        _ if pg.starts_with("time ") || pg.starts_with("time(") || pg == "time" => {
            precision("time")
        }
        "interval" | "inet" | "cidr" | "macaddr" | "macaddr8" | "money" | "tsvector"
        | "tsquery" | "xml" | "hstore" | "citext" | "serial" | "bigserial" => {
            return Err(base.to_string())
        }
        _ => normalize_type(pg),
    })
}

/// True for the integer types an `AUTO_INCREMENT` column can have.
pub(super) fn is_integer(ty: &str) -> bool {
    let base = ty.split(['(', ' ']).next().unwrap_or(ty);
    matches!(
        base,
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint"
    )
}

/// True for the types MySQL cannot index without a prefix length and whose defaults must be
/// written in parentheses: `text`, `blob` and `json` kinds.
pub fn is_text_class(ty: &str) -> bool {
    let base = ty.split(['(', ' ']).next().unwrap_or(ty);
    matches!(
        base,
        "tinytext"
            | "text"
            | "mediumtext"
            | "longtext"
            | "tinyblob"
            | "blob"
            | "mediumblob"
            | "longblob"
            | "json"
            | "geometry"
    )
}

/// The canonical text of a default on a column of type `ty` (a [`normalize_type`] spelling),
/// used by adapt and by introspection (which reads MariaDB's `current_timestamp(6)`, `'abc'`,
/// `1.50`): `NULL`; booleans as `1`/`0`; integers as written (a leading `+` dropped); a
/// `decimal(p,s)` number with `s` fractional digits (`1.50`), as MySQL reports it; a
/// `float`/`double` number in its shortest form (`1.5`, `1000`); string literals as written
/// (`'it''s'`); `now()`, `CURRENT_TIMESTAMP`, `current_timestamp()` and `localtimestamp` on a
/// `datetime`/`timestamp` column as `CURRENT_TIMESTAMP(n)` with the column's precision (bare
/// `CURRENT_TIMESTAMP` at precision 0); `current_date` and `curdate()` as `curdate()`;
/// everything else verbatim, without parentheses around the whole expression.
pub fn canonical_default(expr: &str, ty: &str) -> String {
    let e = strip_parens(expr.trim());
    let lower = e.to_ascii_lowercase();
    match lower.as_str() {
        "null" => return "NULL".into(),
        "true" => return "1".into(),
        "false" => return "0".into(),
        "current_date" | "current_date()" | "curdate()" => return "curdate()".into(),
        _ => {}
    }
    let base = ty.split(['(', ' ']).next().unwrap_or(ty);
    if is_now(&lower) && matches!(base, "datetime" | "timestamp") {
        return match ty.find('(') {
            Some(open) => format!("CURRENT_TIMESTAMP{}", &ty[open..]),
            None => "CURRENT_TIMESTAMP".into(),
        };
    }
    if is_number(e) {
        return canonical_number(e, ty, base);
    }
    e.to_string()
}

/// `now()` and the spellings of `CURRENT_TIMESTAMP`, with or without a precision.
fn is_now(lower: &str) -> bool {
    let name = match lower.find('(') {
        Some(open) if lower.ends_with(')') => {
            let inside = &lower[open + 1..lower.len() - 1];
            if !inside.chars().all(|c| c.is_ascii_digit()) {
                return false;
            }
            &lower[..open]
        }
        Some(_) => return false,
        None => lower,
    };
    matches!(name, "now" | "current_timestamp" | "localtimestamp")
}

/// The expression without parentheses that enclose all of it: `(uuid())` is `uuid()`.
fn strip_parens(e: &str) -> &str {
    let mut e = e;
    while e.starts_with('(') && e.ends_with(')') && encloses(e) {
        e = e[1..e.len() - 1].trim();
    }
    e
}

/// True when the opening parenthesis of `e` closes at its last character.
fn encloses(e: &str) -> bool {
    let mut depth = 0usize;
    let mut quoted = false;
    for (i, c) in e.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == e.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// A plain decimal number: optional sign, digits, optional fraction.
fn is_number(e: &str) -> bool {
    let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !(int.is_empty() && frac.is_empty())
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
}

fn canonical_number(e: &str, ty: &str, base: &str) -> String {
    let (negative, digits) = match e.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, e.strip_prefix('+').unwrap_or(e)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let sign = if negative { "-" } else { "" };
    match base {
        "decimal" => {
            let scale: usize = ty
                .split_once(',')
                .and_then(|(_, s)| {
                    s.trim_end_matches(|c: char| !c.is_ascii_digit())
                        .parse()
                        .ok()
                })
                .unwrap_or(0);
            let frac = frac.trim_end_matches('0');
            if frac.len() > scale {
                return e.to_string();
            }
            let mut out = format!("{sign}{int}");
            if scale > 0 {
                out.push('.');
                out.push_str(frac);
                out.push_str(&"0".repeat(scale - frac.len()));
            }
            out
        }
        "float" | "double" => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac}")
            }
        }
        _ if frac.is_empty() => format!("{sign}{int}"),
        _ => e.to_string(),
    }
}

/// The default as written after `DEFAULT` in a column definition: literals (numbers, strings,
/// `NULL`) and `CURRENT_TIMESTAMP(n)` as they are, other expressions in parentheses
/// (`DEFAULT (uuid())`). On a text, blob or json column every default but `NULL` is in
/// parentheses (`DEFAULT ('x')`): MySQL 8 takes no literal default there, MariaDB takes both.
pub(super) fn default_sql(default: &str, ty: &str) -> String {
    let lower = default.to_ascii_lowercase();
    if lower == "null" {
        return default.to_string();
    }
    if is_text_class(ty) {
        return format!("({default})");
    }
    let literal = is_number(default)
        || is_string(default)
        || lower == "current_timestamp"
        || (lower.starts_with("current_timestamp(") && is_now(&lower));
    if literal {
        default.to_string()
    } else {
        format!("({default})")
    }
}

/// One string literal: `'it''s'`.
fn is_string(d: &str) -> bool {
    d.len() >= 2
        && d.starts_with('\'')
        && d.ends_with('\'')
        && !d[1..d.len() - 1].replace("''", "").contains('\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_normalize_to_one_spelling() {
        for (written, canonical) in [
            ("INT(11)", "int"),
            ("integer", "int"),
            ("bigint(20) unsigned", "bigint unsigned"),
            ("int signed", "int"),
            ("tinyint(1)", "tinyint(1)"),
            ("tinyint(4)", "tinyint"),
            ("BOOLEAN", "tinyint(1)"),
            ("numeric", "decimal(10,0)"),
            ("decimal", "decimal(10,0)"),
            ("numeric(10, 2)", "decimal(10,2)"),
            ("decimal(8)", "decimal(8,0)"),
            ("double precision", "double"),
            ("real", "double"),
            ("character varying(320)", "varchar(320)"),
            ("Character  (2)", "char(2)"),
            ("char", "char(1)"),
            ("timestamp", "timestamp"),
            ("datetime(0)", "datetime"),
            ("DATETIME(6)", "datetime(6)"),
            ("mediumtext", "mediumtext"),
            ("LONGTEXT", "longtext"),
            ("enum('Open', 'it''s')", "enum('Open','it''s')"),
        ] {
            assert_eq!(normalize_type(written), canonical, "{written}");
        }
    }

    #[test]
    fn postgres_names_map_to_mysql() {
        for (pg, mysql) in [
            ("integer", "int"),
            ("real", "float"),
            ("double precision", "double"),
            ("boolean", "tinyint(1)"),
            ("text", "varchar(255)"),
            ("character varying(40)", "varchar(40)"),
            ("uuid", "char(36)"),
            ("bytea", "longblob"),
            ("timestamp with time zone", "datetime(6)"),
            ("timestamp(3) without time zone", "datetime(3)"),
            ("time without time zone", "time(6)"),
            ("numeric", "decimal(65,30)"),
            ("numeric(10,2)", "decimal(10,2)"),
            ("jsonb", "json"),
            ("mediumtext", "mediumtext"),
        ] {
            assert_eq!(from_postgres(pg).as_deref(), Ok(mysql), "{pg}");
        }
        assert_eq!(from_postgres("interval"), Err("interval".to_string()));
    }

    #[test]
    fn defaults_have_one_canonical_text() {
        for (expr, ty, canonical) in [
            ("now()", "datetime(6)", "CURRENT_TIMESTAMP(6)"),
            (
                "current_timestamp(6)",
                "datetime(6)",
                "CURRENT_TIMESTAMP(6)",
            ),
            ("CURRENT_TIMESTAMP", "datetime", "CURRENT_TIMESTAMP"),
            ("true", "tinyint(1)", "1"),
            ("false", "tinyint(1)", "0"),
            ("1.5", "decimal(10,2)", "1.50"),
            ("1.50", "decimal(10,2)", "1.50"),
            ("0", "decimal(65,30)", "0.000000000000000000000000000000"),
            ("1.50", "double", "1.5"),
            ("+7", "int", "7"),
            ("-1", "int", "-1"),
            ("'it''s'", "varchar(255)", "'it''s'"),
            ("(uuid())", "char(36)", "uuid()"),
            ("NULL", "int", "NULL"),
            ("current_date", "date", "curdate()"),
        ] {
            assert_eq!(canonical_default(expr, ty), canonical, "{expr} on {ty}");
        }
    }

    #[test]
    fn defaults_are_written_as_mysql_takes_them() {
        assert_eq!(default_sql("0", "int"), "0");
        assert_eq!(default_sql("'x'", "varchar(255)"), "'x'");
        assert_eq!(default_sql("'x'", "mediumtext"), "('x')");
        assert_eq!(default_sql("'[]'", "json"), "('[]')");
        assert_eq!(
            default_sql("CURRENT_TIMESTAMP(6)", "datetime(6)"),
            "CURRENT_TIMESTAMP(6)"
        );
        assert_eq!(default_sql("uuid()", "char(36)"), "(uuid())");
    }
}
