//! `#[derive(Table)]`: the struct-level attributes (`table`, `index`, `unique`, `check`,
//! `primary_key`) and the checks that span several fields.

use super::column::{parse_field, ParsedField};
use super::{check_duplicate, key_of, skip_value, snake_case, unknown_key, Errors, SpanOf};
use crate::def::{CheckDef, IndexDef, TableDef, UniqueDef};
use crate::model::DEFAULT_SCHEMA;
use syn::punctuated::Punctuated;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Token};

/// A parsed struct: its definition plus what only the compiler can check (used by the derive).
pub struct ParsedTable {
    pub def: TableDef,
    pub type_checks: Vec<TypeCheck>,
}

/// A check the derive hands to the type system, because it concerns other items.
pub enum TypeCheck {
    /// `references = Target::field`: `Target` is a `Table`, has `field`, and the types agree.
    Reference { field: Ident, target: syn::Path, target_field: Ident },
    /// A field whose type the mapping does not know must be a `DbEnum`; its default, if a
    /// string, must name one of the enum's values.
    DbEnum { ty: syn::Type, default: Option<LitStr> },
}

/// Parses a `#[derive(Table)]` struct into its definition.
pub fn parse_table(input: &DeriveInput) -> syn::Result<TableDef> {
    parse_table_full(input).map(|p| p.def)
}

/// Parses a `#[derive(Table)]` struct, also returning the checks left to the compiler.
pub fn parse_table_full(input: &DeriveInput) -> syn::Result<ParsedTable> {
    let mut errors = Errors::default();
    let rust_name = input.ident.to_string();
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(named),
            _ => None,
        },
        _ => None,
    };
    let Some(named) = named else {
        return Err(syn::Error::new(
            input.ident.span(),
            "#[derive(Table)] needs a struct with named fields, for example: struct Account { #[column(primary_key)] id: i64 }",
        ));
    };
    if !input.generics.params.is_empty() {
        errors.push(input.generics.params.first().map_or(input.ident.span(), |p| {
            syn::spanned::Spanned::span(p)
        }), "a #[derive(Table)] struct cannot be generic; declare one struct per table");
    }
    let mut attrs = StructAttrs::default();
    for attr in &input.attrs {
        attrs.parse(attr, &mut errors);
    }
    let fields: Vec<ParsedField> =
        named.named.iter().filter_map(|f| parse_field(f, &mut errors)).collect();
    let mut def = TableDef {
        name: attrs.name.clone().unwrap_or_else(|| snake_case(&rust_name)),
        schema: attrs.schema.clone().unwrap_or_else(|| DEFAULT_SCHEMA.to_string()),
        rust_name,
        renamed_from: attrs.renamed_from.clone(),
        fields: fields.iter().map(|f| f.def.clone()).collect(),
        primary_key: Vec::new(),
        indexes: attrs.indexes.iter().map(|(_, i)| i.clone()).collect(),
        uniques: attrs.uniques.iter().map(|(_, u)| u.clone()).collect(),
        checks: attrs.checks.clone(),
    };
    def.primary_key = primary_key(input, &attrs, &fields, &mut errors);
    check_field_lists(&attrs, &fields, &mut errors);
    check_column_names(&fields, &mut errors);
    let type_checks = fields.into_iter().flat_map(|f| f.type_checks).collect();
    errors.finish(ParsedTable { def, type_checks })
}

#[derive(Default)]
struct StructAttrs {
    name: Option<String>,
    schema: Option<String>,
    renamed_from: Option<String>,
    seen_table_keys: Vec<String>,
    /// Each list with the field identifiers as written, for spanned errors.
    indexes: Vec<(Vec<Ident>, IndexDef)>,
    uniques: Vec<(Vec<Ident>, UniqueDef)>,
    checks: Vec<CheckDef>,
    primary_key: Option<(Ident, Vec<Ident>)>,
}

const TABLE_KEYS: &[&str] = &["name", "schema", "renamed_from"];
const INDEX_KEYS: &[&str] = &["columns", "name", "unique", "predicate", "using", "concurrently"];
const UNIQUE_KEYS: &[&str] = &["columns", "name"];
const CHECK_KEYS: &[&str] = &["name", "expr"];

