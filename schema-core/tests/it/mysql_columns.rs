//! MySQL SQL for columns: add, drop, rename, and one `MODIFY COLUMN` for each changed column
//! (type, nullability, default, identity, enum values), and primary key changes.

use crate::build::*;
use crate::mysql_build::check;
use insta::assert_snapshot;
use schema_core::model::Column;

fn one(columns: Vec<Column>) -> schema_core::model::Schema {
    let mut t = table("accounts").id();
    for c in columns {
        t = t.col(c);
    }
    tables(vec![t])
}

#[test]
fn add_nullable_and_not_null_columns() {
    assert_snapshot!(check(
        &one(vec![]),
        &one(vec![
            text("bio").null(),
            col("active", builtin("boolean")).default("true"),
            col("joined_at", builtin("timestamp with time zone")).default("now()"),
            col("notes", builtin("longtext")).default("'none'"),
        ])
    ));
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
fn change_type_nullability_and_default_in_one_modify() {
    let before = one(vec![int("score").null(), text("a"), int("b").default("1")]);
    let after = one(vec![
        col("score", builtin("bigint")).default("0"),
        text("a").null(),
        int("b").default("2"),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn drop_default() {
    assert_snapshot!(check(
        &one(vec![int("b").default("1")]),
        &one(vec![int("b")])
    ));
}

#[test]
fn add_and_drop_identity() {
    let plain = tables(vec![table("t").col(int("id")).pk(&["id"])]);
    let numbered = tables(vec![table("t").col(int("id").identity()).pk(&["id"])]);
    assert_snapshot!("add_identity", check(&plain, &numbered));
    assert_snapshot!("drop_identity", check(&numbered, &plain));
}

#[test]
fn enum_value_added_and_removed() {
    let with = |values: &[&str]| {
        schema(
            vec![table("issues")
                .id()
                .col(col("state", enum_ty("state")).default("'open'"))],
            vec![db_enum("state", values)],
        )
    };
    let before = with(&["open", "closed"]);
    assert_snapshot!(
        "enum_value_added",
        check(&before, &with(&["open", "closed", "archived"]))
    );
    assert_snapshot!("enum_value_removed", check(&before, &with(&["open"])));
}

#[test]
fn primary_key_to_composite_with_a_new_column_keeps_auto_increment() {
    let before = tables(vec![table("events").id()]);
    let after = tables(vec![table("events")
        .col(int("id").identity())
        .col(int("shard").default("0"))
        .pk(&["id", "shard"])]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn primary_key_moves_to_a_new_column_and_the_old_one_is_dropped() {
    let before = tables(vec![table("events").id()]);
    let after = tables(vec![table("events")
        .col(col("uid", builtin("uuid")))
        .pk(&["uid"])]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn set_not_null_with_default_fills_nulls_first() {
    assert_snapshot!(check(
        &one(vec![text("nick").null()]),
        &one(vec![text("nick").default("'anon'")])
    ));
}

#[test]
fn swap_column_names_and_rename_with_a_new_type() {
    use schema_core::diff::{ColumnRename, Renames};
    let rename = |from: &str, to: &str| ColumnRename {
        table: "public.accounts".into(),
        from: from.into(),
        to: to.into(),
    };
    let renames = Renames {
        columns: vec![rename("a", "b"), rename("b", "a")],
        ..Default::default()
    };
    let before = one(vec![text("a"), int("b"), int("c")]);
    let after = one(vec![
        text("b"),
        int("a"),
        col("d", builtin("bigint")).was("c"),
    ]);
    assert_snapshot!(crate::mysql_build::check_with(&before, &after, &renames));
}

fn order_items(columns: Vec<Column>) -> schema_core::model::Schema {
    let mut t = table("order_items").id();
    for c in columns {
        t = t.col(c);
    }
    tables(vec![t])
}

/// One `ALTER TABLE` for the whole table: MySQL copies it once, not once per column.
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

/// The `UPDATE` that fills NULLs goes before the table's `ALTER TABLE`, which holds every
/// column's `MODIFY COLUMN`.
#[test]
fn fill_nulls_goes_before_the_one_alter_table() {
    let before = order_items(vec![int("quantity"), text("note").null()]);
    let after = order_items(vec![
        col("quantity", builtin("bigint")),
        text("note").default("''"),
    ]);
    assert_snapshot!(check(&before, &after));
}
