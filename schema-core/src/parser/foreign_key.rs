//! `#[foreign_key(columns(a, b), references = Other, ref_columns(x, y), name, on_delete,
//! on_update)]` on a `#[derive(Table)]` struct: a foreign key over one or several columns.
//!
//! The referenced struct and its fields are left to the compiler, pair by pair, as a field's
//! `references = Other::x` is ([`TypeCheck::KeyColumn`]).

use super::column::parse_action;
use super::table::{column_list, field_name, required_columns, TypeCheck};
use super::{check_duplicate, key_of, non_empty_value, skip_value, unknown_key, value_expr};
use super::{Errors, SpanOf};
use crate::def::ForeignKeyDef;
use syn::{Expr, Ident};

const KEYS: &[&str] = &[
    "columns",
    "references",
    "ref_columns",
    "name",
    "on_delete",
    "on_update",
];
const EXAMPLE: &str = "#[foreign_key(columns(order_id, line), references = OrderLine, ref_columns(order_id, line), on_delete = \"cascade\")]";
const REFERENCES: &str = "`references` names the referenced #[derive(Table)] struct, and `ref_columns(..)` its fields; for example: #[foreign_key(columns(order_id, line), references = OrderLine, ref_columns(order_id, line))]";

/// One struct-level foreign key: its definition, the fields as written and the compiler's
/// checks of the referenced fields.
pub(super) struct ParsedForeignKey {
    pub(super) def: ForeignKeyDef,
    /// This struct's fields, for the list check.
    pub(super) columns: Vec<Ident>,
    pub(super) type_checks: Vec<TypeCheck>,
}

/// Parses one `#[foreign_key(..)]`; `None` when it is too broken to describe (recorded).
pub(super) fn parse(attr: &syn::Attribute, errors: &mut Errors) -> Option<ParsedForeignKey> {
    let mut columns = None;
    let mut ref_columns = None;
    let mut target = None;
    let mut name = None;
    let (mut on_delete, mut on_update) = (None, None);
    let mut seen = Vec::new();
    let result = attr.parse_nested_meta(|meta| {
        let key = key_of(&meta);
        if check_duplicate(&mut seen, &meta, &key, errors, EXAMPLE) {
            return skip_value(&meta).map(drop);
        }
        match key.as_str() {
            "columns" => columns = Some(column_list(&meta, errors, EXAMPLE)),
            "ref_columns" => ref_columns = Some(column_list(&meta, errors, EXAMPLE)),
            "references" => {
                target = Some(value_expr(&meta, errors, REFERENCES).and_then(|e| path(e, errors)))
            }
            "name" => name = non_empty_value(&meta, errors, EXAMPLE).map(|l| l.value()),
            "on_delete" => on_delete = parse_action(&meta, errors, EXAMPLE),
            "on_update" => on_update = parse_action(&meta, errors, EXAMPLE),
            _ => {
                errors.push(
                    meta.path.span_of(),
                    unknown_key(&key, "foreign_key", KEYS, EXAMPLE),
                );
                return skip_value(&meta).map(drop);
            }
        }
        Ok(())
    });
    errors.ok(result)?;
    let needs = |what: &str| {
        syn::Error::new_spanned(
            attr,
            format!("#[foreign_key] needs {what}, for example: {EXAMPLE}"),
        )
    };
    let columns = match errors.ok(required_columns(attr, columns, "foreign_key", EXAMPLE)) {
        Some(Some(list)) => Some(list),
        _ => None,
    };
    let ref_columns = match ref_columns {
        Some(Some(list)) if !list.is_empty() => Some(list),
        Some(Some(_)) | None => {
            errors.add(needs(
                "`ref_columns(...)` naming fields of the referenced struct",
            ));
            None
        }
        Some(None) => None,
    };
    let target = match target {
        Some(target) => target,
        None => {
            errors.add(needs("`references = Struct`, the referenced struct"));
            None
        }
    };
    let (columns, ref_columns, target) = (columns?, ref_columns?, target?);
    if columns.len() != ref_columns.len() {
        errors.push(
            ref_columns[0].span(),
            format!(
                "#[foreign_key] lists {} column(s) but {} referenced column(s); `ref_columns(..)` names one field of the referenced struct for each field in `columns(..)`, in the same order",
                columns.len(),
                ref_columns.len()
            ),
        );
        return None;
    }
    let type_checks = columns
        .iter()
        .zip(&ref_columns)
        .map(|(field, target_field)| TypeCheck::KeyColumn {
            field: field.clone(),
            target: target.clone(),
            target_field: target_field.clone(),
        })
        .collect();
    let def = ForeignKeyDef {
        columns: columns.iter().map(field_name).collect(),
        table: target
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        ref_columns: ref_columns.iter().map(field_name).collect(),
        name,
        on_delete: on_delete.map(|(_, a)| a).unwrap_or_default(),
        on_update: on_update.map(|(_, a)| a).unwrap_or_default(),
    };
    Some(ParsedForeignKey {
        def,
        columns,
        type_checks,
    })
}

