//! Consumers from the package registries, not our own readers, that must accept what the grader
//! writes: CTRF's published JSON schema (npm package `ctrf`, the format's reference
//! implementation) checked by Python's `jsonschema` and by the reference implementation's own
//! `validateStrict`, and JUnit XML read by PyPI's `junitparser`. `.ci/run` installs them; a
//! test that finds one missing fails and says what to install — it never passes without it.

#![allow(dead_code)] // each test file uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `ctrf` npm package whose schema the tests validate against.
pub const CTRF_PACKAGE: &str = "ctrf@0.3.0";

/// Where `.ci/run` installs it (`npm install --prefix target/ci-tools/ctrf ctrf@0.3.0`).
pub fn ctrf_prefix() -> PathBuf {
    std::env::var_os("TASKLINGS_CTRF_PREFIX").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../target/ci-tools/ctrf")
                .to_path_buf()
        },
        PathBuf::from,
    )
}

const INSTALL: &str = "install the validators as .ci/run's \"tools\" step does: \
    `pip install 'jsonschema[format-nongpl]==4.26.0' junitparser==5.0.3` and \
    `npm install --prefix target/ci-tools/ctrf ctrf@0.3.0`";

/// CTRF's published schema, from the installed `ctrf` package.
pub fn ctrf_schema() -> PathBuf {
    let schema = ctrf_prefix().join("node_modules/ctrf/dist/ctrf-schema-0.0.json");
    assert!(
        schema.is_file(),
        "CTRF's published schema is not installed ({} is missing): {INSTALL}",
        schema.display()
    );
    schema
}

/// Runs a Python script on `args`; panics with what to install when Python or a module is
/// missing, and with the script's words when it rejects the input.
fn python(script: &str, args: &[&Path]) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("can't run python3 ({error}): {INSTALL}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "a validator is missing ({stderr}): {INSTALL}"
    );
    assert!(
        output.status.success(),
        "rejected:\n{stderr}\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Validates a CTRF document against the published schema with Python's `jsonschema`, formats
/// (`uuid`, `date-time`) included; panics with every error found.
pub fn check_ctrf(document: &Path) {
    const SCRIPT: &str = r#"
import json, sys
from jsonschema import Draft7Validator, FormatChecker
checker = FormatChecker()
for name in ("uuid", "date-time"):
    if name not in checker.checkers:
        sys.exit("jsonschema can't check the format " + name + ": ModuleNotFoundError (install jsonschema[format-nongpl])")
schema = json.load(open(sys.argv[1]))
Draft7Validator.check_schema(schema)
document = json.load(open(sys.argv[2]))
errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
          for e in Draft7Validator(schema, format_checker=checker).iter_errors(document)]
if errors:
    sys.exit("\n".join(errors))
print("valid")
"#;
    let verdict = python(SCRIPT, &[&ctrf_schema(), document]);
    assert_eq!(verdict.trim(), "valid");
    check_ctrf_with_reference(document);
}

/// The CTRF reference implementation's own strict validation (`validateStrict`, ajv with formats).
fn check_ctrf_with_reference(document: &Path) {
    const SCRIPT: &str = r#"
const fs = require("fs");
const ctrf = require(process.argv[1]);
ctrf.validateStrict(JSON.parse(fs.readFileSync(process.argv[2], "utf8")));
console.log("valid");
"#;
    let module = ctrf_prefix().join("node_modules/ctrf");
    let output = Command::new("node")
        .arg("-e")
        .arg(SCRIPT)
        .arg(&module)
        .arg(document)
        .output()
        .unwrap_or_else(|error| panic!("can't run node ({error}): {INSTALL}"));
    assert!(
        output.status.success(),
        "ctrf's validateStrict rejected {}:\n{}",
        document.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// One test case as `junitparser` reads it.
#[derive(Debug)]
pub struct JunitCase {
    pub suite: String,
    pub name: String,
    pub classname: String,
    /// `passed`, or the result element: `failure`, `error`, `skipped`.
    pub result: String,
    /// The result element's `type` and `message` attributes and its text.
    pub kind: String,
    pub message: String,
    pub text: String,
    pub time: f64,
}

/// Reads a JUnit XML file with `junitparser`: its suites' counts must add up to their cases,
/// and every case is returned as it was read.
pub fn read_junit(xml: &Path) -> Vec<JunitCase> {
    const SCRIPT: &str = r#"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
cases = []
for suite in xml:
    counted = {"failure": 0, "error": 0, "skipped": 0}
    total = 0
    for case in suite:
        total += 1
        result = "passed"
        kind = message = text = ""
        for element in case.result:
            if isinstance(element, Failure): result = "failure"
            elif isinstance(element, Error): result = "error"
            elif isinstance(element, Skipped): result = "skipped"
            kind, message, text = element.type or "", element.message or "", element.text or ""
        if result != "passed": counted[result] += 1
        cases.append({"suite": suite.name, "name": case.name, "classname": case.classname,
                      "result": result, "kind": kind, "message": message, "text": text,
                      "time": case.time})
    if (suite.tests, suite.failures, suite.errors, suite.skipped) != \
       (total, counted["failure"], counted["error"], counted["skipped"]):
        sys.exit(f"suite {suite.name}: counts {suite.tests}/{suite.failures}/{suite.errors}/"
                 f"{suite.skipped} but cases {total}/{counted}")
print(json.dumps(cases))
"#;
    let text = python(SCRIPT, &[xml]);
    let cases: serde_json::Value = serde_json::from_str(&text).expect("junitparser's cases");
    cases
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            let s = |key: &str| c[key].as_str().unwrap_or_default().to_owned();
            JunitCase {
                suite: s("suite"),
                name: s("name"),
                classname: s("classname"),
                result: s("result"),
                kind: s("kind"),
                message: s("message"),
                text: s("text"),
                time: c["time"].as_f64().unwrap_or(-1.0),
            }
        })
        .collect()
}

