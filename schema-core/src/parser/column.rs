//! Fields: `#[column(...)]` and the mapping of the field's Rust type to a column type.

use super::table::{flag, TypeCheck};
use super::{check_duplicate, key_of, skip_value, unknown_key, Errors, SpanOf};
use crate::def::{DefaultDef, FieldDef, FieldType, ReferenceDef};
use crate::model::{ColumnType, FkAction};
use crate::types::{self, LiteralKind};
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, GenericArgument, Ident, Lit, LitStr, PathArguments, Type};

/// A column field with the spans later checks point at.
pub(super) struct ParsedField {
    pub ident: Ident,
    pub def: FieldDef,
    /// Where `primary_key` was written, if it was.
    pub primary_key: Option<Span>,
    /// The span of the column's name (the `name = ".."` literal, else the field).
    pub name_span: Span,
    pub type_checks: Vec<TypeCheck>,
}

const COLUMN_KEYS: &[&str] = &[
    "name", "primary_key", "unique", "index", "identity", "sql_type", "skip", "default",
    "default_sql", "references", "on_delete", "on_update", "renamed_from",
];

#[derive(Default)]
struct ColumnAttrs {
    name: Option<LitStr>,
    primary_key: Option<Span>,
    unique: bool,
    index: bool,
    identity: Option<Span>,
    sql_type: Option<LitStr>,
    skip: Option<Span>,
    default: Option<(Span, DefaultDef, Option<LitStr>)>,
    default_sql: Option<LitStr>,
    references: Option<syn::Path>,
    on_delete: Option<(Span, FkAction)>,
    on_update: Option<(Span, FkAction)>,
    renamed_from: Option<String>,
    seen: Vec<String>,
}

/// Parses one field; `None` for a `skip` field or one too broken to describe.
pub(super) fn parse_field(field: &syn::Field, errors: &mut Errors) -> Option<ParsedField> {
    let ident = field.ident.clone()?;
    let mut attrs = ColumnAttrs::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("column")) {
        let result = attr.parse_nested_meta(|meta| attrs.parse_key(&meta, errors));
        errors.ok(result);
    }
    if attrs.skip.is_some() {
        return None;
    }
    let (ty, nullable, user) = match &attrs.sql_type {
        Some(lit) => (FieldType::Sql(types::normalize(&lit.value())), is_option(&field.ty), None),
        None => match map_type(&field.ty) {
            Ok(mapped) => mapped,
            Err(e) => {
                errors.add(e);
                (FieldType::Sql(ColumnType::Builtin("text".into())), false, None)
            }
        },
    };
    attrs.check_conflicts(&ident, &ty, nullable, errors);
    let name = attrs.name.as_ref().map(LitStr::value).unwrap_or_else(|| ident.to_string());
    let mut type_checks = Vec::new();
    if let Some(user_ty) = user {
        let default = attrs.default.as_ref().and_then(|(_, _, lit)| lit.clone());
        type_checks.push(TypeCheck::DbEnum { ty: user_ty, default });
    }
    let references = attrs.references.as_ref().and_then(|path| {
        let (target, target_field) = split_reference(path, errors)?;
        type_checks.push(TypeCheck::Reference {
            field: ident.clone(),
            target: target.clone(),
            target_field: target_field.clone(),
        });
        Some(ReferenceDef {
            table: target.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
            field: target_field.to_string(),
            on_delete: attrs.on_delete.map(|(_, a)| a).unwrap_or_default(),
            on_update: attrs.on_update.map(|(_, a)| a).unwrap_or_default(),
        })
    });
    let default = match (&attrs.default, &attrs.default_sql) {
        (Some((_, d, _)), _) => Some(d.clone()),
        (None, Some(sql)) => Some(DefaultDef::Sql(sql.value())),
        (None, None) => None,
    };
    Some(ParsedField {
        name_span: attrs.name.as_ref().map_or(ident.span(), LitStr::span),
        primary_key: attrs.primary_key,
        def: FieldDef {
            field: ident.to_string(),
            name,
            ty,
            nullable,
            default,
            identity: attrs.identity.is_some(),
            unique: attrs.unique,
            index: attrs.index,
            renamed_from: attrs.renamed_from.clone(),
            references,
        },
        ident,
        type_checks,
    })
}

