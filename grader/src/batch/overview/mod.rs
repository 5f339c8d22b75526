//! `OUT/gradebook.html`: the class at a glance, for the instructor. The numbers are computed
//! here, from the same entries as `gradebook.json`; `html` lays them out, `svg` draws them.
//!
//! What the page answers, in its order:
//!
//! * how did each exercise go: submissions, passing, compile errors, missing, the mean score,
//!   and the score distribution (share of the maximum in tenths; full marks a bar of its own);
//! * which hidden test trips the class: for each test, how many of the submissions that ran
//!   it failed it (fail, timeout or error; skipped runs don't count), most-failed first;
//! * which submissions were slowest to grade (where a batch spends its time);
//! * each student's scores, with links to their reports (`students/<name>.txt` and `.json`).
//!
//! The page is self-contained — inline CSS and SVG, no script, no request to anywhere — and
//! says so to the browser with a Content-Security-Policy of `default-src 'none'`. It holds no
//! date or time of its own, so two batches of the same class write the same page but for
//! the grading durations.

mod html;
mod svg;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::batch::journal::{Entry, MISSING};
use crate::results::{ExerciseStatus, TestKind, TestStatus};

/// Bins of the score distribution: 0–9 %, 10–19 %, …, 90–99 %, and 100 %.
pub const BINS: usize = 11;

/// How many of the slowest submissions the page lists.
const SLOWEST: usize = 10;

/// One exercise over the class.
#[derive(Debug, PartialEq)]
struct ExerciseStats {
    slug: String,
    title: String,
    /// Gradebook rows of this exercise (a missing submission is a row too).
    submissions: usize,
    passing: usize,
    compile_errors: usize,
    /// Students who handed nothing in for it.
    missing: usize,
    /// Mean score over `submissions`.
    mean: f64,
    /// The exercise's maximum (the largest any row has: they are all the same but for skipped
    /// timing tests).
    max_score: f64,
    /// Submissions per bin of score / maximum (see [`BINS`]).
    bins: [usize; BINS],
}

/// One hidden test over the submissions that ran it.
#[derive(Debug, PartialEq)]
struct TestStats {
    exercise: String,
    name: String,
    kind: TestKind,
    /// Submissions whose run of it counted (not skipped, and the code built).
    ran: usize,
    /// Of those, failed, timed out or errored.
    failed: usize,
    timed_out: usize,
}

impl TestStats {
    /// `failed / ran`, 0 when it never ran.
    fn rate(&self) -> f64 {
        if self.ran == 0 {
            0.0
        } else {
            self.failed as f64 / self.ran as f64
        }
    }
}

/// Everything the page shows.
struct Overview<'a> {
    exercises: Vec<ExerciseStats>,
    tests: Vec<TestStats>,
    /// The slowest entries, slowest first.
    slowest: Vec<&'a Entry>,
    /// Student → their entries in learning-path order.
    students: BTreeMap<&'a str, Vec<&'a Entry>>,
    /// Student → the file name of their reports.
    names: &'a BTreeMap<String, String>,
    order: &'a [String],
}

/// Writes `out/gradebook.html` for `entries` (exercises in the learning-path `order`; report
/// file names `names`).
pub fn write(
    out: &Path,
    entries: &[Entry],
    order: &[String],
    names: &BTreeMap<String, String>,
) -> Result<()> {
    let page = html::page(&Overview::of(entries, order, names));
    let path = out.join("gradebook.html");
    crate::files::write_atomically(&path, page.as_bytes())
        .with_context(|| format!("can't write {}", path.display()))
}

impl<'a> Overview<'a> {
    fn of(
        entries: &'a [Entry],
        order: &'a [String],
        names: &'a BTreeMap<String, String>,
    ) -> Overview<'a> {
        let position = |slug: &str| order.iter().position(|s| s == slug).unwrap_or(usize::MAX);
        let mut students: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for entry in entries {
            students.entry(&entry.student).or_default().push(entry);
        }
        for list in students.values_mut() {
            list.sort_by_key(|e| position(&e.exercise));
        }
        let mut slowest: Vec<&Entry> = entries.iter().filter(|e| e.digest != MISSING).collect();
        slowest.sort_by(|a, b| {
            b.duration_ms
                .cmp(&a.duration_ms)
                .then_with(|| (&a.student, &a.exercise).cmp(&(&b.student, &b.exercise)))
        });
        slowest.truncate(SLOWEST);
        Overview {
            exercises: order
                .iter()
                .filter_map(|slug| exercise_stats(slug, entries))
                .collect(),
            tests: test_stats(entries, &position),
            slowest,
            students,
            names,
            order,
        }
    }
}

/// The bin of `score` out of `max`.
pub fn bin(score: f64, max: f64) -> usize {
    let share = if max > 0.0 { score / max } else { 1.0 };
    if share >= 1.0 {
        BINS - 1
    } else {
        ((share.max(0.0) * 10.0).floor() as usize).min(BINS - 2)
    }
}

