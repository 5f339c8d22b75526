//! `--format classroom50`: the `result.json` Classroom 50's runner reads after an autograder ran
//! (its "result.json contract"; docs/formats.md says where Classroom 50 documents it, and
//! `grader/templates/classroom50/autograder.py` is the autograder that calls us).
//!
//! ```json
//! {"schema": "classroom50/result/v1", "classroom": "…", "assignment": "…",
//!  "submission": "submit/…", "commit": URL, "release": URL, "review": URL,
//!  "datetime": "2026-06-01T14:32:01Z", "graded_at": "2026-06-01T14:33:11Z",
//!  "score": 4, "max-score": 5,
//!  "tests": [{"test-name": "adder: adds", "passed": true, "score": 1, "max-score": 1,
//!             "status": "pass", "message": "…"}]}
//! ```
//!
//! The identity fields come from the runner's environment (the command reads it into
//! [`Options`]); `owner` and `assignment_type` are stamped by the runner itself. Classroom 50's
//! scores are integers and ours need not be (0.5 is common): every test's points are multiplied
//! by the smallest [`scale`] that makes them all whole (2 when there are half points), so the
//! fraction earned is exact, a test scores its `max-score` when it passes, and the sums are the
//! top-level `score` and `max-score`. `status` and `message` are extra diagnostic fields, which
//! the contract keeps.

use serde_json::{json, Value};

use crate::report::{all_tests, printable, qualified_name, truncate_middle};
use crate::results::{Report, TestStatus};

/// The contract's `schema`.
pub const SCHEMA: &str = "classroom50/result/v1";
/// Characters kept of a test's message.
const MESSAGE_MAX: usize = 4_000;

/// Who and what was graded, as Classroom 50's runner says in its environment.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub classroom: String,
    pub assignment: String,
    /// The submit tag's name (`SUBMISSION_TAG`).
    pub submission: String,
    pub commit: String,
    pub release: String,
    pub review: String,
    /// The submission instant: the graded commit's committer date, UTC (`…Z`).
    pub datetime: String,
    /// When this grading run ended, UTC.
    pub graded_at: String,
}

/// The report as Classroom 50's result.json.
pub fn render(report: &Report, options: &Options) -> String {
    let tests: Vec<_> = all_tests(report).collect();
    let scale = scale(&tests.iter().map(|(_, t)| t.max_score).collect::<Vec<_>>());
    let entries: Vec<Value> = tests
        .iter()
        .map(|(exercise, test)| {
            let share = (test.max_score * scale).round().max(0.0) as u64;
            let passed = test.status == TestStatus::Pass;
            let mut entry = json!({
                "test-name": qualified_name(exercise, &test.name),
                "passed": passed,
                "score": if passed { share } else { 0 },
                "max-score": share,
                "status": match test.status {
                    TestStatus::Pass => "pass",
                    TestStatus::Fail => "fail",
                    TestStatus::Timeout => "timeout",
                    TestStatus::Error => "error",
                    TestStatus::Skipped => "skipped",
                },
            });
            if !passed && !test.message.is_empty() {
                entry["message"] =
                    Value::from(truncate_middle(&printable(&test.message), MESSAGE_MAX));
            }
            entry
        })
        .collect();
    let sum = |key: &str| -> u64 { entries.iter().filter_map(|e| e[key].as_u64()).sum() };
    let (score, max) = (sum("score"), sum("max-score"));
    let result = json!({
        "schema": SCHEMA,
        "classroom": options.classroom,
        "assignment": options.assignment,
        "submission": options.submission,
        "commit": options.commit,
        "release": options.release,
        "review": options.review,
        "datetime": options.datetime,
        "graded_at": options.graded_at,
        "score": score,
        "max-score": max,
        "tests": entries,
    });
    let mut text = serde_json::to_string_pretty(&result).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// The smallest multiplier (of 1, 2, 4, 5, 10, 20, 100) that makes every one of `points` whole;
/// 100 (then rounded) when none does.
pub fn scale(points: &[f64]) -> f64 {
    [1.0, 2.0, 4.0, 5.0, 10.0, 20.0, 100.0]
        .into_iter()
        .find(|k| {
            points
                .iter()
                .all(|p| ((p * k) - (p * k).round()).abs() < 1e-9)
        })
        .unwrap_or(100.0)
}

/// `2026-06-01T14:32:01Z`: RFC 3339 in UTC to the second, as the contract's examples write it.
pub fn utc_seconds(time: std::time::SystemTime) -> String {
    let full = crate::report::junit::rfc3339(time);
    format!("{}Z", &full[..19])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ExerciseResult, TestKind, TestResult};

    #[test]
    fn half_points_are_doubled_so_the_fraction_is_exact() {
        let test = |name: &str, points, status| {
            TestResult::new(name, TestKind::Correctness, points, status, "m".into(), 1)
        };
        let tests = vec![
            test("a", 0.5, TestStatus::Pass),
            test("b", 1.5, TestStatus::Fail),
            test("c", 1.0, TestStatus::Pass),
        ];
        let report = Report::new(
            vec![ExerciseResult::from_tests("x", "X", tests, vec![])],
            1.0,
        );
        let value: Value = serde_json::from_str(&render(&report, &Options::default())).unwrap();
        assert_eq!(
            (&value["score"], &value["max-score"]),
            (&json!(3), &json!(6))
        );
        let maxima: Vec<u64> = value["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["max-score"].as_u64().unwrap())
            .collect();
        assert_eq!(maxima, [1, 3, 2]);
        assert_eq!(scale(&[1.0, 0.25]), 4.0);
        assert_eq!(scale(&[1.0 / 3.0]), 100.0);
    }
}
