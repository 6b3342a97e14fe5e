//! Fields: `#[column(...)]`, its keys and the checks between them.

use super::fragment::{self, Kind};
use super::rust_type::{is_option, map_type, Mapped};
use super::table::TypeCheck;
use super::{
    check_duplicate, flag, key_of, non_empty_value, skip_value, unknown_key, value_expr, Errors,
    SpanOf,
};
use crate::def::{DefaultDef, FieldDef, FieldType, ReferenceDef};
use crate::model::{ColumnType, FkAction};
use crate::types::{self, LiteralKind};
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{Expr, Ident, Lit, LitStr};

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

/// What a field turned out to be.
pub(super) enum Field {
    Column(Box<ParsedField>),
    /// A `#[column(skip)]` field: not a column.
    Skipped(Ident),
}

const COLUMN_KEYS: &[&str] = &[
    "name",
    "primary_key",
    "unique",
    "index",
    "identity",
    "sql_type",
    "skip",
    "default",
    "default_sql",
    "references",
    "on_delete",
    "on_update",
    "renamed_from",
];
const COLUMN_EXAMPLE: &str =
    "#[column(name = \"email_address\", unique, sql_type = \"varchar(320)\")]";
const REFERENCES_EXAMPLE: &str =
    "`references` names a field of a Table struct as `Struct::field`, for example: #[column(references = Account::id)]";

/// The example shown for a key of `#[column(...)]`.
fn example(key: &str) -> &'static str {
    match key {
        "name" => "#[column(name = \"email_address\")]",
        "sql_type" => "#[column(sql_type = \"varchar(320)\")]",
        "default_sql" => "#[column(default_sql = \"now()\")]",
        "renamed_from" => "#[column(renamed_from = \"display_name\")]",
        "on_delete" => "#[column(references = Account::id, on_delete = \"cascade\")]",
        "on_update" => "#[column(references = Account::id, on_update = \"cascade\")]",
        _ => COLUMN_EXAMPLE,
    }
}

/// A parsed `default = <literal>`: the expression as written (for errors), its value, and the
/// string literal a `DbEnum` default is checked with.
struct LiteralDefault {
    expr: Expr,
    def: DefaultDef,
    lit: Option<LitStr>,
}

#[derive(Default)]
struct ColumnAttrs {
    /// What errors call the field: field `age` of struct `Item`.
    owner: String,
    name: Option<LitStr>,
    primary_key: Option<Span>,
    unique: bool,
    index: bool,
    identity: Option<Span>,
    sql_type: Option<LitStr>,
    skip: Option<Span>,
    default: Option<LiteralDefault>,
    default_sql: Option<LitStr>,
    references: Option<syn::Path>,
    on_delete: Option<(Span, FkAction)>,
    on_update: Option<(Span, FkAction)>,
    renamed_from: Option<LitStr>,
    seen: Vec<String>,
}

/// Parses one field; `None` for one too broken to describe.
pub(super) fn parse_field(
    field: &syn::Field,
    rust_name: &str,
    errors: &mut Errors,
) -> Option<Field> {
    let ident = field.ident.clone()?;
    let mut attrs = ColumnAttrs {
        owner: format!("field `{ident}` of struct `{rust_name}`"),
        ..ColumnAttrs::default()
    };
    for attr in field.attrs.iter().filter(|a| !a.path().is_ident("column")) {
        if let Some(e) = super::misplaced(attr, "a field") {
            errors.add(e);
        }
    }
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("column")) {
        let result = attr.parse_nested_meta(|meta| attrs.parse_key(&meta, errors));
        errors.ok(result);
    }
    if attrs.skip.is_some() {
        return Some(Field::Skipped(ident));
    }
    let mapped = match &attrs.sql_type {
        Some(lit) => Mapped {
            ty: FieldType::Sql(types::normalize(&lit.value())),
            nullable: is_option(&field.ty),
            user: None,
        },
        None => map_type(&field.ty).unwrap_or_else(|e| {
            errors.add(e);
            Mapped {
                ty: FieldType::Sql(ColumnType::Builtin("text".into())),
                nullable: false,
                user: None,
            }
        }),
    };
    attrs.check_conflicts(&ident, &mapped, errors);
    let mut type_checks = Vec::new();
    if let Some(ty) = mapped.user {
        let default = attrs.default.as_ref().and_then(|d| d.lit.clone());
        type_checks.push(TypeCheck::DbEnum {
            ty: Box::new(ty),
            default,
        });
    }
    let references = attrs.references.as_ref().and_then(|path| {
        let (target, target_field) = split_reference(path, errors)?;
        let def = ReferenceDef {
            table: target
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            field: target_field.unraw().to_string(),
            on_delete: attrs.on_delete.map(|(_, a)| a).unwrap_or_default(),
            on_update: attrs.on_update.map(|(_, a)| a).unwrap_or_default(),
        };
        type_checks.push(TypeCheck::Reference {
            field: ident.clone(),
            target,
            target_field,
        });
        Some(def)
    });
    let default = match (&attrs.default, &attrs.default_sql) {
        (Some(d), _) => Some(d.def.clone()),
        (None, Some(sql)) => Some(DefaultDef::Sql(sql.value())),
        (None, None) => None,
    };
    let field_name = ident.unraw().to_string();
    Some(Field::Column(Box::new(ParsedField {
        name_span: attrs.name.as_ref().map_or(ident.span(), LitStr::span),
        primary_key: attrs.primary_key,
        def: FieldDef {
            name: attrs
                .name
                .as_ref()
                .map_or_else(|| field_name.clone(), LitStr::value),
            field: field_name,
            ty: mapped.ty,
            sql_type: attrs.sql_type.as_ref().map(LitStr::value),
            nullable: mapped.nullable,
            default,
            identity: attrs.identity.is_some(),
            unique: attrs.unique,
            index: attrs.index,
            renamed_from: attrs.renamed_from.as_ref().map(LitStr::value),
            references,
        },
        ident,
        type_checks,
    })))
}

