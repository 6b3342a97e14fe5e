//! `#[derive(Table)]`: the struct-level attributes (`table`, `index`, `unique`, `check`,
//! `primary_key`, `policy`) and the checks that span several fields.

use super::column::{parse_field, Field, ParsedField};
use super::foreign_key::{self, ParsedForeignKey};
use super::fragment::{self, Kind};
use super::index_keys;
use super::policy::{self, ParsedPolicy};
use super::table_checks::{check_column_names, check_field_lists, check_key_columns, primary_key};
use super::{
    check_duplicate, flag, key_of, non_empty_value, skip_value, snake_case, unknown_key, Errors,
    SpanOf,
};
use crate::def::{CheckDef, IndexDef, TableDef, UniqueDef};
use crate::model::{IndexKey, KeyTarget, DEFAULT_SCHEMA};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Token};

/// A parsed struct: its definition plus what only the compiler can check (used by the derive).
pub struct ParsedTable {
    pub def: TableDef,
    pub type_checks: Vec<TypeCheck>,
    /// The `#[column(skip)]` fields: the derive marks them as not columns, so `references`
    /// to one fails at compile time.
    pub skipped: Vec<Ident>,
}

/// A check the derive hands to the type system, because it concerns other items.
pub enum TypeCheck {
    /// `references = Target::field`: `Target` is a `Table`, has `field` as a column (not a
    /// `skip` field), and the types agree.
    Reference {
        field: Ident,
        target: syn::Path,
        target_field: Ident,
    },
    /// One column pair of a struct's `#[foreign_key(columns(field), references = Target,
    /// ref_columns(target_field))]`: checked as `Reference` is, with the struct attribute's
    /// wording.
    KeyColumn {
        field: Ident,
        target: syn::Path,
        target_field: Ident,
    },
    /// A field whose type the mapping does not know must be a `DbEnum`; its default, if a
    /// string, must name one of the enum's values.
    DbEnum {
        ty: Box<syn::Type>,
        default: Option<LitStr>,
    },
}

/// Parses a `#[derive(Table)]` struct into its definition.
pub fn parse_table(input: &DeriveInput) -> syn::Result<TableDef> {
    parse_table_full(input).map(|p| p.def)
}

/// Parses a `#[derive(Table)]` struct, also returning the checks left to the compiler.
pub fn parse_table_full(input: &DeriveInput) -> syn::Result<ParsedTable> {
    match parse_table_partial(input)? {
        (table, None) => Ok(table),
        (_, Some(error)) => Err(error),
    }
}

