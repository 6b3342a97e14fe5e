//! Limits MySQL checks only when the DDL runs, checked before a file is written, so that a
//! migration does not stop half way (MySQL commits each statement): a foreign key joins
//! columns of the same type, and an index key fits InnoDB's 3,072 bytes.

use super::adapt::{column_type, Def};
use super::types::{base_name, is_text_class};
use crate::model::{Schema, Table};
use crate::resolve::ResolveError;

/// InnoDB's largest index key, in bytes (with the default DYNAMIC row format).
const MAX_KEY_BYTES: usize = 3072;

/// Foreign keys of `table` whose columns differ in type from the columns they reference in
/// `schema` (the adapted one): MySQL refuses them (errno 150) unless integers and decimals
/// match exactly and strings are strings of one kind.
pub(super) fn check_foreign_key_types(
    table: &Table,
    schema: &Schema,
    def: &Def<'_>,
    errors: &mut Vec<ResolveError>,
) {
    for fk in &table.foreign_keys {
        let Some(target) = schema
            .tables
            .get(&Schema::key(&fk.ref_schema, &fk.ref_table))
        else {
            continue;
        };
        for (column, ref_column) in fk.columns.iter().zip(&fk.ref_columns) {
            let (Some(from), Some(to)) =
                (column_type(table, column), column_type(target, ref_column))
            else {
                continue;
            };
            if !joinable(from, to) {
                errors.push(def.error(Some(column), format!(
                    "foreign key `{}` joins column `{}.{column}` of type `{from}` to `{}.{ref_column}` of type `{to}`, which MySQL refuses (the types must match); give the field the Rust type of the column it references",
                    fk.name, table.name, target.name
                )));
            }
            // A cascaded update could carry a NULL into a NOT NULL column: MariaDB refuses
            // such a key (errno 150).
            let not_null = table.column(column).is_some_and(|c| !c.nullable);
            let nullable = target.column(ref_column).is_some_and(|c| c.nullable);
            if fk.on_update == crate::model::FkAction::Cascade && not_null && nullable {
                errors.push(def.error(Some(column), format!(
                    "foreign key `{}` cascades updates from the nullable column `{}.{ref_column}` into the NOT NULL column `{}.{column}`, which MariaDB refuses (errno 150); make the field an Option, or use on_update = \"restrict\" or \"no action\"",
                    fk.name, target.name, table.name
                )));
            }
        }
        check_referenced_order(table, target, fk, def, errors);
    }
}

/// InnoDB needs the referenced columns to lead a key of the target in the key's order, where
/// PostgreSQL takes them in any order: `(number, region)` of a primary key `(region, number)`
/// is refused.
fn check_referenced_order(
    table: &Table,
    target: &Table,
    fk: &crate::model::ForeignKey,
    def: &Def<'_>,
    errors: &mut Vec<ResolveError>,
) {
    let leads = |columns: &[String]| columns.starts_with(&fk.ref_columns);
    let keys = target.primary_key.iter().map(|pk| &pk.columns);
    let mut keys = keys.chain(
        target
            .indexes
            .iter()
            .filter(|i| i.unique)
            .map(|i| &i.columns),
    );
    if fk.ref_columns.len() < 2 || keys.clone().any(|k| leads(k)) {
        return;
    }
    let hint = match keys.find(|k| k.len() == fk.ref_columns.len()) {
        Some(key) => format!(" ({})", key.join(", ")),
        None => String::new(),
    };
    errors.push(def.error(fk.columns.first().map(String::as_str), format!(
        "foreign key `{}` of table `{}` references ({}) of table `{}` in an order no key of it has, which MySQL refuses; list `ref_columns(..)` (and `columns(..)` with them) in the order of its key{hint}",
        fk.name, table.name, fk.ref_columns.join(", "), target.name
    )));
}

/// Indexes and keys of `table` longer than InnoDB allows (utf8mb4 takes 4 bytes a character).
pub(super) fn check_key_lengths(table: &Table, def: &Def<'_>, errors: &mut Vec<ResolveError>) {
    let keys = table
        .primary_key
        .iter()
        .map(|pk| ("the primary key".to_string(), &pk.columns))
        .chain(
            table
                .indexes
                .iter()
                .map(|i| (format!("index `{}`", i.name), &i.columns)),
        );
    for (what, columns) in keys {
        let bytes: usize = columns
            .iter()
            .filter_map(|c| column_type(table, c))
            .map(key_bytes)
            .sum();
        if bytes > MAX_KEY_BYTES {
            errors.push(def.error(columns.first().map(String::as_str), format!(
                "{what} of table `{}` on ({}) takes up to {bytes} bytes, more than the {MAX_KEY_BYTES} InnoDB allows in a key (a utf8mb4 character takes 4); give its string columns shorter lengths, for example #[column(sql_type = \"varchar(191)\")]",
                table.name,
                columns.join(", ")
            )));
        }
    }
}

/// Whether MySQL can keep an index over columns of `types`: none is a blob, text or json
/// column, and together they fit InnoDB's key.
pub(super) fn fits_in_key<'a>(mut types: impl Iterator<Item = &'a str> + Clone) -> bool {
    let bytes: usize = types.clone().map(key_bytes).sum();
    !types.any(is_text_class) && bytes <= MAX_KEY_BYTES
}

/// Whether MySQL joins a column of type `from` to one of type `to` in a foreign key.
fn joinable(from: &str, to: &str) -> bool {
    // String lengths need not match, but text and binary strings do not join each other.
    let family = |ty: &str| match base_name(ty) {
        "char" | "varchar" => Some("text"),
        "binary" | "varbinary" => Some("binary"),
        _ => None,
    };
    from == to || family(from).is_some() && family(from) == family(to)
}

/// The most bytes a value of `ty` takes in an index key.
fn key_bytes(ty: &str) -> usize {
    let base = base_name(ty);
    let length = || -> usize {
        ty.split_once('(')
            .and_then(|(_, rest)| rest.split([')', ',']).next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(1)
    };
    match base {
        // The length bytes of a variable-length column do not count against the limit.
        "char" | "varchar" => 4 * length(),
        "binary" | "varbinary" => length(),
        "tinyint" => 1,
        "smallint" => 2,
        "mediumint" => 3,
        "int" | "float" | "date" => 4,
        "bigint" | "double" | "datetime" | "time" | "timestamp" => 8,
        "decimal" => length() / 2 + 1,
        "enum" => 2,
        _ => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_sizes_and_joinable_types() {
        assert_eq!(key_bytes("varchar(255)"), 1020);
        assert_eq!(key_bytes("varchar(768)"), 3072);
        assert!(joinable("binary(16)", "varbinary(16)"));
        assert!(!joinable("binary(16)", "char(16)"));
        assert_eq!(key_bytes("bigint"), 8);
        assert_eq!(key_bytes("decimal(10,2)"), 6);
        assert!(joinable("bigint", "bigint"));
        assert!(joinable("varchar(40)", "varchar(255)"));
        assert!(joinable("char(36)", "varchar(36)"));
        assert!(!joinable("int", "bigint"));
        assert!(!joinable("decimal(10,2)", "decimal(12,2)"));
    }
}
