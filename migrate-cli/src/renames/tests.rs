//! Tests of rename flag parsing, checking and question answers.

use super::*;
use schema_core::model::{Column, ColumnType, Table};

fn table(key: &str, columns: &[&str]) -> Table {
    let (schema, name) = key.split_once('.').unwrap();
    Table {
        schema: schema.to_string(),
        name: name.to_string(),
        columns: columns
            .iter()
            .map(|c| Column {
                name: c.to_string(),
                ty: ColumnType::Builtin("integer".to_string()),
                nullable: false,
                default: None,
                identity: false,
                identity_options: Default::default(),
                generated: None,
                renamed_from: None,
            })
            .collect(),
        primary_key: None,
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        renamed_from: None,
        rls: false,
        policies: Vec::new(),
    }
}

fn schema(tables: &[(&str, &[&str])]) -> Schema {
    let mut s = Schema::default();
    for (key, columns) in tables {
        s.tables.insert(key.to_string(), table(key, columns));
    }
    s
}

fn flag(spec: &str) -> RenameFlag {
    parse_flag(spec).unwrap()
}

#[test]
fn parses_every_kind() {
    let check = |spec: &str, expect: RenameFlag| {
        assert_eq!(flag(spec), expect, "{spec}");
    };
    let t = |from: &str, to: &str| RenameFlag::Table {
        from: from.into(),
        to: to.into(),
    };
    check(
        "table:projects=workspaces",
        t("public.projects", "public.workspaces"),
    );
    check("table:audit.log=events", t("audit.log", "audit.events"));
    check(
        "table:audit.log=public.events",
        t("audit.log", "public.events"),
    );
    check(
        "enum:status=state",
        RenameFlag::Enum {
            from: "public.status".into(),
            to: "public.state".into(),
        },
    );
    let c = |table: &str, from: &str, to: &str| RenameFlag::Column {
        table: table.into(),
        from: from.into(),
        to: to.into(),
    };
    check(
        "column:accounts.display_name=full_name",
        c("public.accounts", "display_name", "full_name"),
    );
    check(
        "column:audit.log.at=created_at",
        c("audit.log", "at", "created_at"),
    );
}

#[test]
fn bad_flags_say_how_to_spell_them() {
    for (spec, why) in [
        ("projects=workspaces", "missing the kind"),
        ("table:projects", "missing `=`"),
        ("index:a=b", "unknown kind `index`"),
        (
            "column:display_name=full_name",
            "the column needs its table: TABLE.OLD",
        ),
        (
            "column:accounts.a=",
            "a column name is empty or contains `.`",
        ),
        ("table:=b", "the old name is empty"),
        ("table:a.b.c=d", "the old name is empty"),
    ] {
        let err = parse_flag(spec).unwrap_err();
        assert!(
            err.starts_with(&format!(
                "invalid rename `{spec}`: {why}; expected table:OLD=NEW"
            )),
            "{err}"
        );
        assert!(
            err.contains("--rename column:accounts.display_name=full_name"),
            "{err}"
        );
    }
}

#[test]
fn flags_print_as_typed() {
    for spec in [
        "table:projects=workspaces",
        "table:audit.log=events",
        "table:audit.log=public.events",
        "column:accounts.display_name=full_name",
        "column:audit.log.at=created_at",
        "enum:status=state",
    ] {
        assert_eq!(flag(spec).to_string(), format!("--rename {spec}"));
    }
}

#[test]
fn flags_override_hints_about_the_same_object() {
    let mut renames = Renames {
        tables: vec![("public.a".into(), "public.b".into())],
        columns: vec![ColumnRename {
            table: "public.t".into(),
            from: "x".into(),
            to: "y".into(),
        }],
        enums: vec![],
        objects: vec![],
    };
    apply(
        &[flag("table:c=b"), flag("column:t.z=y"), flag("enum:e=f")],
        &mut renames,
    );
    assert_eq!(
        renames.tables,
        [("public.c".to_string(), "public.b".to_string())]
    );
    assert_eq!(renames.columns.len(), 1);
    assert_eq!(renames.columns[0].from, "z");
    assert_eq!(
        renames.enums,
        [("public.e".to_string(), "public.f".to_string())]
    );
}

