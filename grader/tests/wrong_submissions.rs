//! The instructors' catalogue of wrong submissions: every `grader/hidden/<slug>/wrong/<name>/`
//! must fail the hidden test its first line names, for the reason it names.
//!
//! Each submission's `src/lib.rs` opens with `// Must fail TEST: why` (further tests it also fails
//! may follow the first name) or `// Must not compile …: why`. Only the named test is run
//! (`grader run … --test TEST`), so the whole catalogue stays affordable in CI; the full grade of
//! every wrong submission is in `big_class.rs` (ignored by default, minutes long).

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// What a wrong submission's first line promises.
#[derive(Debug)]
enum Expected {
    /// This hidden test fails (or times out, or errors).
    Fails(String),
    /// The code doesn't build against the hidden tests.
    DoesNotCompile,
}

fn expected(lib: &Path) -> Expected {
    let text = std::fs::read_to_string(lib).unwrap();
    let first = text.lines().next().unwrap_or_default();
    if let Some(rest) = first.strip_prefix("// Must fail ") {
        let name: String = rest
            .trim_start_matches('`')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(
            !name.is_empty(),
            "{}: the first line names no test",
            lib.display()
        );
        Expected::Fails(name)
    } else if first.starts_with("// Must not compile") {
        Expected::DoesNotCompile
    } else {
        panic!(
            "{}: the first line must say `// Must fail TEST: why` or `// Must not compile: why`, \
             not {first:?}",
            lib.display()
        );
    }
}

fn wrong_submissions(slug: &str) -> Vec<PathBuf> {
    let dir = common::workspace_root()
        .join("grader/hidden")
        .join(slug)
        .join("wrong");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join("src/lib.rs").is_file())
        .collect();
    found.sort();
    found
}

/// Grades every wrong submission of `slug` and returns one line per broken promise.
fn check_catalogue(slug: &str) {
    let root = common::workspace_root();
    let submissions = wrong_submissions(slug);
    assert!(
        submissions.len() >= 5,
        "{slug}: expected a catalogue of wrong submissions, found {}",
        submissions.len()
    );
    let mut broken = Vec::new();
    for dir in &submissions {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected = expected(&dir.join("src/lib.rs"));
        let mut grader = common::grader();
        grader
            .arg("--root")
            .arg(&root)
            .args(["run", slug, "--format", "json", "--submission"])
            .arg(dir);
        if let Expected::Fails(test) = &expected {
            grader.args(["--test", test]);
        }
        let output = grader.output().unwrap();
        let report: Value = match serde_json::from_slice(&output.stdout) {
            Ok(report) => report,
            Err(error) => {
                broken.push(format!(
                    "{name}: no JSON report ({error}); stderr:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
        };
        let exercise = &report["exercises"][0];
        if output.status.code() != Some(1) {
            broken.push(format!(
                "{name}: exit status {:?}, expected 1 (a failing grade)",
                output.status.code()
            ));
        }
        match &expected {
            Expected::DoesNotCompile => {
                if exercise["status"] != "compile_error" {
                    broken.push(format!(
                        "{name}: expected compile_error, got {}",
                        exercise["status"]
                    ));
                }
            }
            Expected::Fails(test) => {
                let result = exercise["tests"]
                    .as_array()
                    .and_then(|tests| tests.iter().find(|t| t["name"] == test.as_str()));
                match result {
                    None => broken.push(format!(
                        "{name}: {test} was not run (exercise status {}; {})",
                        exercise["status"], exercise["tests"]
                    )),
                    Some(result) => {
                        let status = result["status"].as_str().unwrap_or_default();
                        if !matches!(status, "fail" | "timeout" | "error") {
                            broken.push(format!("{name}: {test} ended {status}, expected fail"));
                        } else if result["message"].as_str().unwrap_or_default().is_empty() {
                            broken.push(format!(
                                "{name}: {test} failed without a message for the learner"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{slug}: {} of {} wrong submissions didn't fail as their first line says:\n{}",
        broken.len(),
        submissions.len(),
        broken.join("\n")
    );
}

#[test]
fn parallel_sum_wrong_submissions_fail_their_named_tests() {
    check_catalogue("parallel-sum");
}

#[test]
fn file_processor_wrong_submissions_fail_their_named_tests() {
    check_catalogue("file-processor");
}

#[test]
fn rate_limited_caller_wrong_submissions_fail_their_named_tests() {
    check_catalogue("rate-limited-caller");
}

#[test]
fn counter_races_wrong_submissions_fail_their_named_tests() {
    check_catalogue("counter-races");
}
