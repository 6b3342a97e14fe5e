//! Derive macros `Table` and `DbEnum`: thin entry points over `schema_core::parser`, then code
//! generation. The definition is embedded as JSON so that the run-time description is exactly
//! what the parser read; checks that concern other items are handed to the type system.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{quote, quote_spanned};
use schema_core::parser::{self, TypeCheck};
use syn::spanned::Spanned;
use syn::{parse_macro_input, DeriveInput};

/// Declares a table: see the crate README for the attribute language.
#[proc_macro_derive(Table, attributes(table, index, unique, check, primary_key, column))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match parser::parse_table_full(&input) {
        Ok(parsed) => table_impl(&input, &parsed).into(),
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

fn to_json<T: serde::Serialize>(value: &T) -> syn::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| syn::Error::new(proc_macro2::Span::call_site(), format!("internal error: {e}")))
}

fn table_impl(input: &DeriveInput, parsed: &parser::ParsedTable) -> TokenStream2 {
    let ident = &input.ident;
    let json = match to_json(&parsed.def) {
        Ok(json) => json,
        Err(e) => return e.to_compile_error(),
    };
    let checks = parsed.type_checks.iter().enumerate().map(|(i, c)| type_check(ident, i, c));
    quote! {
        impl ::schema_core::Table for #ident {
            fn table_def() -> ::schema_core::TableDef {
                ::schema_core::__private::def_from_json(#json)
            }
        }
        #[allow(dead_code, non_snake_case, clippy::all)]
        const _: () = {
            #(#checks)*
        };
    }
}

fn type_check(ident: &syn::Ident, i: usize, check: &TypeCheck) -> TokenStream2 {
    match check {
        TypeCheck::Reference { field, target, target_field } => {
            let f = quote::format_ident!("__check_reference_{}", i);
            let span = target.span();
            let assert_table = quote_spanned!(span=> ::schema_core::__private::assert_table::<#target>(););
            let same_type = quote_spanned!(target_field.span()=>
                ::schema_core::__private::assert_foreign_key_type(&this.#field, &target.#target_field);
            );
            quote! {
                fn #f(this: &#ident, target: &#target) {
                    #assert_table
                    #same_type
                }
            }
        }
        TypeCheck::DbEnum { ty, default } => {
            let span = ty.span();
            let assert_enum = quote_spanned!(span=> ::schema_core::__private::assert_db_enum::<#ty>(););
            let f = quote::format_ident!("__check_db_enum_{}", i);
            let default_check = default.as_ref().map(|lit| {
                let message = format!("default \"{}\" names no value of enum `{}`", lit.value(), quote!(#ty).to_string().replace(' ', ""));
                quote_spanned!(lit.span()=>
                    const _: () = ::core::assert!(
                        ::schema_core::__private::contains(<#ty as ::schema_core::DbEnum>::VALUES, #lit),
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

fn enum_impl(input: &DeriveInput, def: &schema_core::EnumDef) -> TokenStream2 {
    let ident = &input.ident;
    let json = match to_json(def) {
        Ok(json) => json,
        Err(e) => return e.to_compile_error(),
    };
    let values = &def.values;
    quote! {
        impl ::schema_core::DbEnum for #ident {
            const VALUES: &'static [&'static str] = &[#(#values),*];
            fn enum_def() -> ::schema_core::EnumDef {
                ::schema_core::__private::def_from_json(#json)
            }
        }
    }
}
