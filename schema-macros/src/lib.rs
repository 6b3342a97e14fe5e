//! Derive macros `Table`, `DbEnum`, `Sequence` and `View`: thin entry points over `schema_core::parser`, then code
//! generation. The definition is embedded as JSON so that the run-time description is exactly
//! what the parser read; checks that concern other items are handed to the type system.

use proc_macro::TokenStream;
use proc_macro2::{Group, Span, TokenStream as TokenStream2, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use schema_core::parser::{self, TypeCheck};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{parse_macro_input, DeriveInput};

mod queries;

/// Declares a table: see the crate README for the attribute language.
#[proc_macro_derive(
    Table,
    attributes(table, index, unique, check, primary_key, foreign_key, column, policy)
)]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match parser::parse_table_partial(&input) {
        Ok((parsed, None)) => {
            let mut out = table_impl(&input, &parsed);
            out.extend(queries::from_row(
                &input,
                &queries::Relation::table(&parsed),
            ));
            out.into()
        }
        // The checks left to the compiler still run, so their errors show in the same compile.
        Ok((parsed, Some(e))) => {
            let mut out = e.to_compile_error();
            out.extend(table_impl(&input, &parsed));
            out.into()
        }
        Err(e) => e.to_compile_error().into(),
    }
}

/// Declares an SQL enum type from a unit-only enum.
#[proc_macro_derive(DbEnum, attributes(db_enum))]
pub fn derive_db_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match parser::parse_enum(&input) {
        Ok(def) => enum_impl(&input, &def).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Declares a sequence from a unit struct: `#[sequence(name = "order_numbers", start = 1000)]`.
#[proc_macro_derive(Sequence, attributes(sequence))]
pub fn derive_sequence(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let def = match parser::parse_sequence(&input) {
        Ok(def) => def,
        Err(e) => return e.to_compile_error().into(),
    };
    let json = match to_json(&def) {
        Ok(json) => json,
        Err(e) => return e.to_compile_error().into(),
    };
    let ident = &input.ident;
    quote! {
        impl ::schema_core::Sequence for #ident {
            fn sequence_def() -> ::schema_core::SequenceDef {
                ::schema_core::__private::def_from_json(#json)
            }
        }
    }
    .into()
}

/// Declares a view from a struct whose fields are its columns:
/// `#[view(name = "open_issues", sql = "SELECT id, title FROM issues")]`.
#[proc_macro_derive(View, attributes(view, column))]
pub fn derive_view(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let def = match parser::parse_view(&input) {
        Ok(def) => def,
        Err(e) => return e.to_compile_error().into(),
    };
    let json = match to_json(&def) {
        Ok(json) => json,
        Err(e) => return e.to_compile_error().into(),
    };
    let ident = &input.ident;
    let relation = queries::Relation::view(&def);
    let consts = queries::consts(&input, &relation);
    let from_row = queries::from_row(&input, &relation);
    quote! {
        impl ::schema_core::View for #ident {
            fn view_def() -> ::schema_core::ViewDef {
                ::schema_core::__private::def_from_json(#json)
            }
        }
        #consts
        #from_row
    }
    .into()
}

fn to_json<T: serde::Serialize>(value: &T) -> syn::Result<String> {
    serde_json::to_string(value).map_err(|e| {
        syn::Error::new(
            proc_macro2::Span::call_site(),
            format!("internal error: {e}"),
        )
    })
}

fn table_impl(input: &DeriveInput, parsed: &parser::ParsedTable) -> TokenStream2 {
    let ident = &input.ident;
    let json = match to_json(&parsed.def) {
        Ok(json) => json,
        Err(e) => return e.to_compile_error(),
    };
    let markers = column_markers(input, parsed);
    let consts = queries::consts(input, &queries::Relation::table(parsed));
    let checks = parsed
        .type_checks
        .iter()
        .enumerate()
        .map(|(i, c)| type_check(ident, i, c));
    quote! {
        impl ::schema_core::Table for #ident {
            fn table_def() -> ::schema_core::TableDef {
                ::schema_core::__private::def_from_json(#json)
            }
        }
        #[allow(dead_code, non_snake_case, private_interfaces, clippy::all)]
        const _: () = {
            impl #ident {
                #(#markers)*
            }
            #(#checks)*
        };
        #consts
    }
}

/// `__schema_column_<field>()` for every field: a `Column<T>` marker for a column, a
/// `Skipped<T>` one for a `#[column(skip)]` field. `references` checks call these, so they work
/// from any module whatever the fields' privacy, and reject skipped fields.
fn column_markers(input: &DeriveInput, parsed: &parser::ParsedTable) -> Vec<TokenStream2> {
    let syn::Data::Struct(data) = &input.data else {
        return Vec::new();
    };
    data.fields
        .iter()
        .filter_map(|field| {
            let name = field.ident.as_ref()?;
            let marker = marker_ident(name);
            let ty = &field.ty;
            let kind = if parsed.skipped.contains(name) {
                quote!(Skipped)
            } else {
                quote!(Column)
            };
            Some(quote! {
                #[doc(hidden)]
                pub const fn #marker() -> ::schema_core::__private::#kind<#ty> {
                    ::schema_core::__private::#kind::new()
                }
            })
        })
        .collect()
}

