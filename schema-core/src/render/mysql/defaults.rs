//! Column defaults as the model spells them on MySQL: [`canonical_default`] (shared with
//! introspection, so both sides write the same text) and how a default is written in a
//! column definition ([`default_sql`]).

use super::types::is_text_class;

/// The canonical text of a default on a column of type `ty` (a [`super::normalize_type`] spelling),
/// used by adapt and by introspection (which reads MariaDB's `current_timestamp(6)`, `'abc'`,
/// `1.50`): `NULL`; booleans as `1`/`0`; integers as written (a leading `+` dropped); a
/// `decimal(p,s)` number with `s` fractional digits (`1.50`), as MySQL reports it; a
/// `float`/`double` number in its shortest form (`1.5`, `1000`); string literals as written
/// (`'it''s'`); `now()`, `CURRENT_TIMESTAMP`, `current_timestamp()` and `localtimestamp` on a
/// `datetime`/`timestamp` column as `CURRENT_TIMESTAMP(n)` with the column's precision (bare
/// `CURRENT_TIMESTAMP` at precision 0); `current_date` and `curdate()` as `curdate()`; a
/// date or time literal in MySQL's full form (`'2024-01-02 00:00:00.000000'` on a
/// `datetime(6)`, a UTC offset dropped); a quoted number on a numeric column as the number, and a number on a
/// string column quoted; everything else verbatim, without parentheses around the whole
/// expression.
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
    let base = super::types::base_name(ty);
    if is_now(&lower) && matches!(base, "datetime" | "timestamp") {
        return match ty.find('(') {
            Some(open) => format!("CURRENT_TIMESTAMP{}", &ty[open..]),
            None => "CURRENT_TIMESTAMP".into(),
        };
    }
    let numeric = matches!(
        base,
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" | "decimal" | "float" | "double"
    );
    if is_number(e) {
        if matches!(base, "char" | "varchar" | "enum") || is_text_class(ty) {
            return format!("'{e}'");
        }
        return canonical_number(e, ty, base);
    }
    if is_string(e) {
        let inner = &e[1..e.len() - 1];
        if numeric && is_number(inner) {
            return canonical_number(inner, ty, base);
        }
        if let Some(value) = temporal(inner, ty, base) {
            return format!("'{value}'");
        }
    }
    e.to_string()
}

/// A date or time literal as MySQL reports it for a column of type `ty`:
/// `'2024-01-02'` on a date, `'2024-01-02 10:00:00.000000'` on a `datetime(6)`,
/// `'10:00:00.000000'` on a `time(6)`; `None` when `value` is no such literal.
fn temporal(value: &str, ty: &str, base: &str) -> Option<String> {
    let precision: usize = ty
        .split_once('(')
        .and_then(|(_, p)| p.trim_end_matches(')').parse().ok())
        .unwrap_or(0);
    let (date, time) = match value.split_once([' ', 'T']) {
        Some((d, t)) => (Some(d), Some(t)),
        None if value.contains('-') => (Some(value), None),
        None => (None, Some(value)),
    };
    let date = match date {
        Some(d) => {
            let parts: Vec<u32> = d
                .split('-')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            let [y, m, d] = parts[..] else { return None };
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        None => None,
    };
    let time = match time {
        Some(t) => {
            // A UTC offset (PostgreSQL's timestamptz literal) is dropped: the value is UTC.
            let t = ["+00:00", "+00", "Z"]
                .iter()
                .find_map(|zone| t.strip_suffix(zone))
                .unwrap_or(t);
            let (hms, frac) = t.split_once('.').unwrap_or((t, ""));
            let parts: Vec<u32> = hms
                .split(':')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            let (h, m, sec) = match parts[..] {
                [h, m] => (h, m, 0),
                [h, m, sec] => (h, m, sec),
                _ => return None,
            };
            if frac.len() > precision || !frac.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let mut out = format!("{h:02}:{m:02}:{sec:02}");
            if precision > 0 {
                out.push('.');
                out.push_str(frac);
                out.push_str(&"0".repeat(precision - frac.len()));
            }
            Some(out)
        }
        None => None,
    };
    match (base, date, time) {
        ("date", Some(d), None) => Some(d),
        ("datetime" | "timestamp", Some(d), t) => {
            let t = match t {
                Some(t) => t,
                None => temporal("00:00", ty, "time")?,
            };
            Some(format!("{d} {t}"))
        }
        ("time", None, Some(t)) => Some(t),
        _ => None,
    }
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
            ("'2024-1-2'", "date", "'2024-01-02'"),
            (
                "'2024-01-01'",
                "datetime(6)",
                "'2024-01-01 00:00:00.000000'",
            ),
            (
                "'2024-01-01 10:00:00'",
                "datetime(6)",
                "'2024-01-01 10:00:00.000000'",
            ),
            ("'2024-01-01 10:00:00'", "datetime", "'2024-01-01 10:00:00'"),
            ("'10:00'", "time(6)", "'10:00:00.000000'"),
            (
                "'2020-01-01 00:00:00+00'",
                "datetime(6)",
                "'2020-01-01 00:00:00.000000'",
            ),
            (
                "'2020-01-01 00:00:00+02'",
                "datetime(6)",
                "'2020-01-01 00:00:00+02'",
            ),
            ("'5'", "int", "5"),
            ("5", "varchar(5)", "'5'"),
            ("'abc'", "date", "'abc'"),
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
