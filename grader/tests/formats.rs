//! The writers, each checked against its published spec on real graded runs: docs/report-json.md's
//! JSON, JUnit as nextest writes it (and as PyPI's `junitparser` reads it), Gradescope's,
//! PrairieLearn's and Exercism's results.json, CTRF (against CTRF's published schema), the
//! GitHub job summary and Classroom 50's result.json. A graded run covers pass, fail, skipped
//! (with `--skip-timing`) and a compile error; `--also` writes every format from one run.
//! docs/formats.md says where each spec lives; `report/golden.rs` pins each writer's exact
//! output.

mod common;
mod validators;

use std::path::Path;

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

/// Every format but `--format`'s own, from one graded run of `submission_name`, as
/// `(format, text)`.
fn all_formats(pack: &Pack, submission_name: &str, dir: &Path) -> Vec<(&'static str, String)> {
    const FORMATS: [&str; 9] = [
        "json",
        "junit",
        "gradescope",
        "prairielearn",
        "exercism",
        "ctrf",
        "github-summary",
        "classroom50",
        "human",
    ];
    let mut command = pack.grader();
    command
        .args([
            "run",
            "adder",
            "--skip-timing",
            "--format",
            "json",
            "--submission",
        ])
        .arg(submission(submission_name))
        // As Classroom 50's runner sets them for an autograder.
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
        );
    for format in FORMATS {
        command
            .arg("--also")
            .arg(format!("{format}={}", dir.join(format).display()));
    }
    command.assert().code(1);
    FORMATS
        .iter()
        .map(|format| {
            let text = std::fs::read_to_string(dir.join(format)).unwrap();
            (*format, text)
        })
        .collect()
}

fn text_of<'a>(outputs: &'a [(&str, String)], format: &str) -> &'a str {
    &outputs.iter().find(|(f, _)| *f == format).unwrap().1
}

#[test]
fn every_format_of_a_graded_run_is_accepted_by_its_consumer() {
    let pack = Pack::new();
    let dir = tempfile::tempdir().unwrap();
    let outputs = all_formats(&pack, "adder-partial", dir.path());

    // CTRF: the published schema (Python's jsonschema) and the reference implementation.
    validators::check_ctrf(&dir.path().join("ctrf"));
    let ctrf: Value = serde_json::from_str(text_of(&outputs, "ctrf")).unwrap();
    let summary = &ctrf["results"]["summary"];
    assert_eq!(
        (
            &summary["tests"],
            &summary["passed"],
            &summary["failed"],
            &summary["skipped"]
        ),
        (&4.into(), &2.into(), &1.into(), &1.into()),
        "{ctrf:#}"
    );

    // JUnit, as junitparser reads it.
    let cases = validators::read_junit(&dir.path().join("junit"));
    let results: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| (c.name.as_str(), c.result.as_str()))
        .collect();
    assert_eq!(
        results,
        [
            ("adds_two_numbers", "passed"),
            ("adds_zero", "passed"),
            ("sums_a_slice_wrapping_on_overflow", "failure"),
            ("sums_as_fast_as_a_plain_loop", "skipped"),
        ]
    );
    let failure = &cases[2];
    assert_eq!(
        (failure.suite.as_str(), failure.classname.as_str()),
        ("adder", "adder")
    );
    assert_eq!(failure.kind, "test failure");
    assert!(
        failure.text.contains("attempt to add with overflow"),
        "{failure:?}"
    );
    assert!(cases.iter().all(|c| c.time >= 0.0));

    let pl = validators::check_prairielearn(text_of(&outputs, "prairielearn"));
    assert_eq!(
        (&pl["gradable"], &pl["score"]),
        (&true.into(), &0.5.into()),
        "{pl:#}"
    );

    let exercism = validators::check_exercism(text_of(&outputs, "exercism"));
    assert_eq!(exercism["status"], "fail");
    let statuses: Vec<&str> = exercism["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass", "pass", "fail", "pass"]);

    let classroom50 = validators::check_classroom50(text_of(&outputs, "classroom50"));
    assert_eq!(classroom50["classroom"], "rust-concurrency");
    assert_eq!(
        (&classroom50["score"], &classroom50["max-score"]),
        (&2.into(), &4.into())
    );

    let markdown = text_of(&outputs, "github-summary");
    assert!(
        markdown.contains("| adder | ❌ fails | 2 / 4 |"),
        "{markdown}"
    );
    assert!(
        markdown
            .contains("| `sums_a_slice_wrapping_on_overflow` | correctness | ❌ fail | 0 / 2 |"),
        "{markdown}"
    );
    // The human report, written to a file, has no colour codes.
    assert!(!text_of(&outputs, "human").contains('\x1b'));
    assert!(text_of(&outputs, "human").contains("adder"));
}

#[test]
fn a_compile_error_is_an_error_where_the_format_has_one() {
    let pack = Pack::new();
    let dir = tempfile::tempdir().unwrap();
    let outputs = all_formats(&pack, "adder-compile-error", dir.path());
    validators::check_ctrf(&dir.path().join("ctrf"));
    let cases = validators::read_junit(&dir.path().join("junit"));
    assert_eq!(cases.len(), 1);
    assert_eq!(
        (cases[0].result.as_str(), cases[0].kind.as_str()),
        ("failure", "compile error")
    );

    let pl = validators::check_prairielearn(text_of(&outputs, "prairielearn"));
    assert_eq!(pl["gradable"], false, "{pl:#}");
    assert!(pl["format_errors"][0].as_str().unwrap().contains("E0277"));

    let exercism = validators::check_exercism(text_of(&outputs, "exercism"));
    assert_eq!(exercism["status"], "error", "{exercism:#}");
    assert!(exercism["message"].as_str().unwrap().contains("E0277"));

    let classroom50 = validators::check_classroom50(text_of(&outputs, "classroom50"));
    assert_eq!(
        (&classroom50["score"], &classroom50["max-score"]),
        (&0.into(), &5.into())
    );
}

#[test]
fn also_names_the_formats_it_knows_when_given_another() {
    let pack = Pack::new();
    let output = pack
        .grader()
        .args(["run", "adder", "--also", "yaml=out.yaml"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&output);
    assert!(stderr.contains("unknown format `yaml`"), "{stderr}");
    assert!(
        stderr.contains("ctrf") && stderr.contains("github-summary"),
        "{stderr}"
    );
}
