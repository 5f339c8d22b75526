//! `--format gradescope`: Gradescope's `results.json` (write it with
//! `--output /autograder/results/results.json` from `run_autograder`).
//!
//! One entry in `tests[]` per hidden test, named `<exercise>: <test>`, with `score`,
//! `max_score`, `status` (`passed`/`failed`), `output` (the message, then what the test printed)
//! and `visibility`. A skipped test is informational: it has a `status` and no score fields, so
//! it counts for nothing. A submission that doesn't compile is one failed `compile` test worth
//! the exercise's points. The top level has `score`, `execution_time` (seconds) and an `output`
//! summary; `extra_data` records the machine's CPU count for instructors (timing checks need 2).

use serde_json::{json, Map, Value};

use crate::report::{printable, truncate_middle};
use crate::results::{Report, TestStatus};

/// Gradescope's harness truncates each `output` to 100 000 characters; cut below that ourselves
/// so the start and end of a long message both survive.
const OUTPUT_MAX: usize = 60_000;

/// The report as Gradescope's results.json.
pub fn render(report: &Report) -> String {
    let mut tests = Vec::new();
    for exercise in &report.exercises {
        for (index, test) in exercise.tests.iter().enumerate() {
            let mut output = test.message.clone();
            if !test.output.trim().is_empty() {
                output.push_str("\n\nWhat the test printed:\n");
                output.push_str(&test.output);
            }
            let mut entry = Map::new();
            entry.insert(
                "name".into(),
                Value::from(format!("{}: {}", exercise.exercise, test.name)),
            );
            entry.insert(
                "number".into(),
                Value::from(format!(
                    "{}.{}",
                    exercise_number(report, &exercise.exercise),
                    index + 1
                )),
            );
            if test.status != TestStatus::Skipped {
                entry.insert("score".into(), json!(test.score));
                entry.insert("max_score".into(), json!(test.max_score));
            }
            let passed = matches!(test.status, TestStatus::Pass | TestStatus::Skipped);
            entry.insert(
                "status".into(),
                Value::from(if passed { "passed" } else { "failed" }),
            );
            let output = if test.status == TestStatus::Skipped {
                format!("skipped: {output}")
            } else {
                output
            };
            entry.insert(
                "output".into(),
                Value::from(truncate_middle(&printable(&output), OUTPUT_MAX)),
            );
            entry.insert("visibility".into(), Value::from("visible"));
            entry.insert(
                "tags".into(),
                json!([exercise.exercise, test.kind.as_str()]),
            );
            tests.push(Value::Object(entry));
        }
    }
    let mut summary = Vec::new();
    for exercise in &report.exercises {
        summary.push(format!(
            "{}: {} ({} of {} points)",
            exercise.exercise,
            exercise.status.as_str(),
            exercise.score,
            exercise.max_score
        ));
        summary.extend(exercise.notes.iter().map(|note| format!("  note: {note}")));
    }
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let results = json!({
        "score": report.score,
        "execution_time": (report.elapsed_s * 1000.0).round() / 1000.0,
        "output": printable(&summary.join("\n")),
        "output_format": "text",
        "test_output_format": "text",
        "tests": tests,
        "extra_data": { "max_score": report.max_score, "available_cpus": cpus },
    });
    let mut text = serde_json::to_string_pretty(&results).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

fn exercise_number(report: &Report, slug: &str) -> usize {
    report
        .exercises
        .iter()
        .position(|e| e.exercise == slug)
        .map_or(0, |i| i + 1)
}
