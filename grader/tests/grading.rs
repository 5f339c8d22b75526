//! `grader run`: the learner's own code and submissions, compile errors, missing and extra files,
//! `--skip-timing`, the progress state — on the fixture pack.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{submission, Pack};
use predicates::prelude::*;

#[test]
fn the_starter_fails_with_each_message_the_first_hint_and_a_next_step() {
    let pack = Pack::new();
    let assert = pack.grader().args(["run", "adder"]).assert().code(1);
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for expected in [
        "adder (Adder) fails: 0 of 5 points",
        "✗ adds_two_numbers failed",
        "not yet implemented: add 2 and 3",
        "at exercises/adder/src/lib.rs:8:5",
        "Hint 1 of 3: Start with `add`",
        "Next: make `adds_two_numbers` pass in exercises/adder/src/lib.rs",
        "`cargo grade hint adder` shows hint 2 of 3",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let state = common::json(pack.read(".tasklings/state.json").as_bytes());
    assert_eq!(state["exercises"]["adder"]["status"], "fail");
    assert_eq!(state["exercises"]["adder"]["hints_shown"], 1);
    pack.grader()
        .arg("list")
        .assert()
        .stdout(predicate::str::contains("fail, 0 of 5 points"));
}

#[test]
fn passing_records_progress_and_points_to_the_next_exercise() {
    let pack = Pack::new();
    let solution = pack.read("solutions/adder/src/lib.rs");
    pack.write("exercises/adder/src/lib.rs", &solution);
    pack.grader()
        .args(["run", "adder"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "adder (Adder) passes: 5 of 5 points",
        ))
        .stdout(predicate::str::contains(
            "Next: adder passes. Go on with `misbehave`: read book/src/misbehave.md",
        ));
    let state = common::json(pack.read(".tasklings/state.json").as_bytes());
    assert_eq!(state["exercises"]["adder"]["status"], "pass");
    assert_eq!(state["exercises"]["adder"]["score"], 5.0);
}

/// Every file under `dir` with its content and modification time.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(here) = pending.pop() {
        for entry in std::fs::read_dir(&here).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let modified = path.metadata().unwrap().modified().unwrap();
                files.insert(
                    path.display().to_string(),
                    (std::fs::read(&path).unwrap(), modified),
                );
            }
        }
    }
    files
}

