//! Rust names for SQL names: snake_case fields and modules, UpperCamelCase structs, enums and
//! variants, never a keyword, a name the prelude needs, or one already taken; and Rust string
//! literals for attribute values.

use std::collections::BTreeSet;

/// Rust's keywords (strict, reserved and the 2024 edition's `gen`): never a bare identifier.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names a schema file uses from the prelude or imports: a struct of that name would
/// shadow them.
const TAKEN_TYPES: &[&str] = &[
    "Self", "Option", "Some", "None", "String", "Vec", "Box", "Result", "Ok", "Err", "Table",
    "DbEnum", "Sequence", "View",
];

/// `createdAt` → `created_at`, `Order Items` → `order_items`, `2fa` → `c_2fa`, `type` → `type_`:
/// a snake_case identifier for an SQL name (never empty, never a keyword).
pub fn snake(sql: &str) -> String {
    let mut out = String::new();
    for c in schema_core::parser::snake_case(sql).chars() {
        let c = match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '_',
        };
        if c == '_' && (out.is_empty() || out.ends_with('_')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("column");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "c_");
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `order_items` → `OrderItems`, `user` → `User`, `2fa` → `T2fa`: an UpperCamelCase
/// identifier for an SQL name.
pub fn camel(sql: &str) -> String {
    let mut out = camel_plain(sql);
    if TAKEN_TYPES.contains(&out.as_str()) {
        out.push_str("Row");
    }
    out
}

/// [`camel`] without avoiding the prelude's names: an enum variant (`Self` is `SelfValue`).
pub fn camel_plain(sql: &str) -> String {
    let mut out = String::new();
    for part in snake(sql).split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    if out == "Self" {
        out.push_str("Value");
    }
    out
}

/// `name`, or `name_2`, `name_3`, ... (`Name2` for a type) when taken; the result is taken.
pub fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let camel = name.starts_with(|c: char| c.is_ascii_uppercase());
    for n in 2.. {
        let candidate = match camel {
            true => format!("{name}{n}"),
            false => format!("{name}_{n}"),
        };
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
    unreachable!("some numbered name is free")
}

/// A Rust string literal holding `text` exactly.
pub fn literal(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_names_become_rust_identifiers() {
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(snake("Order Items"), "order_items");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("2fa"), "c_2fa");
        assert_eq!(snake("été"), "t");
        assert_eq!(snake("--"), "column");
        assert_eq!(camel("user"), "User");
        assert_eq!(camel("order_items"), "OrderItems");
        assert_eq!(camel("option"), "OptionRow");
        assert_eq!(camel("2fa"), "C2fa");
        let mut taken = BTreeSet::new();
        assert_eq!(unique("id".into(), &mut taken), "id");
        assert_eq!(unique("id".into(), &mut taken), "id_2");
        assert_eq!(unique("User".into(), &mut taken), "User");
        assert_eq!(unique("User".into(), &mut taken), "User2");
        assert_eq!(literal("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
    }
}
