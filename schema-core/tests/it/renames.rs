//! `hinted_renames` and `open_questions`: which renames are declared, which are still open.

use crate::build::*;
use schema_core::diff::{hinted_renames, open_questions, ColumnRename, RenameQuestion, Renames};
use schema_core::model::Schema;

fn renames(
    tables: &[(&str, &str)],
    columns: &[(&str, &str, &str)],
    enums: &[(&str, &str)],
) -> Renames {
    let pairs = |items: &[(&str, &str)]| {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    Renames {
        tables: pairs(tables),
        columns: columns
            .iter()
            .map(|(t, f, to)| ColumnRename {
                table: t.to_string(),
                from: f.to_string(),
                to: to.to_string(),
            })
            .collect(),
        enums: pairs(enums),
        objects: Vec::new(),
    }
}

#[test]
fn hints_declare_table_column_and_enum_renames() {
    let before = schema(
        vec![table("accounts").id().col(text("name"))],
        vec![db_enum("state", &["a"])],
    );
    let mut e = db_enum("issue_state", &["a"]);
    e.renamed_from = Some("state".into());
    let after = schema(
        vec![table("users")
            .was("accounts")
            .id()
            .col(text("full_name").was("name"))],
        vec![e],
    );
    let expected = renames(
        &[("public.accounts", "public.users")],
        &[("public.users", "name", "full_name")],
        &[("public.state", "public.issue_state")],
    );
    assert_eq!(hinted_renames(&before, &after), expected);
    assert!(open_questions(&before, &after, &expected).is_empty());
}

#[test]
fn hint_with_schema_moves_the_table() {
    let before = tables(vec![table("events").id()]);
    let after = tables(vec![table("log").schema("audit").was("public.events").id()]);
    assert_eq!(
        hinted_renames(&before, &after),
        renames(&[("public.events", "audit.log")], &[], &[])
    );
}

#[test]
fn stale_hints_are_ignored() {
    // The rename happened in an earlier migration.
    let done = tables(vec![table("users")
        .was("accounts")
        .col(text("full_name").was("name"))]);
    assert_eq!(hinted_renames(&done, &done), Renames::default());
    // A new table re-uses the old name later: still not a rename.
    let reused = tables(vec![
        table("users").was("accounts").id(),
        table("accounts").id(),
    ]);
    assert_eq!(hinted_renames(&done, &reused), Renames::default());
    let both = tables(vec![
        table("users").was("accounts").id(),
        table("accounts").id(),
    ]);
    let dropped = tables(vec![table("users").was("accounts").id()]);
    assert_eq!(hinted_renames(&both, &dropped), Renames::default());
}

#[test]
fn hint_naming_nothing_is_ignored() {
    let before = tables(vec![table("t").col(text("a"))]);
    let after = tables(vec![table("t").col(text("b").was("zzz"))]);
    assert_eq!(hinted_renames(&before, &after), Renames::default());
}

#[test]
fn drop_and_add_in_one_parent_is_a_question() {
    let before = schema(
        vec![
            table("accounts")
                .id()
                .col(text("display_name"))
                .col(text("bio")),
            table("projects").id(),
        ],
        vec![db_enum("mood", &["a"])],
    );
    let after = schema(
        vec![
            table("accounts")
                .id()
                .col(text("full_name"))
                .col(text("about")),
            table("workspaces").id(),
        ],
        vec![db_enum("feeling", &["a"])],
    );
    let questions = open_questions(&before, &after, &Renames::default());
    let expected = vec![
        RenameQuestion::Table {
            created: "public.workspaces".into(),
            candidates: vec!["public.projects".into()],
        },
        RenameQuestion::Column {
            table: "public.accounts".into(),
            created: "full_name".into(),
            candidates: vec!["display_name".into(), "bio".into()],
        },
        RenameQuestion::Column {
            table: "public.accounts".into(),
            created: "about".into(),
            candidates: vec!["display_name".into(), "bio".into()],
        },
        RenameQuestion::Enum {
            created: "public.feeling".into(),
            candidates: vec!["public.mood".into()],
        },
    ];
    assert_eq!(questions, expected);
    assert_eq!(
        open_questions(&before, &after, &Renames::default()),
        questions,
        "deterministic"
    );
}

#[test]
fn answered_questions_close() {
    let before = tables(vec![table("projects").id().col(text("title"))]);
    let after = tables(vec![table("workspaces").id().col(text("name"))]);
    let table_only = renames(&[("public.projects", "public.workspaces")], &[], &[]);
    assert_eq!(
        open_questions(&before, &after, &table_only),
        vec![RenameQuestion::Column {
            table: "public.workspaces".into(),
            created: "name".into(),
            candidates: vec!["title".into()]
        }]
    );
    let all = renames(
        &[("public.projects", "public.workspaces")],
        &[("public.workspaces", "title", "name")],
        &[],
    );
    assert!(open_questions(&before, &after, &all).is_empty());
}

#[test]
fn only_adds_or_only_drops_ask_nothing() {
    let before = tables(vec![table("a").id()]);
    let after = tables(vec![table("a").id().col(text("x")), table("b").id()]);
    assert!(open_questions(&before, &after, &Renames::default()).is_empty());
    assert!(open_questions(&after, &before, &Renames::default()).is_empty());
}

#[test]
fn tables_in_other_schemas_are_not_candidates() {
    let before = tables(vec![table("a").schema("audit").id()]);
    let after = tables(vec![table("b").id()]);
    assert!(open_questions(&before, &after, &Renames::default()).is_empty());
    assert!(open_questions(&Schema::default(), &after, &Renames::default()).is_empty());
}
