//! PostgreSQL SQL for tables and schemas: create, drop, rename, move, dependency order.

use crate::build::*;
use insta::assert_snapshot;
use schema_core::diff::Renames;
use schema_core::model::{FkAction, Schema};

fn accounts() -> TableBuilder {
    table("accounts")
        .id()
        .col(col("email", builtin("character varying(320)")))
        .col(text("display_name").null())
        .col(col("created_at", builtin("timestamp with time zone")).default("now()"))
        .unique(&["email"])
        .index(&["created_at"])
}

#[test]
fn create_table() {
    assert_snapshot!(check(&Schema::default(), &tables(vec![accounts()])));
}

#[test]
fn create_table_composite_primary_key_and_check() {
    let t = table("memberships")
        .col(int("account_id"))
        .col(int("project_id"))
        .col(int("rank").default("0"))
        .pk(&["account_id", "project_id"])
        .check("memberships_rank_check", "rank >= 0");
    assert_snapshot!(check(&Schema::default(), &tables(vec![t])));
}

#[test]
fn create_tables_foreign_keys_come_last() {
    let projects = table("projects")
        .id()
        .col(int("owner_id"))
        .fk(&["owner_id"], "accounts", &["id"])
        .index(&["owner_id"]);
    assert_snapshot!(check(
        &Schema::default(),
        &tables(vec![projects, accounts()])
    ));
}

#[test]
fn create_tables_foreign_key_cycle_and_self_reference() {
    let a = table("a")
        .id()
        .col(int("b_id").null())
        .fk(&["b_id"], "b", &["id"]);
    let b = table("b")
        .id()
        .col(int("a_id").null())
        .col(int("parent_id").null())
        .fk(&["a_id"], "a", &["id"])
        .on(FkAction::SetNull, FkAction::NoAction)
        .fk(&["parent_id"], "b", &["id"])
        .on(FkAction::Cascade, FkAction::Cascade);
    assert_snapshot!(check(&Schema::default(), &tables(vec![a, b])));
}

#[test]
fn create_table_in_new_schema() {
    let t = table("events")
        .schema("audit")
        .id()
        .col(col("payload", builtin("jsonb")));
    assert_snapshot!(check(&Schema::default(), &tables(vec![t])));
}

#[test]
fn drop_table() {
    assert_snapshot!(check(&tables(vec![accounts()]), &Schema::default()));
}

#[test]
fn drop_tables_with_foreign_key_cycle() {
    let a = table("a").id().col(int("b_id")).fk(&["b_id"], "b", &["id"]);
    let b = table("b").id().col(int("a_id")).fk(&["a_id"], "a", &["id"]);
    let keep = table("keep")
        .id()
        .col(int("a_id"))
        .fk(&["a_id"], "a", &["id"]);
    let keep_after = table("keep").id().col(int("a_id"));
    assert_snapshot!(check(&tables(vec![a, b, keep]), &tables(vec![keep_after])));
}

#[test]
fn drop_schema_with_its_table() {
    let t = table("events").schema("audit").id();
    assert_snapshot!(check(
        &tables(vec![t, accounts()]),
        &tables(vec![accounts()])
    ));
}

#[test]
fn rename_table_renames_derived_constraint_names() {
    let before = tables(vec![
        accounts(),
        table("projects")
            .id()
            .col(int("owner_id"))
            .fk(&["owner_id"], "accounts", &["id"]),
    ]);
    let users = table("users")
        .was("accounts")
        .id()
        .col(col("email", builtin("character varying(320)")))
        .col(text("display_name").null())
        .col(col("created_at", builtin("timestamp with time zone")).default("now()"))
        .unique(&["email"])
        .index(&["created_at"]);
    let after = tables(vec![
        users,
        table("projects")
            .id()
            .col(int("owner_id"))
            .fk(&["owner_id"], "users", &["id"]),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn rename_table_across_schemas() {
    let before = tables(vec![table("events").id()]);
    let after = tables(vec![table("events")
        .schema("audit")
        .was("public.events")
        .id()]);
    assert_snapshot!(check(&before, &after));
}

/// `events` with a key, a unique and an index, in `schema`.
fn events(schema: &str, name: &str) -> TableBuilder {
    table(name)
        .schema(schema)
        .col(int("id"))
        .col(text("code"))
        .col(int("at"))
        .pk(&["id"])
        .unique(&["code"])
        .index(&["at"])
}

#[test]
fn moved_and_renamed_table_renames_its_keys_before_the_move() {
    // `public.events` keeps `events_pkey`: the moved table's keys must not arrive under it.
    let before = tables(vec![events("audit", "events"), events("public", "events")]);
    let after = tables(vec![
        events("public", "tags").was("audit.events"),
        events("public", "events"),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn moved_table_whose_new_key_names_are_taken_in_the_old_schema() {
    // `tags_pkey` is `public.tags`'s: the key goes through a temporary name.
    let before = tables(vec![events("public", "events"), events("public", "tags")]);
    let after = tables(vec![
        events("audit", "tags").was("public.events"),
        events("public", "tags"),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn rename_table_onto_a_dropped_name() {
    let before = tables(vec![table("a").id(), table("b").id()]);
    let after = tables(vec![table("b").id()]);
    let renames = Renames {
        tables: vec![("public.a".into(), "public.b".into())],
        ..Default::default()
    };
    assert_snapshot!(check_with(&before, &after, &renames));
}

#[test]
fn swap_table_names() {
    let before = tables(vec![table("a").col(int("x")), table("b").col(text("y"))]);
    let after = tables(vec![table("b").col(int("x")), table("a").col(text("y"))]);
    let swap = vec![
        ("public.a".into(), "public.b".into()),
        ("public.b".into(), "public.a".into()),
    ];
    assert_snapshot!(check_with(
        &before,
        &after,
        &Renames {
            tables: swap,
            ..Default::default()
        }
    ));
}

#[test]
fn quotes_identifiers() {
    let t = table("we\"ird").col(col("se\"lect", builtin("text")).default("'it''s'"));
    assert_snapshot!(check(&Schema::default(), &tables(vec![t])));
}

#[test]
fn no_change_is_empty() {
    let s = tables(vec![accounts()]);
    assert!(changes(&s, &s).is_empty());
}

#[test]
fn every_table_of_a_schema_moved_to_a_new_one_is_a_schema_rename() {
    let before = tables(vec![events("audit", "events"), events("audit", "logins")]);
    let after = tables(vec![
        events("archive", "events").was("audit.events"),
        events("archive", "sign_ins").was("audit.logins"),
    ]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn a_schema_only_partly_moved_is_no_rename() {
    let before = tables(vec![events("audit", "events"), events("audit", "logins")]);
    let after = tables(vec![
        events("archive", "events").was("audit.events"),
        events("public", "logins").was("audit.logins"),
    ]);
    let sql = check(&before, &after);
    assert!(!sql.contains("ALTER SCHEMA"), "{sql}");
    assert!(sql.contains("DROP SCHEMA \"audit\""), "{sql}");
}

#[test]
fn a_moved_table_renames_its_identity_sequence_first() {
    let before = tables(vec![
        table("events").schema("audit").id(),
        table("events").id(),
    ]);
    let after = tables(vec![
        table("tags").was("audit.events").id(),
        table("events").id(),
    ]);
    assert_snapshot!(check(&before, &after));
}
