//! Column types: the Rust-to-SQL mapping and the normalization of SQL type names, so that
//! `varchar(320)` and `character varying(320)` are one type and nothing churns.

use crate::model::ColumnType;

/// The SQL type of a Rust type named by its path segments (`["chrono", "NaiveDate"]`), for the
/// types that take no generic argument. `None` when the mapping does not know it.
pub fn rust_scalar(segments: &[String]) -> Option<&'static str> {
    let last = segments.last()?.as_str();
    let prefix = &segments[..segments.len() - 1];
    let from = |krate: &str| prefix.is_empty() || prefix.last().map(String::as_str) == Some(krate);
    Some(match last {
        "i16" if prefix.is_empty() => "smallint",
        "i32" if prefix.is_empty() => "integer",
        "i64" if prefix.is_empty() => "bigint",
        "f32" if prefix.is_empty() => "real",
        "f64" if prefix.is_empty() => "double precision",
        "bool" if prefix.is_empty() => "boolean",
        "String" if prefix.is_empty() || from("string") => "text",
        "Uuid" if from("uuid") => "uuid",
        "OffsetDateTime" if from("time") => "timestamp with time zone",
        "PrimitiveDateTime" if from("time") => "timestamp without time zone",
        "NaiveDateTime" if from("chrono") => "timestamp without time zone",
        "NaiveDate" if from("chrono") => "date",
        "Date" if !prefix.is_empty() && from("time") => "date",
        "NaiveTime" if from("chrono") => "time without time zone",
        "Time" if !prefix.is_empty() && from("time") => "time without time zone",
        "Decimal" if from("rust_decimal") => "numeric",
        "BigDecimal" if from("bigdecimal") => "numeric",
        "Value" if !prefix.is_empty() && from("serde_json") => "jsonb",
        "JsonValue" if prefix.is_empty() => "jsonb",
        _ => return None,
    })
}

/// Generic wrappers the mapping knows: `DateTime<Tz>` is timestamptz, `Json<T>` is jsonb.
pub fn rust_generic(segments: &[String]) -> Option<&'static str> {
    let last = segments.last()?.as_str();
    let prefix = &segments[..segments.len() - 1];
    let from = |krate: &str| prefix.is_empty() || prefix.iter().any(|s| s == krate);
    match last {
        "DateTime" if from("chrono") => Some("timestamp with time zone"),
        "Json" if from("sqlx") => Some("jsonb"),
        _ => None,
    }
}

/// Normalizes an SQL type as written in `sql_type = "..."` to its canonical PostgreSQL name
/// (the spelling of `format_type()`), splitting off array brackets.
pub fn normalize(sql: &str) -> ColumnType {
    let collapsed = sql
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if let Some(inner) = collapsed.strip_suffix("[]") {
        return ColumnType::Array(Box::new(normalize(inner)));
    }
    ColumnType::Builtin(canonical_scalar(&collapsed))
}

fn canonical_scalar(t: &str) -> String {
    let (base, args) = match t.find('(') {
        Some(open) => {
            let close = t.rfind(')').unwrap_or(t.len());
            let args: String = t[open + 1..close]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let rest = t.get(close + 1..).unwrap_or("").trim();
            (
                format!("{} {}", t[..open].trim(), rest).trim().to_string(),
                Some(args),
            )
        }
        None => (t.to_string(), None),
    };
    let with_args = |name: &str| match &args {
        Some(a) => format!("{name}({a})"),
        None => name.to_string(),
    };
    let time_kind = |name: &str, zone: &str| match &args {
        Some(a) => format!("{name}({a}) {zone}"),
        None => format!("{name} {zone}"),
    };
    match base.as_str() {
        "int" | "int4" | "integer" => "integer".into(),
        "int2" | "smallint" => "smallint".into(),
        "int8" | "bigint" => "bigint".into(),
        "float4" | "real" => "real".into(),
        "float8" | "double precision" | "float" => "double precision".into(),
        "bool" | "boolean" => "boolean".into(),
        "varchar" | "character varying" => with_args("character varying"),
        "char" | "character" | "bpchar" => match &args {
            Some(a) => format!("character({a})"),
            None => "character(1)".into(),
        },
        "decimal" | "numeric" => with_args("numeric"),
        "timestamptz" | "timestamp with time zone" => time_kind("timestamp", "with time zone"),
        "timestamp" | "timestamp without time zone" => time_kind("timestamp", "without time zone"),
        "timetz" | "time with time zone" => time_kind("time", "with time zone"),
        "time" | "time without time zone" => time_kind("time", "without time zone"),
        _ => with_args(&base),
    }
}

/// What kind of literal a column of this SQL type accepts as `default = <literal>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    Integer,
    Float,
    Bool,
    /// Strings: text, dates, uuids, enum labels.
    Text,
    /// No literal fits (bytes, arrays, json): use `default_sql`.
    None,
}

/// The literal kind a built-in type accepts.
pub fn literal_kind(ty: &ColumnType) -> LiteralKind {
    match ty {
        ColumnType::Builtin(name) => match name.split('(').next().unwrap_or("") {
            "smallint" | "integer" | "bigint" => LiteralKind::Integer,
            "real" | "double precision" | "numeric" => LiteralKind::Float,
            "boolean" => LiteralKind::Bool,
            "bytea" | "json" | "jsonb" => LiteralKind::None,
            _ => LiteralKind::Text,
        },
        ColumnType::Enum { .. } => LiteralKind::Text,
        ColumnType::Array(_) => LiteralKind::None,
    }
}

/// True for the integer types that can carry an identity.
pub fn is_integer(ty: &ColumnType) -> bool {
    literal_kind(ty) == LiteralKind::Integer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> ColumnType {
        ColumnType::Builtin(s.into())
    }

    #[test]
    fn spellings_of_one_type_normalize_equal() {
        assert_eq!(normalize("varchar(320)"), b("character varying(320)"));
        assert_eq!(
            normalize("Character  Varying (320)"),
            b("character varying(320)")
        );
        assert_eq!(normalize("int4"), b("integer"));
        assert_eq!(normalize("timestamptz"), b("timestamp with time zone"));
        assert_eq!(
            normalize("timestamp(3)"),
            b("timestamp(3) without time zone")
        );
        assert_eq!(normalize("numeric(10, 2)"), b("numeric(10,2)"));
        assert_eq!(normalize("text[]"), ColumnType::Array(Box::new(b("text"))));
    }

    #[test]
    fn rust_paths_map_by_crate() {
        let p = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
        assert_eq!(rust_scalar(&p("i64")), Some("bigint"));
        assert_eq!(rust_scalar(&p("uuid::Uuid")), Some("uuid"));
        assert_eq!(rust_scalar(&p("time::Date")), Some("date"));
        assert_eq!(rust_scalar(&p("Date")), None);
        assert_eq!(rust_scalar(&p("serde_json::Value")), Some("jsonb"));
        assert_eq!(
            rust_generic(&p("chrono::DateTime")),
            Some("timestamp with time zone")
        );
    }
}
