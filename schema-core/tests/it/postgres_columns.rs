//! PostgreSQL SQL for columns: add, drop, rename, type, nullability, default, identity.

use crate::build::*;
use insta::assert_snapshot;
use schema_core::diff::{ColumnRename, Renames};
use schema_core::model::Column;

fn one(columns: Vec<Column>) -> schema_core::model::Schema {
    let mut t = table("accounts").id();
    for c in columns {
        t = t.col(c);
    }
    tables(vec![t])
}

#[test]
fn add_nullable_column() {
    assert_snapshot!(check(&one(vec![]), &one(vec![text("bio").null()])));
}

#[test]
fn add_not_null_column_with_default() {
    assert_snapshot!(check(
        &one(vec![]),
        &one(vec![col("active", builtin("boolean")).default("true")])
    ));
}

#[test]
fn add_not_null_column_without_default() {
    assert_snapshot!(check(&one(vec![]), &one(vec![text("email")])));
}

#[test]
fn add_identity_column_and_array_column() {
    let after = one(vec![
        col("seq", builtin("bigint")).identity(),
        col("tags", array(builtin("text"))).default("'{}'"),
    ]);
    assert_snapshot!(check(&one(vec![]), &after));
}

#[test]
fn drop_column() {
    assert_snapshot!(check(&one(vec![text("bio").null()]), &one(vec![])));
}

#[test]
fn rename_column() {
    assert_snapshot!(check(
        &one(vec![text("name")]),
        &one(vec![text("full_name").was("name")])
    ));
}

#[test]
fn rename_column_onto_a_dropped_name() {
    let before = one(vec![text("a"), text("b")]);
    let rename = ColumnRename {
        table: "public.accounts".into(),
        from: "a".into(),
        to: "b".into(),
    };
    assert_snapshot!(check_with(
        &before,
        &one(vec![text("b")]),
        &Renames {
            columns: vec![rename],
            ..Default::default()
        }
    ));
}

#[test]
fn swap_column_names() {
    let before = one(vec![text("a"), int("b")]);
    let rename = |from: &str, to: &str| ColumnRename {
        table: "public.accounts".into(),
        from: from.into(),
        to: to.into(),
    };
    let renames = Renames {
        columns: vec![rename("a", "b"), rename("b", "a")],
        ..Default::default()
    };
    assert_snapshot!(check_with(
        &before,
        &one(vec![text("b"), int("a")]),
        &renames
    ));
}

#[test]
fn change_column_type() {
    let before = one(vec![text("email")]);
    assert_snapshot!(check(
        &before,
        &one(vec![col("email", builtin("character varying(320)"))])
    ));
}

#[test]
fn change_column_type_with_default() {
    let before = one(vec![int("score").default("0")]);
    assert_snapshot!(check(
        &before,
        &one(vec![col("score", builtin("bigint")).default("0")])
    ));
}

#[test]
fn set_and_drop_not_null() {
    let before = one(vec![text("a").null(), text("b")]);
    assert_snapshot!(check(&before, &one(vec![text("a"), text("b").null()])));
}

#[test]
fn set_change_and_drop_default() {
    let before = one(vec![int("a"), int("b").default("1"), int("c").default("2")]);
    let after = one(vec![int("a").default("0"), int("b").default("5"), int("c")]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn add_identity() {
    let before = tables(vec![table("t").col(int("id").default("0")).pk(&["id"])]);
    let after = tables(vec![table("t").col(int("id").identity()).pk(&["id"])]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn drop_identity() {
    let after = tables(vec![table("accounts").col(int("id")).pk(&["id"])]);
    assert_snapshot!(check(&one(vec![]), &after));
}

#[test]
fn rename_and_retype_column_together() {
    let before = one(vec![int("n")]);
    assert_snapshot!(check(
        &before,
        &one(vec![col("total", builtin("bigint")).was("n")])
    ));
}

fn order_items(columns: Vec<Column>) -> schema_core::model::Schema {
    let mut t = table("order_items").id();
    for c in columns {
        t = t.col(c);
    }
    tables(vec![t])
}

/// One `ALTER TABLE` for the whole table: PostgreSQL rewrites it once, not once per column.
#[test]
fn two_type_changes_on_one_table_share_one_alter_table() {
    let before = order_items(vec![
        int("quantity"),
        col("price", builtin("numeric(10,2)")),
    ]);
    let after = order_items(vec![
        col("quantity", builtin("bigint")),
        col("price", builtin("numeric(12,2)")),
    ]);
    let sql = check(&before, &after);
    assert_eq!(sql.matches("ALTER TABLE").count(), 1, "{sql}");
    assert_snapshot!(sql);
}

/// The `UPDATE` that fills NULLs goes before the table's `ALTER TABLE` when it only retypes
/// other columns, and after a type change of its own column, whose new type its value has.
#[test]
fn fill_nulls_goes_before_the_alter_table_unless_its_column_is_retyped() {
    let before = order_items(vec![
        int("quantity"),
        text("note").null(),
        int("rank").null(),
    ]);
    let after = order_items(vec![
        col("quantity", builtin("bigint")),
        text("note").default("''"),
        col("rank", builtin("bigint")).default("0"),
    ]);
    let sql = check(&before, &after);
    assert_snapshot!(sql);
}
