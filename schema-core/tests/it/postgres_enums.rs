//! PostgreSQL SQL for enum types: create, drop, rename, add values, rebuild.

use crate::build::*;
use insta::assert_snapshot;

fn issues(state: schema_core::model::ColumnType) -> TableBuilder {
    table("issues")
        .id()
        .col(col("state", state).default("'open'"))
}

#[test]
fn create_enum_and_table_using_it() {
    let after = schema(
        vec![issues(enum_ty("issue_state"))],
        vec![db_enum("issue_state", &["open", "closed"])],
    );
    assert_snapshot!(check(&Default::default(), &after));
}

#[test]
fn drop_enum_after_its_table() {
    let before = schema(
        vec![issues(enum_ty("issue_state"))],
        vec![db_enum("issue_state", &["open", "closed"])],
    );
    assert_snapshot!(check(&before, &Default::default()));
}

#[test]
fn rename_enum() {
    let before = schema(
        vec![issues(enum_ty("state"))],
        vec![db_enum("state", &["open", "closed"])],
    );
    let mut renamed = db_enum("issue_state", &["open", "closed"]);
    renamed.renamed_from = Some("state".into());
    let after = schema(vec![issues(enum_ty("issue_state"))], vec![renamed]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn add_enum_values_in_declared_positions() {
    let before = schema(vec![], vec![db_enum("e", &["b", "d"])]);
    let after = schema(
        vec![],
        vec![db_enum("e", &["a", "b", "c1", "c2", "d", "e"])],
    );
    assert_snapshot!(check(&before, &after));
}

#[test]
fn remove_enum_value_rebuilds_the_type() {
    let e = |values: &[&str]| db_enum("issue_state", values);
    let t =
        || issues(enum_ty("issue_state")).col(col("history", array(enum_ty("issue_state"))).null());
    let other = || {
        table("labels")
            .id()
            .col(col("state", enum_ty("issue_state")).null())
    };
    let before = schema(vec![t(), other()], vec![e(&["open", "closed", "stale"])]);
    let after = schema(vec![t(), other()], vec![e(&["open", "closed"])]);
    assert_snapshot!(check(&before, &after));
}

/// PostgreSQL re-parses a stored predicate or check when its column changes type, and the
/// literal in it is still of the old type (`state <> 'closed'::issue_state__old`): the partial
/// index and the check that use the column are dropped before the conversion and created again
/// after it (the index without `CONCURRENTLY`: the table is rewritten in this transaction
/// anyway); the index and the check that do not use it stay.
#[test]
fn remove_enum_value_recreates_the_predicates_and_checks_using_the_column() {
    let e = |values: &[&str]| db_enum("issue_state", values);
    let t = || {
        issues(enum_ty("issue_state"))
            .col(int("project_id"))
            .index(&["project_id"])
            .with_index(|i| {
                i.name = "issues_open_project_id_idx".into();
                i.predicate = Some("state <> 'closed'".into());
                i.concurrently = true;
            })
            .index(&["id"])
            .with_index(|i| i.predicate = Some("project_id > 0".into()))
            .check("issues_state_check", "\"state\" IN ('open', 'closed')")
            .check("issues_project_id_check", "project_id > 0")
    };
    let before = schema(vec![t()], vec![e(&["open", "closed", "stale"])]);
    let after = schema(vec![t()], vec![e(&["open", "closed"])]);
    assert_snapshot!(check(&before, &after));
}

#[test]
fn reorder_and_add_enum_values_rebuilds_the_type() {
    let before = schema(
        vec![issues(enum_ty("issue_state"))],
        vec![db_enum("issue_state", &["open", "closed"])],
    );
    let after_table =
        issues(enum_ty("issue_state")).col(col("next", enum_ty("issue_state")).default("'triage'"));
    let after = schema(
        vec![after_table],
        vec![db_enum("issue_state", &["closed", "triage", "open"])],
    );
    assert_snapshot!(check(&before, &after));
}

#[test]
fn column_from_text_to_enum_and_back() {
    let e = || db_enum("issue_state", &["open", "closed"]);
    let before = schema(
        vec![issues(builtin("text")).col(col("kind", enum_ty("issue_state")))],
        vec![e()],
    );
    let after = schema(
        vec![issues(enum_ty("issue_state")).col(col("kind", builtin("integer")))],
        vec![e()],
    );
    assert_snapshot!(check(&before, &after));
}

#[test]
fn enum_in_other_schema() {
    let mut e = db_enum("level", &["low", "high"]);
    e.schema = "audit".into();
    let ty = schema_core::model::ColumnType::Enum {
        schema: "audit".into(),
        name: "level".into(),
    };
    let after = schema(
        vec![table("events").schema("audit").id().col(col("level", ty))],
        vec![e],
    );
    assert_snapshot!(check(&Default::default(), &after));
}

#[test]
fn new_value_used_by_a_default_rebuilds_instead_of_adding() {
    let before = schema(
        vec![issues(enum_ty("issue_state"))],
        vec![db_enum("issue_state", &["open", "closed"])],
    );
    let after_table = table("issues")
        .id()
        .col(col("state", enum_ty("issue_state")).default("'triage'"));
    let after = schema(
        vec![after_table],
        vec![db_enum("issue_state", &["triage", "open", "closed"])],
    );
    assert_snapshot!(check(&before, &after));
}