impl ColumnAttrs {
    fn parse_key(&mut self, meta: &syn::meta::ParseNestedMeta, errors: &mut Errors) -> syn::Result<()> {
        let key = key_of(meta);
        if check_duplicate(&mut self.seen, meta, &key, errors) {
            return skip_value(meta);
        }
        let span = meta.path.span_of();
        match key.as_str() {
            "name" => self.name = Some(meta.value()?.parse()?),
            "sql_type" => self.sql_type = Some(meta.value()?.parse()?),
            "default_sql" => self.default_sql = Some(meta.value()?.parse()?),
            "renamed_from" => self.renamed_from = Some(meta.value()?.parse::<LitStr>()?.value()),
            "primary_key" => self.primary_key = flag(meta)?.then_some(span),
            "unique" => self.unique = flag(meta)?,
            "index" => self.index = flag(meta)?,
            "identity" => self.identity = flag(meta)?.then_some(span),
            "skip" => self.skip = flag(meta)?.then_some(span),
            "default" => self.default = Some(parse_default(meta.value()?.parse()?)?),
            "references" => self.references = Some(meta.value()?.parse()?),
            "on_delete" => self.on_delete = Some(parse_action(meta.value()?.parse()?)?),
            "on_update" => self.on_update = Some(parse_action(meta.value()?.parse()?)?),
            _ => {
                errors.push(span, unknown_key(&key, "column", COLUMN_KEYS,
                    "#[column(name = \"email_address\", unique, sql_type = \"varchar(320)\")]"));
                return skip_value(meta);
            }
        }
        Ok(())
    }

    fn check_conflicts(&self, ident: &Ident, ty: &FieldType, nullable: bool, errors: &mut Errors) {
        if let (Some((span, _, _)), Some(_)) = (&self.default, &self.default_sql) {
            errors.push(*span, "give either `default = <literal>` or `default_sql = \"...\"`, not both");
        }
        if let (Some(span), true) = (self.primary_key, nullable) {
            errors.push(span, format!(
                "primary key field `{ident}` is an Option; primary key columns are NOT NULL, so drop the Option"
            ));
        }
        if let Some(span) = self.identity {
            let integer = matches!(ty, FieldType::Sql(t) if types::is_integer(t));
            if !integer {
                errors.push(span, format!(
                    "`identity` needs an integer field (i16, i32 or i64), but `{ident}` is not one; for example: #[column(primary_key, identity)] id: i64"
                ));
            }
            if self.default.is_some() || self.default_sql.is_some() {
                errors.push(span, "an identity column takes its values from its sequence and cannot also have a default");
            }
        }
        if self.references.is_none() {
            for (span, key) in [(self.on_delete, "on_delete"), (self.on_update, "on_update")]
                .iter()
                .filter_map(|(a, k)| a.map(|(s, _)| (s, *k)))
            {
                errors.push(span, format!(
                    "`{key}` only applies to a foreign key; add `references`, for example: #[column(references = Account::id, {key} = \"cascade\")]"
                ));
            }
        }
        if let Some((span, default, _)) = &self.default {
            check_default_fits(*span, default, ty, errors);
        }
    }
}

fn parse_default(expr: Expr) -> syn::Result<(Span, DefaultDef, Option<LitStr>)> {
    let span = expr.span();
    let (negative, lit) = match &expr {
        Expr::Lit(l) => (false, &l.lit),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match &*u.expr {
            Expr::Lit(l) => (true, &l.lit),
            _ => return Err(not_a_literal(span)),
        },
        _ => return Err(not_a_literal(span)),
    };
    let sign = if negative { "-" } else { "" };
    let def = match lit {
        Lit::Int(i) => DefaultDef::Int(format!("{sign}{}", i.base10_digits())),
        Lit::Float(f) => DefaultDef::Float(format!("{sign}{}", f.base10_digits())),
        Lit::Bool(b) if !negative => DefaultDef::Bool(b.value),
        Lit::Str(s) if !negative => return Ok((span, DefaultDef::Str(s.value()), Some(s.clone()))),
        _ => return Err(not_a_literal(span)),
    };
    Ok((span, def, None))
}

fn not_a_literal(span: Span) -> syn::Error {
    syn::Error::new(span, "`default` takes an integer, float, bool or string literal, for example: #[column(default = 0)]; for an SQL expression use #[column(default_sql = \"now()\")]")
}

fn parse_action(lit: LitStr) -> syn::Result<(Span, FkAction)> {
    FkAction::parse(&lit.value()).map(|a| (lit.span(), a)).ok_or_else(|| {
        syn::Error::new(lit.span(), format!(
            "unknown foreign key action \"{}\"; expected one of \"cascade\", \"set null\", \"set default\", \"restrict\", \"no action\", for example: on_delete = \"cascade\"",
            lit.value()
        ))
    })
}

