// `#[derive(DbEnum)]`: type name, variant renames, declaration order; enum columns, their
// defaults, `Option<Enum>` and `Vec<Enum>`.

use schema_core::def::{DefaultDef, FieldType};
use schema_core::model::ColumnType;
use schema_macros::{DbEnum, Table};

#[derive(DbEnum)]
#[db_enum(name = "issue_state")]
pub enum State {
    Open,
    #[db_enum(rename = "in-progress")]
    InProgress,
    Closed,
}

#[derive(DbEnum)]
pub enum IssueKind {
    Bug,
    FeatureRequest,
}

#[derive(DbEnum)]
#[db_enum(schema = "audit", renamed_from = "old_priority")]
pub enum Priority {
    Low,
    High,
}

#[derive(Table)]
pub struct Issue {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(default = "in-progress")]
    pub state: State,
    pub kind: Option<IssueKind>,
    #[column(default_sql = "'{}'")]
    pub kinds: Vec<IssueKind>,
    #[column(default = "low")]
    pub priority: Priority,
}

fn main() {
    let state = <State as schema_core::DbEnum>::enum_def();
    assert_eq!(state.name, "issue_state");
    assert_eq!(state.schema, "public");
    assert_eq!(state.values, ["open", "in-progress", "closed"]);
    assert_eq!(<State as schema_core::DbEnum>::VALUES, ["open", "in-progress", "closed"]);
    let kind = <IssueKind as schema_core::DbEnum>::enum_def();
    assert_eq!(kind.name, "issue_kind");
    assert_eq!(kind.values, ["bug", "feature_request"]);
    let priority = <Priority as schema_core::DbEnum>::enum_def();
    assert_eq!(priority.schema, "audit");
    assert_eq!(priority.renamed_from.as_deref(), Some("old_priority"));

    let issue = <Issue as schema_core::Table>::table_def();
    assert_eq!(issue.fields[1].ty, FieldType::User { rust: "State".into(), array: false });
    assert_eq!(issue.fields[1].default, Some(DefaultDef::Str("in-progress".into())));
    assert!(issue.fields[2].nullable);
    assert_eq!(issue.fields[3].ty, FieldType::User { rust: "IssueKind".into(), array: true });

    let schema = schema_core::resolve::resolve(&[issue], &[state, kind, priority]).expect("resolves");
    assert_eq!(schema.enums.len(), 3);
    let t = &schema.tables["public.issue"];
    let enum_type = |schema: &str, name: &str| ColumnType::Enum { schema: schema.into(), name: name.into() };
    assert_eq!(t.column("state").unwrap().ty, enum_type("public", "issue_state"));
    assert_eq!(t.column("state").unwrap().default.as_deref(), Some("'in-progress'"));
    assert_eq!(t.column("kind").unwrap().ty, enum_type("public", "issue_kind"));
    assert!(t.column("kind").unwrap().nullable);
    assert_eq!(t.column("kinds").unwrap().ty, ColumnType::Array(Box::new(enum_type("public", "issue_kind"))));
    assert_eq!(t.column("priority").unwrap().ty, enum_type("audit", "priority"));
}