impl StructAttrs {
    fn parse(&mut self, attr: &syn::Attribute, errors: &mut Errors) {
        let Some(kind) = attr.path().get_ident().map(|i| i.to_string()) else { return };
        let result = match kind.as_str() {
            "table" => self.parse_table(attr, errors),
            "index" => self.parse_index(attr, errors),
            "unique" => self.parse_unique(attr, errors),
            "check" => self.parse_check(attr, errors),
            "primary_key" => self.parse_primary_key(attr, errors),
            "column" => Err(syn::Error::new_spanned(
                attr,
                "#[column(...)] goes on a field; on the struct use #[table(name = \"accounts\")]",
            )),
            _ => Ok(()),
        };
        errors.ok(result);
    }

    fn parse_table(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            if check_duplicate(&mut self.seen_table_keys, &meta, &key, errors) {
                return skip_value(&meta);
            }
            let slot = match key.as_str() {
                "name" => &mut self.name,
                "schema" => &mut self.schema,
                "renamed_from" => &mut self.renamed_from,
                _ => {
                    errors.push(meta.path.span_of(), unknown_key(&key, "table", TABLE_KEYS,
                        "#[table(name = \"accounts\", schema = \"audit\")]"));
                    return skip_value(&meta);
                }
            };
            *slot = Some(non_empty(meta.value()?.parse::<LitStr>()?)?);
            Ok(())
        })
    }

    fn parse_index(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        let mut def = IndexDef {
            columns: Vec::new(), name: None, unique: false, predicate: None, using: None,
            concurrently: false,
        };
        let mut idents = None;
        let mut seen = Vec::new();
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            if check_duplicate(&mut seen, &meta, &key, errors) {
                return skip_value(&meta);
            }
            match key.as_str() {
                "columns" => idents = Some(column_list(&meta)?),
                "name" => def.name = Some(non_empty(meta.value()?.parse()?)?),
                "predicate" => def.predicate = Some(non_empty(meta.value()?.parse()?)?),
                "using" => def.using = Some(non_empty(meta.value()?.parse()?)?.to_lowercase()),
                "unique" => def.unique = flag(&meta)?,
                "concurrently" => def.concurrently = flag(&meta)?,
                _ => {
                    errors.push(meta.path.span_of(), unknown_key(&key, "index", INDEX_KEYS,
                        "#[index(columns(project_id, state), unique, predicate = \"archived = false\")]"));
                    return skip_value(&meta);
                }
            }
            Ok(())
        })?;
        let idents = required_columns(attr, idents, "index", "#[index(columns(created_at))]")?;
        def.columns = idents.iter().map(Ident::to_string).collect();
        self.indexes.push((idents, def));
        Ok(())
    }

    fn parse_unique(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        let mut name = None;
        let mut idents = None;
        let mut seen = Vec::new();
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            if check_duplicate(&mut seen, &meta, &key, errors) {
                return skip_value(&meta);
            }
            match key.as_str() {
                "columns" => idents = Some(column_list(&meta)?),
                "name" => name = Some(non_empty(meta.value()?.parse()?)?),
                _ => {
                    errors.push(meta.path.span_of(), unknown_key(&key, "unique", UNIQUE_KEYS,
                        "#[unique(columns(owner_id, slug), name = \"projects_owner_slug_key\")]"));
                    return skip_value(&meta);
                }
            }
            Ok(())
        })?;
        let idents = required_columns(attr, idents, "unique", "#[unique(columns(owner_id, slug))]")?;
        let columns = idents.iter().map(Ident::to_string).collect();
        self.uniques.push((idents, UniqueDef { columns, name }));
        Ok(())
    }

    fn parse_check(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        let mut name = None;
        let mut expr = None;
        let mut seen = Vec::new();
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            if check_duplicate(&mut seen, &meta, &key, errors) {
                return skip_value(&meta);
            }
            match key.as_str() {
                "name" => name = Some(non_empty(meta.value()?.parse()?)?),
                "expr" => expr = Some(non_empty(meta.value()?.parse()?)?),
                _ => {
                    errors.push(meta.path.span_of(), unknown_key(&key, "check", CHECK_KEYS,
                        "#[check(name = \"accounts_age_check\", expr = \"age >= 0\")]"));
                    return skip_value(&meta);
                }
            }
            Ok(())
        })?;
        let Some(expr) = expr else {
            return Err(syn::Error::new_spanned(attr,
                "#[check] needs an `expr`, for example: #[check(name = \"accounts_age_check\", expr = \"age >= 0\")]"));
        };
        self.checks.push(CheckDef { name, expr });
        Ok(())
    }

    fn parse_primary_key(&mut self, attr: &syn::Attribute, _: &mut Errors) -> syn::Result<()> {
        let example = "for example: #[primary_key(project_id, user_id)]";
        let list = attr
            .parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated)
            .map_err(|e| syn::Error::new(e.span(), format!("{e}; {example}")))?;
        let attr_ident = attr.path().get_ident().cloned().unwrap_or_else(|| {
            Ident::new("primary_key", proc_macro2::Span::call_site())
        });
        if list.is_empty() {
            return Err(syn::Error::new_spanned(attr, format!("#[primary_key] needs at least one field; {example}")));
        }
        if self.primary_key.is_some() {
            return Err(syn::Error::new_spanned(attr, "a table has one primary key; list all its fields in one #[primary_key(a, b)]"));
        }
        self.primary_key = Some((attr_ident, list.into_iter().collect()));
        Ok(())
    }
}

