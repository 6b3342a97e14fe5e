//! The render API: the migration file format, and errors for what a dialect cannot do.

use crate::build::*;
use schema_core::diff::{Change, QualifiedName};
use schema_core::render::{migration_sql, render, Dialect, Postgres, RenderError};

/// A dialect with only the defaults: no schemas, no enums.
struct Plain;

impl Dialect for Plain {
    fn name(&self) -> &'static str {
        "plain"
    }
}

#[test]
fn migration_file_joins_with_breakpoints() {
    let statements = vec![
        "CREATE SCHEMA \"a\";".to_string(),
        "CREATE SCHEMA \"b\";".to_string(),
    ];
    assert_eq!(
        migration_sql(&statements),
        "CREATE SCHEMA \"a\";\n--> statement-breakpoint\nCREATE SCHEMA \"b\";\n"
    );
    assert_eq!(migration_sql(&[]), "");
}

#[test]
fn every_statement_ends_with_a_semicolon() {
    let after = schema(
        vec![table("issues")
            .schema("audit")
            .id()
            .col(col("s", enum_ty("st")))
            .index(&["s"])],
        vec![db_enum("st", &["a"])],
    );
    let statements = render(&Postgres, &changes(&Default::default(), &after)).expect("renders");
    assert!(
        statements
            .iter()
            .all(|s| s.ends_with(';') && !s.ends_with('\n')),
        "{statements:#?}"
    );
}

#[test]
fn unsupported_change_is_an_error_that_names_the_object() {
    let change = Change::CreateEnum {
        name: QualifiedName::new("public", "mood"),
        values: vec!["a".into()],
    };
    let err = render(&Plain, &[change]).expect_err("plain has no enums");
    assert!(matches!(err, RenderError::Unsupported { .. }));
    assert_eq!(
        err.to_string(),
        "plain cannot create or alter enum type public.mood; store the values as text with a check constraint"
    );
    let schema_change = Change::CreateSchema {
        name: "audit".into(),
    };
    assert!(render(&Plain, &[schema_change]).is_err());
}

#[test]
fn too_long_name_is_an_error() {
    let long = "x".repeat(64);
    let after = tables(vec![table(&long).id()]);
    let err =
        render(&Postgres, &changes(&Default::default(), &after)).expect_err("64 bytes is too long");
    assert!(
        err.to_string()
            .starts_with("postgres names are at most 63 bytes"),
        "{err}"
    );
}

#[test]
fn summaries_start_with_a_sign() {
    let before = tables(vec![table("a").id().col(text("x")).col(text("gone"))]);
    let after = tables(vec![
        table("a").id().col(int("x")).col(text("new")),
        table("b").id(),
    ]);
    for change in changes(&before, &after) {
        let summary = change.summary();
        assert!(
            ["+ ", "- ", "~ "].iter().any(|p| summary.starts_with(p)),
            "{summary}"
        );
        assert!(!summary.contains('\n'));
    }
}

#[test]
fn identifiers_are_quoted_with_inner_quotes_doubled() {
    use schema_core::render::Sqlite;
    assert_eq!(Postgres.quote("accounts"), "\"accounts\"");
    assert_eq!(Postgres.quote("a\"b\"\""), "\"a\"\"b\"\"\"\"\"");
    assert_eq!(Postgres.quote(""), "\"\"");
    assert_eq!(
        Postgres.qualified(&QualifiedName::new("we\"ird", "user")),
        "\"we\"\"ird\".\"user\""
    );
    assert_eq!(
        Sqlite.qualified(&QualifiedName::new("public", "or\"der")),
        "\"or\"\"der\""
    );
}