#[test]
fn checks_flags_against_both_schemas() {
    let old = schema(&[
        ("public.projects", &["id", "title"]),
        ("public.users", &["id"]),
    ]);
    let new = schema(&[
        ("public.workspaces", &["id", "name"]),
        ("public.users", &["id"]),
    ]);
    let flags = [
        flag("table:projects=workspaces"),
        flag("column:workspaces.title=name"),
    ];
    let mut renames = Renames::default();
    apply(&flags, &mut renames);
    assert_eq!(check(&flags, &old, &new, &renames), Vec::<String>::new());

    let flags = [
        flag("table:nope=workspaces"),
        flag("table:projects=users"),
        flag("column:workspaces.missing=name"),
        flag("column:users.id=other"),
        flag("column:ghost.a=b"),
    ];
    assert_eq!(
        check(&flags, &old, &new, &Renames::default()),
        [
            "--rename table:nope=workspaces: there is no table nope in the last snapshot",
            "--rename table:projects=users: table users already exists in the last snapshot",
            "--rename column:workspaces.missing=name: table workspaces is new, so it has no old column to rename",
            "--rename column:users.id=other: table users has no column other in the schema sources",
            "--rename column:ghost.a=b: there is no table ghost in the schema sources",
        ]
    );
}

#[test]
fn questions_offer_created_first_and_answer_as_flags() {
    let q = RenameQuestion::Column {
        table: "public.accounts".into(),
        created: "full_name".into(),
        candidates: vec!["display_name".into(), "nick".into()],
    };
    assert_eq!(
        question_text(&q),
        "column accounts.full_name: created, or renamed from display_name or nick?"
    );
    assert_eq!(
        options(&q),
        ["created", "renamed from display_name", "renamed from nick"]
    );
    let flags: Vec<String> = answers(&q).iter().map(ToString::to_string).collect();
    assert_eq!(
        flags,
        [
            "--rename column:accounts.display_name=full_name",
            "--rename column:accounts.nick=full_name"
        ]
    );
    let q = RenameQuestion::Table {
        created: "audit.workspaces".into(),
        candidates: vec!["audit.projects".into()],
    };
    assert_eq!(options(&q), ["created", "renamed from audit.projects"]);
    assert_eq!(
        answers(&q)[0].to_string(),
        "--rename table:audit.projects=workspaces"
    );
    // A flag printed for a question parses back to the same answer.
    assert_eq!(flag("table:audit.projects=workspaces"), answers(&q)[0]);
}

/// Issue 13: a sequence is renamed like a table: keyed `schema.name`, checked against both
/// schemas, asked and answered with `--rename sequence:OLD=NEW`.
#[test]
fn sequences_are_flagged_checked_and_asked_like_tables() {
    use schema_core::diff::ObjectKind;
    use schema_core::model::{Sequence, SequenceOptions};
    let seq = |from: &str, to: &str| RenameFlag::Object {
        kind: ObjectKind::Sequence,
        from: from.into(),
        to: to.into(),
    };
    assert_eq!(flag("sequence:a=b"), seq("public.a", "public.b"));
    assert_eq!(flag("sequence:billing.a=b"), seq("billing.a", "billing.b"));
    assert_eq!(
        flag("sequence:billing.a=public.a"),
        seq("billing.a", "public.a")
    );
    assert_eq!(flag("sequence:a=b").to_string(), "--rename sequence:a=b");
    assert_eq!(
        flag("sequence:billing.a=public.a").to_string(),
        "--rename sequence:billing.a=public.a"
    );
    assert_eq!(flag("view:a=b").to_string(), "--rename view:a=b");
    assert!(parse_flag("trigger:a=b")
        .unwrap_err()
        .contains("unknown kind `trigger`"));

    let with = |names: &[&str]| {
        let mut s = Schema::default();
        for n in names {
            let q = Sequence {
                schema: "public".into(),
                name: n.to_string(),
                options: SequenceOptions::default(),
                renamed_from: None,
            };
            s.sequences.insert(q.key(), q);
        }
        s
    };
    let (old, new) = (with(&["a"]), with(&["b"]));
    let mut renames = Renames::default();
    apply(&[flag("sequence:a=b")], &mut renames);
    assert_eq!(
        check(&[flag("sequence:a=b")], &old, &new, &renames),
        Vec::<String>::new()
    );
    assert_eq!(
        check(&[flag("sequence:x=b")], &old, &new, &renames),
        ["--rename sequence:x=b: there is no sequence x in the last snapshot"]
    );
    let open = schema_core::diff::open_questions(&old, &new, &Renames::default());
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(
        question_text(&open[0]),
        "sequence b: created, or renamed from a?"
    );
    assert_eq!(answers(&open[0]), [flag("sequence:a=b")]);
    assert!(schema_core::diff::open_questions(&old, &new, &renames).is_empty());
}