fn marker_ident(field: &syn::Ident) -> syn::Ident {
    let mut ident = format_ident!("__schema_column_{}", field.unraw());
    ident.set_span(field.span());
    ident
}

/// Gives every token `span`, so an error on the tokens points at one place.
fn respan(tokens: TokenStream2, span: Span) -> TokenStream2 {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = TokenTree::Group(inner);
            }
            tree.set_span(span);
            tree
        })
        .collect()
}

fn type_check(ident: &syn::Ident, i: usize, check: &TypeCheck) -> TokenStream2 {
    match check {
        TypeCheck::Reference {
            field,
            target,
            target_field,
        } => reference_check(ident, i, field, target, target_field, Wording::Field),
        TypeCheck::KeyColumn {
            field,
            target,
            target_field,
        } => reference_check(ident, i, field, target, target_field, Wording::Struct),
        TypeCheck::DbEnum { ty, default } => {
            let span = ty.span();
            let assert_enum =
                quote_spanned!(span=> ::schema_core::__private::assert_db_enum::<#ty>(););
            let f = format_ident!("__check_db_enum_{}", i);
            let default_check = default.as_ref().map(|lit| {
                let message = format!(
                    "default \"{}\" names no value of enum `{}`; a default names one of the enum's SQL labels (the snake_case variant names, or their #[db_enum(rename = ..)])",
                    lit.value(),
                    quote!(#ty).to_string().replace(' ', "")
                );
                // The message holds the user's label: it is an argument, never the format string.
                quote_spanned!(lit.span()=>
                    const _: () = ::core::assert!(
                        ::schema_core::__private::contains(<#ty as ::schema_core::DbEnum>::VALUES, #lit),
                        "{}",
                        #message
                    );
                )
            });
            quote! {
                fn #f() { #assert_enum }
                #default_check
            }
        }
    }
}

/// Which attribute a reference check is worded for.
#[derive(Clone, Copy)]
enum Wording {
    /// `#[column(references = Target::field)]`.
    Field,
    /// `#[foreign_key(columns(..), references = Target, ref_columns(..))]`.
    Struct,
}

/// `references = Target::target_field` on `field` (or one column pair of a struct's
/// `#[foreign_key(..)]`): `Target` is a `Table`; it has a column `target_field` (its marker
/// exists and is not a skip marker; when there is none, a local fallback trait gives the
/// error); the two fields' types agree.
fn reference_check(
    ident: &syn::Ident,
    i: usize,
    field: &syn::Ident,
    target: &syn::Path,
    target_field: &syn::Ident,
    wording: Wording,
) -> TokenStream2 {
    let f = format_ident!("__check_reference_{}", i);
    let assert_table =
        quote_spanned!(target.span()=> ::schema_core::__private::assert_table::<#target>(););
    let target_marker = marker_ident(target_field);
    let field_marker = marker_ident(field);
    // `on_unimplemented` strings are format strings (`{Self}`); these hold only identifiers and
    // `::` (the parser refuses a generic `references` path), so no user text can add a brace.
    let target_name = quote!(#target).to_string().replace(' ', "");
    let missing = format!(
        "`{target_name}` has no column field `{}`",
        target_field.unraw()
    );
    let label = format!(
        "no column field `{}` in `{target_name}`",
        target_field.unraw()
    );
    let note = match wording {
        Wording::Field => format!(
            "`references` names a column field of a #[derive(Table)] struct (not a #[column(skip)] field), for example: #[column(references = {target_name}::id)]"
        ),
        Wording::Struct => format!(
            "`ref_columns` names column fields of the referenced #[derive(Table)] struct (not #[column(skip)] fields), for example: #[foreign_key(columns(a, b), references = {target_name}, ref_columns(x, y))]"
        ),
    };
    let target_marker_call = respan(quote!(#target::#target_marker()), target_field.span());
    let field_marker_call = respan(quote!(#ident::#field_marker()), field.span());
    let assert_fk = respan(
        quote!(::schema_core::__private::assert_foreign_key_type),
        target_field.span(),
    );
    quote! {
        fn #f() {
            #assert_table
            #[diagnostic::on_unimplemented(message = #missing, label = #label, note = #note)]
            trait __NoColumn {}
            trait __Fallback {
                fn #target_marker<X>() -> ::schema_core::__private::Column<X>
                where
                    Self: __NoColumn,
                {
                    ::schema_core::__private::Column::new()
                }
            }
            impl<T: ?Sized> __Fallback for T {}
            #assert_fk(#target_marker_call, #field_marker_call);
        }
    }
}

fn enum_impl(input: &DeriveInput, def: &schema_core::EnumDef) -> TokenStream2 {
    let ident = &input.ident;
    let json = match to_json(def) {
        Ok(json) => json,
        Err(e) => return e.to_compile_error(),
    };
    let values = &def.values;
    let sqlx = queries::enum_sqlx(input, def);
    quote! {
        #sqlx
        impl ::schema_core::DbEnum for #ident {
            const VALUES: &'static [&'static str] = &[#(#values),*];
            fn enum_def() -> ::schema_core::EnumDef {
                ::schema_core::__private::def_from_json(#json)
            }
        }
    }
}