#[test]
fn a_submission_is_graded_as_json_without_touching_the_exercise_or_the_progress() {
    let pack = Pack::new();
    let before = snapshot(&pack.path("exercises"));
    let output = pack
        .grader()
        .args(["run", "adder", "--format", "json", "--submission"])
        .arg(pack.path("solutions/adder"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report = common::json(&output);
    assert_eq!(report["score"], 5.0);
    assert_eq!(report["max_score"], 5.0);
    assert_eq!(report["exercises"][0]["exercise"], "adder");
    assert_eq!(report["exercises"][0]["status"], "pass");
    assert_eq!(
        common::test(&report, "sums_as_fast_as_a_plain_loop")["kind"],
        "timing"
    );
    assert_eq!(
        snapshot(&pack.path("exercises")),
        before,
        "exercises/ changed"
    );
    assert!(
        !pack.path(".tasklings").exists(),
        "a submission run recorded progress"
    );
}

#[test]
fn a_compile_error_shows_the_compilers_message_and_scores_zero_of_the_full_total() {
    let pack = Pack::new();
    // The total comes from the last listing of these hidden tests, or from building the
    // reference solution when there is none: 5 either way.
    let output = pack
        .grader()
        .args(["run", "adder", "--format", "json", "--submission"])
        .arg(submission("adder-compile-error"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = common::json(&output);
    let exercise = &report["exercises"][0];
    assert_eq!(exercise["status"], "compile_error");
    assert_eq!(exercise["score"], 0.0);
    assert_eq!(exercise["max_score"], 5.0);
    let compile = common::test(&report, "compile");
    assert_eq!(compile["kind"], "compile");
    let message = compile["message"].as_str().unwrap();
    assert!(
        message.contains("error[E0277]: cannot add `&str` to `u64`"),
        "{message}"
    );
    assert!(
        message.contains("adder-compile-error/src/lib.rs:4:"),
        "the error points into the submission: {message}"
    );

    pack.grader()
        .args(["run", "adder", "--submission"])
        .arg(submission("adder-compile-error"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("doesn't compile"))
        .stdout(predicate::str::contains("cannot add `&str` to `u64`"));
}

#[test]
fn a_changed_signature_is_reported_as_hidden_tests_that_no_longer_compile() {
    let pack = Pack::new();
    let output = pack
        .grader()
        .args(["run", "adder", "--format", "json", "--submission"])
        .arg(submission("adder-changed-signature"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = common::json(&output);
    assert_eq!(report["exercises"][0]["status"], "compile_error");
    let message = common::test(&report, "compile")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("the hidden tests don't compile against this code"),
        "{message}"
    );
    assert!(message.contains("E0061"), "{message}");
}

#[test]
fn a_submission_without_the_editable_file_is_an_error_that_names_it() {
    let pack = Pack::new();
    let output = pack
        .grader()
        .args(["run", "adder", "--format", "json", "--submission"])
        .arg(submission("empty"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = common::json(&output);
    assert_eq!(report["exercises"][0]["status"], "error");
    assert_eq!(report["exercises"][0]["max_score"], 5.0);
    let message = report["exercises"][0]["tests"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("has no `src/lib.rs`"), "{message}");
}

#[test]
fn extra_files_in_a_submission_are_ignored_and_reported() {
    let pack = Pack::new();
    pack.grader()
        .args(["run", "adder", "--format", "json", "--submission"])
        .arg(submission("adder-extra-files"))
        .assert()
        .success()
        // Intake takes the editable files only, and says what it left: the build files (which
        // would change how the code is built) apart from the rest.
        .stderr(predicate::str::contains(
            "ignored `Cargo.toml`, `build.rs`: files that change how code is built",
        ))
        .stderr(predicate::str::contains(
            "ignored 1 file(s) that are not editable in this exercise: `notes.txt`",
        ));
    pack.grader()
        .args(["run", "adder", "--submission"])
        .arg(submission("adder-extra-files"))
        .assert()
        .success()
        .stdout(predicate::str::contains("note: ignored 1 file(s)"));
}

#[test]
fn skip_timing_runs_correctness_only_and_counts_timing_for_nothing() {
    let pack = Pack::new();
    let output = pack
        .grader()
        .args([
            "run",
            "adder",
            "--skip-timing",
            "--format",
            "json",
            "--submission",
        ])
        .arg(submission("adder-partial"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = common::json(&output);
    assert_eq!(report["exercises"][0]["status"], "fail");
    assert_eq!(report["score"], 2.0);
    assert_eq!(
        report["max_score"], 4.0,
        "the timing test's point counts for nothing"
    );
    let timing = common::test(&report, "sums_as_fast_as_a_plain_loop");
    assert_eq!(timing["status"], "skipped");
    assert!(timing["message"]
        .as_str()
        .unwrap()
        .contains("--skip-timing"));
    let sums = common::test(&report, "sums_a_slice_wrapping_on_overflow");
    assert_eq!(sums["status"], "fail");
    assert!(sums["message"]
        .as_str()
        .unwrap()
        .contains("attempt to add with overflow"));
    assert_eq!(common::test(&report, "adds_two_numbers")["status"], "pass");
}

#[test]
fn output_goes_to_a_file_when_asked() {
    let pack = Pack::new();
    let file = pack.path("results/out.json");
    pack.grader()
        .args(["run", "adder", "--format", "json", "--output"])
        .arg(&file)
        .args(["--submission"])
        .arg(pack.path("solutions/adder"))
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let report = common::json(&std::fs::read(&file).unwrap());
    assert_eq!(report["exercises"][0]["status"], "pass");
}

#[test]
fn private_hidden_tests_come_from_another_folder() {
    let pack = Pack::new();
    let private = tempfile::tempdir().unwrap();
    let hidden = pack.read("grader/hidden/adder/main.rs");
    let stricter = hidden.replace(
        "Test::correctness(\"adds_zero\", 1.0, adds_zero),",
        "Test::correctness(\"adds_zero\", 1.0, adds_zero),\n        \
         Test::correctness(\"private_check\", 10.0, || panic!(\"the private check fails\")),",
    );
    std::fs::create_dir_all(private.path().join("adder")).unwrap();
    std::fs::write(private.path().join("adder/main.rs"), stricter).unwrap();
    let output = pack
        .grader()
        .args(["run", "adder", "--format", "json", "--hidden"])
        .arg(private.path())
        .arg("--submission")
        .arg(pack.path("solutions/adder"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = common::json(&output);
    assert_eq!(report["max_score"], 15.0);
    let private_check = common::test(&report, "private_check");
    assert_eq!(private_check["status"], "fail");
    assert_eq!(private_check["message"], "the private check fails");
}

// Windows lets only administrators (or developer mode) make symbolic links.
#[cfg(unix)]
#[test]
fn a_symlinked_editable_file_is_refused_so_nothing_outside_the_submission_is_read() {
    let pack = Pack::new();
    let secret = pack.path("secret.txt");
    std::fs::write(&secret, "the hidden answers").unwrap();
    let submission = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(submission.path().join("src")).unwrap();
    std::os::unix::fs::symlink(&secret, submission.path().join("src/lib.rs")).unwrap();
    let output = pack
        .grader()
        .args(["run", "adder", "--format", "json", "--submission"])
        .arg(submission.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = common::json(&output);
    // Refused by intake, as `grader batch` refuses it: not built, 0 of the full maximum.
    assert_eq!(report["exercises"][0]["status"], "compile_error");
    let message = report["exercises"][0]["tests"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("is a symbolic link"), "{message}");
    assert!(!String::from_utf8_lossy(&output).contains("the hidden answers"));
}
