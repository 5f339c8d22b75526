//! The misbehaviour catalogue: one submission whose every function misbehaves differently
//! (fixtures/submissions/misbehaving). Each case must end as a failed or timed-out test with a
//! message that says what happened — never a pass, a hang, or a grader crash.

mod common;

use common::{submission, Pack};

#[test]
fn every_kind_of_misbehaviour_is_a_clear_failure() {
    let pack = Pack::new();
    let tmp = tempfile::tempdir().unwrap();
    let assert = pack
        .grader()
        .env("TMPDIR", tmp.path())
        .args(["run", "misbehave", "--format", "json", "--submission"])
        .arg(submission("misbehaving"))
        .assert()
        .code(1);
    let report = common::json(&assert.get_output().stdout);
    let exercise = &report["exercises"][0];
    assert_eq!(exercise["status"], "fail");
    assert_eq!(
        exercise["score"], 1.0,
        "only leaves_a_process_behind passes"
    );
    assert_eq!(exercise["max_score"], 13.0);

    // (test, status, what its message must say)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "answers_42",
            "fail",
            &["answer() should return 42", "left: 41"],
        ),
        (
            "panics",
            "fail",
            &[
                "index out of bounds",
                "submissions/misbehaving/src/lib.rs:15:",
            ],
        ),
        (
            "panics_in_a_thread",
            "fail",
            &[
                "Other threads panicked",
                "'learner-worker'",
                "the worker gave up",
            ],
        ),
        ("aborts", "fail", &["SIGABRT"]),
        (
            "exits_early",
            "fail",
            &["exited before the test finished", "process::exit"],
        ),
        ("overflows_the_stack", "fail", &["stack overflow"]),
        ("segfaults", "fail", &["SIGSEGV"]),
        (
            "loops_forever",
            "timeout",
            &[
                "timed out: still running after 2 s",
                "'loops_forever': running",
            ],
        ),
        (
            "deadlocks",
            "timeout",
            &["timed out", "'learner-other': sleeping"],
        ),
        (
            "waits_on_a_task_forever",
            "timeout",
            &[
                "Tasklings runtime: 1 live task",
                "\"stuck-worker\"",
                "spawned at",
            ],
        ),
        (
            "floods_output",
            "fail",
            &["MiB of output", "printing in a loop"],
        ),
        (
            "forges_a_pass",
            "fail",
            &[
                "exited before the test finished",
                "did not carry this run's nonce",
            ],
        ),
        ("leaves_a_process_behind", "pass", &[]),
    ];
    for (name, status, phrases) in cases {
        let test = common::test(&report, name);
        assert_eq!(test["status"], *status, "{name}: {test:#}");
        let message = test["message"].as_str().unwrap();
        for phrase in *phrases {
            assert!(
                message.contains(phrase),
                "{name}: missing {phrase:?} in {message:?}"
            );
        }
    }

    // The process the passing test left behind was killed with its process group.
    let pid = std::fs::read_to_string(tmp.path().join("tasklings-orphan.pid"))
        .expect("the submission wrote its child's pid");
    assert!(!is_running(pid.trim()), "process {pid} outlived its test");
}

/// True when the process exists and is not a zombie waiting to be reaped.
fn is_running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        })
        .unwrap_or(false)
}
