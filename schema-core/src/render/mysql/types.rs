//! MySQL column types as the model spells them: [`normalize_type`] (shared with
//! introspection, so both sides write the same text) and the mapping from the resolver's
//! PostgreSQL names ([`from_postgres`]).

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
        // Readable, and a uuid literal default fits; sqlx reads and writes a `Uuid` as its 16
        // bytes on MySQL, so the application reads it as `uuid::fmt::Hyphenated` (or the field
        // says `sql_type = "binary(16)"`).
        "uuid" => "char(36)".into(),
        "bytea" => "longblob".into(),
        "json" | "jsonb" => "json".into(),
        "date" => "date".into(),
        // rust_decimal (and so sqlx's `Decimal`) holds 28 digits; MySQL's widest decimal
        // (65,30) prints 30 decimals, which it cannot read back.
        "numeric" if args.is_none() => "decimal(28,10)".into(),
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

/// A type's name without its arguments and attributes: `varchar` of `varchar(255)`, `int` of
/// `int unsigned`.
pub(super) fn base_name(ty: &str) -> &str {
    ty.split(['(', ' ']).next().unwrap_or(ty)
}

/// True for the integer types an `AUTO_INCREMENT` column can have.
pub(super) fn is_integer(ty: &str) -> bool {
    let base = base_name(ty);
    matches!(
        base,
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint"
    )
}

/// True for the types MySQL cannot index without a prefix length and whose defaults must be
/// written in parentheses: `text`, `blob` and `json` kinds.
pub fn is_text_class(ty: &str) -> bool {
    let base = base_name(ty);
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
            ("numeric", "decimal(28,10)"),
            ("numeric(10,2)", "decimal(10,2)"),
            ("jsonb", "json"),
            ("mediumtext", "mediumtext"),
        ] {
            assert_eq!(from_postgres(pg).as_deref(), Ok(mysql), "{pg}");
        }
        assert_eq!(from_postgres("interval"), Err("interval".to_string()));
    }
}
