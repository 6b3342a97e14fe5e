//! Table sizes in lint: row counts in the messages of locking findings, errors above
//! `large_table_rows`, and the tables whose sizes are read.

use super::*;

/// Every locking change on `t`, and one that is an error whatever the size.
fn locking_changes(t: &str) -> Vec<Change> {
    let mut changes = constraint_changes(t);
    changes.push(Change::SetNotNull {
        table: q(t),
        column: "a".into(),
    });
    changes.push(Change::AlterColumnType {
        table: q(t),
        column: "a.b".into(),
        from: ColumnType::Builtin("integer".into()),
        to: ColumnType::Builtin("bigint".into()),
    });
    changes.push(Change::AlterGenerated {
        table: q(t),
        column: crate::model::Column {
            name: "g".into(),
            ty: ColumnType::Builtin("integer".into()),
            nullable: true,
            default: None,
            identity: false,
            identity_options: Default::default(),
            generated: Some(crate::model::Generated {
                expr: "a * 2".into(),
                is_virtual: false,
            }),
            renamed_from: None,
        },
        from: None,
    });
    changes
}

/// (code, severity, message) of each finding with `sizes`.
fn sized(changes: &[Change], sizes: &TableSizes) -> Vec<(&'static str, Severity, String)> {
    lint_sized(&Schema::default(), &Schema::default(), changes, sizes)
        .into_iter()
        .map(|f| (f.code, f.severity, f.message))
        .collect()
}

#[test]
fn locking_findings_become_errors_above_large_table_rows() {
    let plain = sized(&locking_changes("t"), &TableSizes::default());
    let large = sized(
        &locking_changes("t"),
        &TableSizes::new(2).with("public.t", 3),
    );
    assert_eq!(plain.len(), large.len());
    let mut escalated = Vec::new();
    for ((code, before, message), (_, after, sized_message)) in plain.iter().zip(&large) {
        if LOCKING_CODES.contains(code) {
            assert_eq!(*before, Severity::Warning, "{code}");
            assert_eq!(*after, Severity::Error, "{code}");
            assert_eq!(
                *sized_message,
                format!(
                    "{message} (about 3 rows, more than large_table_rows = 2, so this is an error)"
                )
            );
            escalated.push(*code);
        } else {
            assert_eq!((before, message), (after, sized_message), "{code}");
        }
    }
    let expected = [
        ADD_UNIQUE,
        INDEX_WITHOUT_CONCURRENTLY,
        ADD_FOREIGN_KEY,
        ADD_CHECK,
        SET_NOT_NULL,
        TYPE_CHANGE,
        GENERATED_EXPRESSION_CHANGE,
    ];
    assert_eq!(escalated, expected);
    let all: BTreeSet<&str> = LOCKING_CODES.iter().copied().collect();
    assert_eq!(all, expected.into_iter().collect());
}

#[test]
fn at_or_below_the_threshold_the_count_is_only_shown() {
    let changes = [Change::CreateIndex {
        table: q("t"),
        index: index("t_a_idx", false, false),
    }];
    let message = |rows| {
        format!("building index t_a_idx on public.t blocks writes to the table until it is done (about {rows})")
    };
    assert_eq!(
        sized(
            &changes,
            &TableSizes::new(1_234_567).with("public.t", 1_234_567)
        ),
        [(
            INDEX_WITHOUT_CONCURRENTLY,
            Severity::Warning,
            message("1,234,567 rows")
        )]
    );
    assert_eq!(
        sized(&changes, &TableSizes::new(5).with("public.t", 1)),
        [(
            INDEX_WITHOUT_CONCURRENTLY,
            Severity::Warning,
            message("1 row")
        )]
    );
    assert_eq!(
        sized(&changes, &TableSizes::default().with("public.t", 1_000_001))[0].1,
        Severity::Error
    );
}

#[test]
fn unknown_sizes_and_other_codes_change_nothing() {
    let mut changes = locking_changes("t");
    changes.push(Change::RenameColumn {
        table: q("u"),
        from: "a".into(),
        to: "b".into(),
    });
    changes.push(Change::DropTable { table: q("u") });
    let plain = sized(&changes, &TableSizes::default());
    // Another table's size, or a size of 0 rows on a tiny threshold for tables without one.
    assert_eq!(
        sized(&changes, &TableSizes::new(0).with("public.v", 9)),
        plain
    );
    assert_eq!(
        sized(&changes, &TableSizes::new(0).with("public.u", 9))
            .into_iter()
            .filter(|f| f.2.contains("(about"))
            .count(),
        0
    );
}

