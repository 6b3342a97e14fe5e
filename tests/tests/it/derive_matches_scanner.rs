//! One attribute parser: for the example application, the descriptions the derive emitted at
//! compile time equal what the CLI's scanner reads from the source files.

use migrate_cli::scan::scan;
use schema_core::resolve::resolve;
use std::path::PathBuf;

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