fn check_default_fits(span: Span, default: &DefaultDef, ty: &FieldType, errors: &mut Errors) {
    let kind = match ty {
        FieldType::Sql(t) => types::literal_kind(t),
        FieldType::User { array: false, .. } => LiteralKind::Text,
        FieldType::User { array: true, .. } => LiteralKind::None,
    };
    let fits = match default {
        DefaultDef::Int(_) => matches!(kind, LiteralKind::Integer | LiteralKind::Float),
        DefaultDef::Float(_) => kind == LiteralKind::Float,
        DefaultDef::Bool(_) => kind == LiteralKind::Bool,
        DefaultDef::Str(_) => kind == LiteralKind::Text,
        DefaultDef::Sql(_) => true,
    };
    if !fits {
        let expected = match kind {
            LiteralKind::Integer => "an integer literal, for example: #[column(default = 0)]",
            LiteralKind::Float => "a number literal, for example: #[column(default = 1.5)]",
            LiteralKind::Bool => "`true` or `false`, for example: #[column(default = false)]",
            LiteralKind::Text => "a string literal, for example: #[column(default = \"draft\")]",
            LiteralKind::None => "no literal; use an SQL expression, for example: #[column(default_sql = \"'{}'\")]",
        };
        errors.push(span, format!("this default does not fit the field's type; it takes {expected}"));
    }
}

/// `Account::id` → (`Account`, `id`).
fn split_reference(path: &syn::Path, errors: &mut Errors) -> Option<(syn::Path, Ident)> {
    if path.segments.len() < 2 {
        errors.push(path.span_of(), "`references` names a field of a Table struct as `Struct::field`, for example: #[column(references = Account::id)]");
        return None;
    }
    let mut target = path.clone();
    let field = target.segments.pop()?.into_value().ident;
    target.segments.pop_punct();
    Some((target, field))
}

fn is_option(ty: &Type) -> bool {
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

/// Maps a field's Rust type: (type, nullable, the user type for a `DbEnum` check).
fn map_type(ty: &Type) -> syn::Result<(FieldType, bool, Option<Type>)> {
    if let Some(inner) = generic_arg(ty, "Option") {
        if is_option(inner) {
            return Err(syn::Error::new(ty.span(), "`Option<Option<T>>` has no column type; use `Option<T>`"));
        }
        let (mapped, _, user) = map_type(inner)?;
        return Ok((mapped, true, user));
    }
    if let Some(inner) = generic_arg(ty, "Vec") {
        if let Some(scalar) = scalar_name(inner) {
            if scalar == ["u8"] {
                return Ok((FieldType::Sql(ColumnType::Builtin("bytea".into())), false, None));
            }
        }
        return match map_type(inner)? {
            (FieldType::Sql(t @ (ColumnType::Builtin(_) | ColumnType::Enum { .. })), false, _) => {
                Ok((FieldType::Sql(ColumnType::Array(Box::new(t))), false, None))
            }
            (FieldType::User { rust, array: false }, false, user) => {
                Ok((FieldType::User { rust, array: true }, false, user))
            }
            _ => Err(unsupported(ty, "arrays hold one level of non-null scalars")),
        };
    }
    let Type::Path(p) = ty else {
        return Err(unsupported(ty, "it is not a named type"));
    };
    let segments: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let has_args = p.path.segments.iter().any(|s| !s.arguments.is_empty());
    let mapped = if has_args { types::rust_generic(&segments) } else { types::rust_scalar(&segments) };
    if let Some(sql) = mapped {
        return Ok((FieldType::Sql(ColumnType::Builtin(sql.into())), false, None));
    }
    let last = segments.last().map(String::as_str).unwrap_or("");
    let primitive = ["u8", "u16", "u32", "u64", "u128", "usize", "i8", "i128", "isize", "char", "str"];
    if has_args || p.qself.is_some() || (segments.len() == 1 && primitive.contains(&last)) {
        let why = if last.starts_with('u') && primitive.contains(&last) {
            "PostgreSQL has no unsigned integers; use i16, i32 or i64"
        } else {
            "the mapping does not know it"
        };
        return Err(unsupported(ty, why));
    }
    Ok((FieldType::User { rust: last.to_string(), array: false }, false, Some(ty.clone())))
}

fn scalar_name(ty: &Type) -> Option<Vec<String>> {
    let Type::Path(p) = ty else { return None };
    Some(p.path.segments.iter().map(|s| s.ident.to_string()).collect())
}

fn unsupported(ty: &Type, why: &str) -> syn::Error {
    let shown = quote::quote!(#ty).to_string().replace(' ', "");
    syn::Error::new(ty.span(), format!(
        "unsupported column type `{shown}`: {why}; give the SQL type, for example: #[column(sql_type = \"jsonb\")]"
    ))
}