#[test]
fn sizes_applied_again_replace_the_note_and_never_lower_an_error() {
    let changes = [
        Change::CreateIndex {
            table: q("t"),
            index: index("t_a_idx", false, false),
        },
        Change::AddCheck {
            table: q("u"),
            check: Check {
                name: "u_a_check".into(),
                expr: "a > 0".into(),
            },
        },
    ];
    let written = lint_sized(
        &Schema::default(),
        &Schema::default(),
        &changes,
        &TableSizes::new(100)
            .with("public.t", 10)
            .with("public.u", 500),
    );
    // As `check` reads them back from the file, then with today's sizes.
    let mut read: Vec<Finding> = written
        .iter()
        .map(|f| parse_comment(&f.comment()).expect("parses"))
        .collect();
    assert_eq!(read[0].severity, Severity::Warning);
    assert_eq!(read[1].severity, Severity::Error);
    apply_sizes(
        &mut read,
        &TableSizes::new(100)
            .with("public.t", 2_000)
            .with("public.u", 5),
    );
    assert_eq!(read[0].severity, Severity::Error);
    assert!(
        read[0].message.ends_with(
            "until it is done (about 2,000 rows, more than large_table_rows = 100, so this is an error)"
        ),
        "{}",
        read[0].message
    );
    assert_eq!(read[0].message.matches("(about").count(), 1);
    assert_eq!(read[1], written[1]);
}

#[test]
fn thousands_separators() {
    for (n, shown) in [
        (0, "0"),
        (999, "999"),
        (1_000, "1,000"),
        (123_456, "123,456"),
        (1_234_567, "1,234,567"),
        (u64::MAX, "18,446,744,073,709,551,615"),
    ] {
        assert_eq!(thousands(n), shown);
    }
}

#[test]
fn tables_to_size_are_the_existing_tables_a_locking_change_touches() {
    let mut old = Schema::default();
    for name in ["t", "old_name", "dropped", "quiet"] {
        let t = table(name);
        old.tables.insert(t.key(), t);
    }
    let mut changes = vec![
        Change::CreateTable {
            table: table("new"),
        },
        Change::RenameTable {
            from: q("old_name"),
            to: q("renamed"),
        },
        Change::DropTable {
            table: q("dropped"),
        },
        Change::DropNotNull {
            table: q("quiet"),
            column: "a".into(),
        },
    ];
    changes.extend(locking_changes("t"));
    changes.extend(constraint_changes("new"));
    changes.push(Change::CreateIndex {
        table: q("renamed"),
        index: index("i", false, false),
    });
    let found = |costs| -> Vec<(String, String)> {
        tables_to_size(&old, &changes, costs)
            .into_iter()
            .map(|(key, name)| (key, name.key()))
            .collect()
    };
    assert_eq!(
        found(Costs::IN_PLACE),
        [
            ("public.renamed".to_string(), "public.old_name".to_string()),
            ("public.t".to_string(), "public.t".to_string()),
        ]
    );
    // SQLite and MySQL findings name the table without its schema: so do the sizes' keys.
    for dialect in [
        &crate::render::Sqlite as &dyn crate::render::Dialect,
        &crate::render::Mysql,
    ] {
        assert_eq!(
            found(Costs::of(dialect)),
            [
                ("renamed".to_string(), "public.old_name".to_string()),
                ("t".to_string(), "public.t".to_string()),
            ]
        );
    }
}

#[test]
fn locked_table_from_a_findings_object() {
    let table = |code, object: &str| {
        let f = finding(code, Severity::Warning, object.into(), String::new(), "");
        locked_table(&f, Costs::IN_PLACE).map(|t| t.key())
    };
    assert_eq!(
        table(INDEX_WITHOUT_CONCURRENTLY, "public.t").as_deref(),
        Some("public.t")
    );
    assert_eq!(table(SET_NOT_NULL, "audit.t.a").as_deref(), Some("audit.t"));
    assert_eq!(
        table(TYPE_CHANGE, "public.t.a").as_deref(),
        Some("public.t")
    );
    assert_eq!(table(RENAME_TABLE, "public.t"), None);
    // Hand-written SQL without the schema: the default one.
    assert_eq!(table(ADD_CHECK, "t").as_deref(), Some("public.t"));
    let unqualified = |code, object: &str| {
        let f = finding(code, Severity::Warning, object.into(), String::new(), "");
        locked_table(&f, Costs::of(&crate::render::Sqlite)).map(|t| t.key())
    };
    assert_eq!(unqualified(ADD_CHECK, "t").as_deref(), Some("public.t"));
    assert_eq!(unqualified(TYPE_CHANGE, "t.a").as_deref(), Some("public.t"));
    assert_eq!(unqualified(RENAME_TABLE, "t"), None);
}

/// On SQLite and MySQL a finding names `t` and `t.a`, and its table's size is found by that
/// name: the message gets the row count.
#[test]
fn sizes_reach_findings_without_schemas() {
    let t = table("t");
    let mut old = Schema::default();
    old.tables.insert(t.key(), t);
    let changes = locking_changes("t");
    for dialect in [
        &crate::render::Sqlite as &dyn crate::render::Dialect,
        &crate::render::Mysql,
    ] {
        let costs = Costs::of(dialect);
        let mut sizes = TableSizes::new(2);
        for key in tables_to_size(&old, &changes, costs).into_keys() {
            sizes = sizes.with(&key, 3);
        }
        let findings = lint_sized_with(&old, &old, &changes, &sizes, costs);
        assert!(!findings.is_empty());
        for f in findings {
            assert!(f.object == "t" || f.object.starts_with("t."), "{f}");
            assert!(!f.message.contains("public."), "{f}");
            assert_eq!(f.severity, Severity::Error, "{f}");
            if LOCKING_CODES.contains(&f.code) {
                assert!(f.message.contains("(about 3 rows, more than"), "{f}");
            }
        }
    }
}