/// `slug` over the class, or none when no entry has it.
fn exercise_stats(slug: &str, entries: &[Entry]) -> Option<ExerciseStats> {
    let rows: Vec<&Entry> = entries.iter().filter(|e| e.exercise == slug).collect();
    let first = rows.first()?;
    let count = |status: ExerciseStatus| rows.iter().filter(|e| e.result.status == status).count();
    let mut bins = [0; BINS];
    for entry in &rows {
        bins[bin(entry.result.score, entry.result.max_score)] += 1;
    }
    Some(ExerciseStats {
        slug: slug.to_owned(),
        title: first.result.title.clone(),
        submissions: rows.len(),
        passing: count(ExerciseStatus::Pass),
        compile_errors: count(ExerciseStatus::CompileError),
        missing: rows.iter().filter(|e| e.digest == MISSING).count(),
        mean: rows.iter().map(|e| e.result.score).sum::<f64>() / rows.len() as f64,
        max_score: rows.iter().map(|e| e.result.max_score).fold(0.0, f64::max),
        bins,
    })
}

/// Every hidden test that ran in some submission, most failed first (then by exercise and
/// name). Builds that failed are counted by `exercise_stats`, not here.
fn test_stats(entries: &[Entry], position: &dyn Fn(&str) -> usize) -> Vec<TestStats> {
    let mut tests: BTreeMap<(usize, String, String), TestStats> = BTreeMap::new();
    for entry in entries {
        for test in &entry.result.tests {
            if test.kind == TestKind::Compile || test.status == TestStatus::Skipped {
                continue;
            }
            let key = (
                position(&entry.exercise),
                entry.exercise.clone(),
                test.name.clone(),
            );
            let stats = tests.entry(key).or_insert_with(|| TestStats {
                exercise: entry.exercise.clone(),
                name: test.name.clone(),
                kind: test.kind,
                ran: 0,
                failed: 0,
                timed_out: 0,
            });
            stats.ran += 1;
            stats.failed += usize::from(test.status.is_problem());
            stats.timed_out += usize::from(test.status == TestStatus::Timeout);
        }
    }
    let mut tests: Vec<TestStats> = tests.into_values().collect();
    // Stable: equal rates keep the learning-path order.
    tests.sort_by(|a, b| b.rate().total_cmp(&a.rate()));
    tests
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ExerciseResult, TestResult};

    fn entry(student: &str, statuses: &[TestStatus], duration_ms: u64) -> Entry {
        let tests: Vec<TestResult> = statuses
            .iter()
            .enumerate()
            .map(|(i, &status)| {
                let name = format!("t{i}");
                TestResult::new(&name, TestKind::Correctness, 1.0, status, String::new(), 1)
            })
            .collect();
        Entry {
            student: student.into(),
            exercise: "adder".into(),
            digest: "d".into(),
            duration_ms,
            result: ExerciseResult::from_tests("adder", "Adder", tests, vec![]),
        }
    }

    #[test]
    fn bins_are_tenths_with_full_marks_apart() {
        assert_eq!(bin(0.0, 5.0), 0);
        assert_eq!(bin(0.49, 5.0), 0);
        assert_eq!(bin(0.5, 5.0), 1);
        assert_eq!(bin(4.99, 5.0), 9);
        assert_eq!(bin(5.0, 5.0), 10);
        assert_eq!(bin(0.0, 0.0), 10, "nothing to score is full marks");
    }

    #[test]
    fn the_test_that_trips_the_class_comes_first() {
        use TestStatus::{Fail, Pass, Skipped, Timeout};
        let entries = [
            entry("ann", &[Pass, Fail, Pass], 30),
            entry("bob", &[Pass, Timeout, Skipped], 10),
            entry("cid", &[Fail, Pass, Pass], 20),
        ];
        let names = BTreeMap::new();
        let order = ["adder".to_owned()];
        let overview = Overview::of(&entries, &order, &names);
        let rates: Vec<(&str, usize, usize)> = overview
            .tests
            .iter()
            .map(|t| (t.name.as_str(), t.failed, t.ran))
            .collect();
        assert_eq!(rates, [("t1", 2, 3), ("t0", 1, 3), ("t2", 0, 2)]);
        assert_eq!(overview.tests[0].timed_out, 1);
        let slowest: Vec<&str> = overview
            .slowest
            .iter()
            .map(|e| e.student.as_str())
            .collect();
        assert_eq!(slowest, ["ann", "cid", "bob"]);
        let adder = &overview.exercises[0];
        assert_eq!((adder.submissions, adder.passing), (3, 0));
        assert_eq!(adder.bins[6], 2, "2 of 3: {:?}", adder.bins);
        assert_eq!(adder.bins[5], 1, "bob: 1 of 2 counted: {:?}", adder.bins);
    }
}
