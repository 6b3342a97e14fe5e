//! Which index changes leave the main file, and the schema between the two files.

use super::*;
use schema_core::diff::ColumnRename;
use schema_core::model::{Column, ColumnType, ForeignKey, Index, Table};

fn name(table: &str) -> QualifiedName {
    QualifiedName::new("public", table)
}

fn index(name: &str, columns: &[&str], concurrently: bool) -> Index {
    Index {
        keys: Vec::new(),
        with: Default::default(),
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        unique: false,
        predicate: None,
        using: None,
        concurrently,
        nulls_not_distinct: false,
    }
}

fn create(table: &str, index: Index) -> Change {
    Change::CreateIndex {
        table: name(table),
        index,
    }
}

fn drop(table: &str, index: &str, concurrently: bool) -> Change {
    Change::DropIndex {
        table: name(table),
        name: index.into(),
        concurrently,
    }
}

fn table(name: &str, columns: &[&str], indexes: Vec<Index>) -> Table {
    Table {
        schema: "public".into(),
        name: name.into(),
        columns: columns
            .iter()
            .map(|c| Column {
                name: c.to_string(),
                ty: ColumnType::Builtin("text".into()),
                nullable: true,
                default: None,
                identity: false,
                identity_options: Default::default(),
                generated: None,
                renamed_from: None,
            })
            .collect(),
        primary_key: None,
        uniques: Vec::new(),
        indexes,
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        renamed_from: None,
        rls: false,
        policies: Vec::new(),
    }
}

fn schema(tables: Vec<Table>) -> Schema {
    Schema {
        tables: tables.into_iter().map(|t| (t.key(), t)).collect(),
        ..Schema::default()
    }
}

#[test]
fn concurrent_builds_and_drops_move_out_in_order_and_the_rest_stays() {
    let changes = vec![
        drop("a", "a_x_idx", true),
        drop("a", "a_y_idx", false),
        create("a", index("a_z_idx", &["z"], false)),
        create("a", index("a_w_idx", &["w"], true)),
    ];
    let split = split(changes.clone());
    assert_eq!(split.main, [changes[1].clone(), changes[2].clone()]);
    assert_eq!(split.concurrent, [changes[0].clone(), changes[3].clone()]);
}

#[test]
fn a_concurrent_drop_names_the_table_as_renamed_and_moved_by_the_main_file() {
    let moved = QualifiedName::new("audit", "b");
    let changes = vec![
        drop("a", "a_x_idx", true),
        Change::RenameTable {
            from: name("a"),
            to: moved.clone(),
        },
    ];
    let split = split(changes);
    assert_eq!(
        split.concurrent,
        [Change::DropIndex {
            table: moved,
            name: "a_x_idx".into(),
            concurrently: true
        }]
    );
}

#[test]
fn a_concurrent_drop_whose_name_the_main_file_reuses_stays_a_plain_drop() {
    let changes = vec![
        drop("a", "a_x_idx", true),
        create("a", index("a_x_idx", &["y"], false)),
    ];
    let split = split(changes);
    assert!(split.concurrent.is_empty());
    assert_eq!(split.main[0], drop("a", "a_x_idx", false));
}

#[test]
fn a_unique_concurrent_index_a_new_foreign_key_needs_stays_a_plain_build() {
    let mut unique = index("a_x_key", &["x"], true);
    unique.unique = true;
    let fk = Change::AddForeignKey {
        table: name("b"),
        key: ForeignKey {
            name: "b_x_fkey".into(),
            columns: vec!["x".into()],
            ref_schema: "public".into(),
            ref_table: "a".into(),
            ref_columns: vec!["x".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
        },
    };
    let split = split(vec![create("a", unique.clone()), fk]);
    assert!(split.concurrent.is_empty());
    unique.concurrently = false;
    assert_eq!(split.main[0], create("a", unique));
}

#[test]
fn between_lacks_the_new_concurrent_indexes_and_keeps_the_dropped_ones() {
    let old = schema(vec![table(
        "a",
        &["x", "y"],
        vec![
            index("a_x_idx", &["x"], true),
            index("a_y_idx", &["y"], true),
        ],
    )]);
    // x is renamed to x2, y dropped; a_x_idx and a_y_idx go, a_z_idx comes.
    let new = schema(vec![table(
        "a",
        &["x2", "z"],
        vec![index("a_z_idx", &["z"], true)],
    )]);
    let renames = Renames {
        columns: vec![ColumnRename {
            table: "public.a".into(),
            from: "x".into(),
            to: "x2".into(),
        }],
        ..Renames::default()
    };
    let changes = vec![
        drop("a", "a_x_idx", true),
        drop("a", "a_y_idx", true),
        create("a", index("a_z_idx", &["z"], true)),
    ];
    let split = split(changes);
    let between = between(&old, &new, &renames, &split, 0);
    // a_y_idx went with its column.
    assert_eq!(
        between.tables["public.a"].indexes,
        [index("a_x_idx", &["x2"], true)]
    );
}
