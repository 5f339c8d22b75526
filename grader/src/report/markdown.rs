//! `--format github-summary`: GitHub-flavoured Markdown for a GitHub Actions job summary
//! (`$GITHUB_STEP_SUMMARY`; the workflow in `grader/templates/github/` writes it).
//!
//! ```text
//! ## Tasklings: 1 of 2 exercises pass, 7 of 10 points
//! | Exercise | Result | Points |            one row per exercise
//! ### parallel-sum — fails, 7 of 10 points
//! | Test | Kind | Result | Points | Time |  one row per test
//! <details><summary>…</summary> message in a fence </details>   one per failed test
//! ```
//!
//! Table cells are escaped (`|`, newlines, HTML); messages go in fenced blocks whose fence is
//! longer than any run of backticks inside, so a learner's message can't break the page. GitHub
//! keeps at most 1 MiB of a step's summary: each message is cut to [`MESSAGE_MAX`] characters.

use std::fmt::Write as _;

use crate::report::human::points;
use crate::report::{printable, truncate_middle};
use crate::results::{ExerciseResult, ExerciseStatus, Report, TestResult, TestStatus};

/// Characters kept of a failed test's message.
const MESSAGE_MAX: usize = 4_000;
/// Lines kept of what a failed test printed (the end).
const OUTPUT_LINES: usize = 15;

/// The report as Markdown.
pub fn render(report: &Report) -> String {
    let passing = report
        .exercises
        .iter()
        .filter(|e| e.status == ExerciseStatus::Pass)
        .count();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "## Tasklings: {passing} of {} exercise{} pass, {} of {} points\n",
        report.exercises.len(),
        if report.exercises.len() == 1 { "" } else { "s" },
        points(report.score),
        points(report.max_score)
    );
    md.push_str("| Exercise | Result | Points |\n| --- | --- | ---: |\n");
    for exercise in &report.exercises {
        let _ = writeln!(
            md,
            "| {} | {} | {} / {} |",
            cell(&exercise.exercise),
            verdict(exercise.status),
            points(exercise.score),
            points(exercise.max_score)
        );
    }
    for exercise in &report.exercises {
        render_exercise(&mut md, exercise);
    }
    md
}

fn render_exercise(md: &mut String, exercise: &ExerciseResult) {
    let _ = writeln!(
        md,
        "\n### {} — {}, {} of {} points\n",
        cell(&exercise.exercise),
        verdict(exercise.status),
        points(exercise.score),
        points(exercise.max_score)
    );
    for note in &exercise.notes {
        let _ = writeln!(md, "> note: {}\n", cell(note));
    }
    md.push_str("| Test | Kind | Result | Points | Time |\n| --- | --- | --- | ---: | ---: |\n");
    for test in &exercise.tests {
        let result = match test.status {
            TestStatus::Pass => "✅ pass".to_owned(),
            TestStatus::Fail => "❌ fail".to_owned(),
            TestStatus::Timeout => "⏱️ timed out".to_owned(),
            TestStatus::Error => "⚠️ error".to_owned(),
            TestStatus::Skipped => format!("➖ skipped: {}", cell(&test.message)),
        };
        let _ = writeln!(
            md,
            "| `{}` | {} | {result} | {} / {} | {} ms |",
            test.name.replace('`', "'"),
            test.kind.as_str(),
            points(test.score),
            points(test.max_score),
            test.duration_ms
        );
    }
    for test in exercise.problems() {
        render_problem(md, test);
    }
}

/// A failed test's message (and the end of what it printed), folded.
fn render_problem(md: &mut String, test: &TestResult) {
    let _ = writeln!(
        md,
        "\n<details><summary><code>{}</code>: why it did not pass</summary>\n",
        html(&test.name)
    );
    fenced(md, &truncate_middle(&printable(&test.message), MESSAGE_MAX));
    let output = printable(test.output.trim_end());
    if !output.is_empty() {
        let lines: Vec<&str> = output.lines().collect();
        let start = lines.len().saturating_sub(OUTPUT_LINES);
        md.push_str("\nWhat it printed (the end):\n\n");
        fenced(md, &lines[start..].join("\n"));
    }
    md.push_str("\n</details>\n");
}

/// `text` in a fenced block that no run of backticks inside can close.
fn fenced(md: &mut String, text: &str) {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(md, "{fence}text\n{}\n{fence}", text.trim_end());
}

fn verdict(status: ExerciseStatus) -> &'static str {
    match status {
        ExerciseStatus::Pass => "✅ passes",
        ExerciseStatus::Fail => "❌ fails",
        ExerciseStatus::CompileError => "❌ doesn't compile",
        ExerciseStatus::Timeout => "⏱️ times out",
        ExerciseStatus::Error => "⚠️ could not be graded",
    }
}

/// Text safe in a table cell: one line, no `|`, no HTML.
fn cell(text: &str) -> String {
    html(&printable(text))
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_outlasts_the_backticks_inside() {
        let mut md = String::new();
        fenced(&mut md, "a ```` b");
        assert!(md.starts_with("`````text\n"), "{md}");
        assert!(md.ends_with("\n`````\n"), "{md}");
    }

    #[test]
    fn cells_stay_on_one_line_and_in_their_column() {
        assert_eq!(cell("a|b\n<c>"), "a\\|b &lt;c&gt;");
    }
}
