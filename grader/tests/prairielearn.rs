//! The PrairieLearn grader run as PrairieLearn runs it, without Docker: the test lays out a
//! `/grade` tree in a temporary folder (`student/` with the submission, `data/`, `tests/`),
//! points `grader/templates/prairielearn/entrypoint` at it (`TASKLINGS_GRADE_DIR`) and at the
//! fixture pack as the image's repository, runs it, and checks `results/results.json` against
//! PrairieLearn's external-grading rules — for a right, a wrong, two hostile and a non-compiling
//! submission, and a question that forgot to name its exercise.

// Unix only: PrairieLearn's grader containers are Linux; the entrypoint is bash.
#![cfg(unix)]

mod class_fixture;
mod validators;

use std::path::Path;
use std::process::Command;

use class_fixture::{json_file, run, shown, workspace_root, Pack};
use serde_json::Value;

const RIGHT: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.wrapping_add(*v)) }\n";
const WRONG: &str = "pub fn add(a: u64, b: u64) -> u64 { a + b }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.saturating_add(*v)) }\n";
const NOT_COMPILING: &str = "pub fn add(a: u64, b: u64) -> u64 { a + \"b\" }\n";
/// Reads the hidden tests while it is compiled: intake refuses it before building.
const PEEKS: &str = "const HIDDEN: &str = include_str!(\"../hidden/main.rs\");\n\
     pub fn add(a: u64, b: u64) -> u64 { a + b + HIDDEN.len() as u64 * 0 }\n\
     pub fn sum_all(values: &[u64]) -> u64 { values.iter().fold(0, |s, v| s.wrapping_add(*v)) }\n";
/// Writes a full score into results.json while the tests run, and leaves a process in a session
/// of its own that keeps writing it for 10 s after grading ended.
const FORGES: &str = r##"
const FORGED: &str = r#"{"gradable": true, "score": 1.0, "message": "forged"}"#;
pub fn add(a: u64, b: u64) -> u64 {
    let _ = std::fs::write("{{RESULTS}}", FORGED);
    let _ = std::process::Command::new("setsid")
        .args(["sh", "-c", "for i in $(seq 50); do printf '%s' \"$0\" > '{{RESULTS}}'; sleep 0.2; done"])
        .arg(FORGED)
        .spawn();
    a + b
}
pub fn sum_all(values: &[u64]) -> u64 { values.iter().sum() }
"##;

/// The sandbox uids this file's gradings run learner code as (a pool of its own).
const UID_BASE: u32 = 63_200;

/// A fresh /grade tree holding `lib.rs` (as a `pl-file-editor` named lib.rs submits it).
fn grade_dir(lib_rs: &str) -> tempfile::TempDir {
    let grade = tempfile::Builder::new()
        .prefix("tasklings-grade-")
        .tempdir()
        .unwrap();
    for dir in ["student", "tests", "data"] {
        std::fs::create_dir_all(grade.path().join(dir)).unwrap();
    }
    std::fs::write(grade.path().join("data/data.json"), "{\"params\": {}}").unwrap();
    let results = grade.path().join("results/results.json");
    let lib_rs = lib_rs.replace("{{RESULTS}}", &results.to_string_lossy());
    std::fs::write(grade.path().join("student/lib.rs"), lib_rs).unwrap();
    grade
}

