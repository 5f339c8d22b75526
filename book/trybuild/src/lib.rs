//! Nothing to import: this crate only hosts `tests/counter_races.rs`, trybuild's compile-fail
//! cases of the counter-races exercise, where building them costs seconds (see `Cargo.toml`).
