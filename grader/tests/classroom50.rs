//! Classroom 50: `grader/templates/classroom50/autograder.py` run as Classroom 50's runner runs
//! an autograder — from the student's checkout (a git repository), with the runner's
//! environment — writes a `result.json` that keeps the contract (schema, identity, the commit's
//! date, integer scores that add up) and a Release body, and exits 0 whatever the verdict.

// Unix only: the runner is a Linux GitHub Actions job.
#![cfg(unix)]

mod class_fixture;
mod validators;

use std::process::Command;

use class_fixture::{run, shown, workspace_root, Pack};

fn git(pack: &Pack, args: &[&str]) {
    let output = run(Command::new("git")
        .args(args)
        .current_dir(pack.root())
        .env("GIT_AUTHOR_NAME", "alice")
        .env("GIT_AUTHOR_EMAIL", "alice@example.com")
        .env("GIT_COMMITTER_NAME", "alice")
        .env("GIT_COMMITTER_EMAIL", "alice@example.com")
        .env("GIT_AUTHOR_DATE", "2026-06-01T14:30:00Z")
        .env("GIT_COMMITTER_DATE", "2026-06-01T14:32:01Z"));
    assert!(output.status.success(), "{}", shown(&output));
}

#[test]
fn the_autograder_writes_the_result_json_contract() {
    let pack = Pack::new();
    // Alice's submission of `adder`: half right.
    std::fs::copy(
        class_fixture::fixtures().join("submissions/adder-partial/src/lib.rs"),
        pack.path("exercises/adder/src/lib.rs"),
    )
    .unwrap();
    git(&pack, &["init", "-q"]);
    git(&pack, &["add", "-A"]);
    git(&pack, &["commit", "-q", "-m", "submit"]);

    let autograder = workspace_root().join("grader/templates/classroom50/autograder.py");
    let output = run(Command::new("python3")
        .arg(&autograder)
        .current_dir(pack.root())
        .env("CLASSROOM", "rust-concurrency")
        .env("ASSIGNMENT", "adder")
        .env("SUBMISSION_TAG", "submit/2026-06-01T14-32-05Z-a1b2c3d")
        .env(
            "COMMIT_URL",
            "https://github.com/org/adder-alice/commit/a1b2c3d",
        )
        .env(
            "RELEASE_URL",
            "https://github.com/org/adder-alice/releases/tag/submit",
        )
        .env(
            "REVIEW_URL",
            "https://github.com/org/adder-alice/compare/base...a1b2c3d",
        )
        .env("TASKLINGS_GRADER", env!("CARGO_BIN_EXE_grader"))
        .env("CARGO_TARGET_DIR", class_fixture::target_dir())
        .env_remove("TASKLINGS_ROOT")
        .env("NO_COLOR", "1"));
    let log = shown(&output);
    assert!(output.status.success(), "it ran end to end: {log}");
    assert!(
        log.contains("sums_a_slice_wrapping_on_overflow"),
        "the report is in the log: {log}"
    );

    let text = std::fs::read_to_string(pack.path("result.json")).unwrap();
    println!("{text}");
    let result = validators::check_classroom50(&text);
    assert_eq!(result["classroom"], "rust-concurrency");
    assert_eq!(result["assignment"], "adder");
    assert_eq!(result["submission"], "submit/2026-06-01T14-32-05Z-a1b2c3d");
    assert_eq!(
        result["review"],
        "https://github.com/org/adder-alice/compare/base...a1b2c3d"
    );
    // The submission instant is the commit's, not the grading's.
    assert_eq!(result["datetime"], "2026-06-01T14:32:01Z");
    assert!(result["graded_at"].as_str().unwrap().ends_with('Z'));
    // Only `adder` (the assignment's exercise) was graded: 3 of its 5 points.
    assert_eq!(
        (&result["score"], &result["max-score"]),
        (&3.into(), &5.into())
    );
    let names: Vec<&str> = result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["test-name"].as_str().unwrap())
        .collect();
    assert!(names.iter().all(|n| n.starts_with("adder: ")), "{names:?}");

    let body = std::fs::read_to_string(pack.path("release-body.md")).unwrap();
    assert!(body.contains("| adder | ❌ fails | 3 / 5 |"), "{body}");
}

#[test]
fn an_autograder_whose_grader_cannot_grade_says_so_by_its_exit_status() {
    let pack = Pack::new();
    let autograder = workspace_root().join("grader/templates/classroom50/autograder.py");
    let output = run(Command::new("python3")
        .arg(&autograder)
        .current_dir(pack.root())
        .env("ASSIGNMENT", "adder")
        .env("TASKLINGS_GRADER", pack.path("no-such-grader"))
        .env_remove("TASKLINGS_ROOT"));
    assert_eq!(output.status.code(), Some(1), "{}", shown(&output));
    assert!(!pack.path("result.json").exists());
}
