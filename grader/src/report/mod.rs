//! Writers of the result model: one file per output format, all reading the same
//! [`Report`](crate::results::Report).
//!
//! * `human` — coloured text for a person at a terminal (or plain in a file);
//! * `json` — the `--format json` object of docs/report-json.md, exactly;
//! * `junit` — JUnit XML shaped as cargo-nextest writes it (for CI systems, CodeGrade, GitLab);
//! * `gradescope` — Gradescope's `results.json`;
//! * `prairielearn` — PrairieLearn's external-grader `results.json`;
//! * `exercism` — Exercism's test-runner `results.json` (interface version 3);
//! * `ctrf` — the Common Test Report Format (one JSON document, checked against CTRF's schema);
//! * `markdown` — a GitHub Actions job summary: a table of exercises, one of tests;
//! * `classroom50` — Classroom 50's autograder `result.json`;
//! * `classroom` — GitHub Classroom's command-grader result and workflow (legacy: Classroom was
//!   discontinued in August 2026).
//!
//! What each format's fields mean and where its published spec lives: docs/formats.md. Every
//! writer is pinned by a golden file (`golden`, under `grader/tests/golden/`).

pub mod classroom;
pub mod classroom50;
pub mod ctrf;
pub mod exercism;
pub mod gradescope;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod prairielearn;

#[cfg(test)]
mod golden;

use std::path::Path;

use anyhow::{Context, Result};

use crate::results::{Report, TestKind, TestResult, TestStatus};

/// An output format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people: verdicts, failures with their messages, a hint, what to do next.
    Human,
    /// One JSON object: score, max_score, exercises[] with tests[] (docs/report-json.md).
    Json,
    /// JUnit XML as cargo-nextest writes it.
    Junit,
    /// Gradescope's results.json.
    Gradescope,
    /// PrairieLearn's external-grader results.json (score 0..1; a build that fails is not
    /// gradable and costs no attempt).
    Prairielearn,
    /// Exercism's test-runner results.json, interface version 3.
    Exercism,
    /// CTRF, the Common Test Report Format (JSON).
    Ctrf,
    /// Markdown for a GitHub Actions job summary: a table of exercises, then of tests.
    GithubSummary,
    /// Classroom 50's autograder result.json (reads CLASSROOM, ASSIGNMENT, SUBMISSION_TAG,
    /// COMMIT_URL, RELEASE_URL and REVIEW_URL, which its runner sets).
    Classroom50,
}

/// Prints `text` to stdout, or writes it to `output` (atomically: a reader never sees half a
/// file, and a crash leaves the previous file).
pub fn emit(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("can't create {}", parent.display()))?;
            }
            crate::files::write_atomically(path, text.as_bytes())
                .with_context(|| format!("can't write {}", path.display()))
        }
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed stdout (`| head`) is not worth an error.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

/// `text` without characters that XML 1.0 forbids or terminals interpret (ANSI escapes), and
/// with NUL bytes replaced — for writers whose readers choke on them.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // Skip an ANSI escape: ESC [ parameters final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            '\0' => out.push('\u{FFFD}'),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A random version-4 UUID (RFC 9562), as nextest gives each run and CTRF each report.
pub fn uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    // Without a system generator the id is still well-formed; uniqueness is all it promises.
    let _ = getrandom::fill(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC's variant
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `<exercise>: <test>`, the name a test has in formats that list every exercise's tests in one
/// flat list.
pub fn qualified_name(exercise: &str, test: &str) -> String {
    format!("{exercise}: {test}")
}

/// Every test of the report with its exercise's slug, in report order.
pub fn all_tests(report: &Report) -> impl Iterator<Item = (&str, &TestResult)> {
    report
        .exercises
        .iter()
        .flat_map(|e| e.tests.iter().map(move |t| (e.exercise.as_str(), t)))
}

/// True when no exercise got as far as running a test: each one's build failed or was refused
/// (its `compile` pseudo-test is the only test, and it did not pass).
pub fn nothing_ran(report: &Report) -> bool {
    !report.exercises.is_empty()
        && report.exercises.iter().all(|e| {
            e.tests
                .iter()
                .any(|t| t.kind == TestKind::Compile && t.status != TestStatus::Pass)
        })
}

/// `text` cut to at most `max` characters, keeping the start and the end.
pub fn truncate_middle(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let keep = max.saturating_sub(40) / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep).collect();
    format!(
        "{head}\n[... {} characters cut ...]\n{tail}",
        count - 2 * keep
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_strips_escapes_and_control_characters() {
        assert_eq!(
            printable("\x1b[31mred\x1b[0m\x07 a\0b\tc\n"),
            "red a\u{FFFD}b\tc\n"
        );
    }

    #[test]
    fn uuids_have_the_version_4_shape() {
        let id = uuid_v4();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn truncate_middle_keeps_both_ends() {
        let text = "a".repeat(100) + &"b".repeat(100);
        let cut = truncate_middle(&text, 80);
        assert!(cut.starts_with("aaaa") && cut.ends_with("bbbb"), "{cut}");
        assert!(cut.chars().count() < 120);
    }
}
