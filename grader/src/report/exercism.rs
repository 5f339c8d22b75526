//! `--format exercism`: the `results.json` of Exercism's test-runner interface, version 3
//! (docs/formats.md says where Exercism publishes it).
//!
//! ```json
//! {"version": 3, "status": "pass|fail|error", "message": null,
//!  "tests": [{"name": "sums", "status": "pass|fail|error", "message": null,
//!             "output": "≤ 500 characters", "test_code": "cargo grade run x --test sums",
//!             "task_id": 1}]}
//! ```
//!
//! * `status` is `error` only when no test ran (every graded exercise failed to build): then
//!   `message` holds the compiler's explanation (at most 65 535 characters) and there is no
//!   `tests[]`. Otherwise `pass` when every exercise passes, else `fail`, and `message` is null.
//! * Tests keep the hidden tests' order. A failed test is `fail`; one that timed out or could not
//!   run is `error` (it "did not return a value"); a skipped test is `pass` with a message that
//!   says why it was not run — the interface has no skipped status.
//! * `output` is what the test printed, cut to 500 characters with the interface's own notice.
//! * `test_code`: the hidden tests are hidden, so the command that runs this one test.
//! * `task_id`: each graded exercise is one task, numbered from 1 in report order — a test
//!   belongs to exactly one, as version 3 requires.

use serde_json::{json, Map, Value};

use crate::report::{nothing_ran, printable, truncate_middle};
use crate::results::{Report, TestKind, TestResult, TestStatus};

/// The interface's limit on a test's `output`, in characters.
pub const OUTPUT_MAX: usize = 500;
/// The interface's limit on the top-level `message`, in characters.
pub const MESSAGE_MAX: usize = 65_535;
/// The notice the interface suggests for output cut to [`OUTPUT_MAX`].
const TRUNCATED: &str = "Output was truncated. Please limit to 500 chars";

/// The report as Exercism's results.json.
pub fn render(report: &Report) -> String {
    let results = if nothing_ran(report) {
        let message = report
            .exercises
            .iter()
            .flat_map(|e| e.tests.iter().filter(|t| t.kind == TestKind::Compile))
            .map(|t| t.message.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        json!({
            "version": 3,
            "status": "error",
            "message": truncate_middle(&printable(&message), MESSAGE_MAX),
        })
    } else {
        let tests: Vec<Value> = report
            .exercises
            .iter()
            .enumerate()
            .flat_map(|(index, e)| {
                e.tests
                    .iter()
                    .map(move |t| test_entry(&e.exercise, index + 1, t))
            })
            .collect();
        json!({
            "version": 3,
            "status": if report.all_pass() { "pass" } else { "fail" },
            "message": Value::Null,
            "tests": tests,
        })
    };
    let mut text = serde_json::to_string_pretty(&results).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// One entry of `tests[]`.
fn test_entry(exercise: &str, task_id: usize, test: &TestResult) -> Value {
    let (status, message) = match test.status {
        TestStatus::Pass => ("pass", None),
        TestStatus::Skipped => ("pass", Some(format!("not run: {}", test.message))),
        TestStatus::Fail => ("fail", Some(test.message.clone())),
        TestStatus::Timeout => ("error", Some(format!("timed out: {}", test.message))),
        TestStatus::Error => ("error", Some(test.message.clone())),
    };
    let mut entry = Map::new();
    entry.insert("name".into(), Value::from(test.name.as_str()));
    entry.insert("status".into(), Value::from(status));
    entry.insert(
        "message".into(),
        message.map_or(Value::Null, |m| Value::from(printable(&m))),
    );
    if !test.output.trim().is_empty() {
        entry.insert("output".into(), Value::from(output(&test.output)));
    }
    entry.insert(
        "test_code".into(),
        Value::from(format!("cargo grade run {exercise} --test {}", test.name)),
    );
    entry.insert("task_id".into(), Value::from(task_id));
    Value::Object(entry)
}

/// What the test printed, at most [`OUTPUT_MAX`] characters: the end of it (where the trouble
/// usually is) after the interface's notice when it had to be cut.
fn output(text: &str) -> String {
    let text = printable(text.trim_end());
    let count = text.chars().count();
    if count <= OUTPUT_MAX {
        return text;
    }
    let keep = OUTPUT_MAX - TRUNCATED.chars().count() - 1;
    let tail: String = text.chars().skip(count - keep).collect();
    format!("{TRUNCATED}\n{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_cut_to_500_characters_with_the_notice() {
        let long = "ü".repeat(2_000);
        let cut = output(&long);
        assert_eq!(cut.chars().count(), OUTPUT_MAX);
        assert!(cut.starts_with(TRUNCATED));
        assert_eq!(output("short\n"), "short");
    }
}
