//! Hidden tests of `{{slug}}`: one binary that the grader runs through `probes::harness`, each
//! test in a process of its own under its timeout. Name each test for what it checks, and write
//! each assertion's message for the learner who will read it.
//!
//! Run them yourself against the solution with `cargo grade verify {{slug}}`.

use probes::harness::{self, Test};

fn main() {
    harness::main(vec![Test::correctness(
        "returns_the_answer",
        1.0,
        returns_the_answer,
    )])
}

fn returns_the_answer() {
    assert_eq!({{crate}}::answer(), 42, "answer() should return 42");
}