/// Parses a `#[derive(Table)]` struct as far as its attributes allow, giving the table with the
/// errors found. The derive generates the compiler's checks even when there are errors, so a
/// foreign key type mismatch shows in the same compile as a misspelt key. `Err` when the item
/// cannot be described at all (not a struct with named fields, or generic).
pub fn parse_table_partial(input: &DeriveInput) -> syn::Result<(ParsedTable, Option<syn::Error>)> {
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
        errors.push(
            input
                .generics
                .params
                .first()
                .map_or(input.ident.span(), syn::spanned::Spanned::span),
            "a #[derive(Table)] struct cannot be generic; declare one struct per table",
        );
    }
    let mut attrs = StructAttrs {
        owner: format!("struct `{rust_name}`"),
        ..StructAttrs::default()
    };
    for attr in &input.attrs {
        attrs.parse(attr, &mut errors);
    }
    let mut fields: Vec<ParsedField> = Vec::new();
    let mut skipped: Vec<Ident> = Vec::new();
    for field in &named.named {
        match parse_field(field, &rust_name, &mut errors) {
            Some(Field::Column(f)) => fields.push(*f),
            Some(Field::Skipped(ident)) => skipped.push(ident),
            None => {}
        }
    }
    let mut def = TableDef {
        name: attrs.name.clone().unwrap_or_else(|| snake_case(&rust_name)),
        schema: attrs
            .schema
            .clone()
            .unwrap_or_else(|| DEFAULT_SCHEMA.to_string()),
        rust_name,
        renamed_from: attrs.renamed_from.clone(),
        fields: fields.iter().map(|f| f.def.clone()).collect(),
        primary_key: Vec::new(),
        indexes: attrs.indexes.iter().map(|(_, i)| i.clone()).collect(),
        uniques: attrs.uniques.iter().map(|(_, u)| u.clone()).collect(),
        checks: attrs.checks.clone(),
        primary_key_name: attrs.primary_key_name.clone(),
        foreign_keys: attrs.foreign_keys.iter().map(|f| f.def.clone()).collect(),
        rls: attrs.rls,
        policies: attrs.policies.iter().map(|p| p.policy.clone()).collect(),
    };
    policy::check_names(&attrs.policies, &attrs.owner, &mut errors);
    policy::check_rls(&attrs.policy_paths, attrs.rls, &attrs.owner, &mut errors);
    def.primary_key = primary_key(input, &attrs, &fields, &mut errors);
    check_field_lists(&attrs, &fields, &skipped, &mut errors);
    check_key_columns(&attrs, &fields, &mut errors);
    check_column_names(&fields, &mut errors);
    // A key column that is no column field is an error already: no type check for it.
    let columns: Vec<Ident> = fields.iter().map(|f| f.ident.clone()).collect();
    let mut type_checks: Vec<TypeCheck> = fields.into_iter().flat_map(|f| f.type_checks).collect();
    let key_columns = attrs.foreign_keys.into_iter().flat_map(|f| f.type_checks);
    type_checks.extend(key_columns.filter(|c| match c {
        TypeCheck::KeyColumn { field, .. } => columns.contains(field),
        _ => true,
    }));
    let table = ParsedTable {
        def,
        type_checks,
        skipped,
    };
    match errors.into_error() {
        Some(error) if !input.generics.params.is_empty() => Err(error),
        error => Ok((table, error)),
    }
}

#[derive(Default)]
pub(super) struct StructAttrs {
    /// What errors call the struct: struct `Item`.
    owner: String,
    name: Option<String>,
    schema: Option<String>,
    renamed_from: Option<String>,
    seen_table_keys: Vec<String>,
    /// Each list with the field identifiers as written, for spanned errors.
    pub(super) indexes: Vec<(Vec<Ident>, IndexDef)>,
    /// The column keys of `keys(..)` lists, with their literals: each must name a column.
    pub(super) key_columns: Vec<(LitStr, String)>,
    pub(super) uniques: Vec<(Vec<Ident>, UniqueDef)>,
    checks: Vec<CheckDef>,
    pub(super) primary_key: Option<(Ident, Vec<Ident>)>,
    /// `name = ".."` in `#[primary_key(..)]`.
    primary_key_name: Option<String>,
    /// `#[foreign_key(..)]`s with the identifiers as written.
    pub(super) foreign_keys: Vec<ParsedForeignKey>,
    /// `rls` in `#[table(..)]`.
    rls: bool,
    /// `#[policy(..)]`s in declaration order.
    policies: Vec<ParsedPolicy>,
    /// The `policy` token of each `#[policy(..)]`, parsed or not.
    policy_paths: Vec<proc_macro2::Span>,
}

const TABLE_KEYS: &[&str] = &["name", "schema", "renamed_from", "rls"];
const INDEX_KEYS: &[&str] = &[
    "columns",
    "keys",
    "name",
    "unique",
    "predicate",
    "using",
    "with",
    "concurrently",
    "nulls_not_distinct",
];
const UNIQUE_KEYS: &[&str] = &["columns", "name", "nulls_not_distinct"];
const KEYS_EXAMPLE: &str = "#[index(keys(\"lower(email)\", \"created_at DESC NULLS LAST\"), name = \"accounts_email_lower_idx\")]";
const CHECK_KEYS: &[&str] = &["name", "expr"];

