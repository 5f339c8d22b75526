//! The writers, each checked against its schema: docs/report-json.md's JSON, JUnit as nextest writes it,
//! and Gradescope's results.json. One graded run covers pass, fail, skipped (with
//! `--skip-timing`) and, for JUnit, a compile error.

mod common;

use common::{submission, Pack};
use serde_json::Value;

fn run(pack: &Pack, format: &str, submission_name: &str) -> Vec<u8> {
    pack.grader()
        .args([
            "run",
            "adder",
            "--skip-timing",
            "--format",
            format,
            "--submission",
        ])
        .arg(submission(submission_name))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone()
}

fn keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn json_is_exactly_designs_shape() {
    let pack = Pack::new();
    let report = common::json(&run(&pack, "json", "adder-partial"));
    assert_eq!(keys(&report), ["exercises", "max_score", "score"]);
    for exercise in report["exercises"].as_array().unwrap() {
        assert_eq!(
            keys(exercise),
            ["exercise", "max_score", "score", "status", "tests"]
        );
        assert!(["pass", "fail", "compile_error", "timeout", "error"]
            .contains(&exercise["status"].as_str().unwrap()));
        for test in exercise["tests"].as_array().unwrap() {
            assert_eq!(
                keys(test),
                [
                    "duration_ms",
                    "kind",
                    "max_score",
                    "message",
                    "name",
                    "score",
                    "status"
                ]
            );
            assert!(["correctness", "timing", "compile"].contains(&test["kind"].as_str().unwrap()));
            assert!(["pass", "fail", "timeout", "error", "skipped"]
                .contains(&test["status"].as_str().unwrap()));
            assert!(test["score"].is_f64() && test["max_score"].is_f64());
            assert!(test["duration_ms"].is_u64());
        }
    }
    let statuses: Vec<&str> = report["exercises"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass", "pass", "fail", "skipped"]);
}

#[test]
fn junit_is_shaped_as_nextest_writes_it() {
    let pack = Pack::new();
    let xml = String::from_utf8(run(&pack, "junit", "adder-partial")).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    for attribute in [
        "name",
        "tests",
        "failures",
        "errors",
        "uuid",
        "timestamp",
        "time",
    ] {
        assert!(
            root.attribute(attribute).is_some(),
            "testsuites@{attribute}"
        );
    }
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let suite = suites[0];
    assert_eq!(suite.attribute("name"), Some("adder"));
    assert_eq!(suite.attribute("tests"), Some("4"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 4);
    for case in &cases {
        assert_eq!(case.attribute("classname"), Some("adder"));
        let time: f64 = case.attribute("time").unwrap().parse().unwrap();
        assert!(time >= 0.0);
        let results = case
            .children()
            .filter(|n| n.is_element() && !n.has_tag_name("system-out"))
            .count();
        assert!(results <= 1, "at most one result element per testcase");
    }
    let child = |name: &str, tag: &str| {
        cases
            .iter()
            .find(|c| c.attribute("name") == Some(name))
            .and_then(|c| c.children().find(|n| n.has_tag_name(tag)))
    };
    assert!(child("adds_two_numbers", "failure").is_none());
    let failure = child("sums_a_slice_wrapping_on_overflow", "failure").expect("a <failure>");
    assert_eq!(failure.attribute("type"), Some("test failure"));
    assert!(failure
        .text()
        .unwrap()
        .contains("attempt to add with overflow"));
    assert!(failure.attribute("message").is_some());
    let skipped = child("sums_as_fast_as_a_plain_loop", "skipped").expect("a <skipped>");
    assert!(skipped
        .attribute("message")
        .unwrap()
        .contains("--skip-timing"));

    let xml = String::from_utf8(run(&pack, "junit", "adder-compile-error")).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let failure = document
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("the compile error is a <failure>");
    assert_eq!(failure.attribute("type"), Some("compile error"));
    assert!(failure.text().unwrap().contains("E0277"));
}

#[test]
fn gradescope_results_follow_the_spec() {
    let pack = Pack::new();
    let results = common::json(&run(&pack, "gradescope", "adder-partial"));
    let object = results.as_object().unwrap();
    let allowed_top = [
        "score",
        "execution_time",
        "output",
        "output_format",
        "test_output_format",
        "test_name_format",
        "visibility",
        "stdout_visibility",
        "extra_data",
        "tests",
        "leaderboard",
    ];
    for key in object.keys() {
        assert!(
            allowed_top.contains(&key.as_str()),
            "unknown top-level key {key}"
        );
    }
    assert!(results["score"].is_number());
    assert!(results["execution_time"].is_number());
    assert!(results["output"].is_string());
    let formats = ["text", "html", "simple_format", "md", "ansi"];
    assert!(formats.contains(&results["output_format"].as_str().unwrap()));
    let allowed_test = [
        "score",
        "max_score",
        "status",
        "name",
        "name_format",
        "number",
        "output",
        "output_format",
        "tags",
        "visibility",
        "extra_data",
    ];
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 4);
    let mut sum = 0.0;
    for test in tests {
        for key in test.as_object().unwrap().keys() {
            assert!(
                allowed_test.contains(&key.as_str()),
                "unknown test key {key}"
            );
        }
        assert!(test["name"].is_string() && test["output"].is_string());
        assert!(["passed", "failed"].contains(&test["status"].as_str().unwrap()));
        assert!(["hidden", "after_due_date", "after_published", "visible"]
            .contains(&test["visibility"].as_str().unwrap()));
        assert!(test["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string));
        if let Some(score) = test.get("score") {
            sum += score.as_f64().unwrap();
            assert!(test["max_score"].is_number());
        }
    }
    assert_eq!(results["score"].as_f64().unwrap(), sum);
    assert_eq!(sum, 2.0);
    let by_name = |name: &str| {
        tests
            .iter()
            .find(|t| t["name"] == format!("adder: {name}"))
            .unwrap()
    };
    let skipped = by_name("sums_as_fast_as_a_plain_loop");
    assert!(skipped.get("score").is_none() && skipped.get("max_score").is_none());
    assert!(skipped["output"].as_str().unwrap().starts_with("skipped: "));
    let failed = by_name("sums_a_slice_wrapping_on_overflow");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["score"], 0.0);
    assert_eq!(failed["max_score"], 2.0);
}
