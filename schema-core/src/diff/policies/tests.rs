//! Policies around their table's changes: dropped and created again around a retyped column
//! they read, and following a renamed table (renamed with it by a hint, a question or a flag
//! keyed under the new table), both ways.

use crate::diff::{diff, down, hinted_renames, open_questions, Change, ObjectKind};
use crate::diff::{ObjectRename, RenameQuestion, Renames};
use crate::model::{Column, ColumnType, Policy, Schema, Table};

fn table(name: &str, owner: &str, policies: &[Policy]) -> Table {
    let column = |name: &str, ty: &str| Column {
        name: name.into(),
        ty: ColumnType::Builtin(ty.into()),
        nullable: false,
        default: None,
        identity: false,
        identity_options: Default::default(),
        generated: None,
        renamed_from: None,
    };
    Table {
        schema: "public".into(),
        name: name.into(),
        columns: vec![
            column("id", "bigint"),
            column("owner", owner),
            column("body", "text"),
        ],
        primary_key: None,
        uniques: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        rls: true,
        policies: policies.to_vec(),
        renamed_from: None,
    }
}

fn policy(name: &str, using: &str) -> Policy {
    Policy {
        name: name.into(),
        restrictive: false,
        command: Default::default(),
        roles: Vec::new(),
        using: Some(using.into()),
        with_check: None,
        renamed_from: None,
    }
}

fn schema(tables: &[Table]) -> Schema {
    let mut s = Schema::default();
    for t in tables {
        s.tables.insert(t.key(), t.clone());
    }
    s
}

fn summaries(changes: &[Change]) -> Vec<String> {
    changes.iter().map(Change::summary).collect()
}

#[test]
fn a_policy_reading_a_retyped_column_is_dropped_before_and_created_after() {
    let policies = [
        policy("own", "\"OWNER\" = 'a'"),
        policy("body", "body <> ''"),
    ];
    let old = schema(&[table("notes", "text", &policies)]);
    let new = schema(&[table("notes", "varchar(300)", &policies)]);
    let expected = [
        "~ policy public.notes.own: dropped, created again below",
        "~ column public.notes.owner: type text -> varchar(300)",
        "+ policy public.notes.own",
    ];
    assert_eq!(summaries(&diff(&old, &new, &Renames::default())), expected);
    let back = [
        "~ policy public.notes.own: dropped, created again below",
        "~ column public.notes.owner: type varchar(300) -> text",
        "+ policy public.notes.own",
    ];
    assert_eq!(summaries(&down(&old, &new, &Renames::default())), back);
    // A name that only contains the column's is not a read of it.
    let other = [policy("own", "owners_count > 0")];
    let old = schema(&[table("notes", "text", &other)]);
    let new = schema(&[table("notes", "varchar(300)", &other)]);
    assert_eq!(
        summaries(&diff(&old, &new, &Renames::default())),
        ["~ column public.notes.owner: type text -> varchar(300)"]
    );
}

/// The new schema: `notes` renamed to `memos`, its policy `own` renamed to `mine` (with a hint
/// when `hint`).
fn renamed(hint: bool) -> (Schema, Schema) {
    let old = schema(&[table(
        "notes",
        "text",
        &[policy("own", "owner = 'a'"), policy("body", "true")],
    )]);
    let mut mine = policy("mine", "owner = 'a'");
    mine.renamed_from = hint.then(|| "own".to_string());
    let mut memos = table("memos", "text", &[mine, policy("body", "true")]);
    memos.renamed_from = Some("notes".into());
    (old, schema(&[memos]))
}

#[test]
fn the_policies_of_a_renamed_table_follow_it_renamed_by_a_hint() {
    let (old, new) = renamed(true);
    let renames = hinted_renames(&old, &new);
    assert_eq!(
        renames.objects,
        [ObjectRename {
            kind: ObjectKind::Policy,
            from: "public.memos.own".into(),
            to: "public.memos.mine".into(),
        }]
    );
    assert!(open_questions(&old, &new, &renames).is_empty());
    assert_eq!(
        summaries(&diff(&old, &new, &renames)),
        [
            "~ table public.notes: rename to public.memos",
            "~ policy public.memos.own: rename to mine",
        ]
    );
    assert_eq!(
        summaries(&down(&old, &new, &renames)),
        [
            "~ table public.memos: rename to public.notes",
            "~ policy public.notes.mine: rename to own",
        ]
    );
}

#[test]
fn a_policy_of_a_renamed_table_is_asked_about_under_the_new_table() {
    let (old, new) = renamed(false);
    let renames = hinted_renames(&old, &new);
    assert_eq!(
        open_questions(&old, &new, &renames),
        [RenameQuestion::Object {
            kind: ObjectKind::Policy,
            created: "public.memos.mine".into(),
            candidates: vec!["public.memos.own".into()],
        }]
    );
    let mut answered = renames.clone();
    answered.objects.push(ObjectRename {
        kind: ObjectKind::Policy,
        from: "public.memos.own".into(),
        to: "public.memos.mine".into(),
    });
    assert!(open_questions(&old, &new, &answered).is_empty());
    let changes = summaries(&diff(&old, &new, &answered));
    assert_eq!(
        changes,
        [
            "~ table public.notes: rename to public.memos",
            "~ policy public.memos.own: rename to mine",
        ]
    );
    // Unanswered, the policy is a drop and a create; the other one follows the table.
    assert_eq!(
        summaries(&diff(&old, &new, &renames)),
        [
            "- policy public.notes.own",
            "~ table public.notes: rename to public.memos",
            "+ policy public.memos.mine",
        ]
    );
}

#[test]
fn a_policy_renamed_and_recreated_around_a_retyped_column_is_renamed_first() {
    let old = schema(&[table("notes", "text", &[policy("own", "owner = 'a'")])]);
    let mut mine = policy("mine", "owner = 'a'");
    mine.renamed_from = Some("own".into());
    let new = schema(&[table("notes", "varchar(300)", &[mine])]);
    let renames = hinted_renames(&old, &new);
    let changes = diff(&old, &new, &renames);
    assert_eq!(
        summaries(&changes),
        [
            "~ policy public.notes.own: rename to mine",
            "~ policy public.notes.mine: dropped, created again below",
            "~ column public.notes.owner: type text -> varchar(300)",
            "+ policy public.notes.mine",
        ]
    );
    let codes: Vec<&str> = crate::lint::lint(&old, &new, &changes)
        .iter()
        .map(|f| f.code)
        .collect();
    assert!(codes.contains(&crate::lint::RENAME_POLICY), "{codes:?}");
    assert!(!codes.contains(&crate::lint::DROP_POLICY), "{codes:?}");
}
