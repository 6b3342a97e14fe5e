//! Issue 10, "Fragments are validated": `predicate`, a check's `expr`, `default_sql`,
//! `sql_type` and `using` are each exactly one expression, type or index method. A second
//! statement or a comment is refused by the attribute parser, which `generate`'s scan runs as
//! the derive does (the compile-time side is `tests/ui/fail/fragment_*.rs`); what only the
//! dialect's parser sees (words after one type or expression) is refused by `generate` after
//! adapting. Either way the error names the file and line (the value's, or the struct's for
//! `generate`'s own check, which also names the struct and field) and the attribute, and
//! nothing is written, on every dialect.

use std::fs;
use tests::project::{Project, NOW};

const DIALECTS: [&str; 3] = ["postgres", "sqlite", "mysql"];

fn project(dialect: &str, schema: &str) -> Project {
    let p = Project::new(schema);
    fs::write(
        p.path().join("migrate.toml"),
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n"),
    )
    .expect("config");
    p
}

/// `generate` on `dialect` fails with exit 1, its error holding every one of `says`, and
/// writes no file.
fn refused(dialect: &str, schema: &str, says: &[&str]) {
    let p = project(dialect, schema);
    let run = p.run(&["generate"], NOW);
    let text = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 1, "{dialect}: {text}");
    for needle in says {
        assert!(
            text.contains(needle),
            "{dialect}: `{needle}` not in:\n{text}"
        );
    }
    let written = fs::read_dir(p.migrations()).map_or(0, |d| d.count());
    assert_eq!(written, 0, "{dialect}: files written:\n{text}");
}

/// An `items` table with `attrs` on the struct and `field` as its second field.
fn items(attrs: &str, field: &str) -> String {
    format!(
        "#[derive(Table)] #[table(name = \"items\")] {attrs}\nstruct Item {{\n    #[column(primary_key)] id: i64,\n    {field}\n}}\n"
    )
}

#[test]
fn a_second_statement_in_a_predicate_is_refused() {
    let schema = items(
        "#[index(columns(id), name = \"items_p_idx\", predicate = \"id > 0; DROP TABLE victim; --\")]",
        "title: String,",
    );
    for dialect in DIALECTS {
        refused(
            dialect,
            &schema,
            &[
                "src/schema/tables.rs:2:",
                "`predicate` of struct `Item` must be exactly one SQL expression, but it holds a `;`",
            ],
        );
    }
}

#[test]
fn a_second_statement_in_a_type_or_an_index_method_is_refused() {
    let sql_type = items(
        "",
        "#[column(sql_type = \"int; DROP TABLE victim\")] age: i32,",
    );
    let using = items(
        "#[index(columns(title), using = \"btree; DROP TABLE victim\")]",
        "title: String,",
    );
    for dialect in DIALECTS {
        refused(
            dialect,
            &sql_type,
            &[
                "src/schema/tables.rs:5:25:",
                "`sql_type` of field `age` of struct `Item` must be exactly one SQL type, but it holds a `;`",
            ],
        );
        refused(
            dialect,
            &using,
            &[
                "src/schema/tables.rs:2:",
                "`using` of struct `Item` must be exactly one index method name, but it holds a `;`",
            ],
        );
    }
}

#[test]
fn a_comment_in_a_check_or_two_statements_in_a_default_are_refused() {
    let check = items(
        "#[check(name = \"items_age_check\", expr = \"age >= 0 -- no more\")]",
        "age: i32,",
    );
    let default = items(
        "",
        "#[column(default_sql = \"0; DELETE FROM items\")] age: i32,",
    );
    for dialect in DIALECTS {
        refused(
            dialect,
            &check,
            &["`expr` of struct `Item` must be exactly one SQL expression, but it holds a comment"],
        );
        refused(
            dialect,
            &default,
            &[
                "src/schema/tables.rs:5:28:",
                "`default_sql` of field `age` of struct `Item` must be exactly one SQL expression, but it holds a `;`",
            ],
        );
    }
}

#[test]
fn more_than_one_type_is_refused_by_the_dialects_parser() {
    let schema = items(
        "",
        "#[column(sql_type = \"int DROP TABLE victim\")] age: i32,",
    );
    for dialect in DIALECTS {
        refused(dialect, &schema, &[
            "src/schema/tables.rs:3:8: Item: the `sql_type = \"int DROP TABLE victim\"` of field `age` on table `items` must be exactly one SQL type, but `DROP` follows the type `INT`",
            "nothing was written",
        ]);
    }
}

#[test]
fn more_than_one_expression_is_refused_by_the_dialects_parser() {
    let check = items(
        "#[check(name = \"items_age_check\", expr = \"age >= 0 age <= 9\")]",
        "age: i32,",
    );
    let default = items("", "#[column(default_sql = \"1 2\")] age: i32,");
    for dialect in DIALECTS {
        refused(dialect, &check, &[
            "src/schema/tables.rs:3:8: Item: the `expr = \"age >= 0 age <= 9\"` of check `items_age_check` on table `items` must be exactly one SQL expression, but `age` follows the expression `age >= 0`",
        ]);
        refused(dialect, &default, &[
            "src/schema/tables.rs:3:8: Item: the `default_sql = \"1 2\"` of field `age` on table `items` must be exactly one SQL expression, but `2` follows the expression `1`",
        ]);
    }
    // MySQL has no partial indexes: its adapt step refuses any `predicate` first.
    let predicate = items(
        "#[index(columns(id), name = \"items_p_idx\", predicate = \"id > 0 DROP TABLE victim\")]",
        "title: String,",
    );
    for dialect in ["postgres", "sqlite"] {
        refused(dialect, &predicate, &[
            "Item: the `predicate = \"id > 0 DROP TABLE victim\"` of index `items_p_idx` on table `items` must be exactly one SQL expression, but `DROP` follows the expression `id > 0`",
        ]);
    }
}
