//! Go's racy counter and its cousins, written literally in Rust, do not compile — each for the
//! reason the comment at its top gives. trybuild compiles every case in `tests/compile_fail/`
//! and compares rustc's output with the `.stderr` file beside it, and runs the fixed versions in
//! `tests/compile_pass/`.
//!
//! The `.stderr` files match the pinned toolchain (`rust-toolchain.toml`); these cases' messages
//! only point into their own code, so they are stable. Errors whose notes point into the standard
//! library (whose line numbers move between releases) are checked by error code instead, in
//! `error_codes.rs`. After a toolchain update, regenerate with
//! `TRYBUILD=overwrite cargo test --workspace --test compile_fail` and read the diff.
//!
//! These tests never call the exercise's functions, so they pass before it is solved.

#[test]
fn gos_racy_counter_written_literally_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
    cases.pass("tests/compile_pass/*.rs");
}
