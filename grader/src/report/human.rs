//! `--format human`: what a learner reads after every edit.
//!
//! Per exercise, a verdict line with the score; each test on a line; under each failed test its
//! message and, when it printed anything besides its panic, the end of its output; then the
//! exercise's current hint. Last, one line saying what to do next.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::results::{ExerciseResult, ExerciseStatus, Report, TestResult, TestStatus};
use crate::style::Style;

/// Lines of a failing test's output shown (the end, where the trouble usually is).
const OUTPUT_LINES_SHOWN: usize = 15;

/// A hint to show under an exercise: number `index` (1-based) of `count`.
#[derive(Clone, Debug)]
pub struct Hint {
    pub index: usize,
    pub count: usize,
    pub text: String,
}

/// What the human report says besides the results.
#[derive(Clone, Debug, Default)]
pub struct Guidance {
    /// The hint to show under each failing exercise, by slug.
    pub hints: BTreeMap<String, Hint>,
    /// The closing "what to do next" line.
    pub next: String,
}

/// The report as text.
pub fn render(report: &Report, style: Style, guidance: &Guidance) -> String {
    let mut out = String::new();
    for exercise in &report.exercises {
        render_exercise(
            &mut out,
            exercise,
            style,
            guidance.hints.get(&exercise.exercise),
        );
    }
    if report.exercises.len() > 1 {
        let passing = report
            .exercises
            .iter()
            .filter(|e| e.status == ExerciseStatus::Pass)
            .count();
        let _ = writeln!(
            out,
            "{} of {} exercises pass; {} of {} points.\n",
            passing,
            report.exercises.len(),
            points(report.score),
            points(report.max_score)
        );
    }
    if !guidance.next.is_empty() {
        let _ = writeln!(out, "{} {}", style.bold("Next:"), guidance.next);
    }
    out
}

fn render_exercise(out: &mut String, exercise: &ExerciseResult, style: Style, hint: Option<&Hint>) {
    let (mark, word) = match exercise.status {
        ExerciseStatus::Pass => (style.pass("✓"), style.pass("passes")),
        ExerciseStatus::Fail => (style.fail("✗"), style.fail("fails")),
        ExerciseStatus::CompileError => (style.fail("✗"), style.fail("doesn't compile")),
        ExerciseStatus::Timeout => (style.fail("✗"), style.fail("times out")),
        ExerciseStatus::Error => (style.warn("!"), style.warn("could not be graded")),
    };
    let _ = writeln!(
        out,
        "{mark} {} ({}) {word}: {} of {} points",
        style.bold(&exercise.exercise),
        exercise.title,
        points(exercise.score),
        points(exercise.max_score)
    );
    for test in &exercise.tests {
        render_test(out, test, style);
    }
    for note in &exercise.notes {
        let _ = writeln!(out, "  {} {note}", style.warn("note:"));
    }
    if exercise.status != ExerciseStatus::Pass {
        if let Some(hint) = hint {
            let _ = writeln!(
                out,
                "  {} {}",
                style.hint(&format!("Hint {} of {}:", hint.index, hint.count)),
                hint.text
            );
        }
    }
    out.push('\n');
}

fn render_test(out: &mut String, test: &TestResult, style: Style) {
    let duration = if test.duration_ms > 0 {
        style.dim(&format!(" {} ms", test.duration_ms))
    } else {
        String::new()
    };
    match test.status {
        TestStatus::Pass => {
            let _ = writeln!(out, "  {} {}{duration}", style.pass("✓"), test.name);
        }
        TestStatus::Skipped => {
            let _ = writeln!(
                out,
                "  {} {} {}",
                style.dim("-"),
                style.dim(&test.name),
                style.dim(&format!("skipped: {}", test.message))
            );
        }
        status => {
            let label = match status {
                TestStatus::Timeout => style.fail("timed out"),
                TestStatus::Error => style.warn("error"),
                _ => style.fail("failed"),
            };
            let _ = writeln!(
                out,
                "  {} {} {label}{duration}",
                style.fail("✗"),
                style.bold(&test.name)
            );
            for line in test.message.lines() {
                let _ = writeln!(out, "      {line}");
            }
            let output = test.output.trim_end();
            if !output.is_empty() {
                let lines: Vec<&str> = output.lines().collect();
                let start = lines.len().saturating_sub(OUTPUT_LINES_SHOWN);
                let heading = if start > 0 {
                    format!("what it printed (last {OUTPUT_LINES_SHOWN} lines):")
                } else {
                    "what it printed:".to_owned()
                };
                let _ = writeln!(out, "      {}", style.dim(&heading));
                for line in &lines[start..] {
                    let _ = writeln!(out, "      {} {line}", style.dim("|"));
                }
            }
        }
    }
}

/// Points without a needless ".0".
pub fn points(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}
