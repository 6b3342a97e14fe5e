//! Lint over hand-built changes: each code, where it stays quiet, and `-- lint:allow` lines.

use super::*;
use crate::model::{Check, Column, ColumnType, ForeignKey, Index, Table, Unique};

fn q(name: &str) -> QualifiedName {
    QualifiedName::new("public", name)
}

fn column(name: &str, nullable: bool, default: Option<&str>, identity: bool) -> Column {
    Column {
        name: name.into(),
        ty: ColumnType::Builtin("text".into()),
        nullable,
        default: default.map(Into::into),
        identity,
        identity_options: Default::default(),
        generated: None,
        renamed_from: None,
    }
}

fn table(name: &str) -> Table {
    Table {
        schema: "public".into(),
        name: name.into(),
        columns: vec![column("id", false, None, true)],
        primary_key: None,
        uniques: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        rls: false,
        policies: Vec::new(),
        renamed_from: None,
    }
}

fn index(name: &str, unique: bool, concurrently: bool) -> Index {
    Index {
        keys: Vec::new(),
        with: Default::default(),
        name: name.into(),
        columns: vec!["a".into()],
        unique,
        predicate: None,
        using: None,
        concurrently,
        nulls_not_distinct: false,
    }
}

fn fk() -> ForeignKey {
    ForeignKey {
        name: "t_a_fkey".into(),
        columns: vec!["a".into()],
        ref_schema: "public".into(),
        ref_table: "u".into(),
        ref_columns: vec!["id".into()],
        on_delete: Default::default(),
        on_update: Default::default(),
    }
}

fn constraint_changes(t: &str) -> Vec<Change> {
    vec![
        Change::AddUnique {
            table: q(t),
            unique: Unique {
                name: "t_a_key".into(),
                columns: vec!["a".into()],
                nulls_not_distinct: false,
            },
        },
        Change::CreateIndex {
            table: q(t),
            index: index("t_a_idx", false, false),
        },
        Change::AddForeignKey {
            table: q(t),
            key: fk(),
        },
        Change::AddCheck {
            table: q(t),
            check: Check {
                name: "t_a_check".into(),
                expr: "a <> ''".into(),
            },
        },
        Change::AddColumn {
            table: q(t),
            column: column("b", false, None, false),
        },
    ]
}

/// (code, severity, object) of each finding.
fn codes(changes: &[Change]) -> Vec<(&'static str, Severity, String)> {
    lint(&Schema::default(), &Schema::default(), changes)
        .into_iter()
        .map(|f| (f.code, f.severity, f.object))
        .collect()
}

