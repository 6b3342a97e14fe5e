//! MySQL SQL for keys and indexes of existing tables: uniques (as indexes), indexes with
//! `USING BTREE`, foreign keys and the indexes they need, checks.

use crate::build::*;
use crate::mysql_build::check;
use insta::assert_snapshot;
use schema_core::model::{FkAction, Schema};

fn with_child(child: TableBuilder) -> Schema {
    tables(vec![table("accounts").id(), child])
}

fn posts() -> TableBuilder {
    table("posts").id().col(int("author_id")).col(text("slug"))
}

#[test]
fn add_and_drop_unique() {
    let before = with_child(posts());
    let after = with_child(posts().unique(&["slug"]));
    assert_snapshot!("add_unique", check(&before, &after));
    assert_snapshot!("drop_unique", check(&after, &before));
}

#[test]
fn add_and_drop_index_using_btree() {
    let before = with_child(posts());
    let after = with_child(
        posts()
            .index(&["slug", "author_id"])
            .with_index(|i| i.using = Some("btree".into())),
    );
    assert_snapshot!("add_index", check(&before, &after));
    assert_snapshot!("drop_index", check(&after, &before));
}

#[test]
fn add_and_drop_foreign_key_with_its_index() {
    let before = with_child(posts());
    let after = with_child(
        posts()
            .fk(&["author_id"], "accounts", &["id"])
            .on(FkAction::Cascade, FkAction::Restrict),
    );
    assert_snapshot!("add_foreign_key", check(&before, &after));
    assert_snapshot!("drop_foreign_key", check(&after, &before));
}

#[test]
fn change_foreign_key_action() {
    let posts = || table("posts").id().col(int("author_id").null());
    let before = with_child(posts().fk(&["author_id"], "accounts", &["id"]));
    let after = with_child(
        posts()
            .fk(&["author_id"], "accounts", &["id"])
            .on(FkAction::SetNull, FkAction::NoAction),
    );
    assert_snapshot!(check(&before, &after));
}

#[test]
fn an_index_covering_a_foreign_key_replaces_its_index_after_it_is_built() {
    let before = with_child(posts().fk(&["author_id"], "accounts", &["id"]));
    let after = with_child(posts().index(&["author_id", "slug"]).fk(
        &["author_id"],
        "accounts",
        &["id"],
    ));
    assert_snapshot!("covering_index_added", check(&before, &after));
    assert_snapshot!("covering_index_dropped", check(&after, &before));
}

#[test]
fn a_changed_index_a_foreign_key_needs_is_dropped_and_added_in_one_statement() {
    let named = |columns: &[&str]| {
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        move |i: &mut schema_core::model::Index| {
            i.name = "posts_author_idx".into();
            i.columns = columns;
        }
    };
    let before = with_child(
        posts()
            .index(&["author_id"])
            .with_index(named(&["author_id"]))
            .fk(&["author_id"], "accounts", &["id"]),
    );
    let after = with_child(
        posts()
            .index(&["author_id"])
            .with_index(named(&["author_id", "slug"]))
            .fk(&["author_id"], "accounts", &["id"]),
    );
    assert_snapshot!(check(&before, &after));
}

#[test]
fn add_drop_and_change_check() {
    let before = with_child(
        posts()
            .check("posts_a", "`author_id` > 0")
            .check("posts_b", "`author_id` < 10"),
    );
    let after = with_child(
        posts()
            .check("posts_a", "`author_id` > 1")
            .check("posts_c", "`author_id` <> 5"),
    );
    assert_snapshot!(check(&before, &after));
}

#[test]
fn retyped_key_columns_drop_and_add_the_foreign_key_around_the_change() {
    let before = with_child(posts().fk(&["author_id"], "accounts", &["id"]));
    let after = tables(vec![
        table("accounts")
            .col(col("id", builtin("bigint")).identity())
            .pk(&["id"]),
        table("posts")
            .id()
            .col(col("author_id", builtin("bigint")))
            .col(text("slug"))
            .fk(&["author_id"], "accounts", &["id"]),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn a_needed_index_changed_with_the_primary_key_is_dropped_once() {
    let child = |index: &[&str], key: &[&str]| {
        let columns: Vec<String> = index.iter().map(|c| c.to_string()).collect();
        table("posts")
            .col(int("id"))
            .col(int("author_id"))
            .col(text("slug"))
            .pk(key)
            .index(&["author_id"])
            .with_index(move |i| {
                i.name = "posts_author_idx".into();
                i.columns = columns;
            })
            .fk(&["author_id"], "accounts", &["id"])
    };
    let before = with_child(child(&["author_id"], &["id"]));
    let after = with_child(child(&["author_id", "slug"], &["id", "slug"]));
    assert_snapshot!(check(&before, &after));
}

#[test]
fn a_primary_key_that_served_a_foreign_key_is_replaced_with_the_keys_index_in_one_statement() {
    let member = |key: &[&str]| {
        table("memberships")
            .col(int("account_id"))
            .col(int("team_id"))
            .pk(key)
            .fk(&["account_id"], "accounts", &["id"])
    };
    let before = with_child(member(&["account_id", "team_id"]));
    let after = with_child(member(&["team_id", "account_id"]));
    assert_snapshot!(check(&before, &after));
}
