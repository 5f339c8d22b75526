//! Go's racy counter and its cousins, written literally in Rust, do not compile — each for the
//! reason the comment at its top gives. trybuild compiles every case in `tests/compile_fail/`
//! and compares rustc's output with the `.stderr` file beside it, and runs the fixed versions in
//! `tests/compile_pass/`. The counter-races exercise points its learners here; the cases live in
//! this crate without dependencies because trybuild builds the crate it runs in (see Cargo.toml).
//!
//! The `.stderr` files match the pinned toolchain (`rust-toolchain.toml`); these cases' messages
//! only point into their own code, so they are stable. Errors whose notes point into the standard
//! library (whose line numbers move between releases) are checked by error code instead, in
//! the counter-races exercise's `tests/error_codes.rs`. After a toolchain update, regenerate with
//! `TRYBUILD=overwrite cargo test -p book-trybuild` and read the diff.

#[test]
fn gos_racy_counter_written_literally_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
    cases.pass("tests/compile_pass/*.rs");
}
