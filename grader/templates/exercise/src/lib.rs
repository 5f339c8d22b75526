//! # {{title}}
//!
//! Read the chapter first: `{{chapter}}`.
//! Then grade your work with `cargo grade run {{slug}}`.

/// The answer. (Replace this with the exercise's API: each item the learner writes has a doc
/// comment saying what is expected and a `todo!()` body.)
pub fn answer() -> u64 {
    todo!("return the answer")
}