/// The path of `references = Other`: a struct, with no generic arguments.
fn path(expr: Expr, errors: &mut Errors) -> Option<syn::Path> {
    match expr {
        Expr::Path(p)
            if p.qself.is_none() && p.path.segments.iter().all(|s| s.arguments.is_empty()) =>
        {
            Some(p.path)
        }
        other => {
            errors.push_spanned(&other, REFERENCES);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::def::TableDef;
    use crate::model::FkAction;
    use crate::parser::parse_table;
    use crate::resolve::resolve;

    fn def(input: syn::DeriveInput) -> TableDef {
        parse_table(&input).unwrap_or_else(|e| panic!("{e}"))
    }

    fn errors(input: syn::DeriveInput) -> Vec<String> {
        match parse_table(&input) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn order() -> TableDef {
        def(syn::parse_quote! {
            #[table(name = "orders")]
            #[primary_key(region, number, name = "orders_pk")]
            #[unique(columns(code, region))]
            struct Order { region: i32, number: i64, code: i32, note: i32 }
        })
    }

    #[test]
    fn a_struct_key_reads_its_columns_target_and_actions() {
        let line = def(syn::parse_quote! {
            #[foreign_key(columns(r, n), references = crate::orders::Order, ref_columns(region, number), on_delete = "cascade")]
            struct Line { #[column(primary_key)] id: i64, r: i32, n: i64 }
        });
        let fk = &line.foreign_keys[0];
        assert_eq!(
            (fk.columns.as_slice(), fk.table.as_str()),
            (&["r".to_string(), "n".to_string()][..], "Order")
        );
        assert_eq!(fk.ref_columns, ["region", "number"]);
        assert_eq!(
            (fk.on_delete, fk.on_update),
            (FkAction::Cascade, FkAction::NoAction)
        );
        assert_eq!(order().primary_key_name.as_deref(), Some("orders_pk"));
    }

    #[test]
    fn mistakes_are_all_reported() {
        let found = errors(syn::parse_quote! {
            #[foreign_key(columns(r), references = Order, ref_columns(region, number))]
            #[foreign_key(columns(r), ref_columns(region), colums(r))]
            #[index(columns(r), nulls_not_distinct)]
            struct Line { #[column(primary_key)] id: i64, r: i32 }
        });
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(
            found[0].contains("lists 1 column(s) but 2 referenced"),
            "{found:#?}"
        );
        assert!(found[1].contains("unknown key `colums`"), "{found:#?}");
        assert!(
            found[2].contains("needs `references = Struct`"),
            "{found:#?}"
        );
        assert!(
            found[3].contains("applies to a unique index only"),
            "{found:#?}"
        );
    }

    #[test]
    fn resolve_names_keys_and_checks_the_referenced_set() {
        let to_pk = def(syn::parse_quote! {
            #[foreign_key(columns(n, r), references = Order, ref_columns(number, region))]
            #[foreign_key(columns(r, c), references = Order, ref_columns(region, code), name = "line_code_fk")]
            struct Line { #[column(primary_key)] id: i64, r: i32, n: i64, c: i32 }
        });
        let schema = resolve(&[order(), to_pk], &[]).unwrap_or_else(|e| panic!("{e:?}"));
        let t = &schema.tables["public.line"];
        let names: Vec<&str> = t.foreign_keys.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["line_code_fk", "line_n_r_fkey"]);
        assert_eq!(
            schema.tables["public.orders"]
                .primary_key
                .as_ref()
                .map(|p| p.name.as_str()),
            Some("orders_pk")
        );
        let no_key = def(syn::parse_quote! {
            #[foreign_key(columns(r, c), references = Order, ref_columns(region, note))]
            struct Line { #[column(primary_key)] id: i64, r: i32, c: i32 }
        });
        let errors = resolve(&[order(), no_key], &[]).err().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(
            errors[0]
                .message
                .contains("neither its primary key nor a unique set"),
            "{errors:#?}"
        );
    }

    /// PostgreSQL takes the referenced columns in any order; MySQL needs a key's order.
    #[test]
    fn mysql_refuses_referenced_columns_out_of_key_order() {
        use crate::render::{Dialect, Mysql, Postgres};
        let line = |reversed: bool| {
            let mut d = def(syn::parse_quote! {
                #[foreign_key(columns(r, n), references = Order, ref_columns(region, number))]
                struct Line { #[column(primary_key)] id: i64, r: i32, n: i64 }
            });
            if reversed {
                d.foreign_keys[0].columns.reverse();
                d.foreign_keys[0].ref_columns.reverse();
            }
            d
        };
        for reversed in [false, true] {
            let defs = [order(), line(reversed)];
            let schema = resolve(&defs, &[]).unwrap_or_else(|e| panic!("{e:?}"));
            assert!(Postgres.adapt(schema.clone(), &defs).is_ok());
            let adapted = Mysql.adapt(schema, &defs);
            match (reversed, adapted) {
                (false, Ok(_)) => {}
                (true, Err(e)) => {
                    assert_eq!(e.len(), 1, "{e:#?}");
                    assert!(
                        e[0].message
                            .contains("in the order of its key (region, number)"),
                        "{e:#?}"
                    );
                    assert_eq!(e[0].rust_name, "Line");
                }
                (_, other) => panic!("reversed {reversed}: {other:?}"),
            }
        }
    }
}
