//! The grader's explanations of compile errors (`grader/src/diagnosis.rs`), on real code graded
//! through the CLI: the explanation must match what the compiler really says about it.

mod common;

use serde_json::Value;

/// A correct rate-limited fetcher whose stream stages borrow locals of the enclosing function
/// hits rustc's higher-ranked lifetime limitation when the hidden tests spawn its future. The
/// explanation names the limitation and the way round it, and blames nothing the code doesn't
/// hold (no `MutexGuard`, `Rc` or `RefCell`).
#[test]
fn a_borrowing_stream_stage_gets_the_higher_ranked_explanation() {
    let output = common::grader()
        .arg("--root")
        .arg(common::workspace_root())
        .args([
            "run",
            "rate-limited-caller",
            "--format",
            "json",
            "--submission",
        ])
        .arg(common::submission("rate-limited-caller-borrowing-stream"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "no JSON report ({error}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let exercise = &report["exercises"][0];
    assert_eq!(exercise["status"], "compile_error", "{exercise:#}");
    let message = exercise["tests"][0]["message"].as_str().unwrap_or_default();
    // rustc's own words, both of them: the grader shows them after its explanation.
    assert!(
        message.contains("implementation of `FnOnce` is not general enough"),
        "{message}"
    );
    assert!(
        message.contains("one type is more general than the other"),
        "{message}"
    );
    let explanation = &message[..message
        .find("The compiler's own words")
        .expect("rustc's words follow the explanation")];
    for expected in ["known limitation of rustc", "Arc", "async move", "Boxing"] {
        assert!(
            explanation.contains(expected),
            "the explanation lacks {expected:?}:\n{explanation}"
        );
    }
    for blamed in ["MutexGuard", "Rc`", "RefCell"] {
        assert!(
            !explanation.contains(blamed),
            "the explanation blames {blamed}, which the code doesn't hold:\n{explanation}"
        );
    }
    assert_eq!(output.status.code(), Some(1), "a failing grade exits 1");
}
