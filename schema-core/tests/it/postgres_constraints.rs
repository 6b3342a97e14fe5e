//! PostgreSQL SQL for keys, uniques, checks, indexes and foreign keys.

use crate::build::*;
use insta::assert_snapshot;
use schema_core::model::FkAction;

fn base() -> TableBuilder {
    table("t").col(int("a")).col(int("b")).col(text("c").null())
}

#[test]
fn add_primary_key() {
    assert_snapshot!(check(
        &tables(vec![base()]),
        &tables(vec![base().pk(&["a"])])
    ));
}

#[test]
fn drop_primary_key() {
    assert_snapshot!(check(
        &tables(vec![base().pk(&["a"])]),
        &tables(vec![base()])
    ));
}

#[test]
fn change_primary_key_to_composite() {
    assert_snapshot!(check(
        &tables(vec![base().pk(&["a"])]),
        &tables(vec![base().pk(&["a", "b"])])
    ));
}

#[test]
fn add_and_drop_unique() {
    let before = tables(vec![base().unique(&["a"])]);
    assert_snapshot!(check(&before, &tables(vec![base().unique(&["b", "c"])])));
}

#[test]
fn add_drop_and_change_check() {
    let before = tables(vec![base()
        .check("t_a_check", "a > 0")
        .check("t_b_check", "b > 0")]);
    let after = tables(vec![base()
        .check("t_a_check", "a >= 0")
        .check("t_c_check", "c <> ''")]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn add_and_drop_index() {
    let before = tables(vec![base().index(&["a"])]);
    assert_snapshot!(check(&before, &tables(vec![base().index(&["b", "a"])])));
}

#[test]
fn unique_partial_and_gin_indexes() {
    let after = base()
        .col(col("tags", array(builtin("text"))))
        .index(&["c"])
        .with_index(|i| {
            i.unique = true;
            i.predicate = Some("c IS NOT NULL".into());
        })
        .index(&["tags"])
        .with_index(|i| i.using = Some("gin".into()));
    let before = base().col(col("tags", array(builtin("text"))));
    assert_snapshot!(check(&tables(vec![before]), &tables(vec![after])));
}

#[test]
fn changed_index_is_dropped_and_created() {
    let before = tables(vec![base().index(&["a"])]);
    let after = tables(vec![base()
        .index(&["a"])
        .with_index(|i| i.predicate = Some("b > 0".into()))]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn concurrent_index_on_existing_table() {
    let after = tables(vec![base()
        .index(&["a"])
        .with_index(|i| i.concurrently = true)]);
    assert_snapshot!(check(&tables(vec![base()]), &after));
}

#[test]
fn index_renamed_when_only_its_name_changes() {
    let before = tables(vec![base().index(&["a"])]);
    let after = tables(vec![base()
        .index(&["a"])
        .with_index(|i| i.name = "t_by_a".into())]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn renamed_column_renames_nothing_but_derived_names() {
    let before = tables(vec![base().unique(&["a"]).index(&["b"])]);
    let after = table("t")
        .col(int("x").was("a"))
        .col(int("y").was("b"))
        .col(text("c").null())
        .unique(&["x"])
        .index(&["y"]);
    assert_snapshot!(check(&before, &tables(vec![after])));
}

fn parent() -> TableBuilder {
    table("parent").id()
}

#[test]
fn add_foreign_key() {
    let before = tables(vec![parent(), base()]);
    let after = tables(vec![
        parent(),
        base()
            .fk(&["a"], "parent", &["id"])
            .on(FkAction::Cascade, FkAction::Restrict),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn drop_foreign_key() {
    let before = tables(vec![parent(), base().fk(&["a"], "parent", &["id"])]);
    assert_snapshot!(check(&before, &tables(vec![parent(), base()])));
}

#[test]
fn change_foreign_key_action() {
    let before = tables(vec![parent(), base().fk(&["a"], "parent", &["id"])]);
    let after = tables(vec![
        parent(),
        base()
            .fk(&["a"], "parent", &["id"])
            .on(FkAction::SetNull, FkAction::NoAction),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn retyped_foreign_key_columns_drop_and_add_the_key() {
    let before = tables(vec![parent(), base().fk(&["a"], "parent", &["id"])]);
    let parent_big = table("parent")
        .col(col("id", builtin("bigint")).identity())
        .pk(&["id"]);
    let child_big = table("t")
        .col(col("a", builtin("bigint")))
        .col(int("b"))
        .col(text("c").null())
        .fk(&["a"], "parent", &["id"]);
    assert_snapshot!(check(&before, &tables(vec![parent_big, child_big])));
}

#[test]
fn dropped_referenced_key_drops_the_foreign_key_first() {
    let before = tables(vec![
        table("parent")
            .col(int("id"))
            .col(int("code"))
            .unique(&["code"]),
        base().fk(&["a"], "parent", &["code"]),
    ]);
    let after = tables(vec![
        table("parent")
            .col(int("id"))
            .col(int("code"))
            .pk(&["code"]),
        base().fk(&["a"], "parent", &["code"]),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn foreign_key_follows_renamed_table_and_column() {
    let before = tables(vec![
        table("accounts").col(int("id")).pk(&["id"]),
        table("projects")
            .id()
            .col(int("owner"))
            .fk(&["owner"], "accounts", &["id"]),
    ]);
    let after = tables(vec![
        table("users")
            .was("accounts")
            .col(int("user_id").was("id"))
            .pk(&["user_id"]),
        table("projects").id().col(int("owner_id").was("owner")).fk(
            &["owner_id"],
            "users",
            &["user_id"],
        ),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn dropped_table_foreign_key_to_retyped_column_goes_first() {
    let before = tables(vec![parent(), base().fk(&["a"], "parent", &["id"])]);
    let parent_text = table("parent").col(text("id")).pk(&["id"]);
    assert_snapshot!(check(&before, &tables(vec![parent_text])));
}