impl ColumnAttrs {
    /// Reads one key; every mistake is recorded and the rest of the attribute is still read.
    fn parse_key(&mut self, meta: &ParseNestedMeta, errors: &mut Errors) -> syn::Result<()> {
        let key = key_of(meta);
        if check_duplicate(&mut self.seen, meta, &key, errors, example(&key)) {
            return skip_value(meta).map(drop);
        }
        let span = meta.path.span_of();
        match key.as_str() {
            "name" => self.name = non_empty_value(meta, errors, example(&key)),
            "sql_type" => {
                self.sql_type =
                    fragment::value(meta, errors, Kind::Type, example(&key), &self.owner)
            }
            "default_sql" => {
                self.default_sql =
                    fragment::value(meta, errors, Kind::Expression, example(&key), &self.owner);
            }
            "renamed_from" => self.renamed_from = non_empty_value(meta, errors, example(&key)),
            "primary_key" => self.primary_key = flag(meta, errors, "column").then_some(span),
            "unique" => self.unique = flag(meta, errors, "column"),
            "index" => self.index = flag(meta, errors, "column"),
            "identity" => self.identity = flag(meta, errors, "column").then_some(span),
            "skip" => self.skip = flag(meta, errors, "column").then_some(span),
            "default" => {
                self.default = value_expr(meta, errors, DEFAULT_TAKES)
                    .and_then(|expr| errors.ok(parse_default(expr)));
            }
            "references" => {
                self.references = value_expr(meta, errors, REFERENCES_EXAMPLE)
                    .and_then(|expr| reference_path(expr, errors));
            }
            "on_delete" => self.on_delete = parse_action(meta, errors, example(&key)),
            "on_update" => self.on_update = parse_action(meta, errors, example(&key)),
            _ => {
                errors.push(
                    span,
                    unknown_key(&key, "column", COLUMN_KEYS, COLUMN_EXAMPLE),
                );
                return skip_value(meta).map(drop);
            }
        }
        Ok(())
    }

