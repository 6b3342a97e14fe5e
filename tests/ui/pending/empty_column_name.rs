// NOT RUN: compiles today, should not. `#[column(name = "")]` and `sql_type = ""` are
// accepted (schema-core/src/parser/column.rs reads them without `non_empty`), giving a column
// with no name / no type. Expected: "this value cannot be empty" on each literal, as #[table]
// and #[index] do. Move to ui/fail/ once fixed.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(name = "", sql_type = "")]
    email: String,
}
fn main() {}
