//! `--format gradescope`: Gradescope's `results.json` (write it with
//! `--output /autograder/results/results.json` from `run_autograder`).
//!
//! One entry in `tests[]` per hidden test, named `<exercise>: <test>`, with `score`,
//! `max_score`, `status` (`passed`/`failed`), `output` (the message, then what the test printed)
//! and `visibility`. A skipped test is informational: it has a `status` and no score fields, so
//! it counts for nothing. A submission that doesn't compile is one failed `compile` test worth
//! the exercise's points. The top level has `score`, `execution_time` (seconds) and an `output`
//! summary; `extra_data` records the machine's CPU count for instructors (timing checks need 2).
//! With [`Options::timing_informational`] (a `gradescope run` container with too few CPUs),
//! timing checks are written as informational entries and the summary says how to fix it.

use serde_json::{json, Map, Value};

use crate::report::{printable, truncate_middle};
use crate::results::{ExerciseResult, Report, TestKind, TestResult, TestStatus};

/// Gradescope's harness truncates each `output` to 100 000 characters; cut below that ourselves
/// so the start and end of a long message both survive.
const OUTPUT_MAX: usize = 60_000;

/// CPUs a container needs for timing checks to count.
pub const CPUS_FOR_TIMING: usize = 2;

/// How to write results.json.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// CPUs of the machine that graded (recorded in `extra_data`).
    pub cpus: usize,
    /// Timing checks keep their status and message but score nothing, and the summary tells
    /// the instructor how to give the autograder more CPUs (`gradescope run` on fewer than
    /// [`CPUS_FOR_TIMING`] CPUs: Gradescope's default is half a CPU).
    pub timing_informational: bool,
}

impl Options {
    /// For a machine with `cpus` CPUs: timing checks are informational below
    /// [`CPUS_FOR_TIMING`].
    pub fn for_cpus(cpus: usize) -> Options {
        Options {
            cpus,
            timing_informational: cpus < CPUS_FOR_TIMING,
        }
    }

    /// Whether `test` counts for the score.
    fn scores(&self, test: &TestResult) -> bool {
        test.status != TestStatus::Skipped
            && !(self.timing_informational && test.kind == TestKind::Timing)
    }
}

/// The report as Gradescope's results.json.
pub fn render(report: &Report, options: &Options) -> String {
    let mut tests = Vec::new();
    let mut score = 0.0;
    let mut max_score = 0.0;
    for (number, exercise) in report.exercises.iter().enumerate() {
        for (index, test) in exercise.tests.iter().enumerate() {
            if options.scores(test) {
                score += test.score;
                max_score += test.max_score;
            }
            let number = format!("{}.{}", number + 1, index + 1);
            tests.push(test_entry(&exercise.exercise, test, number, options));
        }
    }
    let mut extra = json!({ "max_score": max_score, "available_cpus": options.cpus });
    if options.timing_informational && has_timing(report) {
        extra["timing_informational"] = Value::from(true);
    }
    let results = json!({
        "score": score,
        "execution_time": (report.elapsed_s * 1000.0).round() / 1000.0,
        "output": summary(report, options),
        "output_format": "text",
        "test_output_format": "text",
        "tests": tests,
        "extra_data": extra,
    });
    let mut text = serde_json::to_string_pretty(&results).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// One entry of `tests[]`: a skipped or informational test has a status and no score fields.
fn test_entry(exercise: &str, test: &TestResult, number: String, options: &Options) -> Value {
    let mut output = test.message.clone();
    if !test.output.trim().is_empty() {
        output.push_str("\n\nWhat the test printed:\n");
        output.push_str(&test.output);
    }
    if test.status == TestStatus::Skipped {
        output = format!("skipped: {output}");
    } else if !options.scores(test) {
        let cpus = options.cpus;
        output = format!(
            "Informational, not scored: this autograder has {cpus} CPU{} and timing checks need \
             {CPUS_FOR_TIMING}, so a correct solution could look slow here.\n\n{output}",
            if cpus == 1 { "" } else { "s" }
        );
    }
    let mut entry = Map::new();
    entry.insert(
        "name".into(),
        Value::from(format!("{exercise}: {}", test.name)),
    );
    entry.insert("number".into(), Value::from(number));
    if options.scores(test) {
        entry.insert("score".into(), json!(test.score));
        entry.insert("max_score".into(), json!(test.max_score));
    }
    let passed = matches!(test.status, TestStatus::Pass | TestStatus::Skipped);
    entry.insert(
        "status".into(),
        Value::from(if passed { "passed" } else { "failed" }),
    );
    entry.insert(
        "output".into(),
        Value::from(truncate_middle(&printable(output.trim_end()), OUTPUT_MAX)),
    );
    entry.insert("visibility".into(), Value::from("visible"));
    entry.insert("tags".into(), json!([exercise, test.kind.as_str()]));
    Value::Object(entry)
}

fn has_timing(report: &Report) -> bool {
    report
        .exercises
        .iter()
        .any(|e| e.tests.iter().any(|t| t.kind == TestKind::Timing))
}

/// The top-level output: one line per exercise (counting only what scores), its notes, and the
/// CPU note when timing checks were informational.
fn summary(report: &Report, options: &Options) -> String {
    let mut lines = Vec::new();
    for exercise in &report.exercises {
        let counted: Vec<TestResult> = exercise
            .tests
            .iter()
            .filter(|t| !(options.timing_informational && t.kind == TestKind::Timing))
            .cloned()
            .collect();
        let counted =
            ExerciseResult::from_tests(&exercise.exercise, &exercise.title, counted, vec![]);
        lines.push(format!(
            "{}: {} ({} of {} points)",
            exercise.exercise,
            counted.status.as_str(),
            counted.score,
            counted.max_score
        ));
        lines.extend(exercise.notes.iter().map(|note| format!("  note: {note}")));
    }
    if options.timing_informational && has_timing(report) {
        lines.push(format!(
            "\nTiming checks were informational (not scored): this autograder has fewer than \
             {CPUS_FOR_TIMING} CPUs (Gradescope's default is half a CPU). Instructors: raise the \
             CPU allocation to {CPUS_FOR_TIMING} or more under the assignment's Settings → \
             Autograder Settings, then regrade all submissions."
        ));
    }
    printable(&lines.join("\n"))
}
