//! The mapping of a field's Rust type to its column type, and the errors for types it lacks.

use crate::def::FieldType;
use crate::model::ColumnType;
use crate::types;
use syn::{GenericArgument, PathArguments, Type};

/// A mapped field type: the column type, whether it is nullable, and the user type that must
/// be a `DbEnum` (checked by the compiler).
pub(super) struct Mapped {
    pub ty: FieldType,
    pub nullable: bool,
    pub user: Option<Type>,
}

pub(super) fn is_option(ty: &Type) -> bool {
    generic_arg(ty, "Option").is_some()
}

/// The single type argument of `Name<T>` (matching the last path segment).
fn generic_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

fn builtin(sql: &str) -> FieldType {
    FieldType::Sql(ColumnType::Builtin(sql.into()))
}

/// Maps a field's Rust type, or says why it cannot (an error on the whole type).
pub(super) fn map_type(ty: &Type) -> syn::Result<Mapped> {
    if let Some(inner) = generic_arg(ty, "Option") {
        if is_option(inner) {
            return Err(syn::Error::new_spanned(ty,
                "`Option<Option<T>>` has no column type; a column is either NULL or a value, so use `Option<T>`"));
        }
        let mapped = map_type(inner)?;
        return Ok(Mapped {
            nullable: true,
            ..mapped
        });
    }
    if let Some(inner) = generic_arg(ty, "Vec") {
        return map_vec(ty, inner);
    }
    let Type::Path(p) = ty else {
        return Err(unsupported(ty, "it is not a named type", None, "jsonb"));
    };
    let segments: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let has_args = p.path.segments.iter().any(|s| !s.arguments.is_empty());
    let mapped = if has_args {
        types::rust_generic(&segments)
    } else {
        types::rust_scalar(&segments)
    };
    if let Some(sql) = mapped {
        return Ok(Mapped {
            ty: builtin(sql),
            nullable: false,
            user: None,
        });
    }
    let last = segments.last().map(String::as_str).unwrap_or("");
    if segments.len() == 1 && p.qself.is_none() {
        if let Some((why, instead, sql)) = primitive_hint(last) {
            return Err(unsupported(ty, why, instead, sql));
        }
    }
    if has_args || p.qself.is_some() {
        return Err(unsupported(
            ty,
            "the mapping does not know it",
            None,
            "jsonb",
        ));
    }
    let user = FieldType::User {
        rust: last.to_string(),
        array: false,
    };
    Ok(Mapped {
        ty: user,
        nullable: false,
        user: Some(ty.clone()),
    })
}

/// `Vec<u8>` is bytea; `Vec<T>` an array of T's type, one level deep.
fn map_vec(ty: &Type, inner: &Type) -> syn::Result<Mapped> {
    if scalar_name(inner).is_some_and(|s| s == ["u8"]) {
        return Ok(Mapped {
            ty: builtin("bytea"),
            nullable: false,
            user: None,
        });
    }
    let mapped = map_type(inner)?;
    let array = match (mapped.ty, mapped.nullable) {
        (FieldType::Sql(t @ (ColumnType::Builtin(_) | ColumnType::Enum { .. })), false) => {
            FieldType::Sql(ColumnType::Array(Box::new(t)))
        }
        (FieldType::User { rust, array: false }, false) => FieldType::User { rust, array: true },
        _ => {
            return Err(unsupported(
                ty,
                "an array holds one level of non-null values",
                None,
                "jsonb",
            ))
        }
    };
    Ok(Mapped {
        ty: array,
        nullable: false,
        user: mapped.user,
    })
}

/// Why a primitive has no column type, the Rust type to use instead (if any), and the SQL
/// type that holds its values. The parser serves every dialect, so the reason names none: it
/// is what the databases do not share.
fn primitive_hint(name: &str) -> Option<(&'static str, Option<&'static str>, &'static str)> {
    let unsigned = "unsigned integers have no column type that every database shares";
    Some(match name {
        "u8" => (unsigned, Some("i16"), "smallint"),
        "u16" => (unsigned, Some("i32"), "integer"),
        "u32" => (unsigned, Some("i64"), "bigint"),
        "u64" | "usize" | "u128" => (unsigned, None, "numeric(20)"),
        "i8" => (
            "one-byte integers have no column type that every database shares",
            Some("i16"),
            "smallint",
        ),
        "i128" => (
            "128-bit integers have no column type that every database shares",
            None,
            "numeric(39)",
        ),
        "isize" => ("its width depends on the platform", Some("i64"), "bigint"),
        "char" => (
            "a single character has no column type that every database shares",
            Some("String"),
            "char(1)",
        ),
        "str" => ("a column value is owned", Some("String"), "text"),
        _ => return None,
    })
}

fn scalar_name(ty: &Type) -> Option<Vec<String>> {
    let Type::Path(p) = ty else { return None };
    Some(
        p.path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect(),
    )
}

fn unsupported(ty: &Type, why: &str, instead: Option<&str>, sql: &str) -> syn::Error {
    let shown = quote::quote!(#ty).to_string().replace(' ', "");
    let fix = match instead {
        Some(rust) => format!("use {rust}, or #[column(sql_type = \"{sql}\")]"),
        None => format!("give the SQL type, for example: #[column(sql_type = \"{sql}\")]"),
    };
    syn::Error::new_spanned(
        ty,
        format!("unsupported column type `{shown}`: {why}; {fix}"),
    )
}
