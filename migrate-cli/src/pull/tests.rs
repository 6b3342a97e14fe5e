//! The writer on schemas built by hand: names, keys, what it leaves out, determinism.

use super::*;
use schema_core::model::{Column, ColumnType, ForeignKey, PrimaryKey, Table};

fn column(name: &str, ty: &str, nullable: bool) -> Column {
    Column {
        name: name.into(),
        ty: ColumnType::Builtin(ty.into()),
        nullable,
        default: None,
        identity: false,
        identity_options: Default::default(),
        generated: None,
        renamed_from: None,
    }
}

fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        schema: "public".into(),
        name: name.into(),
        primary_key: Some(PrimaryKey {
            name: format!("{name}_pkey"),
            columns: vec![columns[0].name.clone()],
        }),
        columns,
        uniques: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        rls: false,
        policies: Vec::new(),
        renamed_from: None,
    }
}

fn schema(tables: Vec<Table>) -> Schema {
    Schema {
        tables: tables.into_iter().map(|t| (t.key(), t)).collect(),
        ..Schema::default()
    }
}

fn file<'a>(sources: &'a Sources, name: &str) -> &'a str {
    sources
        .files
        .iter()
        .find(|(p, _)| p == &PathBuf::from(name))
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no {name} in {:?}", sources.files))
}

#[test]
fn odd_names_become_fields_with_their_sql_names() {
    let s = schema(vec![table(
        "order",
        vec![
            column("id", "bigint", false),
            column("createdAt", "timestamp with time zone", false),
            column("type", "text", true),
        ],
    )]);
    let out = sources(&s, Dialect::Postgres).expect("sources");
    let order = file(&out, "order.rs");
    assert!(
        order.contains("#[table(name = \"order\")]\npub struct Order {"),
        "{order}"
    );
    assert!(
        order.contains("    #[column(primary_key)]\n    pub id: i64,"),
        "{order}"
    );
    assert!(
        order.contains("    #[column(name = \"createdAt\")]\n    pub created_at: chrono::DateTime<chrono::Utc>,"),
        "{order}"
    );
    assert!(
        order.contains("    #[column(name = \"type\")]\n    pub type_: Option<String>,"),
        "{order}"
    );
    assert_eq!(file(&out, "mod.rs").lines().last(), Some("pub mod order;"));
    assert!(out.left_out.is_empty(), "{:?}", out.left_out);
    let again = sources(&s, Dialect::Postgres).expect("sources");
    assert_eq!(
        out.files, again.files,
        "the same schema gives the same files"
    );
}

#[test]
fn what_cannot_be_written_is_a_comment_and_listed() {
    let mut nested = column("grid", "integer", true);
    nested.ty = ColumnType::Array(Box::new(ColumnType::Array(Box::new(ColumnType::Builtin(
        "integer".into(),
    )))));
    let mut child = table("child", vec![column("id", "bigint", false), nested]);
    child.foreign_keys.push(ForeignKey {
        name: "child_parent_fkey".into(),
        columns: vec!["id".into()],
        ref_schema: "public".into(),
        ref_table: "elsewhere".into(),
        ref_columns: vec!["id".into()],
        on_delete: Default::default(),
        on_update: Default::default(),
    });
    let out = sources(&schema(vec![child]), Dialect::Postgres).expect("sources");
    let text = file(&out, "child.rs");
    let objects: Vec<&str> = out.left_out.iter().map(|l| l.object.as_str()).collect();
    assert!(
        objects.contains(&"foreign key `child_parent_fkey` on table `public.child`"),
        "{objects:?}"
    );
    assert!(
        objects.contains(&"column `public.child.grid`"),
        "{objects:?}"
    );
    assert!(
        text.contains("// left out: foreign key `child_parent_fkey`"),
        "{text}"
    );
    assert!(
        text.contains("    // left out: column `public.child.grid`"),
        "{text}"
    );
    // The column left out is a change generate would make, and is said so.
    assert!(
        out.left_out
            .iter()
            .any(|l| l.why.contains("generate would write it as a change")),
        "{:?}",
        out.left_out
    );
}

#[test]
fn an_empty_database_is_an_error() {
    assert!(matches!(
        sources(&Schema::default(), Dialect::Sqlite),
        Err(PullError::Empty)
    ));
}

#[test]
fn a_sequence_a_default_draws_from_that_was_not_read_is_said_to_be_left_out() {
    let mut id = column("id", "integer", false);
    id.default = Some("nextval('counter_id_seq'::regclass)".into());
    let out =
        sources(&schema(vec![table("counter", vec![id])]), Dialect::Postgres).expect("sources");
    let objects: Vec<&str> = out.left_out.iter().map(|l| l.object.as_str()).collect();
    assert_eq!(
        objects,
        ["sequence `public.counter_id_seq` of column `public.counter.id`"]
    );
    assert!(
        file(&out, "counter.rs").contains("default_sql = \"nextval('counter_id_seq'::regclass)\""),
        "{}",
        file(&out, "counter.rs")
    );
}

#[test]
fn policies_of_a_table_without_row_level_security_are_left_out() {
    let mut t = table("notes", vec![column("id", "bigint", false)]);
    t.policies.push(schema_core::model::Policy {
        name: "own".into(),
        restrictive: false,
        command: Default::default(),
        roles: Vec::new(),
        using: Some("true".into()),
        with_check: None,
        renamed_from: None,
    });
    let off = sources(&schema(vec![t.clone()]), Dialect::Postgres).expect("sources");
    assert!(
        !file(&off, "notes.rs").contains("#[policy("),
        "{}",
        file(&off, "notes.rs")
    );
    assert!(
        off.left_out
            .iter()
            .any(|l| l.object.contains("policy `own`")),
        "{:?}",
        off.left_out
    );
    t.rls = true;
    let on = sources(&schema(vec![t]), Dialect::Postgres).expect("sources");
    assert!(file(&on, "notes.rs").contains("#[policy(name = \"own\""));
}
