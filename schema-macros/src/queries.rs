//! What the derives give an application's queries: a table's or view's SQL names as consts
//! (always), and with the `sqlx` feature the calls that write `sqlx::FromRow` for a table or view
//! and `sqlx::Type`, `Encode` and `Decode` for a DbEnum (the impls themselves are `macro_rules!` macros of
//! `schema_core::sqlx_impls`, so that schema-core's features choose the databases).

use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote};
use schema_core::parser::ParsedTable;
use schema_core::render::standard::quoted;
use syn::ext::IdentExt;
use syn::DeriveInput;

/// A column field: its identifier as written, its type, its SQL name.
struct ColumnField<'a> {
    ident: &'a syn::Ident,
    ty: &'a syn::Type,
    sql: &'a str,
}

/// What the consts and `FromRow` need of a table or a view.
pub struct Relation<'a> {
    /// `TABLE` or `VIEW`: the names of the consts are `TABLE`, `QUALIFIED_TABLE`, ...
    pub kind: &'static str,
    pub name: &'a str,
    pub schema: &'a str,
    /// Each column field's Rust name (unraw) and SQL name.
    pub columns: Vec<(&'a str, &'a str)>,
    /// The `skip` fields.
    pub skipped: &'a [syn::Ident],
}

impl<'a> Relation<'a> {
    pub fn table(parsed: &'a ParsedTable) -> Self {
        Relation {
            kind: "TABLE",
            name: &parsed.def.name,
            schema: &parsed.def.schema,
            columns: parsed
                .def
                .fields
                .iter()
                .map(|f| (f.field.as_str(), f.name.as_str()))
                .collect(),
            skipped: &parsed.skipped,
        }
    }

    pub fn view(def: &'a schema_core::ViewDef) -> Self {
        Relation {
            kind: "VIEW",
            name: &def.name,
            schema: &def.schema,
            columns: def
                .columns
                .iter()
                .map(|c| (c.field.as_str(), c.name.as_str()))
                .collect(),
            skipped: &[],
        }
    }
}

/// The struct's named fields split into columns (with their SQL names) and `skip` fields.
fn split_fields<'a>(
    input: &'a DeriveInput,
    relation: &Relation<'a>,
) -> (Vec<ColumnField<'a>>, Vec<&'a syn::Field>) {
    let syn::Data::Struct(data) = &input.data else {
        return (Vec::new(), Vec::new());
    };
    let (mut columns, mut skipped) = (Vec::new(), Vec::new());
    for field in &data.fields {
        let Some(ident) = field.ident.as_ref() else {
            continue;
        };
        if relation.skipped.contains(ident) {
            skipped.push(field);
            continue;
        }
        let name = ident.unraw().to_string();
        if let Some((_, sql)) = relation.columns.iter().find(|(f, _)| *f == name) {
            columns.push(ColumnField {
                ident,
                ty: &field.ty,
                sql,
            });
        }
    }
    (columns, skipped)
}

/// `Issue::TABLE`, `Issue::SCHEMA`, `Issue::QUALIFIED_TABLE` and `Issue::COLUMNS.title` (a
/// view's `VIEW` and `QUALIFIED_VIEW`): the SQL names, so that a query built from them follows a
/// rename at compile time. The columns' struct (`IssueColumns`) is declared in an anonymous
/// const, where it can shadow nothing.
pub fn consts(input: &DeriveInput, relation: &Relation) -> TokenStream2 {
    let ident = &input.ident;
    let columns_ty = format_ident!("{}Columns", ident.unraw());
    let (columns, _) = split_fields(input, relation);
    let (table, schema) = (relation.name, relation.schema);
    let qualified = if schema == schema_core::model::DEFAULT_SCHEMA {
        table.to_string()
    } else {
        format!("{schema}.{table}")
    };
    let fields = columns.iter().map(|c| {
        let (name, sql) = (c.ident, c.sql);
        let doc = format!("`{sql}`");
        quote!(#[doc = #doc] pub #name: &'static str,)
    });
    let values = columns.iter().map(|c| {
        let (name, sql) = (c.ident, c.sql);
        quote!(#name: #sql,)
    });
    let struct_doc = format!(
        "The SQL column names of [`{ident}`], one `&'static str` per column field: `{ident}::COLUMNS`."
    );
    let what = relation.kind.to_lowercase();
    let table_doc = format!("The SQL name of the {what}, `{table}`.");
    let schema_doc = format!("The schema of the {what}, `{schema}`.");
    let qualified_doc = format!(
        "The {what}'s name qualified by its schema outside `public` (unquoted), `{qualified}`."
    );
    let table_const = format_ident!("{}", relation.kind);
    let qualified_const = format_ident!("QUALIFIED_{}", relation.kind);
    quote! {
        #[allow(dead_code, non_snake_case, clippy::all)]
        const _: () = {
            #[doc = #struct_doc]
            #[derive(Clone, Copy, Debug)]
            pub struct #columns_ty {
                #(#fields)*
            }
            impl #ident {
                #[doc = #table_doc]
                pub const #table_const: &'static str = #table;
                #[doc = #schema_doc]
                pub const SCHEMA: &'static str = #schema;
                #[doc = #qualified_doc]
                pub const #qualified_const: &'static str = #qualified;
                /// The SQL name of each column field: `COLUMNS.<field>`.
                pub const COLUMNS: #columns_ty = #columns_ty { #(#values)* };
            }
        };
    }
}