impl StructAttrs {
    fn parse(&mut self, attr: &syn::Attribute, errors: &mut Errors) {
        let Some(kind) = attr.path().get_ident().map(|i| i.to_string()) else {
            return;
        };
        let result = match kind.as_str() {
            "table" => self.parse_table(attr, errors),
            "index" => self.parse_index(attr, errors),
            "unique" => self.parse_unique(attr, errors),
            "check" => self.parse_check(attr, errors),
            "primary_key" => self.parse_primary_key(attr, errors),
            "policy" => {
                self.policy_paths.push(attr.path().span_of());
                let parsed = policy::parse(attr, &self.owner, errors);
                parsed.map(|p| self.policies.extend(p))
            }
            "foreign_key" => {
                let parsed = foreign_key::parse(attr, errors);
                self.foreign_keys.extend(parsed);
                Ok(())
            }
            "column" => Err(syn::Error::new_spanned(
                attr,
                "#[column(...)] goes on a field; on the struct use #[table(name = \"accounts\")]",
            )),
            _ => super::misplaced(attr, "a #[derive(Table)] struct").map_or(Ok(()), Err),
        };
        errors.ok(result);
    }

    fn parse_table(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            let example = match key.as_str() {
                "schema" => "#[table(schema = \"audit\")]",
                "renamed_from" => "#[table(renamed_from = \"users\")]",
                _ => "#[table(name = \"accounts\")]",
            };
            if check_duplicate(&mut self.seen_table_keys, &meta, &key, errors, example) {
                return skip_value(&meta).map(drop);
            }
            let slot = match key.as_str() {
                "rls" => {
                    self.rls = flag(&meta, errors, "table");
                    return Ok(());
                }
                "name" => &mut self.name,
                "schema" => &mut self.schema,
                "renamed_from" => &mut self.renamed_from,
                _ => {
                    errors.push(
                        meta.path.span_of(),
                        unknown_key(
                            &key,
                            "table",
                            TABLE_KEYS,
                            "#[table(name = \"accounts\", schema = \"audit\")]",
                        ),
                    );
                    return skip_value(&meta).map(drop);
                }
            };
            *slot = non_empty_value(&meta, errors, example).map(|lit| lit.value());
            Ok(())
        })
    }

    fn parse_index(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        let mut def = IndexDef {
            columns: Vec::new(),
            keys: Vec::new(),
            with: Default::default(),
            name: None,
            unique: false,
            predicate: None,
            using: None,
            concurrently: false,
            nulls_not_distinct: false,
        };
        let mut nulls_not_distinct = None;
        let mut idents = None;
        let mut keys: Option<Option<Vec<(LitStr, IndexKey)>>> = None;
        let mut seen = Vec::new();
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            let example = match key.as_str() {
                "name" => "#[index(columns(created_at), name = \"accounts_created_idx\")]",
                "predicate" => "#[index(columns(email), predicate = \"archived = false\")]",
                "using" => "#[index(columns(tags), using = \"gin\")]",
                "keys" => KEYS_EXAMPLE,
                "with" => "#[index(columns(email), with = \"fillfactor = 70\")]",
                _ => "#[index(columns(project_id, state), unique)]",
            };
            if check_duplicate(&mut seen, &meta, &key, errors, example) {
                return skip_value(&meta).map(drop);
            }
            if matches!(key.as_str(), "columns" | "keys") && (idents.is_some() || keys.is_some()) {
                errors.push(meta.path.span_of(), format!(
                    "an index takes either `columns(..)` (struct fields) or `keys(..)` (SQL keys), not both; for example: #[index(columns(email))] or {KEYS_EXAMPLE}"
                ));
                return skip_value(&meta).map(drop);
            }
            match key.as_str() {
                "columns" => idents = Some(column_list(&meta, errors, example)),
                "keys" => keys = Some(index_keys::key_list(&meta, errors, example, &self.owner)),
                "with" => def.with = index_keys::with_value(&meta, errors, example, &self.owner).unwrap_or_default(),
                "name" => def.name = non_empty_value(&meta, errors, example).map(|l| l.value()),
                "predicate" => def.predicate = fragment::value(&meta, errors, Kind::Expression, example, &self.owner).map(|l| l.value()),
                "using" => def.using = fragment::value(&meta, errors, Kind::IndexMethod, example, &self.owner).map(|l| l.value().to_lowercase()),
                "unique" => def.unique = flag(&meta, errors, "index"),
                "concurrently" => def.concurrently = flag(&meta, errors, "index"),
                "nulls_not_distinct" => {
                    def.nulls_not_distinct = flag(&meta, errors, "index");
                    nulls_not_distinct = Some(meta.path.span_of());
                }
                _ => {
                    errors.push(meta.path.span_of(), unknown_key(&key, "index", INDEX_KEYS,
                        "#[index(columns(project_id, state), unique, predicate = \"archived = false\")]"));
                    return skip_value(&meta).map(drop);
                }
            }
            Ok(())
        })?;
        if let Some(keys) = keys {
            if keys.as_ref().is_some_and(Vec::is_empty) {
                return Err(syn::Error::new_spanned(
                    attr,
                    format!("`keys(..)` needs at least one key; for example: {KEYS_EXAMPLE}"),
                ));
            }
            self.keys_of_index(keys, def, errors);
            return Ok(());
        }
        let Some(idents) =
            required_columns(attr, idents, "index", "#[index(columns(created_at))]")?
        else {
            return Ok(());
        };
        if let (Some(span), false) = (nulls_not_distinct, def.unique) {
            errors.push(span, "`nulls_not_distinct` applies to a unique index only; add `unique`, for example: #[index(columns(email), unique, nulls_not_distinct)]");
        }
        def.columns = idents.iter().map(field_name).collect();
        self.indexes.push((idents, def));
        Ok(())
    }

    /// An index with `keys(..)`: an expression index needs a name, its column keys are
    /// checked against the fields later.
    fn keys_of_index(
        &mut self,
        keys: Option<Vec<(LitStr, IndexKey)>>,
        mut def: IndexDef,
        errors: &mut Errors,
    ) {
        let Some(keys) = keys else { return };
        if def.name.is_none() {
            if let Some((lit, _)) = keys.iter().find(|(_, k)| k.expression().is_some()) {
                errors.push(lit.span(), format!(
                    "an index on an expression needs a `name`, since no name can be derived from an expression; for example: {KEYS_EXAMPLE}"
                ));
            }
        }
        for (lit, key) in &keys {
            if let KeyTarget::Column(c) = &key.target {
                self.key_columns.push((lit.clone(), c.clone()));
            }
        }
        def.keys = keys.into_iter().map(|(_, k)| k).collect();
        self.indexes.push((Vec::new(), def));
    }

    fn parse_unique(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        let mut name = None;
        let mut nulls_not_distinct = false;
        let mut idents = None;
        let mut seen = Vec::new();
        let example = "#[unique(columns(owner_id, slug), name = \"projects_owner_slug_key\")]";
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            if check_duplicate(&mut seen, &meta, &key, errors, example) {
                return skip_value(&meta).map(drop);
            }
            match key.as_str() {
                "columns" => idents = Some(column_list(&meta, errors, example)),
                "name" => name = non_empty_value(&meta, errors, example).map(|l| l.value()),
                "nulls_not_distinct" => nulls_not_distinct = flag(&meta, errors, "unique"),
                _ => {
                    errors.push(
                        meta.path.span_of(),
                        unknown_key(&key, "unique", UNIQUE_KEYS, example),
                    );
                    return skip_value(&meta).map(drop);
                }
            }
            Ok(())
        })?;
        let Some(idents) =
            required_columns(attr, idents, "unique", "#[unique(columns(owner_id, slug))]")?
        else {
            return Ok(());
        };
        let columns = idents.iter().map(field_name).collect();
        let def = UniqueDef {
            columns,
            name,
            nulls_not_distinct,
        };
        self.uniques.push((idents, def));
        Ok(())
    }

    fn parse_check(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        let mut name = None;
        let mut expr = None;
        let mut seen = Vec::new();
        let mut expr_given = false;
        let example = "#[check(name = \"accounts_age_check\", expr = \"age >= 0\")]";
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            if check_duplicate(&mut seen, &meta, &key, errors, example) {
                return skip_value(&meta).map(drop);
            }
            match key.as_str() {
                "name" => name = non_empty_value(&meta, errors, example).map(|l| l.value()),
                "expr" => {
                    expr_given = true;
                    expr = fragment::value(&meta, errors, Kind::Expression, example, &self.owner)
                        .map(|l| l.value());
                }
                _ => {
                    errors.push(
                        meta.path.span_of(),
                        unknown_key(&key, "check", CHECK_KEYS, example),
                    );
                    return skip_value(&meta).map(drop);
                }
            }
            Ok(())
        })?;
        let Some(expr) = expr else {
            if expr_given {
                return Ok(());
            }
            return Err(syn::Error::new_spanned(attr,
                "#[check] needs an `expr`, for example: #[check(name = \"accounts_age_check\", expr = \"age >= 0\")]"));
        };
        self.checks.push(CheckDef { name, expr });
        Ok(())
    }

    fn parse_primary_key(&mut self, attr: &syn::Attribute, errors: &mut Errors) -> syn::Result<()> {
        let example = "for example: #[primary_key(project_id, user_id)] or #[primary_key(id, name = \"orders_pk\")]";
        let mut list = Vec::new();
        let mut name = None;
        let mut seen = Vec::new();
        attr.parse_nested_meta(|meta| {
            let has_value = meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren);
            match meta.path.get_ident() {
                Some(ident) if !has_value => list.push(ident.clone()),
                Some(ident) if ident == "name" => {
                    let example = "#[primary_key(order_id, line, name = \"order_lines_pk\")]";
                    if !check_duplicate(&mut seen, &meta, "name", errors, example) {
                        name = non_empty_value(&meta, errors, example).map(|l| l.value());
                    } else {
                        skip_value(&meta)?;
                    }
                }
                _ => {
                    let rest = skip_value(&meta)?;
                    let path = &meta.path;
                    errors.push_spanned(quote::quote!(#path #rest), format!(
                        "#[primary_key] lists struct fields as identifiers, then optionally `name = \"...\"`; {example}"
                    ));
                }
            }
            Ok(())
        })
        .map_err(|e| syn::Error::new(e.span(), format!("{e}; {example}")))?;
        let attr_ident = attr
            .path()
            .get_ident()
            .cloned()
            .unwrap_or_else(|| Ident::new("primary_key", proc_macro2::Span::call_site()));
        if list.is_empty() {
            return Err(syn::Error::new_spanned(
                attr,
                format!("#[primary_key] needs at least one field; {example}"),
            ));
        }
        if self.primary_key.is_some() {
            return Err(syn::Error::new_spanned(
                attr,
                "a table has one primary key; list all its fields in one #[primary_key(a, b)]",
            ));
        }
        self.primary_key = Some((attr_ident, list));
        self.primary_key_name = name;
        Ok(())
    }
}

