//! PostgreSQL SQL for index keys (issue 13): expressions, operator classes, order, storage
//! parameters; what a change of each does, and what a column rename does not.

use crate::build::*;
use insta::assert_snapshot;
use schema_core::model::{Index, IndexKey, KeyTarget, Nulls};

fn base() -> TableBuilder {
    table("t").col(int("a")).col(int("b")).col(text("c").null())
}

fn key(target: KeyTarget, opclass: Option<&str>, desc: bool, nulls: Option<Nulls>) -> IndexKey {
    IndexKey {
        target,
        opclass: opclass.map(String::from),
        desc,
        nulls,
    }
}

fn col(c: &str) -> KeyTarget {
    KeyTarget::Column(c.into())
}

fn expr(e: &str) -> KeyTarget {
    KeyTarget::Expression(e.into())
}

/// `base()` with an index `name` on `keys` and `with`.
fn keyed(name: &str, keys: Vec<IndexKey>, with: &[(&str, &str)]) -> TableBuilder {
    base().index(&["a"]).with_index(|i: &mut Index| {
        i.name = name.into();
        i.set_keys(keys);
        i.with = with
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    })
}

#[test]
fn keyed_indexes_are_created_with_every_part() {
    let after = tables(vec![base()
        .index(&["a"])
        .with_index(|i| {
            i.name = "t_lower_c_idx".into();
            i.unique = true;
            i.set_keys(vec![key(
                expr("lower(c)"),
                Some("text_pattern_ops"),
                false,
                None,
            )]);
            i.predicate = Some("a > 0".into());
        })
        .index(&["a"])
        .with_index(|i| {
            i.name = "t_a_b_idx".into();
            i.set_keys(vec![
                key(col("a"), None, true, Some(Nulls::Last)),
                key(col("b"), None, false, Some(Nulls::First)),
            ]);
            i.with = [("fillfactor".to_string(), "70".to_string())].into();
        })]);
    assert_snapshot!(check(&tables(vec![base()]), &after));
}

#[test]
fn changed_order_or_storage_parameters_drop_and_create() {
    let before = tables(vec![keyed(
        "t_a_idx",
        vec![key(col("a"), None, true, None)],
        &[("fillfactor", "70")],
    )]);
    let order = tables(vec![keyed(
        "t_a_idx",
        vec![key(col("a"), None, false, None)],
        &[("fillfactor", "70")],
    )]);
    let with = tables(vec![keyed(
        "t_a_idx",
        vec![key(col("a"), None, true, None)],
        &[("fillfactor", "90")],
    )]);
    assert_snapshot!(format!(
        "{}\n--\n{}",
        check(&before, &order),
        check(&before, &with)
    ));
}

#[test]
fn plain_keys_are_the_columns_form_and_no_change() {
    let mut plain = Index {
        name: "t_a_idx".into(),
        columns: Vec::new(),
        keys: Vec::new(),
        unique: false,
        predicate: None,
        using: None,
        with: Default::default(),
        concurrently: false,
        nulls_not_distinct: false,
    };
    plain.set_keys(vec![key(col("a"), None, false, None)]);
    assert_eq!(plain.columns, ["a"]);
    assert!(plain.keys.is_empty());
    let before = tables(vec![base().index(&["a"])]);
    let after = tables(vec![base().index(&["a"]).with_index(|i| *i = plain)]);
    assert!(changes(&before, &after).is_empty());
}

#[test]
fn a_renamed_column_renames_a_column_key_but_rebuilds_an_expression() {
    let before = tables(vec![keyed(
        "t_a_idx",
        vec![key(col("a"), None, true, None)],
        &[],
    )
    .index(&["b"])
    .with_index(|i| {
        i.name = "t_b_expr_idx".into();
        i.set_keys(vec![key(expr("b + 1"), None, false, None)]);
    })]);
    let after = table("t")
        .col(int("x").was("a"))
        .col(int("y").was("b"))
        .col(text("c").null())
        .index(&["x"])
        .with_index(|i| {
            i.name = "t_a_idx".into();
            i.set_keys(vec![key(col("x"), None, true, None)]);
        })
        .index(&["y"])
        .with_index(|i| {
            i.name = "t_b_expr_idx".into();
            i.set_keys(vec![key(expr("y + 1"), None, false, None)]);
        });
    assert_snapshot!(check(&before, &tables(vec![after])));
}
