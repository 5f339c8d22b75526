//! The Gradescope flow end to end, as Gradescope runs it: `grader gradescope package` builds the
//! zip; the test lays out the `/autograder` tree in a temporary folder (the zip extracted into
//! `source/` by the system's `unzip`, `run_autograder` copied beside it, a submission in
//! `submission/`), runs the packaged `run_autograder` and checks `results/results.json` against
//! Gradescope's schema — for a right, a wrong and a non-compiling submission, a drag-and-drop
//! upload, a container with one CPU, and a package broken on purpose.

// Unix only: Gradescope's containers are Linux: the package's scripts are bash.
#![cfg(unix)]

mod class_fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

use class_fixture::{json_file, run, shown, Pack};
use serde_json::Value;

const RIGHT: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.wrapping_add(*v)) }\n";
const WRONG: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.saturating_add(*v)) }\n";
const NOT_COMPILING: &str = "pub fn add(a: u64, b: u64) -> u64 { a + \"b\" }\n";

/// The zip of the pack's `adder`.
fn package(pack: &Pack, dir: &Path) -> PathBuf {
    let zip = dir.join("autograder.zip");
    let output = run(pack
        .grader()
        .args(["gradescope", "package", "adder", "-o"])
        .arg(&zip));
    assert!(output.status.success(), "{}", shown(&output));
    zip
}

/// A fresh /autograder tree: the zip extracted into source/, run_autograder copied up (as
/// Gradescope's image build does), `files` as the submission.
fn autograder(zip: &Path, files: &[(&str, &str)]) -> tempfile::TempDir {
    let root = tempfile::Builder::new()
        .prefix("tasklings-autograder-")
        .tempdir()
        .unwrap();
    let source = root.path().join("source");
    let unzip = run(Command::new("unzip")
        .arg("-q")
        .arg(zip)
        .arg("-d")
        .arg(&source));
    assert!(unzip.status.success(), "{}", shown(&unzip));
    // Copied by `cp`, not std::fs::copy: a file this multi-threaded test process holds open
    // for writing can be inherited by a child another test forks at that moment, and executing
    // the script while that child still holds it fails with ETXTBSY ("Text file busy").
    let copy = run(Command::new("cp")
        .arg("-p")
        .arg(source.join("run_autograder"))
        .arg(root.path().join("run_autograder")));
    assert!(copy.status.success(), "{}", shown(&copy));
    for (file, text) in files {
        let path = root.path().join("submission").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::create_dir_all(root.path().join("submission")).unwrap();
    root
}

/// Runs the packaged run_autograder the way Gradescope does (from the autograder folder), with
/// the test's grader binary standing in for the one setup.sh would build.
fn run_autograder(root: &Path, cpu: Option<&str>) -> (std::process::Output, Value) {
    let script = root.join("run_autograder");
    let mut command = match cpu {
        Some(cpu) => {
            let mut command = Command::new("taskset");
            command.args(["-c", cpu]).arg(&script);
            command
        }
        None => Command::new(&script),
    };
    command
        .current_dir(root)
        .env("TASKLINGS_AUTOGRADER_DIR", root)
        .env("TASKLINGS_GRADER", env!("CARGO_BIN_EXE_grader"))
        // The tests' warm build folder instead of source/target (setup.sh's, not run here).
        .env("TASKLINGS_TARGET_DIR", class_fixture::target_dir())
        .env("NO_COLOR", "1");
    let output = run(&mut command);
    let results = json_file(&root.join("results/results.json"));
    check_schema(&results);
    (output, results)
}

/// Gradescope's results.json specification (docs/specs.md): types and allowed values.
fn check_schema(results: &Value) {
    let top = results.as_object().expect("results.json is an object");
    let number = |v: &Value, what: &str| assert!(v.is_number(), "{what} is a number: {results}");
    let visibility = ["hidden", "after_due_date", "after_published", "visible"];
    let formats = ["text", "html", "simple_format", "md", "ansi"];
    assert!(top.contains_key("score") || top.contains_key("tests"));
    for (key, value) in top {
        match key.as_str() {
            "score" | "execution_time" => number(value, key),
            "output" => assert!(value.is_string(), "{key}"),
            "output_format" | "test_output_format" | "test_name_format" => {
                assert!(formats.contains(&value.as_str().unwrap()), "{key}: {value}")
            }
            "visibility" | "stdout_visibility" => {
                assert!(
                    visibility.contains(&value.as_str().unwrap()),
                    "{key}: {value}"
                )
            }
            "extra_data" => assert!(value.is_object()),
            "tests" | "leaderboard" => assert!(value.is_array()),
            other => panic!("results.json has a key Gradescope doesn't know: {other}"),
        }
    }
    for test in top
        .get("tests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let test = test.as_object().expect("a test is an object");
        for (key, value) in test {
            match key.as_str() {
                "score" | "max_score" => number(value, key),
                "status" => assert!(
                    ["passed", "failed"].contains(&value.as_str().unwrap()),
                    "status {value}"
                ),
                "name" | "number" | "output" => assert!(value.is_string(), "{key}"),
                "name_format" | "output_format" => {
                    assert!(formats.contains(&value.as_str().unwrap()))
                }
                "visibility" => assert!(visibility.contains(&value.as_str().unwrap())),
                "tags" => assert!(value.as_array().unwrap().iter().all(Value::is_string)),
                "extra_data" => assert!(value.is_object()),
                other => panic!("a test has a key Gradescope doesn't know: {other}"),
            }
        }
        // A test with neither score is informational and must have a status.
        if !test.contains_key("score") {
            assert!(test.contains_key("status") && !test.contains_key("max_score"));
        }
    }
}

fn test<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == format!("adder: {name}"))
        .unwrap_or_else(|| panic!("no test {name}: {results:#}"))
}

