// NOT RUN: compiles today, should not. `references` to a `#[column(skip)]` field: the Rust
// field exists so the type check passes, and only `resolve` (run time / the CLI) rejects it.
// Expected: a compile error on `legacy_id` saying it is not a column. Move to ui/fail/ once fixed.

use schema_macros::Table;
#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(skip)]
    legacy_id: i64,
}
#[derive(Table)]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(references = Account::legacy_id)]
    owner_id: i64,
}
fn main() {}
