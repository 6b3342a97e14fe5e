//! One attribute parser: for the example application, the descriptions the derive emitted at
//! compile time equal what the CLI's scanner reads from the source files.

use migrate_cli::scan::{scan, scan_source, Scanned};
use schema_core::resolve::resolve;
use std::path::{Path, PathBuf};

#[test]
fn example_application_derive_equals_scanner() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/issue-tracker");
    let scanned = match scan(&[root.join("src/schema")], &root) {
        Ok(s) => s,
        Err(e) => panic!("scanner failed on the example: {e}"),
    };
    let mut from_derive = issue_tracker::tables();
    let mut from_source = scanned.tables.clone();
    from_derive.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
    from_source.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
    assert_eq!(from_derive.len(), 5, "the example declares five tables");
    assert_eq!(from_derive, from_source);
    assert_eq!(issue_tracker::enums(), scanned.enums);

    let derived = resolve(&from_derive, &issue_tracker::enums()).expect("derive output resolves");
    let scanned = scanned.resolve().expect("scanned source resolves");
    assert_eq!(derived, scanned);
    let issues = &derived.tables["public.issues"];
    assert_eq!(issues.foreign_keys.len(), 2);
    assert!(issues
        .foreign_keys
        .iter()
        .any(|fk| fk.name == "issues_project_id_fkey" && fk.ref_table == "projects"));
}

/// Expands the items and keeps their source text, so the derive and the scanner read the same.
macro_rules! derived_and_source {
    ($($item:item)*) => {
        // Read through the derive's description only, never as values.
        $(#[allow(dead_code)] $item)*
        const SOURCE: &str = stringify!($($item)*);
    };
}

derived_and_source! {
    #[derive(schema_macros::DbEnum)]
    pub enum Odd {
        #[db_enum(rename = "a}b")]
        Close,
        #[db_enum(rename = "{x}")]
        Named,
        #[db_enum(rename = "{{")]
        Doubled,
        #[db_enum(rename = "it's")]
        Quote,
        #[db_enum(rename = "back\\slash")]
        Backslash,
    }

    #[derive(schema_macros::Table)]
    pub struct Labels {
        #[column(primary_key)]
        pub id: i32,
        #[column(default = "a}b")]
        pub close: Odd,
        #[column(default = "{x}")]
        pub named: Odd,
        #[column(default = "{{")]
        pub doubled: Odd,
        #[column(default = "it's")]
        pub quote: Odd,
        #[column(default = "back\\slash")]
        pub backslash: Odd,
    }
}

/// Issue 9, defect 12: enum labels holding braces, a quote or a backslash compile, and the
/// derive describes them as the scanner reads them.
#[test]
fn enum_labels_with_format_syntax_derive_equals_scanner() {
    let mut scanned = Scanned::default();
    let mut errors = Vec::new();
    scan_source(Path::new("labels.rs"), SOURCE, &mut scanned, &mut errors);
    assert_eq!(errors, Vec::new());
    assert_eq!(scanned.enums, [<Odd as schema_core::DbEnum>::enum_def()]);
    assert_eq!(
        scanned.tables,
        [<Labels as schema_core::Table>::table_def()]
    );
    let labels = ["a}b", "{x}", "{{", "it's", "back\\slash"];
    assert_eq!(<Odd as schema_core::DbEnum>::VALUES, labels);
    let schema = scanned.resolve().expect("scanned source resolves");
    let defaults: Vec<_> = schema.tables["public.labels"].columns[1..]
        .iter()
        .map(|c| c.default.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        defaults,
        ["'a}b'", "'{x}'", "'{{'", "'it''s'", "'back\\slash'"]
    );
}

mod sequences {
    use super::*;

    derived_and_source! {
        #[derive(schema_macros::Sequence)]
        #[sequence(name = "order_numbers", schema = "billing", start = -5, increment = -1, min = -1000, max = -5, cache = 3, cycle, renamed_from = "billing.invoice_numbers")]
        pub struct OrderNumbers;

        #[derive(schema_macros::Sequence)]
        pub struct TicketNumbers;

        #[derive(schema_macros::Table)]
        pub struct Orders {
            #[column(primary_key)]
            pub id: i64,
            #[column(default_sql = "nextval('billing.order_numbers')")]
            pub number: i64,
        }
    }

    /// Issue 13: a sequence the derive describes is the one the scanner reads, and both resolve
    /// with the table that draws from it.
    #[test]
    fn sequences_derive_equals_scanner() {
        use schema_core::Sequence as _;
        let mut scanned = Scanned::default();
        let mut errors = Vec::new();
        scan_source(Path::new("orders.rs"), SOURCE, &mut scanned, &mut errors);
        assert_eq!(errors, Vec::new());
        assert_eq!(
            scanned.sequences,
            [OrderNumbers::sequence_def(), TicketNumbers::sequence_def()]
        );
        let derived = {
            let mut schema = resolve(&[<Orders as schema_core::Table>::table_def()], &[])
                .expect("derive output resolves");
            schema_core::resolve::add_sequences(
                &mut schema,
                &[OrderNumbers::sequence_def(), TicketNumbers::sequence_def()],
            )
            .expect("sequences resolve");
            schema
        };
        assert_eq!(scanned.resolve().expect("scanned source resolves"), derived);
        let keys: Vec<&String> = derived.sequences.keys().collect();
        assert_eq!(keys, ["billing.order_numbers", "public.ticket_numbers"]);
    }
}
