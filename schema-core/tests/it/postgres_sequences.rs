//! PostgreSQL SQL for sequences (issue 13): created before the tables whose defaults call
//! them, altered in place naming only what changed, renamed and moved by hint or answer
//! (swaps through a temporary name), dropped after what uses them; downs reverse all of it.

use crate::build::*;
use insta::assert_snapshot;
use schema_core::diff::{self, ObjectKind, ObjectRename, RenameQuestion, Renames};
use schema_core::model::{Schema, Sequence, SequenceOptions};
use schema_core::render::{migration_sql, render, Postgres};

fn seq(schema: &str, name: &str, options: SequenceOptions) -> Sequence {
    Sequence {
        schema: schema.into(),
        name: name.into(),
        options,
        renamed_from: None,
    }
}

fn start(n: i64) -> SequenceOptions {
    SequenceOptions {
        start: Some(n),
        ..SequenceOptions::default()
    }
}

/// `tables` with `sequences`, their schemas declared as the resolver declares them.
fn with(tables_: Vec<TableBuilder>, sequences: Vec<Sequence>) -> Schema {
    let mut s = tables(tables_);
    for q in sequences {
        if q.schema != "public" && !s.schemas.contains(&q.schema) {
            s.schemas.push(q.schema.clone());
        }
        s.sequences.insert(q.key(), q);
    }
    s.schemas.sort();
    s
}

fn orders(default_of: &str) -> TableBuilder {
    table("orders")
        .id()
        .col(col("number", builtin("bigint")).default(&format!("nextval('{default_of}')")))
}

/// The down of `before -> after` (hinted renames), as SQL.
fn down(before: &Schema, after: &Schema) -> String {
    let renames = diff::hinted_renames(before, after);
    let changes = diff::down(before, after, &renames);
    migration_sql(&render(&Postgres, &changes).expect("renders"))
}

#[test]
fn create_sequence_before_the_table_that_calls_it_and_drop_after() {
    let after = with(
        vec![orders("order_numbers")],
        vec![seq("public", "order_numbers", start(1000))],
    );
    assert_snapshot!(check(&Schema::default(), &after));
    let down = down(&Schema::default(), &after);
    let (table, sequence) = (
        down.find("DROP TABLE").expect("table dropped"),
        down.find("DROP SEQUENCE \"public\".\"order_numbers\";")
            .expect("sequence dropped"),
    );
    assert!(table < sequence, "{down}");
}

#[test]
fn alter_names_only_the_changed_options() {
    let before = with(
        vec![],
        vec![seq(
            "public",
            "s",
            SequenceOptions {
                start: Some(10),
                max: Some(500),
                cache: Some(5),
                ..SequenceOptions::default()
            },
        )],
    );
    let after = with(
        vec![],
        vec![seq(
            "public",
            "s",
            SequenceOptions {
                start: Some(10),
                increment: Some(2),
                cycle: true,
                cache: Some(5),
                ..SequenceOptions::default()
            },
        )],
    );
    assert_snapshot!(check(&before, &after));
    // An option written out with PostgreSQL's default value is no change.
    let explicit = with(
        vec![],
        vec![seq(
            "public",
            "s",
            SequenceOptions {
                start: Some(1),
                increment: Some(1),
                min: Some(1),
                max: Some(i64::MAX),
                cache: Some(1),
                cycle: false,
            },
        )],
    );
    assert_eq!(
        changes(
            &with(vec![], vec![seq("public", "s", SequenceOptions::default())]),
            &explicit
        ),
        []
    );
    // The way back puts the maximum back and drops the increment to its default.
    let back = down(&before, &after);
    assert!(
        back.contains("ALTER SEQUENCE \"public\".\"s\" INCREMENT BY 1 MAXVALUE 500 NO CYCLE;"),
        "{back}"
    );
}

#[test]
fn a_counting_down_sequence_takes_the_other_defaults() {
    let before = with(vec![], vec![seq("public", "s", SequenceOptions::default())]);
    let after = with(
        vec![],
        vec![seq(
            "public",
            "s",
            SequenceOptions {
                increment: Some(-1),
                ..SequenceOptions::default()
            },
        )],
    );
    assert_snapshot!(check(&before, &after));
}

#[test]
fn rename_by_hint_comes_before_the_default_that_names_it() {
    let before = with(
        vec![orders("order_numbers")],
        vec![seq("public", "order_numbers", start(1000))],
    );
    let mut renamed = seq("public", "invoice_numbers", start(1000));
    renamed.renamed_from = Some("order_numbers".into());
    let after = with(vec![orders("invoice_numbers")], vec![renamed]);
    assert_snapshot!(check(&before, &after));
    assert!(down(&before, &after)
        .starts_with("ALTER SEQUENCE \"public\".\"invoice_numbers\" RENAME TO \"order_numbers\";"));
}

#[test]
fn moved_to_a_new_schema_by_hint() {
    let before = with(vec![], vec![seq("public", "name", start(100))]);
    let mut moved = seq("billing", "name", start(100));
    moved.renamed_from = Some("public.name".into());
    let after = with(vec![], vec![moved]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn swapped_names_go_through_a_temporary_one() {
    let before = with(
        vec![],
        vec![seq("public", "a", start(1)), seq("public", "b", start(2))],
    );
    let after = with(
        vec![],
        vec![seq("public", "b", start(1)), seq("public", "a", start(2))],
    );
    let renames = Renames {
        objects: vec![
            ObjectRename {
                kind: ObjectKind::Sequence,
                from: "public.a".into(),
                to: "public.b".into(),
            },
            ObjectRename {
                kind: ObjectKind::Sequence,
                from: "public.b".into(),
                to: "public.a".into(),
            },
        ],
        ..Renames::default()
    };
    assert_snapshot!(check_with(&before, &after, &renames));
}

#[test]
fn a_schema_is_renamed_only_when_its_sequences_move_with_it() {
    let before = with(
        vec![table("t").schema("old").id()],
        vec![seq("old", "s", start(1))],
    );
    let mut moved = seq("new", "s", start(1));
    moved.renamed_from = Some("old.s".into());
    let after = with(
        vec![table("t").schema("new").was("old.t").id()],
        vec![moved],
    );
    let sql = check(&before, &after);
    assert!(
        sql.contains("ALTER SCHEMA \"old\" RENAME TO \"new\";") && !sql.contains("SET SCHEMA"),
        "{sql}"
    );
    // The sequence stays behind: the table moves alone and the schema stays.
    let stays = with(
        vec![table("t").schema("new").was("old.t").id()],
        vec![seq("old", "s", start(1))],
    );
    let sql = check(&before, &stays);
    assert!(
        sql.contains("ALTER TABLE \"old\".\"t\" SET SCHEMA \"new\";")
            && !sql.contains("RENAME TO \"new\""),
        "{sql}"
    );
}

#[test]
fn a_drop_and_a_create_in_one_schema_is_a_question() {
    let before = with(
        vec![],
        vec![seq("public", "a", start(1)), seq("audit", "x", start(1))],
    );
    let after = with(
        vec![],
        vec![seq("public", "b", start(1)), seq("audit", "x", start(1))],
    );
    let open = diff::open_questions(&before, &after, &Renames::default());
    assert_eq!(
        open,
        [RenameQuestion::Object {
            kind: ObjectKind::Sequence,
            created: "public.b".into(),
            candidates: vec!["public.a".into()],
        }]
    );
    // Unanswered, it is a drop and a create.
    assert_snapshot!(check(&before, &after));
}
