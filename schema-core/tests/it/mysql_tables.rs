//! MySQL SQL for tables: create with every type and an enum, keys, checks, foreign keys (a
//! cycle too), renames and drops.

use crate::build::*;
use crate::mysql_build::check;
use insta::assert_snapshot;
use schema_core::model::{FkAction, Schema};

fn empty() -> Schema {
    Schema::default()
}

#[test]
fn create_table_with_every_type_and_an_enum() {
    let t = table("everything")
        .id()
        .col(col("small", builtin("smallint")))
        .col(int("normal").default("0"))
        .col(col("big", builtin("bigint")).null())
        .col(col("ratio", builtin("real")))
        .col(col("score", builtin("double precision")).default("1.50"))
        .col(col("active", builtin("boolean")).default("true"))
        .col(text("title").default("'it''s'"))
        .col(col("code", builtin("character varying(40)")).null())
        .col(col("bytes", builtin("bytea")).null())
        .col(col("token", builtin("uuid")).default("uuid()"))
        .col(col("created_at", builtin("timestamp with time zone")).default("now()"))
        .col(col("seen_at", builtin("timestamp without time zone")).null())
        .col(col("day", builtin("date")).null())
        .col(col("at", builtin("time without time zone")).null())
        .col(col("amount", builtin("numeric")).default("0"))
        .col(col("price", builtin("numeric(10,2)")).default("1.5"))
        .col(col("doc", builtin("jsonb")).default("'{}'"))
        .col(col("body", builtin("mediumtext")).null())
        .col(col("state", enum_ty("issue_state")).default("'open'"));
    let after = schema(
        vec![t],
        vec![db_enum("issue_state", &["open", "it's", "closed"])],
    );
    assert_snapshot!(check(&empty(), &after));
}

#[test]
fn create_table_composite_primary_key_unique_index_and_check() {
    let after = tables(vec![table("memberships")
        .col(int("account_id"))
        .col(int("team_id"))
        .col(col("role", builtin("character varying(20)")))
        .col(int("rank").default("0"))
        .pk(&["account_id", "team_id"])
        .unique(&["team_id", "rank"])
        .index(&["role"])
        .with_index(|i| i.using = Some("BTREE".into()))
        .check("memberships_rank_check", "`rank` >= 0")]);
    assert_snapshot!(check(&empty(), &after));
}

#[test]
fn create_tables_foreign_keys_with_actions_a_cycle_and_a_self_reference() {
    let after = tables(vec![
        table("accounts")
            .id()
            .col(int("team_id").null())
            .fk(&["team_id"], "teams", &["id"])
            .on(FkAction::SetNull, FkAction::NoAction),
        table("teams")
            .id()
            .col(int("owner_id"))
            .col(int("parent_id").null())
            .index(&["owner_id"])
            .fk(&["owner_id"], "accounts", &["id"])
            .on(FkAction::Cascade, FkAction::Cascade)
            .fk(&["parent_id"], "teams", &["id"])
            .on(FkAction::Restrict, FkAction::NoAction),
    ]);
    assert_snapshot!(check(&empty(), &after));
}

#[test]
fn drop_tables_with_a_foreign_key_cycle() {
    let before = tables(vec![
        table("a").id().col(int("b_id")).fk(&["b_id"], "b", &["id"]),
        table("b").id().col(int("a_id")).fk(&["a_id"], "a", &["id"]),
        table("c").id(),
    ]);
    assert_snapshot!(check(&before, &tables(vec![table("c").id()])));
}

#[test]
fn rename_table_renames_derived_index_foreign_key_and_check_names() {
    let parent = || table("accounts").id();
    let before = tables(vec![
        parent(),
        table("posts")
            .id()
            .col(int("author_id"))
            .col(text("slug"))
            .unique(&["slug"])
            .fk(&["author_id"], "accounts", &["id"])
            .check("posts_check", "`author_id` > 0"),
    ]);
    let after = tables(vec![
        parent(),
        table("articles")
            .was("posts")
            .id()
            .col(int("author_id"))
            .col(text("slug"))
            .unique(&["slug"])
            .fk(&["author_id"], "accounts", &["id"])
            .check("articles_check", "`author_id` > 0"),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn quotes_identifiers_with_backticks() {
    let after = tables(vec![table("we`ird").id().col(text("na`me"))]);
    assert_snapshot!(check(&empty(), &after));
}