/// Runs the entrypoint against `grade` with the test's grader standing in for the image's.
fn entrypoint(pack: &Pack, grade: &Path, exercise: Option<&str>) -> (std::process::Output, Value) {
    let script = workspace_root().join("grader/templates/prairielearn/entrypoint");
    let mut command = Command::new("bash");
    command
        .arg(&script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default())
        .env("TASKLINGS_GRADE_DIR", grade)
        .env("TASKLINGS_ROOT", pack.root())
        .env("TASKLINGS_GRADER", env!("CARGO_BIN_EXE_grader"))
        .env("TASKLINGS_TARGET_DIR", class_fixture::target_dir())
        .env(class_fixture::UID_BASE_ENV, UID_BASE.to_string())
        .env("NO_COLOR", "1");
    for name in ["RUSTUP_HOME", "CARGO_HOME", "RUSTUP_TOOLCHAIN"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    if let Some(exercise) = exercise {
        command.env("TASKLINGS_EXERCISE", exercise);
    }
    let output = run(&mut command);
    assert!(output.status.success(), "{}", shown(&output));
    let text = std::fs::read_to_string(grade.join("results/results.json")).unwrap();
    let results = validators::check_prairielearn(&text);
    (output, results)
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
fn right_and_wrong_submissions_get_their_share_of_the_points() {
    let pack = Pack::new();
    let right = grade_dir(RIGHT);
    let (_, results) = entrypoint(&pack, right.path(), Some("adder"));
    println!("right:\n{results:#}");
    assert_eq!(results["gradable"], true);
    assert_eq!(results["score"], 1.0, "{results:#}");

    let wrong = grade_dir(WRONG);
    let (_, results) = entrypoint(&pack, wrong.path(), Some("adder"));
    println!("wrong:\n{results:#}");
    // 3 of the 5 points: the wrapping test (2 points) fails.
    assert_eq!(results["score"], 0.6, "{results:#}");
    let failed = test(&results, "sums_a_slice_wrapping_on_overflow");
    assert_eq!(
        (&failed["points"], &failed["max_points"]),
        (&0.0.into(), &2.0.into())
    );
    assert!(
        failed["message"].as_str().unwrap().contains("wrap"),
        "{failed}"
    );
}

#[test]
fn a_submission_that_does_not_compile_is_not_gradable_and_costs_no_attempt() {
    let pack = Pack::new();
    let broken = grade_dir(NOT_COMPILING);
    let (_, results) = entrypoint(&pack, broken.path(), Some("adder"));
    println!("not compiling:\n{results:#}");
    assert_eq!(results["gradable"], false, "{results:#}");
    let errors = results["format_errors"][0].as_str().unwrap();
    assert!(
        errors.contains("E0277") && errors.contains("src/lib.rs:1"),
        "{errors}"
    );
    // The student sees their file, not the grader's copy of it.
    assert!(!errors.contains("tasklings-submission"), "{errors}");
}

#[test]
fn hostile_submissions_neither_peek_nor_forge_the_results() {
    let pack = Pack::new();
    let peeks = grade_dir(PEEKS);
    let (_, results) = entrypoint(&pack, peeks.path(), Some("adder"));
    println!("peeks at the hidden tests:\n{results:#}");
    assert_eq!(results["gradable"], false, "{results:#}");
    assert!(
        results["format_errors"][0]
            .as_str()
            .unwrap()
            .contains("include_str!"),
        "{results:#}"
    );

    let forges = grade_dir(FORGES);
    let (output, results) = entrypoint(&pack, forges.path(), Some("adder"));
    println!("forges the results:\n{results:#}");
    assert_ne!(
        results["message"],
        "forged",
        "{results:#}\n{}",
        shown(&output)
    );
    assert!(results["score"].as_f64().unwrap() < 1.0, "{results:#}");
    if class_fixture::is_root() {
        // Confined to a uid of its own, the submission could neither write the file nor leave
        // a process behind: a second look, after its rewriter would have run, finds the same.
        std::thread::sleep(std::time::Duration::from_secs(3));
        let later = json_file(&forges.path().join("results/results.json"));
        assert_eq!(later, results, "results.json was rewritten after grading");
        assert!(class_fixture::sandbox_processes(UID_BASE).is_empty());
    } else {
        eprintln!("not root: the grader can't give learner code a uid of its own here");
    }
}

#[test]
fn a_question_without_its_exercise_gets_a_reason_not_a_crash() {
    let pack = Pack::new();
    let grade = grade_dir(RIGHT);
    let (_, results) = entrypoint(&pack, grade.path(), None);
    assert_eq!(results["gradable"], false);
    assert!(results["message"]
        .as_str()
        .unwrap()
        .contains("TASKLINGS_EXERCISE"));
}

#[test]
fn the_example_question_names_the_entrypoint_and_an_exercise_that_exists() {
    let dir = workspace_root().join("grader/templates/prairielearn");
    let info = json_file(&dir.join("question/info.json"));
    let options = &info["externalGradingOptions"];
    assert_eq!(info["gradingMethod"], "External");
    assert_eq!(options["enabled"], true);
    assert_eq!(
        options["entrypoint"],
        "/opt/tasklings/grader/templates/prairielearn/entrypoint"
    );
    let timeout = options["timeout"].as_u64().unwrap();
    assert!(timeout <= 600, "PrairieLearn's limit is 600 s");
    let exercise = options["environment"]["TASKLINGS_EXERCISE"]
        .as_str()
        .unwrap();
    assert!(workspace_root().join("exercises").join(exercise).is_dir());
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let toolchain = std::fs::read_to_string(workspace_root().join("rust-toolchain.toml")).unwrap();
    let pinned = toolchain
        .lines()
        .find_map(|l| l.strip_prefix("channel = "))
        .unwrap()
        .trim_matches('"');
    assert!(
        dockerfile.contains(&format!("FROM rust:{pinned}-")),
        "the image's toolchain is the one rust-toolchain.toml pins ({pinned})"
    );
}