fn one(change: Change) -> (&'static str, Severity, String) {
    let mut found = codes(&[change]);
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

#[test]
fn each_simple_code_with_its_severity_and_object() {
    use Severity::{Error, Warning};
    let cases = [
        (
            Change::DropSchema {
                name: "audit".into(),
            },
            (DROP_SCHEMA, Error, "audit"),
        ),
        (
            Change::DropTable {
                table: q("comments"),
            },
            (DROP_TABLE, Error, "public.comments"),
        ),
        (
            Change::DropColumn {
                table: q("t"),
                column: "a".into(),
            },
            (DROP_COLUMN, Error, "public.t.a"),
        ),
        (
            Change::AddColumn {
                table: q("t"),
                column: column("a", false, None, false),
            },
            (ADD_NOT_NULL_WITHOUT_DEFAULT, Error, "public.t.a"),
        ),
        (
            Change::SetNotNull {
                table: q("t"),
                column: "a".into(),
            },
            (SET_NOT_NULL, Warning, "public.t.a"),
        ),
        (
            Change::AlterColumnType {
                table: q("t"),
                column: "a".into(),
                from: ColumnType::Builtin("integer".into()),
                to: ColumnType::Builtin("bigint".into()),
            },
            (TYPE_CHANGE, Warning, "public.t.a"),
        ),
        (
            Change::RenameTable {
                from: q("a"),
                to: q("b"),
            },
            (RENAME_TABLE, Warning, "public.b"),
        ),
        (
            Change::RenameColumn {
                table: q("t"),
                from: "a".into(),
                to: "b".into(),
            },
            (RENAME_COLUMN, Warning, "public.t.b"),
        ),
        (
            Change::RebuildEnum {
                name: q("state"),
                temp_name: "state_old".into(),
                old_values: vec!["open".into(), "closed".into()],
                values: vec!["open".into()],
                columns: Vec::new(),
            },
            (DROP_ENUM_VALUE, Error, "public.state"),
        ),
    ];
    for (change, (code, severity, object)) in cases {
        assert_eq!(one(change), (code, severity, object.to_string()));
    }
}

#[test]
fn constraints_on_an_existing_table_warn_in_the_changes_order() {
    let found: Vec<&str> = codes(&constraint_changes("t"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        found,
        [
            ADD_UNIQUE,
            INDEX_WITHOUT_CONCURRENTLY,
            ADD_FOREIGN_KEY,
            ADD_CHECK,
            ADD_NOT_NULL_WITHOUT_DEFAULT
        ]
    );
}

#[test]
fn nothing_on_a_table_created_in_the_same_migration() {
    let mut changes = vec![Change::CreateTable { table: table("t") }];
    changes.extend(constraint_changes("t"));
    assert_eq!(codes(&changes), []);
}

#[test]
fn a_default_or_identity_or_null_makes_an_added_column_safe() {
    for column in [
        column("a", false, Some("''"), false),
        column("a", false, None, true),
        column("a", true, None, false),
    ] {
        assert_eq!(
            codes(&[Change::AddColumn {
                table: q("t"),
                column
            }]),
            []
        );
    }
}

#[test]
fn indexes_unique_and_concurrent() {
    let create = |unique, concurrently| Change::CreateIndex {
        table: q("t"),
        index: index("i", unique, concurrently),
    };
    let found = |c| codes(&[c]).into_iter().map(|f| f.0).collect::<Vec<_>>();
    assert_eq!(found(create(false, true)), Vec::<&str>::new());
    assert_eq!(found(create(true, true)), [ADD_UNIQUE]);
    assert_eq!(
        found(create(true, false)),
        [ADD_UNIQUE, INDEX_WITHOUT_CONCURRENTLY]
    );
}

#[test]
fn a_reordered_enum_loses_no_value() {
    let change = Change::RebuildEnum {
        name: q("state"),
        temp_name: "state_old".into(),
        old_values: vec!["open".into(), "closed".into()],
        values: vec!["closed".into(), "open".into()],
        columns: Vec::new(),
    };
    assert_eq!(codes(&[change]), []);
}

#[test]
fn comment_line_and_severity_display() {
    let f = lint(
        &Schema::default(),
        &Schema::default(),
        &[Change::DropTable {
            table: q("comments"),
        }],
    );
    assert!(
        f[0].comment()
            .starts_with("-- lint: error drop-table public.comments: "),
        "{}",
        f[0].comment()
    );
    assert_eq!(Severity::Warning.to_string(), "warning");
}

#[test]
fn allow_lines_acknowledge_exact_codes() {
    let sql = "-- no-transaction\n-- lint:allow drop-table\n  -- lint:allow drop-column, rename-table\n\
               -- lint: error drop-schema audit: x\n-- lint:allowed type-change\nDROP TABLE t; -- lint:allow add-check\n";
    let allowed = allowed(sql);
    let expected: BTreeSet<String> = ["drop-table", "drop-column", "rename-table"]
        .map(String::from)
        .into();
    assert_eq!(allowed, expected);
    let findings = lint(
        &Schema::default(),
        &Schema::default(),
        &[
            Change::DropTable { table: q("a") },
            Change::DropSchema {
                name: "audit".into(),
            },
        ],
    );
    let left: Vec<&str> = unacknowledged(findings, &allowed)
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(left, [DROP_SCHEMA]);
}

#[test]
fn codes_are_unique_and_kebab_case() {
    let set: BTreeSet<&str> = CODES.iter().copied().collect();
    assert_eq!(set.len(), CODES.len());
    for code in CODES {
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{code}"
        );
    }
}

#[test]
fn a_dropped_column_names_the_type_it_had() {
    let mut t = table("t");
    t.columns.push(column("a", true, None, false));
    let mut old = Schema::default();
    old.tables.insert(t.key(), t);
    let f = lint(
        &old,
        &Schema::default(),
        &[Change::DropColumn {
            table: q("t"),
            column: "a".into(),
        }],
    );
    assert!(
        f[0].message
            .starts_with("dropping column public.t.a (text) deletes its data"),
        "{}",
        f[0].message
    );
}

mod down;
mod sizes;