#[test]
fn the_package_holds_what_grading_needs_and_no_solutions() {
    let pack = Pack::new();
    let dir = tempfile::tempdir().unwrap();
    let zip = package(&pack, dir.path());
    let listing = run(Command::new("unzip").arg("-Z1").arg(&zip));
    assert!(listing.status.success(), "{}", shown(&listing));
    let names = String::from_utf8_lossy(&listing.stdout).into_owned();
    for wanted in [
        "setup.sh",
        "run_autograder",
        "Cargo.toml",
        "Cargo.lock",
        "exercises/adder/exercise.toml",
        "exercises/adder/src/lib.rs",
        "grader/hidden/adder/main.rs",
    ] {
        assert!(names.lines().any(|n| n == wanted), "{wanted} in:\n{names}");
    }
    for unwanted in ["solutions/", "misbehave", "book/", "target/"] {
        assert!(!names.contains(unwanted), "{unwanted} in:\n{names}");
    }
    // run_autograder keeps its executable bit through the zip.
    let root = autograder(&zip, &[]);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(root.path().join("source/run_autograder"))
            .unwrap()
            .permissions(),
    );
    assert_ne!(mode & 0o111, 0);
}

#[test]
fn right_wrong_and_non_compiling_submissions_get_valid_results() {
    let pack = Pack::new();
    let dir = tempfile::tempdir().unwrap();
    let zip = package(&pack, dir.path());

    let right = autograder(&zip, &[("src/lib.rs", RIGHT)]);
    let (output, results) = run_autograder(right.path(), None);
    assert!(output.status.success(), "{}", shown(&output));
    assert_eq!(results["score"], 5.0, "{results:#}");
    assert_eq!(test(&results, "adds_two_numbers")["status"], "passed");
    assert_eq!(
        test(&results, "sums_as_fast_as_a_plain_loop")["max_score"],
        1.0
    );

    // A wrong one, uploaded by dragging lib.rs alone.
    let wrong = autograder(&zip, &[("lib.rs", WRONG)]);
    let (output, results) = run_autograder(wrong.path(), None);
    assert!(
        output.status.success(),
        "grading worked: {}",
        shown(&output)
    );
    assert_eq!(results["score"], 3.0, "{results:#}");
    let failed = test(&results, "sums_a_slice_wrapping_on_overflow");
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["output"].as_str().unwrap().contains("wrap"),
        "{failed}"
    );

    let broken = autograder(&zip, &[("adder/src/lib.rs", NOT_COMPILING)]);
    let (output, results) = run_autograder(broken.path(), None);
    assert!(output.status.success(), "{}", shown(&output));
    assert_eq!(results["score"], 0.0);
    let compile = test(&results, "compile");
    assert_eq!(compile["status"], "failed");
    assert_eq!(compile["max_score"], 5.0);
    assert!(
        compile["output"].as_str().unwrap().contains("src/lib.rs:1"),
        "{compile}"
    );
    // The student sees "src/lib.rs", not the grader's copy.
    assert!(!compile["output"]
        .as_str()
        .unwrap()
        .contains("tasklings-work"));
}

#[test]
fn on_one_cpu_timing_checks_inform_without_scoring() {
    let pack = Pack::new();
    let dir = tempfile::tempdir().unwrap();
    let zip = package(&pack, dir.path());
    let root = autograder(&zip, &[("src/lib.rs", RIGHT)]);
    let (output, results) = run_autograder(root.path(), Some("0"));
    assert!(output.status.success(), "{}", shown(&output));
    let timing = test(&results, "sums_as_fast_as_a_plain_loop");
    assert!(
        timing.get("score").is_none() && timing.get("max_score").is_none(),
        "{timing}"
    );
    assert!(timing["output"]
        .as_str()
        .unwrap()
        .starts_with("Informational"));
    assert_eq!(results["score"], 4.0);
    let summary = results["output"].as_str().unwrap();
    assert!(summary.contains("adder: pass (4 of 4 points)"), "{summary}");
    assert!(summary.contains("Autograder Settings"), "{summary}");
}

#[test]
fn a_broken_package_still_leaves_a_valid_results_file() {
    let pack = Pack::new();
    let dir = tempfile::tempdir().unwrap();
    let zip = package(&pack, dir.path());
    let root = autograder(&zip, &[("src/lib.rs", RIGHT)]);
    // The exercise's hidden tests went missing from the image.
    std::fs::remove_dir_all(root.path().join("source/grader/hidden/adder")).unwrap();
    let (output, results) = run_autograder(root.path(), None);
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
    assert_eq!(results["score"], 0.0);
    let text = results["output"].as_str().unwrap();
    assert!(text.contains("could not grade"), "{text}");
    assert!(text.contains("no hidden tests"), "{text}");

    // A grader that can't even start: run_autograder writes the file itself.
    let root = autograder(&zip, &[("src/lib.rs", RIGHT)]);
    let output = run(Command::new(root.path().join("run_autograder"))
        .current_dir(root.path())
        .env("TASKLINGS_AUTOGRADER_DIR", root.path())
        .env("TASKLINGS_GRADER", root.path().join("no-such-grader")));
    assert!(!output.status.success());
    let results = json_file(&root.path().join("results/results.json"));
    check_schema(&results);
    assert_eq!(results["score"], 0);
}
