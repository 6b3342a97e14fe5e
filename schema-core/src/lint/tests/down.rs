//! Lint of down migrations: drops of what the up created say that the data written since is
//! lost, `irreversible` names what the down cannot bring back, and which type changes widen.

use super::{column, table};
use crate::diff::{self, Change, Renames};
use crate::lint::down::widens;
use crate::lint::{lint_down, Costs, Severity, DROP_COLUMN, DROP_TABLE, IRREVERSIBLE};
use crate::model::{ColumnType, Schema, Table};

fn schema(tables: Vec<Table>) -> Schema {
    let mut s = Schema::default();
    for t in tables {
        s.tables.insert(Schema::key(&t.schema, &t.name), t);
    }
    s
}

fn with_columns(name: &str, extra: &[&str]) -> Table {
    let mut t = table(name);
    t.columns
        .extend(extra.iter().map(|c| column(c, true, None, false)));
    t
}

/// The findings of the down from `own` back to `previous`, as (code, severity, object).
fn down(previous: &Schema, own: &Schema) -> Vec<(&'static str, Severity, String, String)> {
    let renames = Renames::default();
    let up: Vec<Change> = diff::diff(previous, own, &renames);
    let back = diff::down(previous, own, &renames);
    lint_down(own, previous, &up, &back, Costs::IN_PLACE)
        .into_iter()
        .map(|f| (f.code, f.severity, f.object, f.message))
        .collect()
}

#[test]
fn dropping_what_the_up_added_says_the_rows_since_are_lost() {
    let previous = schema(vec![with_columns("a", &[])]);
    let own = schema(vec![with_columns("a", &["nick"]), table("b")]);
    let found = down(&previous, &own);
    let codes: Vec<(&str, &str)> = found.iter().map(|f| (f.0, f.2.as_str())).collect();
    assert_eq!(
        codes,
        [(DROP_COLUMN, "public.a.nick"), (DROP_TABLE, "public.b")]
    );
    for f in &found {
        assert_eq!(f.1, Severity::Warning, "{}", f.3);
        assert!(f.3.contains("since the up ran is lost"), "{}", f.3);
    }
}

#[test]
fn what_the_up_dropped_comes_back_empty_and_is_irreversible() {
    let previous = schema(vec![with_columns("a", &["nick"]), table("b")]);
    let own = schema(vec![with_columns("a", &[])]);
    let irreversible: Vec<(Severity, String)> = down(&previous, &own)
        .into_iter()
        .filter(|f| f.0 == IRREVERSIBLE)
        .map(|f| (f.1, f.2))
        .collect();
    assert_eq!(
        irreversible,
        [
            (Severity::Error, "public.a.nick".to_string()),
            (Severity::Error, "public.b".to_string())
        ]
    );
}

#[test]
fn a_narrowed_type_is_irreversible_and_a_widened_one_is_not() {
    let typed = |ty: &str| {
        let mut t = with_columns("a", &["n"]);
        t.columns[1].ty = ColumnType::Builtin(ty.into());
        schema(vec![t])
    };
    let irreversible = |from: &str, to: &str| {
        down(&typed(from), &typed(to))
            .iter()
            .any(|f| f.0 == IRREVERSIBLE)
    };
    assert!(irreversible("text", "character varying(40)"));
    assert!(irreversible("bigint", "integer"));
    assert!(irreversible("numeric(10,2)", "numeric(10,0)"));
    assert!(!irreversible("integer", "bigint"));
    assert!(!irreversible("character varying(40)", "text"));
}

#[test]
fn widening_types() {
    let b = |s: &str| ColumnType::Builtin(s.into());
    for (from, to) in [
        ("smallint", "integer"),
        ("real", "double precision"),
        ("character varying(10)", "character varying(20)"),
        ("character varying(10)", "character varying"),
        ("varchar(10)", "longtext"),
        ("numeric(10,2)", "numeric(12,2)"),
        ("numeric(10,2)", "numeric"),
        ("timestamp(3) with time zone", "timestamp(6) with time zone"),
        ("enum('a','b')", "enum('a','b','c')"),
    ] {
        assert!(widens(&b(from), &b(to)), "{from} -> {to}");
    }
    for (from, to) in [
        ("integer", "smallint"),
        ("double precision", "real"),
        ("text", "character varying(10)"),
        ("numeric(10,2)", "numeric(11,4)"),
        ("numeric", "numeric(10,2)"),
        ("integer", "text"),
        ("enum('a','b')", "enum('b','a')"),
    ] {
        assert!(!widens(&b(from), &b(to)), "{from} -> {to}");
    }
}

#[test]
fn sqlite_type_changes_lose_nothing() {
    let typed = |ty: &str| {
        let mut t = with_columns("a", &["n"]);
        t.columns[1].ty = ColumnType::Builtin(ty.into());
        schema(vec![t])
    };
    let (previous, own) = (typed("text"), typed("integer"));
    let renames = Renames::default();
    let up = diff::diff(&previous, &own, &renames);
    let back = diff::down(&previous, &own, &renames);
    let sqlite = Costs {
        rebuilds_tables: true,
        concurrent_indexes: false,
        copies_tables: false,
        schemas: false,
    };
    let found = lint_down(&own, &previous, &up, &back, sqlite);
    assert!(found.iter().all(|f| f.code != IRREVERSIBLE), "{found:?}");
}

/// An up that makes a plain column generated replaces its values (`generated-expression-change`);
/// its down makes the column plain again, keeping the computed values (no finding of its own),
/// and cannot bring the old ones back: `irreversible`.
#[test]
fn a_column_made_generated_cannot_get_its_values_back() {
    let previous = schema(vec![with_columns("a", &["total"])]);
    let mut generated = with_columns("a", &["total"]);
    generated.columns[1].generated = Some(crate::model::Generated {
        expr: "length(id)".into(),
        is_virtual: false,
    });
    let own = schema(vec![generated]);
    let found = down(&previous, &own);
    let codes: Vec<(&str, Severity, &str)> =
        found.iter().map(|f| (f.0, f.1, f.2.as_str())).collect();
    assert_eq!(
        codes,
        [(IRREVERSIBLE, Severity::Error, "public.a.total")],
        "{found:#?}"
    );
    let up = crate::lint::lint(
        &previous,
        &own,
        &diff::diff(&previous, &own, &Renames::default()),
    );
    let up: Vec<&str> = up.iter().map(|f| f.code).collect();
    assert_eq!(up, [crate::lint::GENERATED_EXPRESSION_CHANGE]);
}

#[test]
fn a_dropped_generated_column_is_a_warning_and_its_down_not_irreversible() {
    for is_virtual in [false, true] {
        let mut generated = with_columns("a", &["total"]);
        generated.columns[1].generated = Some(crate::model::Generated {
            expr: "id * 2".into(),
            is_virtual,
        });
        let previous = schema(vec![generated]);
        let own = schema(vec![with_columns("a", &[])]);
        let up = diff::diff(&previous, &own, &Renames::default());
        let found = crate::lint::lint_with(&previous, &own, &up, Costs::IN_PLACE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].code, found[0].severity),
            (DROP_COLUMN, Severity::Warning)
        );
        assert!(
            found[0].message.contains("loses no data"),
            "{}",
            found[0].message
        );
        assert!(
            down(&previous, &own).is_empty(),
            "{:?}",
            down(&previous, &own)
        );
    }
}
