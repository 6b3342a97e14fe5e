//! `migration_name`: short snake_case names derived from the changes.

use crate::build::*;
use schema_core::diff::{diff, migration_name, Renames};
use schema_core::model::Schema;

fn name(before: &Schema, after: &Schema) -> String {
    migration_name(&changes(before, after))
}

#[test]
fn names_say_what_changed() {
    let empty = Schema::default();
    let accounts = || table("accounts").id().unique(&["id"]).index(&["id"]);
    let users = || table("users").id();
    let cases: Vec<(Schema, Schema, &str)> = vec![
        (empty.clone(), tables(vec![accounts()]), "create_accounts"),
        (tables(vec![accounts()]), empty.clone(), "drop_accounts"),
        (
            tables(vec![users()]),
            tables(vec![users().col(text("email"))]),
            "add_email_to_users",
        ),
        (
            tables(vec![users().col(text("email"))]),
            tables(vec![users()]),
            "drop_email_from_users",
        ),
        (
            tables(vec![users().col(text("a"))]),
            tables(vec![users().col(int("a"))]),
            "alter_users",
        ),
        (
            tables(vec![users()]),
            tables(vec![table("people").was("users").id()]),
            "rename_users_to_people",
        ),
        (
            empty.clone(),
            tables(vec![accounts(), users(), table("c"), table("d")]),
            "create_accounts_and_3_more",
        ),
        (
            Schema::default(),
            schema(vec![], vec![db_enum("mood", &["a"])]),
            "create_mood",
        ),
    ];
    for (before, after, expected) in cases {
        assert_eq!(name(&before, &after), expected);
    }
}

#[test]
fn empty_is_custom() {
    assert_eq!(migration_name(&[]), "custom");
}

#[test]
fn long_names_are_cut_and_clean() {
    let long = "Some_Very-Long Table Name That Goes On And On And On For Ever And Ever";
    let n = name(&Schema::default(), &tables(vec![table(long), table("b")]));
    assert!(n.len() <= 60, "{n}");
    assert!(n.ends_with("_and_1_more"), "{n}");
    assert!(
        n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "{n}"
    );
    let alone = name(&Schema::default(), &tables(vec![table(long)]));
    assert!(alone.len() <= 60 && !alone.ends_with('_'), "{alone}");
}

#[test]
fn same_input_same_output() {
    let before = tables(vec![
        table("a").id().col(text("x")).index(&["x"]),
        table("b").id().fk(&["id"], "a", &["id"]),
    ]);
    let after = tables(vec![
        table("a").id().col(int("x")).unique(&["x"]),
        table("c").id().fk(&["id"], "a", &["id"]),
    ]);
    let first = diff(&before, &after, &Renames::default());
    for _ in 0..5 {
        assert_eq!(diff(&before, &after, &Renames::default()), first);
    }
    assert_eq!(
        migration_name(&first),
        migration_name(&diff(&before, &after, &Renames::default()))
    );
}
