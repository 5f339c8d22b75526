//! `grader list --recheck`: progress rebuilt by grading what is on disk, as after a new clone
//! (no `.tasklings/`) or with a progress file that no longer says the truth.

mod common;

use common::Pack;
use predicates::prelude::*;

#[test]
fn recheck_grades_the_changed_exercises_and_records_what_it_finds() {
    let pack = Pack::new();
    let solution = pack.read("solutions/adder/src/lib.rs");
    pack.write("exercises/adder/src/lib.rs", &solution);
    // A progress file that is wrong about both exercises (misbehave is as it shipped).
    pack.write(
        ".tasklings/state.json",
        r#"{"version": 1, "exercises": {
            "adder": {"status": "fail", "score": 0.0, "max_score": 5.0, "hints_shown": 2},
            "misbehave": {"status": "pass", "score": 3.0, "max_score": 3.0}}}"#,
    );
    pack.grader()
        .args(["list", "--recheck"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Re-checking every exercise"))
        .stdout(predicate::str::is_match(r"adder +✓ passes, 5 of 5 points").unwrap())
        .stdout(predicate::str::is_match(r"misbehave +· as it shipped: not started").unwrap())
        .stdout(predicate::str::contains("1 of 2 exercises pass"));
    let state = common::json(pack.read(".tasklings/state.json").as_bytes());
    assert_eq!(state["exercises"]["adder"]["status"], "pass");
    assert_eq!(
        state["exercises"]["adder"]["hints_shown"], 2,
        "hints stay shown"
    );
    assert_eq!(
        state["exercises"]["misbehave"]["status"],
        serde_json::Value::Null
    );
}

#[test]
fn recheck_from_a_new_clone_says_how_far_each_exercise_got() {
    let pack = Pack::new();
    // Half done: `add` works, `sum_all` is still the starter's `todo!`.
    let starter = pack.read("exercises/adder/src/lib.rs");
    let half = starter.replace("todo!(\"add {a} and {b}\")", "a + b");
    assert_ne!(
        half, starter,
        "the pack's starter changed: update this test"
    );
    pack.write("exercises/adder/src/lib.rs", &half);
    let output = pack
        .grader()
        .args(["list", "--recheck", "--skip-timing", "--format", "json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Re-checking every exercise"))
        .stderr(predicate::str::is_match(r"adder +✗ fail, 2 of 4 points \(1 test to go\)").unwrap())
        .get_output()
        .stdout
        .clone();
    // The list itself stays machine-readable on stdout.
    let list = common::json(&output);
    assert_eq!(list["exercises"][0]["status"], "fail");
    assert_eq!(list["exercises"][0]["score"], 2.0);
    assert_eq!(list["exercises"][1]["status"], serde_json::Value::Null);
}