fn non_empty(lit: LitStr) -> syn::Result<String> {
    let value = lit.value();
    if value.trim().is_empty() {
        return Err(syn::Error::new(lit.span(), "this value cannot be empty"));
    }
    Ok(value)
}

/// A bare flag such as `unique`; `unique = true` is rejected with the right spelling.
pub(super) fn flag(meta: &syn::meta::ParseNestedMeta) -> syn::Result<bool> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = key_of(meta);
        return Err(meta.error(format!("`{key}` is a flag and takes no value; write just `{key}`")));
    }
    Ok(true)
}

fn column_list(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Vec<Ident>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let list = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
    Ok(list.into_iter().collect())
}

fn required_columns(
    attr: &syn::Attribute,
    idents: Option<Vec<Ident>>,
    kind: &str,
    example: &str,
) -> syn::Result<Vec<Ident>> {
    match idents {
        Some(list) if !list.is_empty() => Ok(list),
        _ => Err(syn::Error::new_spanned(
            attr,
            format!("#[{kind}] needs `columns(...)` naming struct fields, for example: {example}"),
        )),
    }
}

fn primary_key(
    input: &DeriveInput,
    attrs: &StructAttrs,
    fields: &[ParsedField],
    errors: &mut Errors,
) -> Vec<String> {
    let flagged: Vec<&ParsedField> = fields.iter().filter(|f| f.primary_key.is_some()).collect();
    match (&attrs.primary_key, flagged.as_slice()) {
        (Some((attr, _)), [_, ..]) => {
            errors.push(attr.span(), "the primary key is given twice: use either #[primary_key(a, b)] on the struct or #[column(primary_key)] on one field");
            Vec::new()
        }
        (Some((_, list)), []) => {
            for ident in list {
                if let Some(f) = fields.iter().find(|f| f.ident == *ident) {
                    if f.def.nullable {
                        errors.push(ident.span(), format!("primary key field `{ident}` is an Option; primary key columns are NOT NULL, so drop the Option"));
                    }
                }
            }
            list.iter().map(Ident::to_string).collect()
        }
        (None, []) => {
            errors.push(input.ident.span(), format!(
                "table `{}` has no primary key; mark a field #[column(primary_key)] or list several with #[primary_key(a, b)]",
                input.ident
            ));
            Vec::new()
        }
        (None, [one]) => vec![one.def.field.clone()],
        (None, many) => {
            for f in &many[1..] {
                if let Some(span) = f.primary_key {
                    errors.push(span, "only one field can be marked primary_key; for a composite key use #[primary_key(a, b)] on the struct");
                }
            }
            Vec::new()
        }
    }
}

/// Every field named in a key or index list exists and is a column.
fn check_field_lists(attrs: &StructAttrs, fields: &[ParsedField], errors: &mut Errors) {
    let lists = attrs
        .indexes
        .iter()
        .map(|(i, _)| i)
        .chain(attrs.uniques.iter().map(|(i, _)| i))
        .chain(attrs.primary_key.iter().map(|(_, i)| i));
    for list in lists {
        for ident in list {
            if !fields.iter().any(|f| f.ident == *ident) {
                let known: Vec<String> = fields.iter().map(|f| f.ident.to_string()).collect();
                errors.push(ident.span(), format!(
                    "no column field `{ident}` in this struct; lists name struct fields (not SQL names or skipped fields): {}",
                    known.join(", ")
                ));
            }
        }
    }
}

fn check_column_names(fields: &[ParsedField], errors: &mut Errors) {
    for (i, f) in fields.iter().enumerate() {
        if let Some(first) = fields[..i].iter().find(|g| g.def.name == f.def.name) {
            errors.push(f.name_span, format!(
                "column name `{}` is already used by field `{}`; give one of them another #[column(name = \"...\")]",
                f.def.name, first.ident
            ));
        }
    }
}