// The formats below publish rules in prose, not a schema: each check is those rules, as
// docs/formats.md summarises them, applied to the whole document.

/// PrairieLearn's external-grading results.json: an object under 1 MB; `gradable` a boolean;
/// when gradable a `score` in 0..1; `message` and `output` strings; `format_errors` a string or
/// strings; `tests[]` of objects whose name, description, message and output are strings and
/// points and max_points numbers, points never above max_points.
pub fn check_prairielearn(text: &str) -> serde_json::Value {
    use serde_json::Value;
    assert!(
        text.len() <= 1_000_000,
        "results.json is {} bytes",
        text.len()
    );
    let results: Value = serde_json::from_str(text).expect("results.json is JSON");
    let object = results.as_object().expect("results.json is an object");
    let gradable = object
        .get("gradable")
        .is_none_or(|g| g.as_bool().expect("gradable is a boolean"));
    if gradable {
        let score = results["score"]
            .as_f64()
            .expect("a gradable result has a score");
        assert!((0.0..=1.0).contains(&score), "score {score}");
    }
    for key in ["message", "output"] {
        assert!(
            object.get(key).is_none_or(Value::is_string),
            "{key}: {results}"
        );
    }
    if let Some(errors) = object.get("format_errors") {
        let strings = errors.is_string()
            || errors
                .as_array()
                .is_some_and(|all| all.iter().all(Value::is_string));
        assert!(strings, "format_errors: {errors}");
    }
    for test in object
        .get("tests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for key in ["name", "description", "message", "output"] {
            assert!(test.get(key).is_none_or(Value::is_string), "{key}: {test}");
        }
        let points = test["points"].as_f64().expect("points");
        let max = test["max_points"].as_f64().expect("max_points");
        assert!(points >= 0.0 && points <= max, "{test}");
    }
    results
}

/// Exercism's test-runner interface, version 3: `version` 3; `status` pass, fail or error;
/// `message` a string when the status is error, else null or absent; `tests[]` present unless
/// the status is error, each with a `name` and a `status` of pass, fail or error, a `message`
/// when it failed or errored, an `output` of at most 500 characters, a `test_code` string and a
/// numeric `task_id`; the overall status `fail` exactly when some test failed or errored.
pub fn check_exercism(text: &str) -> serde_json::Value {
    use serde_json::Value;
    let results: Value = serde_json::from_str(text).expect("results.json is JSON");
    assert_eq!(results["version"], 3, "{results}");
    let status = results["status"].as_str().expect("a status");
    assert!(["pass", "fail", "error"].contains(&status), "{status}");
    if status == "error" {
        assert!(
            results["message"].is_string(),
            "an error has a message: {results}"
        );
        assert!(results["message"].as_str().unwrap().chars().count() <= 65_535);
        return results;
    }
    assert!(results["message"].is_null(), "{results}");
    let tests = results["tests"].as_array().expect("tests[]");
    let mut problems = 0;
    for test in tests {
        assert!(test["name"].is_string(), "{test}");
        let status = test["status"].as_str().expect("a test status");
        assert!(["pass", "fail", "error"].contains(&status), "{test}");
        if status != "pass" {
            problems += 1;
            assert!(
                test["message"].is_string(),
                "a failure has a message: {test}"
            );
        }
        if let Some(output) = test.get("output") {
            assert!(output.as_str().unwrap().chars().count() <= 500, "{test}");
        }
        assert!(test["test_code"].is_string(), "{test}");
        assert!(test["task_id"].is_u64(), "{test}");
    }
    assert_eq!(status == "fail", problems > 0, "{results}");
    results
}

/// Classroom 50's result.json contract: `schema` exactly `classroom50/result/v1`; the identity
/// fields and `datetime` strings; integer `score` and `max-score` that are the sums of the
/// tests' `score` and `max-score`; each test a `test-name`, a boolean `passed` and integer
/// scores.
pub fn check_classroom50(text: &str) -> serde_json::Value {
    let result: serde_json::Value = serde_json::from_str(text).expect("result.json is JSON");
    assert_eq!(result["schema"], "classroom50/result/v1");
    for key in [
        "classroom",
        "assignment",
        "submission",
        "commit",
        "release",
        "review",
        "datetime",
    ] {
        assert!(result[key].is_string(), "{key}: {result}");
    }
    let tests = result["tests"].as_array().expect("tests[]");
    let (mut score, mut max) = (0, 0);
    for test in tests {
        assert!(
            test["test-name"].is_string() && test["passed"].is_boolean(),
            "{test}"
        );
        let (s, m) = (test["score"].as_u64(), test["max-score"].as_u64());
        let (s, m) = (s.expect("integer score"), m.expect("integer max-score"));
        assert!(s <= m, "{test}");
        score += s;
        max += m;
    }
    assert_eq!(result["score"].as_u64(), Some(score), "{result}");
    assert_eq!(result["max-score"].as_u64(), Some(max), "{result}");
    result
}
