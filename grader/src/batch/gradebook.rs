//! What `grader batch` leaves in OUT, written from the journal (so a resumed batch writes the
//! same files as one that ran without a stop):
//!
//! ```text
//! OUT/gradebook.csv          student,exercise,score,max_score,status,duration_ms
//! OUT/gradebook.json         [{"student", "exercise", "score", "max_score", "status", "duration_ms"}]
//! OUT/students/<name>.json   the student's report in `--format json`'s shape (docs/report-json.md)
//! OUT/students/<name>.txt    the same for people: messages, what the tests printed, notes
//! ```
//!
//! Rows are sorted by student, then by the exercise's place in the learning path. Every file is
//! written atomically (a temporary file renamed over the old one).
//!
//! A submission that never reached the hidden tests (it doesn't compile, it was refused, it is
//! missing) still carries its exercise's full maximum (`maximum`), so the columns add up.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::batch::journal::Entry;
use crate::files::write_atomically;
use crate::report::human::{self, Guidance};
use crate::results::{ExerciseResult, ExerciseStatus, Report};
use crate::style::Style;

/// One line of the gradebook.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub student: String,
    pub exercise: String,
    pub score: f64,
    pub max_score: f64,
    /// As in the JSON report (docs/report-json.md): pass, fail, compile_error, timeout or error.
    pub status: ExerciseStatus,
    pub duration_ms: u64,
}

/// Rows of the journal's entries, in gradebook order (`order` = the exercises' slugs in
/// learning-path order).
pub fn rows(entries: &[Entry], order: &[String]) -> Vec<Row> {
    let mut rows: Vec<Row> = entries
        .iter()
        .map(|entry| Row {
            student: entry.student.clone(),
            exercise: entry.exercise.clone(),
            score: entry.result.score,
            max_score: entry.result.max_score,
            status: entry.result.status,
            duration_ms: entry.duration_ms,
        })
        .collect();
    let position = |slug: &str| order.iter().position(|s| s == slug).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| {
        a.student
            .cmp(&b.student)
            .then(position(&a.exercise).cmp(&position(&b.exercise)))
            .then(a.exercise.cmp(&b.exercise))
    });
    rows
}

/// Writes gradebook.csv and gradebook.json into `out`.
pub fn write(out: &Path, rows: &[Row]) -> Result<()> {
    let mut csv = String::from("student,exercise,score,max_score,status,duration_ms\n");
    for row in rows {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{}",
            csv_field(&row.student),
            csv_field(&row.exercise),
            number(row.score),
            number(row.max_score),
            row.status.as_str(),
            row.duration_ms
        );
    }
    let path = out.join("gradebook.csv");
    write_atomically(&path, csv.as_bytes())
        .with_context(|| format!("can't write {}", path.display()))?;
    let mut json = serde_json::to_string_pretty(rows).context("can't serialise the gradebook")?;
    json.push('\n');
    let path = out.join("gradebook.json");
    write_atomically(&path, json.as_bytes())
        .with_context(|| format!("can't write {}", path.display()))
}

/// Writes each student's report into `out/students/`, named by [`file_name`].
pub fn write_student_reports(
    out: &Path,
    entries: &[Entry],
    order: &[String],
    names: &BTreeMap<String, String>,
) -> Result<()> {
    let dir = out.join("students");
    std::fs::create_dir_all(&dir).with_context(|| format!("can't create {}", dir.display()))?;
    let mut by_student: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for entry in entries {
        by_student.entry(&entry.student).or_default().push(entry);
    }
    let position = |slug: &str| order.iter().position(|s| s == slug).unwrap_or(usize::MAX);
    for (student, mut entries) in by_student {
        entries.sort_by_key(|entry| position(&entry.exercise));
        let results: Vec<ExerciseResult> =
            entries.iter().map(|entry| entry.result.clone()).collect();
        let elapsed = entries.iter().map(|e| e.duration_ms).sum::<u64>() as f64 / 1000.0;
        let report = Report::new(results, elapsed);
        let name = names
            .get(student)
            .cloned()
            .unwrap_or_else(|| file_name(student));
        let json = crate::report::json::render(&report);
        let path = dir.join(format!("{name}.json"));
        write_atomically(&path, json.as_bytes())
            .with_context(|| format!("can't write {}", path.display()))?;
        let guidance = Guidance {
            hints: BTreeMap::new(),
            next: format!(
                "{student}: {} of {} points.",
                number(report.score),
                number(report.max_score)
            ),
        };
        let text = human::render(&report, Style::plain(), &guidance);
        let path = dir.join(format!("{name}.txt"));
        write_atomically(&path, text.as_bytes())
            .with_context(|| format!("can't write {}", path.display()))?;
    }
    Ok(())
}

/// A student's name as a file name: letters, digits and `._@+-` kept, anything else `_`.
pub fn file_name(student: &str) -> String {
    let name: String = student
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._@+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with('.') || name.is_empty() {
        format!("_{name}")
    } else {
        name
    }
}

/// A CSV field, quoted when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A score as the gradebook writes it: 7 → "7", 7.5 → "7.5".
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{}", (value * 1000.0).round() / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ExerciseStatus, TestResult, TestStatus};

    fn entry(student: &str, exercise: &str, status: ExerciseStatus, score: f64, max: f64) -> Entry {
        let mut test = TestResult::compile_failure(TestStatus::Fail, String::new(), max);
        test.score = score;
        Entry {
            student: student.into(),
            exercise: exercise.into(),
            digest: String::new(),
            duration_ms: 10,
            result: ExerciseResult {
                exercise: exercise.into(),
                status,
                score,
                max_score: max,
                tests: vec![test],
                title: exercise.into(),
                notes: vec![],
            },
        }
    }

    #[test]
    fn rows_follow_students_then_the_learning_path() {
        let entries = [
            entry("bob", "second", ExerciseStatus::CompileError, 0.0, 0.0),
            entry("bob", "first", ExerciseStatus::Pass, 3.0, 3.0),
            entry("ann", "second", ExerciseStatus::Fail, 2.5, 5.0),
        ];
        let rows = rows(&entries, &["first".into(), "second".into()]);
        let order: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.student.as_str(), r.exercise.as_str()))
            .collect();
        assert_eq!(
            order,
            [("ann", "second"), ("bob", "first"), ("bob", "second")]
        );
        assert_eq!(rows[2].status, ExerciseStatus::CompileError);
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![Row {
            student: "Doe, \"Jo\"".into(),
            exercise: "adder".into(),
            score: 1.5,
            max_score: 2.0,
            status: ExerciseStatus::Fail,
            duration_ms: 7,
        }];
        write(dir.path(), &rows).unwrap();
        let csv = std::fs::read_to_string(dir.path().join("gradebook.csv")).unwrap();
        assert_eq!(
            csv.lines().nth(1),
            Some("\"Doe, \"\"Jo\"\"\",adder,1.5,2,fail,7")
        );
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name("ann.lee@uni.edu"), "ann.lee@uni.edu");
        assert_eq!(file_name("../etc/passwd"), "_.._etc_passwd");
        assert_eq!(file_name("Zoë Ä"), "Zo___");
    }
}