/// A field as a list names it: `r#type` → `type`, as [`crate::def::FieldDef::field`] has it.
pub(super) fn field_name(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// `columns(a, b)`: the field identifiers, or `None` when the list is broken (recorded).
pub(super) fn column_list(
    meta: &ParseNestedMeta,
    errors: &mut Errors,
    example: &str,
) -> Option<Vec<Ident>> {
    let key = key_of(meta);
    let takes =
        format!("`{key}` takes a list of struct fields in parentheses, for example: {example}");
    if !meta.input.peek(syn::token::Paren) {
        let rest = skip_value(meta).unwrap_or_default();
        let path = &meta.path;
        errors.push_spanned(quote::quote!(#path #rest), takes);
        return None;
    }
    let parsed = (|| {
        let content;
        syn::parenthesized!(content in meta.input);
        let list = Punctuated::<Ident, Token![,]>::parse_terminated(&content);
        if list.is_err() {
            content.parse::<proc_macro2::TokenStream>()?;
        }
        list
    })();
    match parsed {
        Ok(list) => Some(list.into_iter().collect()),
        Err(e) => {
            errors.push(e.span(), format!(
                "`{key}` names struct fields as identifiers, not strings or paths; for example: {example}"
            ));
            None
        }
    }
}

/// The `columns(...)` of an index or unique constraint; `Ok(None)` when they were given but
/// broken (already recorded).
pub(super) fn required_columns(
    attr: &syn::Attribute,
    idents: Option<Option<Vec<Ident>>>,
    kind: &str,
    example: &str,
) -> syn::Result<Option<Vec<Ident>>> {
    match idents {
        Some(None) => Ok(None),
        Some(Some(list)) if !list.is_empty() => Ok(Some(list)),
        _ => Err(syn::Error::new_spanned(
            attr,
            format!("#[{kind}] needs `columns(...)` naming struct fields, for example: {example}"),
        )),
    }
}
