//! The scanner's cases: derives found at any depth, errors at their place.
use super::*;

fn scan_text(text: &str) -> (Scanned, Vec<String>) {
    let mut scanned = Scanned::default();
    let mut errors = Vec::new();
    scan_source(
        Path::new("src/schema/lib.rs"),
        text,
        &mut scanned,
        &mut errors,
    );
    (scanned, errors.iter().map(ToString::to_string).collect())
}

fn names(scanned: &Scanned) -> Vec<String> {
    let tables = scanned
        .tables
        .iter()
        .map(|t| format!("table {}", t.rust_name));
    let enums = scanned
        .enums
        .iter()
        .map(|e| format!("enum {}", e.rust_name));
    tables.chain(enums).collect()
}

#[test]
fn finds_derives_at_any_module_depth_and_path_form() {
    let (scanned, errors) = scan_text(
        r#"
use schema_macros::{Table, DbEnum};

#[derive(Debug, Table)]
struct Account { #[column(primary_key)] id: i64 }

mod a {
    mod b {
        #[derive(schema_macros::Table)]
        struct Project { #[column(primary_key)] id: i64 }

        #[derive(Clone, ::schema_macros::DbEnum)]
        enum State { Open, Closed }
    }
}

#[derive(Debug)]
struct NotATable { id: i64 }

#[derive(other::Table)]
struct ForeignDerive { id: i64 }

#[cfg(test)]
mod tests {
    #[derive(Table)]
    struct TestOnly { #[column(primary_key)] id: i64 }
}
"#,
    );
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(
        names(&scanned),
        ["table Account", "table Project", "enum State"]
    );
    let at = &scanned.origins["Project"];
    assert_eq!((at.line, at.column), (10, 16));
}

#[test]
fn invalid_rust_names_file_and_line() {
    let (_, errors) = scan_text("struct A {\n    id: i64,,\n}\n");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .starts_with("src/schema/lib.rs:2:13: this is not valid Rust: expected identifier"),
        "{errors:?}"
    );
}

#[test]
fn attribute_errors_point_at_their_token() {
    let (scanned, errors) = scan_text(
        "#[derive(Table)]\nstruct A {\n    #[column(primary_key, nmae = \"x\")]\n    id: i64,\n}\n",
    );
    assert!(scanned.tables.is_empty());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("src/schema/lib.rs:3:27: unknown key `nmae`"),
        "{errors:?}"
    );
}

#[test]
fn resolve_errors_point_at_the_struct() {
    let (scanned, errors) = scan_text(
            "\n#[derive(Table)]\nstruct A {\n    #[column(primary_key)]\n    id: i64,\n    state: Missing,\n}\n",
        );
    assert_eq!(errors, Vec::<String>::new());
    let err = scanned.resolve().unwrap_err();
    assert!(
        err.0[0].to_string().starts_with("src/schema/lib.rs:3:8: A"),
        "{err}"
    );
    assert!(err.to_string().ends_with("fix them and run generate again"));
}

#[test]
fn walks_folders_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("schema");
    std::fs::create_dir_all(root.join("nested")).unwrap();
    let table = |name: &str| {
        format!("#[derive(Table)]\nstruct {name} {{ #[column(primary_key)] id: i64 }}\n")
    };
    std::fs::write(root.join("b.rs"), table("B")).unwrap();
    std::fs::write(root.join("a.rs"), table("A")).unwrap();
    std::fs::write(root.join("nested/c.rs"), table("C")).unwrap();
    std::fs::write(root.join("notes.txt"), "not rust").unwrap();
    let scanned = scan(&[root], dir.path()).unwrap();
    assert_eq!(names(&scanned), ["table A", "table B", "table C"]);
    assert_eq!(
        scanned.origins["C"].to_string(),
        format!("{}:2:8", Path::new("schema/nested/c.rs").display())
    );
}

#[test]
fn a_missing_schema_path_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = scan(&[dir.path().join("src/schema")], dir.path()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read schema path src/schema: "),
        "{err}"
    );
}

#[test]
fn sequences_are_read_and_resolved_with_the_tables() {
    let (scanned, errors) = scan_text(
        "#[derive(Sequence)]\n#[sequence(name = \"order_numbers\", schema = \"billing\", start = 1000, cycle)]\npub struct OrderNumbers;\n",
    );
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(scanned.sequences.len(), 1);
    assert_eq!(scanned.origins["OrderNumbers"].line, 3);
    let schema = scanned.resolve().expect("resolves");
    let sequence = &schema.sequences["billing.order_numbers"];
    assert_eq!(
        (sequence.options.start, sequence.options.cycle),
        (Some(1000), true)
    );
    assert_eq!(schema.schemas, ["billing"]);
}

/// Issue 13: what the derive would not compile is refused at its place, never skipped (a view
/// without its query is read and refused by the view parser).
#[test]
fn what_the_language_has_not_built_is_refused_at_its_place() {
    let (scanned, errors) = scan_text(
        "#[derive(Debug, View)]\nstruct OpenIssue { id: i64 }\n\
         #[derive(Table)]\n#[view(name = \"p\")]\n#[serde(rename_all = \"camelCase\")]\nstruct A { #[column(primary_key)] id: i64, #[index] a: i64 }\n\
         #[derive(Table)]\n#[sequence(name = \"s\")]\nstruct C { #[column(primary_key)] id: i64 }\n",
    );
    assert!(scanned.tables.is_empty(), "{:?}", scanned.tables);
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(
        errors[0].starts_with(
            "src/schema/lib.rs:2:8: #[derive(View)] struct `OpenIssue` needs its query"
        ),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("src/schema/lib.rs:4:3: #[view(...)] goes on a #[derive(View)] struct, not on a #[derive(Table)] struct"),
        "{errors:#?}"
    );
    assert!(
        errors[2].starts_with(
            "src/schema/lib.rs:6:46: #[index(...)] goes on a #[derive(Table)] struct, not on a field"
        ),
        "{errors:#?}"
    );
    assert!(
        errors[3].starts_with("src/schema/lib.rs:8:3: #[sequence(...)] goes on a #[derive(Sequence)] unit struct, not on a #[derive(Table)] struct"),
        "{errors:#?}"
    );
}
