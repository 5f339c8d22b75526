//! `--format human`: what a learner reads after every edit.
//!
//! Per exercise, a verdict line with the score; each test on a line; under each failed test its
//! message and, when it printed anything besides its panic, the end of its output; then the
//! exercise's current hint. Last, one line saying what to do next.
//!
//! A learner's report fits one screen ([`Detail::OneScreen`], as rustlings shows one exercise's
//! output at a time): a starter fails every test the same way, and sixteen copies of one
//! `todo!` panic bury the hint. The first failure of each kind ([`kind`]: where the code
//! panicked, else the message's first line) is shown in full, at most [`FULL_FAILURES`] of
//! them; every other failure gets one line, and a closing line says how many were shortened and
//! how to see them all (`--verbose`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::results::{ExerciseResult, ExerciseStatus, Report, TestResult, TestStatus};
use crate::style::Style;

/// Lines of a failing test's output shown (the end, where the trouble usually is).
const OUTPUT_LINES_SHOWN: usize = 15;

/// Failures of one exercise shown in full on one screen, at most.
const FULL_FAILURES: usize = 3;

/// A shortened failure's line is cut to this many characters (name, label and the start of its
/// message), so that it stays one line on a usual terminal…
const SHORT_LINE_CHARS: usize = 100;

/// …but shows at least this much of the message.
const SHORT_MESSAGE_CHARS: usize = 30;

/// How much of each failure a report shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Every failure in full: a reviewer's report, or the learner's `--verbose`.
    #[default]
    Full,
    /// One screen: the first failure of each kind in full, the rest a line each.
    OneScreen {
        /// How to see every failure in full, as a phrase that ends the closing line
        /// ("`cargo grade run parallel-sum --verbose` shows them in full").
        everything: String,
    },
}

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

/// The report as text, every failure in full.
pub fn render(report: &Report, style: Style, guidance: &Guidance) -> String {
    render_with(report, style, guidance, &Detail::Full)
}

/// The report as text, each failure shown as `detail` says.
pub fn render_with(report: &Report, style: Style, guidance: &Guidance, detail: &Detail) -> String {
    let mut out = String::new();
    for exercise in &report.exercises {
        render_exercise(
            &mut out,
            exercise,
            style,
            guidance.hints.get(&exercise.exercise),
            detail,
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

fn render_exercise(
    out: &mut String,
    exercise: &ExerciseResult,
    style: Style,
    hint: Option<&Hint>,
    detail: &Detail,
) {
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
    let in_full = shown_in_full(exercise, detail);
    for (test, full) in exercise.tests.iter().zip(&in_full) {
        if *full {
            render_test(out, test, style);
        } else {
            render_short(out, test, style);
        }
    }
    let shortened = in_full.iter().filter(|full| !**full).count();
    if let (Detail::OneScreen { everything }, 1..) = (detail, shortened) {
        let failures = if shortened == 1 {
            "1 failure was".to_owned()
        } else {
            format!("{shortened} failures were")
        };
        let _ = writeln!(
            out,
            "  {}",
            style.dim(&format!("({failures} shortened to a line; {everything})"))
        );
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

/// For each test, whether it is shown in full: all of them, or on one screen every test that
/// passed or was skipped and the first failure of each kind (at most [`FULL_FAILURES`]).
fn shown_in_full(exercise: &ExerciseResult, detail: &Detail) -> Vec<bool> {
    if *detail == Detail::Full {
        return vec![true; exercise.tests.len()];
    }
    let mut kinds_shown: Vec<String> = Vec::new();
    exercise
        .tests
        .iter()
        .map(|test| {
            if !test.status.is_problem() {
                return true;
            }
            let kind = kind(test);
            if kinds_shown.len() < FULL_FAILURES && !kinds_shown.contains(&kind) {
                kinds_shown.push(kind);
                return true;
            }
            false
        })
        .collect()
}

/// What makes two failures the same kind: where the code under test panicked (the first
/// `file.rs:LINE:COLUMN` in the message, which `protocol` adds), or else the status and the
/// message's first line with its numbers blanked (`sum was 5` and `sum was 7` are one kind).
fn kind(test: &TestResult) -> String {
    let location = test
        .message
        .split_whitespace()
        .map(|word| word.trim_end_matches(':'))
        .find(|word| is_location(word));
    if let Some(location) = location {
        return location.to_owned();
    }
    let first = test.message.lines().next().unwrap_or_default();
    let mut blanked = format!("{:?}: ", test.status);
    let mut in_number = false;
    for c in first.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                blanked.push('#');
            }
            in_number = true;
        } else {
            blanked.push(c);
            in_number = false;
        }
    }
    blanked
}

/// `src/lib.rs:28:5`: a path ending in `.rs`, a line and a column.
fn is_location(word: &str) -> bool {
    let mut parts = word.rsplitn(3, ':');
    let (Some(column), Some(line), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    path.ends_with(".rs") && number(line) && number(column)
}

/// A failure on one line: its name, what happened, and the start of its message.
fn render_short(out: &mut String, test: &TestResult, style: Style) {
    let first = test.message.lines().next().unwrap_or_default();
    // A timeout's message starts with "timed out:", which the label already says.
    let first = first.strip_prefix("timed out: ").unwrap_or(first);
    // "  ✗ NAME failed: " before the message.
    let before = 4 + test.name.chars().count() + 11;
    let room = SHORT_LINE_CHARS
        .saturating_sub(before)
        .max(SHORT_MESSAGE_CHARS);
    let mut short: String = first.chars().take(room).collect();
    if short.len() < first.len() {
        short.pop();
        short.push('…');
    }
    let _ = writeln!(
        out,
        "  {} {} {}{}",
        style.fail("✗"),
        test.name,
        problem_label(test.status, style),
        style.dim(&format!(": {short}"))
    );
}

fn problem_label(status: TestStatus, style: Style) -> String {
    match status {
        TestStatus::Timeout => style.fail("timed out"),
        TestStatus::Error => style.warn("error"),
        _ => style.fail("failed"),
    }
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
            let label = problem_label(status, style);
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