    fn check_conflicts(&self, ident: &Ident, mapped: &Mapped, errors: &mut Errors) {
        if let (Some(default), Some(_)) = (&self.default, &self.default_sql) {
            errors.push_spanned(
                &default.expr,
                "give either `default = <literal>` or `default_sql = \"...\"`, not both",
            );
        }
        if let (Some(span), true) = (self.primary_key, mapped.nullable) {
            errors.push(span, format!(
                "primary key field `{ident}` is an Option; primary key columns are NOT NULL, so drop the Option"
            ));
        }
        if let Some(span) = self.identity {
            self.check_identity(span, ident, mapped, errors);
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
        if let Some(default) = &self.default {
            check_default_fits(default, &mapped.ty, errors);
        }
    }

    fn check_identity(&self, span: Span, ident: &Ident, mapped: &Mapped, errors: &mut Errors) {
        let integer = matches!(&mapped.ty, FieldType::Sql(t) if types::is_integer(t));
        if !integer {
            errors.push(span, format!(
                "`identity` needs an integer field (i16, i32 or i64), but `{ident}` is not one; for example: #[column(primary_key, identity)] id: i64"
            ));
        } else if mapped.nullable {
            errors.push(span, format!(
                "identity columns are NOT NULL; drop the Option, for example: #[column(identity)] {ident}: i64"
            ));
        }
        if self.default.is_some() || self.default_sql.is_some() {
            errors.push(span, "an identity column takes its values from its sequence and cannot also have a default; remove `default` / `default_sql`");
        }
    }
}

const DEFAULT_TAKES: &str = "`default` takes an integer, float, bool or string literal, for example: #[column(default = 0)]; for an SQL expression use #[column(default_sql = \"now()\")]";

fn parse_default(expr: Expr) -> syn::Result<LiteralDefault> {
    let (negative, lit) = match &expr {
        Expr::Lit(l) => (false, &l.lit),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match &*u.expr {
            Expr::Lit(l) => (true, &l.lit),
            _ => return Err(syn::Error::new_spanned(&expr, DEFAULT_TAKES)),
        },
        _ => return Err(syn::Error::new_spanned(&expr, DEFAULT_TAKES)),
    };
    let sign = if negative { "-" } else { "" };
    let (def, lit) = match lit {
        Lit::Int(i) => (
            DefaultDef::Int(format!("{sign}{}", i.base10_digits())),
            None,
        ),
        Lit::Float(f) => (
            DefaultDef::Float(format!("{sign}{}", f.base10_digits())),
            None,
        ),
        Lit::Bool(b) if !negative => (DefaultDef::Bool(b.value), None),
        Lit::Str(s) if !negative => (DefaultDef::Str(s.value()), Some(s.clone())),
        _ => return Err(syn::Error::new_spanned(&expr, DEFAULT_TAKES)),
    };
    Ok(LiteralDefault { expr, def, lit })
}

/// `on_delete = "cascade"`. An unknown action is recorded and read as the default, so the
/// checks that need the key (it needs `references`) still run.
pub(super) fn parse_action(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    example: &str,
) -> Option<(Span, FkAction)> {
    let key = key_of(meta);
    let lit = non_empty_value(meta, errors, example)?;
    let value = lit.value();
    if let Some(action) = FkAction::parse(&value) {
        return Some((lit.span(), action));
    }
    let spaced = value.replace(['_', '-'], " ");
    let hint = match FkAction::parse(&spaced) {
        Some(_) => format!("did you mean \"{}\"? ", spaced.to_lowercase()),
        None => String::new(),
    };
    errors.push(lit.span(), format!(
        "unknown foreign key action \"{value}\"; {hint}expected one of \"cascade\", \"set null\", \"set default\", \"restrict\", \"no action\", for example: {key} = \"cascade\""
    ));
    Some((lit.span(), FkAction::default()))
}

fn check_default_fits(default: &LiteralDefault, ty: &FieldType, errors: &mut Errors) {
    let kind = match ty {
        FieldType::Sql(t) => types::literal_kind(t),
        FieldType::User { array: false, .. } => LiteralKind::Text,
        FieldType::User { array: true, .. } => LiteralKind::None,
    };
    let fits = match default.def {
        DefaultDef::Int(_) => matches!(kind, LiteralKind::Integer | LiteralKind::Float),
        DefaultDef::Float(_) => kind == LiteralKind::Float,
        DefaultDef::Bool(_) => kind == LiteralKind::Bool,
        DefaultDef::Str(_) => kind == LiteralKind::Text,
        DefaultDef::Sql(_) => true,
    };
    if fits {
        return;
    }
    let message = match (kind, ty) {
        (LiteralKind::Text, FieldType::User { rust, .. }) => format!(
            "this default does not fit the field's type; a `{rust}` field's default is a string naming one of the enum's SQL labels (the snake_case variant names, or their #[db_enum(rename = ..)]), for example: #[column(default = \"open\")]"
        ),
        _ => {
            let expected = match kind {
                LiteralKind::Integer => "an integer literal, for example: #[column(default = 0)]",
                LiteralKind::Float => "a number literal, for example: #[column(default = 1.5)]",
                LiteralKind::Bool => "`true` or `false`, for example: #[column(default = false)]",
                LiteralKind::Text => "a string literal, for example: #[column(default = \"draft\")]",
                LiteralKind::None => "no literal; use an SQL expression, for example: #[column(default_sql = \"'{}'\")]",
            };
            format!("this default does not fit the field's type; it takes {expected}")
        }
    };
    errors.push_spanned(&default.expr, message);
}

/// The path of `references = Account::id`.
fn reference_path(expr: Expr, errors: &mut Errors) -> Option<syn::Path> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => Some(p.path),
        other => {
            errors.push_spanned(&other, REFERENCES_EXAMPLE);
            None
        }
    }
}

/// `Account::id` → (`Account`, `id`).
fn split_reference(path: &syn::Path, errors: &mut Errors) -> Option<(syn::Path, Ident)> {
    let generic = path.segments.iter().any(|s| !s.arguments.is_empty());
    if path.segments.len() < 2 || generic {
        errors.push_spanned(path, REFERENCES_EXAMPLE);
        return None;
    }
    let mut target = path.clone();
    let field = target.segments.pop()?.into_value().ident;
    target.segments.pop_punct();
    Some((target, field))
}
