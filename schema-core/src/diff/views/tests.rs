//! The order of view changes around the tables and views they read.

use crate::diff::{diff, down, Change, Renames};
use crate::model::{Column, ColumnType, Schema, Table, View, ViewColumn};

fn table(name: &str, title: &str) -> Table {
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
        columns: vec![column("id", "bigint"), column("title", title)],
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

fn view(name: &str, sql: &str, materialized: bool) -> View {
    View {
        schema: "public".into(),
        name: name.into(),
        columns: vec![ViewColumn {
            name: "id".into(),
            ty: ColumnType::Builtin("bigint".into()),
        }],
        sql: sql.into(),
        materialized,
        renamed_from: None,
    }
}

fn schema(tables: &[Table], views: &[View]) -> Schema {
    let mut s = Schema::default();
    for t in tables {
        s.tables.insert(t.key(), t.clone());
    }
    for v in views {
        s.views.insert(v.key(), v.clone());
    }
    s
}

fn summaries(changes: &[Change]) -> Vec<String> {
    changes.iter().map(Change::summary).collect()
}

#[test]
fn a_view_reading_a_retyped_column_is_dropped_before_and_created_after() {
    let v = view("open", "SELECT id FROM \"Issues\" WHERE title <> ''", false);
    let old = schema(&[table("issues", "text")], std::slice::from_ref(&v));
    let new = schema(&[table("issues", "varchar(300)")], &[v]);
    assert_eq!(
        summaries(&diff(&old, &new, &Renames::default())),
        [
            "~ view public.open: dropped, created again below",
            "~ column public.issues.title: type text -> varchar(300)",
            "+ view public.open",
        ]
    );
}

#[test]
fn a_view_naming_only_a_longer_identifier_is_left_alone() {
    let v = view("open", "SELECT id FROM issues_archive", false);
    let old = schema(&[table("issues", "text")], std::slice::from_ref(&v));
    let new = schema(&[table("issues", "varchar(300)")], &[v]);
    assert_eq!(
        summaries(&diff(&old, &new, &Renames::default())),
        ["~ column public.issues.title: type text -> varchar(300)"]
    );
}

#[test]
fn views_are_ordered_by_what_they_read_and_dependents_of_a_changed_view_are_recreated() {
    let base = view("base", "SELECT id FROM issues", false);
    let top = view("top", "SELECT id FROM base", false);
    let old = schema(&[table("issues", "text")], &[top.clone(), base.clone()]);
    let created = diff(&Schema::default(), &old, &Renames::default());
    let names: Vec<String> = summaries(&created)
        .into_iter()
        .filter(|s| s.contains("view"))
        .collect();
    assert_eq!(names, ["+ view public.base", "+ view public.top"]);
    let changed = View {
        sql: "SELECT id FROM issues WHERE id > 0".into(),
        ..base
    };
    let new = schema(&[table("issues", "text")], &[top, changed]);
    assert_eq!(
        summaries(&diff(&old, &new, &Renames::default())),
        [
            "~ view public.top: dropped, created again below",
            "~ view public.base: query or columns changed",
            "+ view public.top",
        ]
    );
    // The way back drops what the way there created, dependents first.
    assert_eq!(
        summaries(&down(&Schema::default(), &old, &Renames::default()))
            .into_iter()
            .filter(|s| s.contains("view"))
            .collect::<Vec<_>>(),
        ["- view public.top", "- view public.base"]
    );
}

#[test]
fn a_materialized_view_is_dropped_and_created_never_replaced() {
    let old = schema(&[], &[view("m", "SELECT 1 AS id", true)]);
    let new = schema(&[], &[view("m", "SELECT 2 AS id", true)]);
    assert_eq!(
        summaries(&diff(&old, &new, &Renames::default())),
        [
            "~ materialized view public.m: dropped, created again below",
            "+ materialized view public.m",
        ]
    );
}

/// A view column whose type the database does not say (SQLite, MySQL: empty, in a baseline's
/// snapshot) matches any type; a known type that differs still redefines the view.
#[test]
fn an_unknown_view_column_type_matches_any() {
    let t = table("posts", "text");
    let mut unknown = view("v", "SELECT id FROM posts", false);
    unknown.columns[0].ty = ColumnType::Builtin(String::new());
    let typed = view("v", "SELECT id FROM posts", false);
    let none = diff(
        &schema(&[t.clone()], &[unknown]),
        &schema(&[t.clone()], &[typed.clone()]),
        &Renames::default(),
    );
    assert!(summaries(&none).is_empty(), "{:?}", summaries(&none));
    let mut other = typed.clone();
    other.columns[0].ty = ColumnType::Builtin("integer".into());
    let some = diff(
        &schema(&[t.clone()], &[other]),
        &schema(&[t], &[typed]),
        &Renames::default(),
    );
    assert!(!summaries(&some).is_empty());
}

#[test]
fn a_view_renamed_and_recreated_around_a_retyped_column_is_renamed_first() {
    let v = view("open", "SELECT id FROM issues WHERE title <> ''", false);
    let old = schema(&[table("issues", "text")], std::slice::from_ref(&v));
    let mut w = view("open_issues", &v.sql, false);
    w.renamed_from = Some("open".into());
    let new = schema(&[table("issues", "varchar(300)")], &[w]);
    let renames = crate::diff::hinted_renames(&old, &new);
    let changes = diff(&old, &new, &renames);
    assert_eq!(
        summaries(&changes),
        [
            "~ view public.open: rename to public.open_issues",
            "~ view public.open_issues: dropped, created again below",
            "~ column public.issues.title: type text -> varchar(300)",
            "+ view public.open_issues",
        ]
    );
    let codes: Vec<&str> = crate::lint::lint(&old, &new, &changes)
        .iter()
        .map(|f| f.code)
        .collect();
    assert!(codes.contains(&crate::lint::RENAME_VIEW), "{codes:?}");
    assert!(!codes.contains(&crate::lint::DROP_VIEW), "{codes:?}");
}

#[test]
fn an_identity_option_change_leaves_the_views_reading_the_table_alone() {
    let v = view("open", "SELECT id FROM issues", false);
    let old = schema(&[table("issues", "text")], std::slice::from_ref(&v));
    let mut t = table("issues", "text");
    t.columns[0].identity = true;
    let mut o = old.clone();
    o.tables.insert(t.key(), t.clone());
    o.tables.get_mut(&t.key()).expect("issues").columns[0]
        .identity_options
        .cache = Some(20);
    t.columns[0].identity_options.cache = Some(30);
    let new = schema(&[t], &[v]);
    let changes = summaries(&diff(&o, &new, &Renames::default()));
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(changes[0].contains("identity"), "{changes:?}");
}

#[test]
fn a_recreated_view_whose_field_keeps_the_old_type_of_a_retyped_column_is_named() {
    let mut v = view("open", "SELECT id, title FROM issues", false);
    v.columns.push(ViewColumn {
        name: "title".into(),
        ty: ColumnType::Builtin("text".into()),
    });
    let old = schema(&[table("issues", "text")], std::slice::from_ref(&v));
    let new = schema(&[table("issues", "varchar(20)")], std::slice::from_ref(&v));
    let changes = diff(&old, &new, &Renames::default());
    assert_eq!(
        crate::diff::stale_view_columns(&changes),
        ["view public.open: column `title` is declared text but reads public.issues.title, now varchar(20); write #[column(sql_type = \"varchar(20)\")] on its field in the view's struct, or verify and check report drift"]
    );
    // Declared with the new type already: nothing to say.
    let mut w = v.clone();
    w.columns[1].ty = ColumnType::Builtin("varchar(20)".into());
    let new = schema(&[table("issues", "varchar(20)")], &[w]);
    let changes = diff(&old, &new, &Renames::default());
    assert!(crate::diff::stale_view_columns(&changes).is_empty());
}
