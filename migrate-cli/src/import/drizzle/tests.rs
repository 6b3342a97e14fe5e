//! The folders the real drizzle-kit 0.31.11 wrote (`tests/fixtures/drizzle-kit-0.31.11`).

use super::*;
use schema_core::model::{ColumnType, FkAction, KeyTarget};

fn fixture(dialect: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/drizzle-kit-0.31.11")
        .join(dialect)
        .join("out")
}

#[test]
fn postgres_folder_reads_as_its_last_snapshot() {
    let imported = read(&fixture("pg")).unwrap();
    assert_eq!(imported.dialect, Dialect::Postgres);
    let tags: Vec<_> = imported.entries.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(tags, ["0000_init", "0001_add_labels", "0002_orders"]);
    // What `drizzle-kit migrate` wrote into drizzle.__drizzle_migrations (drizzle_migrations.sql).
    assert_eq!(
        imported.entries[0].hash,
        "6ad1c49adb23db7151dc682b7eac1569cd1380f19ab90e7b383760c76a7979d3"
    );
    assert_eq!(imported.entries[1].when, 1796564551752);
    let s = &imported.schema;
    let names: Vec<_> = s.tables.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "public.issues",
            "public.labels",
            "public.memberships",
            "public.orders",
            "public.projects",
            "public.tokens",
            "public.users"
        ]
    );
    let orders = &s.tables["public.orders"];
    assert!(
        orders.rls && orders.policies[0].roles.is_empty(),
        "`public` is no role"
    );
    let id = &orders.columns[0].identity_options;
    assert_eq!(
        (id.always, id.start, id.increment),
        (true, Some(100), Some(10))
    );
    assert!(orders.columns[4].generated.is_some());
    assert!(orders.uniques[0].nulls_not_distinct);
    assert_eq!(
        orders.indexes[0].keys[0].expression(),
        Some("lower(\"customer\")")
    );
    let sequence = &s.sequences["public.order_numbers"].options;
    assert_eq!(
        (sequence.start, sequence.cache, sequence.max),
        (Some(1000), Some(20), None)
    );
    assert_eq!(s.views["public.big_orders"].columns.len(), 2);
    let users = &s.tables["public.users"];
    let columns: Vec<_> = users.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        columns,
        ["id", "email", "display_name", "is_admin", "created_at"],
        "file order"
    );
    assert!(users.columns[0].identity && users.columns[0].identity_options.is_empty());
    assert_eq!(
        users.columns[1].ty,
        ColumnType::Builtin("character varying(255)".into())
    );
    assert_eq!(users.uniques[0].name, "users_email_unique");
    assert_eq!(users.columns[3].default.as_deref(), Some("false"));
    let labels = &s.tables["public.labels"];
    assert!(labels.columns[0].identity_options.always);
    assert!(!labels.columns[0].identity_options.has_sequence_options());
    assert_eq!(
        labels.columns[3].ty,
        ColumnType::Enum {
            schema: "public".into(),
            name: "label_color".into()
        }
    );
    assert_eq!(labels.foreign_keys[0].on_update, FkAction::Cascade);
    let memberships = &s.tables["public.memberships"];
    let pk = memberships.primary_key.as_ref().unwrap();
    assert_eq!(
        (pk.name.as_str(), pk.columns.len()),
        ("memberships_user_id_project_id_pk", 2)
    );
    let issues = &s.tables["public.issues"];
    assert_eq!(
        issues.indexes[0].columns,
        ["project_id"],
        "plain keys stay columns"
    );
    assert!(issues.indexes[0].predicate.is_some());
    assert_eq!(issues.foreign_keys[0].on_delete, FkAction::Restrict);
    assert_eq!(
        s.enums["public.issue_state"].values,
        ["open", "in progress", "closed"]
    );
    assert!(imported.left_out.is_empty(), "{:?}", imported.left_out);
}

#[test]
fn sqlite_folder_names_keys_as_sqlite_does() {
    let imported = read(&fixture("sqlite")).unwrap();
    assert_eq!(imported.dialect, Dialect::Sqlite);
    let s = &imported.schema;
    let users = &s.tables["public.users"];
    assert!(!users.columns[0].identity, "a rowid alias, not an identity");
    assert_eq!(users.indexes[0].name, "users_email_unique");
    assert!(users.indexes[0].unique);
    let memberships = &s.tables["public.memberships"];
    assert_eq!(
        memberships.primary_key.as_ref().unwrap().name,
        "memberships_pkey"
    );
    assert_eq!(memberships.foreign_keys[0].name, "memberships_user_id_fkey");
    assert!(
        imported
            .left_out
            .iter()
            .any(|l| l.object.contains("users.id") && l.object.contains("AUTOINCREMENT")),
        "{:?}",
        imported.left_out
    );
}

#[test]
fn mysql_folder_reads_mysql_types_and_the_primary_name() {
    let imported = read(&fixture("mysql")).unwrap();
    let s = &imported.schema;
    let users = &s.tables["public.users"];
    assert_eq!(users.primary_key.as_ref().unwrap().name, "PRIMARY");
    assert_eq!(users.columns[0].ty, ColumnType::Builtin("int".into()));
    assert!(users.columns[0].identity);
    assert_eq!(
        users.columns[3].ty,
        ColumnType::Builtin("tinyint(1)".into())
    );
    assert_eq!(users.columns[3].default.as_deref(), Some("0"));
    assert_eq!(
        users.columns[4].default.as_deref(),
        Some("CURRENT_TIMESTAMP")
    );
    let issues = &s.tables["public.issues"];
    assert_eq!(
        issues.columns[3].ty,
        ColumnType::Builtin("enum('open','in progress','closed')".into())
    );
    assert_eq!(
        issues.foreign_keys[0].on_delete,
        FkAction::NoAction,
        "InnoDB's RESTRICT"
    );
}

#[test]
fn an_expression_key_and_descending_order_keep_their_form() {
    let snapshot = r#"{"version":"7","dialect":"postgresql","tables":{"public.t":{"name":"t","schema":"","columns":{"a":{"name":"a","type":"text","primaryKey":false,"notNull":false}},
      "indexes":{"t_idx":{"name":"t_idx","columns":[{"expression":"lower(\"a\")","isExpression":true,"asc":true,"nulls":"last"},{"expression":"a","isExpression":false,"asc":false,"nulls":"first"}],"isUnique":false,"concurrently":false,"method":"btree","with":{"fillfactor":70}}},
      "foreignKeys":{},"compositePrimaryKeys":{},"uniqueConstraints":{},"policies":{},"checkConstraints":{},"isRLSEnabled":false}},
      "enums":{},"schemas":{},"sequences":{},"roles":{},"policies":{},"views":{}}"#;
    let (schema, _) = postgres::schema(Path::new("s.json"), snapshot).unwrap();
    let index = &schema.tables["public.t"].indexes[0];
    assert!(index.columns.is_empty());
    assert_eq!(
        index.keys[0].target,
        KeyTarget::Expression("lower(\"a\")".into())
    );
    assert!(
        index.keys[1].desc && index.keys[1].nulls.is_none(),
        "NULLS FIRST is DESC's default"
    );
    assert_eq!(index.with["fillfactor"], "70");
    assert_eq!(index.using, None);
}

#[test]
fn an_old_snapshot_version_says_to_run_drizzle_kit_up() {
    let err = postgres::schema(
        Path::new("m/0000_snapshot.json"),
        r#"{"version":"5","tables":{}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("drizzle-kit up"), "{err}");
}
