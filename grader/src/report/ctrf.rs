//! `--format ctrf`: the Common Test Report Format, one JSON document (docs/formats.md says where
//! CTRF publishes its schema; `grader/tests/formats.rs` validates our output against it).
//!
//! ```json
//! {"reportFormat": "CTRF", "specVersion": "0.0.0", "reportId": UUID, "timestamp": RFC3339,
//!  "generatedBy": "tasklings grader 0.1.0",
//!  "results": {
//!    "tool": {"name": "tasklings", "version": "0.1.0"},
//!    "summary": {"tests", "passed", "failed", "skipped", "pending", "other", "suites",
//!                "start", "stop", "duration"},
//!    "tests": [{"name": "parallel-sum: sums", "status": "passed|failed|skipped|other",
//!               "duration": ms, "suite": ["parallel-sum"], "message", "rawStatus",
//!               "type": "correctness|timing|compile", "tags", "stdout": [lines],
//!               "extra": {"score", "max_score"}}],
//!    "extra": {"score", "max_score"}}}
//! ```
//!
//! Statuses: a failed test and one that timed out are `failed` (`rawStatus` says which); a test
//! the grader could not run is `other`; a skipped one `skipped`, with its reason as `message`.
//! Times are milliseconds since the Unix epoch (`start`, `stop`) and durations in milliseconds.
//! CTRF has no points: ours are in `extra`, per test and for the run.

use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};

use crate::report::{all_tests, junit::rfc3339, printable, qualified_name, truncate_middle};
use crate::results::{Report, TestResult, TestStatus};

/// The version of CTRF's specification the document follows (its `specVersion`).
pub const SPEC_VERSION: &str = "0.0.0";

/// Characters kept of a message (CTRF sets no limit; job summaries and viewers do).
const MESSAGE_MAX: usize = 16_000;
/// Lines kept of what a test printed.
const STDOUT_LINES: usize = 200;

/// What a CTRF document needs besides the report.
#[derive(Clone, Debug)]
pub struct Options {
    /// When the run started (`summary.start`; `stop` adds the report's elapsed time).
    pub started: SystemTime,
    /// The document's `reportId`, a UUID ([`crate::report::uuid_v4`]).
    pub report_id: String,
}

/// The report as a CTRF document.
pub fn render(report: &Report, options: &Options) -> String {
    let start = millis(options.started);
    let elapsed = (report.elapsed_s * 1000.0).round() as u64;
    let tests: Vec<Value> = all_tests(report)
        .map(|(exercise, test)| test_entry(exercise, test))
        .collect();
    let count = |status: &str| tests.iter().filter(|t| t["status"] == status).count();
    let version = env!("CARGO_PKG_VERSION");
    let document = json!({
        "reportFormat": "CTRF",
        "specVersion": SPEC_VERSION,
        "reportId": options.report_id,
        "timestamp": rfc3339(options.started + Duration::from_millis(elapsed)),
        "generatedBy": format!("tasklings grader {version}"),
        "results": {
            "tool": { "name": "tasklings", "version": version },
            "summary": {
                "tests": tests.len(),
                "passed": count("passed"),
                "failed": count("failed"),
                "skipped": count("skipped"),
                "pending": 0,
                "other": count("other"),
                "suites": report.exercises.len(),
                "start": start,
                "stop": start + elapsed,
                "duration": elapsed,
            },
            "tests": tests,
            "extra": { "score": report.score, "max_score": report.max_score },
        },
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// One entry of `results.tests`.
fn test_entry(exercise: &str, test: &TestResult) -> Value {
    let status = match test.status {
        TestStatus::Pass => "passed",
        TestStatus::Fail | TestStatus::Timeout => "failed",
        TestStatus::Skipped => "skipped",
        TestStatus::Error => "other",
    };
    let raw_status = match test.status {
        TestStatus::Pass => "pass",
        TestStatus::Fail => "fail",
        TestStatus::Timeout => "timeout",
        TestStatus::Skipped => "skipped",
        TestStatus::Error => "error",
    };
    let mut entry = Map::new();
    entry.insert(
        "name".into(),
        Value::from(qualified_name(exercise, &test.name)),
    );
    entry.insert("status".into(), Value::from(status));
    entry.insert("duration".into(), Value::from(test.duration_ms));
    entry.insert("suite".into(), json!([exercise]));
    if !test.message.is_empty() {
        entry.insert(
            "message".into(),
            Value::from(truncate_middle(&printable(&test.message), MESSAGE_MAX)),
        );
    }
    entry.insert("rawStatus".into(), Value::from(raw_status));
    entry.insert("type".into(), Value::from(test.kind.as_str()));
    entry.insert("tags".into(), json!([test.kind.as_str()]));
    let output = printable(test.output.trim_end());
    if !output.is_empty() {
        let lines: Vec<&str> = output.lines().collect();
        let start = lines.len().saturating_sub(STDOUT_LINES);
        entry.insert("stdout".into(), json!(lines[start..]));
    }
    entry.insert(
        "extra".into(),
        json!({ "score": test.score, "max_score": test.max_score }),
    );
    Value::Object(entry)
}

/// Milliseconds since the Unix epoch.
fn millis(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
