//! Compile-time contract of `#[derive(Table)]` / `#[derive(DbEnum)]` (issue 2, "Compile-time
//! checks"): every mistake is rejected with an error on the offending token that shows the right
//! syntax, and the whole attribute language compiles and describes what was written.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p tests --test ui`, then
//! read every changed `.stderr`. Paths are relative to this crate's manifest directory.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
