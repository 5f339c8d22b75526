//! `--format prairielearn`: the `results.json` a PrairieLearn external grader writes to
//! `/grade/results/results.json` (docs/formats.md says where PrairieLearn documents it; the
//! ready grader image and entrypoint are in `grader/templates/prairielearn/`).
//!
//! ```json
//! {"gradable": true, "score": 0.7, "message": "parallel-sum: fail (7 of 10 points)",
//!  "output": "notes, and how the build went",
//!  "tests": [{"name": "parallel-sum: sums", "description": "correctness check",
//!             "points": 1, "max_points": 1, "message": "…", "output": "what it printed"}]}
//! ```
//!
//! * `score` is the fraction of the points earned, in 0..1 (PrairieLearn scales it to the
//!   question's points). A report with nothing to count (every test skipped) scores 1 when it
//!   passes.
//! * `gradable` is false when no exercise got as far as running a test — its build failed or
//!   intake refused it. PrairieLearn then awards and takes no points and charges no attempt, as
//!   it asks for a submission that doesn't compile; `format_errors` holds the compiler's message.
//! * One entry of `tests[]` per hidden test, named `<exercise>: <test>`; a skipped test is worth
//!   0 of 0 points and its message says why.
//! * The file must stay under 1 MB: messages and outputs are cut in the middle, shorter and
//!   shorter until the whole file fits ([`LIMIT_BYTES`]).

use serde_json::{json, Value};

use crate::report::{all_tests, nothing_ran, printable, qualified_name, truncate_middle};
use crate::results::{Report, TestKind, TestResult, TestStatus};

/// PrairieLearn's limit on results.json ("1 MB"), read as 10^6 bytes so it holds either way.
pub const LIMIT_BYTES: usize = 1_000_000;

/// Characters kept of each message and output, tried in turn until the file fits.
const CUTS: [usize; 5] = [16_000, 4_000, 1_000, 200, 0];

/// The report as PrairieLearn's results.json, under [`LIMIT_BYTES`].
pub fn render(report: &Report) -> String {
    for cut in CUTS {
        let text = render_cut(report, cut);
        if text.len() <= LIMIT_BYTES {
            return text;
        }
    }
    // Even without any message (thousands of tests): the verdict alone, still valid.
    let mut text = serde_json::to_string_pretty(&json!({
        "gradable": !nothing_ran(report),
        "score": score(report),
        "message": "The results were too long for PrairieLearn: only the score is kept.",
    }))
    .unwrap_or_else(|_| "{\"gradable\": false}".to_owned());
    text.push('\n');
    text
}

/// The fraction of points earned, in 0..1.
pub fn score(report: &Report) -> f64 {
    if report.max_score > 0.0 {
        (report.score / report.max_score).clamp(0.0, 1.0)
    } else if report.all_pass() {
        1.0
    } else {
        0.0
    }
}

/// results.json with every message and output cut to `cut` characters.
fn render_cut(report: &Report, cut: usize) -> String {
    let gradable = !nothing_ran(report);
    let tests: Vec<Value> = all_tests(report)
        .map(|(exercise, test)| test_entry(exercise, test, cut))
        .collect();
    let mut results = json!({
        "gradable": gradable,
        "score": if gradable { score(report) } else { 0.0 },
        "message": summary(report),
        "output": cut_text(&notes(report), cut),
        "tests": tests,
    });
    if !gradable {
        let errors: Vec<String> = all_tests(report)
            .filter(|(_, t)| t.kind == TestKind::Compile)
            .map(|(exercise, t)| cut_text(&format!("{exercise}: {}", t.message), cut))
            .collect();
        results["format_errors"] = json!(errors);
    }
    let mut text = serde_json::to_string_pretty(&results).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// One entry of `tests[]`.
fn test_entry(exercise: &str, test: &TestResult, cut: usize) -> Value {
    let message = match test.status {
        TestStatus::Pass => String::new(),
        TestStatus::Skipped => format!("skipped: {}", test.message),
        TestStatus::Timeout => format!("timed out: {}", test.message),
        TestStatus::Fail | TestStatus::Error => test.message.clone(),
    };
    json!({
        "name": qualified_name(exercise, &test.name),
        "description": description(test.kind),
        "points": test.score,
        "max_points": test.max_score,
        "message": cut_text(&message, cut),
        "output": cut_text(&test.output, cut),
    })
}

fn description(kind: TestKind) -> &'static str {
    match kind {
        TestKind::Correctness => "correctness check",
        TestKind::Timing => "timing check, against a baseline measured in the same run",
        TestKind::Compile => "building the submission with the hidden tests",
    }
}

/// One line per exercise: its status and points.
fn summary(report: &Report) -> String {
    report
        .exercises
        .iter()
        .map(|e| {
            format!(
                "{}: {} ({} of {} points)",
                e.exercise,
                e.status.as_str(),
                e.score,
                e.max_score
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The grader's notes on the submission (files it ignored…), one per line.
fn notes(report: &Report) -> String {
    report
        .exercises
        .iter()
        .flat_map(|e| {
            e.notes
                .iter()
                .map(move |n| format!("{}: note: {n}", e.exercise))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn cut_text(text: &str, cut: usize) -> String {
    if cut == 0 {
        return String::new();
    }
    printable(&truncate_middle(text.trim_end(), cut))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ExerciseResult;

    fn report_with_output(bytes: usize, tests: usize) -> Report {
        let tests = (0..tests)
            .map(|i| {
                let mut test = TestResult::new(
                    &format!("t{i}"),
                    TestKind::Correctness,
                    1.0,
                    TestStatus::Fail,
                    "m".repeat(bytes),
                    1,
                );
                test.output = "é".repeat(bytes);
                test
            })
            .collect();
        Report::new(
            vec![ExerciseResult::from_tests("x", "X", tests, vec![])],
            1.0,
        )
    }

    #[test]
    fn results_stay_under_a_megabyte() {
        // Long outputs, many short ones, and so many tests that only the score fits.
        for (bytes, tests) in [(300_000, 8), (300, 2_000), (1, 8_000)] {
            let text = render(&report_with_output(bytes, tests));
            assert!(text.len() <= LIMIT_BYTES, "{} bytes", text.len());
            let value: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["score"], 0.0);
        }
    }

    #[test]
    fn a_build_that_fails_is_not_gradable() {
        let compile = TestResult::compile_failure(TestStatus::Fail, "E0308".into(), 5.0);
        let report = Report::new(
            vec![ExerciseResult::from_tests("x", "X", vec![compile], vec![])],
            1.0,
        );
        let value: Value = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(value["gradable"], false);
        assert_eq!(value["format_errors"][0], "x: E0308");
    }
}