/// `sqlx::FromRow` for the table or view (schema-macros' `sqlx` feature): columns by SQL name,
/// `skip` fields from `Default`.
pub fn from_row(input: &DeriveInput, relation: &Relation) -> TokenStream2 {
    if !cfg!(feature = "sqlx") {
        return TokenStream2::new();
    }
    let ident = &input.ident;
    let (columns, skipped) = split_fields(input, relation);
    let columns = columns.iter().map(|c| {
        let (name, ty, sql) = (c.ident, c.ty, c.sql);
        quote!(#name: #ty = #sql)
    });
    let skipped = skipped.iter().filter_map(|f| {
        let (name, ty) = (f.ident.as_ref()?, &f.ty);
        Some(quote!(#name: #ty))
    });
    quote! {
        ::schema_core::__sqlx_from_row!(#ident { #(#columns),* } skip { #(#skipped),* });
    }
}

/// `sqlx::Type`, `Encode` and `Decode` for the enum (schema-macros' `sqlx` feature), with the
/// labels of the schema.
pub fn enum_sqlx(input: &DeriveInput, def: &schema_core::EnumDef) -> TokenStream2 {
    if !cfg!(feature = "sqlx") {
        return TokenStream2::new();
    }
    let syn::Data::Enum(data) = &input.data else {
        return TokenStream2::new();
    };
    let ident = &input.ident;
    let name = quoted(&def.name, '"');
    let pg_name = if def.schema == schema_core::model::DEFAULT_SCHEMA {
        name
    } else {
        format!("{}.{name}", quoted(&def.schema, '"'))
    };
    let spellings = pg_spellings(&def.schema, &def.name);
    let variants = data
        .variants
        .iter()
        .zip(&def.values)
        .map(|(variant, label)| {
            let name = &variant.ident;
            quote!(#name = #label)
        });
    quote! {
        ::schema_core::__sqlx_db_enum!(#ident, #pg_name, [#(#spellings),*] { #(#variants),* });
    }
}

/// Every way PostgreSQL may print the enum type `schema.name` (`regtype::text`, as sqlx names a
/// column's type): bare when the schema is on the `search_path`, qualified otherwise, each name
/// double-quoted as the renderer quotes it, or bare when it is a plain lowercase identifier
/// (the server quotes one that is a keyword too: `order`, `user`, `position`).
fn pg_spellings(schema: &str, name: &str) -> Vec<String> {
    let spell = |ident: &str| {
        let plain = ident
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && ident
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let mut all = vec![quoted(ident, '"')];
        if plain {
            all.push(ident.to_string());
        }
        all
    };
    let names = spell(name);
    let mut spellings = names.clone();
    for s in spell(schema) {
        spellings.extend(names.iter().map(|n| format!("{s}.{n}")));
    }
    spellings
}

#[cfg(test)]
mod tests {
    use super::pg_spellings;

    #[test]
    fn an_enum_type_is_spelled_as_the_server_may_print_it() {
        assert_eq!(
            pg_spellings("public", "order"),
            [
                "\"order\"",
                "order",
                "\"public\".\"order\"",
                "\"public\".order",
                "public.\"order\"",
                "public.order"
            ]
        );
        assert_eq!(
            pg_spellings("ops", "price$kind"),
            [
                "\"price$kind\"",
                "\"ops\".\"price$kind\"",
                "ops.\"price$kind\""
            ]
        );
    }
}
