//! `grader verify [SLUG…]`: the instructor's check that exercises are sound, run in CI.
//!
//! For every exercise: the manifest parses and names only known keys; it has 3 to 5 real hints;
//! its chapter exists, is no longer the stub `grader new` wrote, and the exercise crate's doc
//! names it; the solution holds every editable file and passes every hidden test, timing checks
//! included (a check that skips itself on this machine is allowed and reported); the starter
//! compiles and fails at least one hidden test; every editable file equals its pristine copy in
//! `.starter/` (which `reset` restores). Also: hidden tests and solutions that belong to
//! no exercise.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Result};

use crate::commands::new::CHAPTER_STUB_MARKER;
use crate::commands::{Common, Outcome};
use crate::grading::{self, GradeOptions};
use crate::manifest::{Manifest, Starter, HINTS_RANGE};
use crate::progress::Progress;
use crate::repo::{Exercise, Repo};
use crate::report::{self, Format};
use crate::results::{ExerciseResult, ExerciseStatus, TestStatus};
use crate::scratch::Source;
use crate::starters::{self, FileState};
use crate::style::Style;

/// One finding: what was checked, whether it holds, and the details when it doesn't.
struct Finding {
    ok: bool,
    what: String,
    details: String,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Finding {
        Finding {
            ok: true,
            what: what.into(),
            details: String::new(),
        }
    }

    fn problem(what: impl Into<String>, details: impl Into<String>) -> Finding {
        Finding {
            ok: false,
            what: what.into(),
            details: details.into(),
        }
    }
}

pub fn run(repo: &Repo, common: &Common, slugs: &[String]) -> Result<Outcome> {
    if common.format != Format::Human {
        bail!("`verify` prints a report for people; --format json|junit|gradescope is for `run`");
    }
    let exercises = repo.select(slugs)?;
    if exercises.is_empty() {
        bail!(
            "there are no exercises in {}",
            repo.exercises_dir().display()
        );
    }
    let style = if common.output.is_some() {
        Style::plain()
    } else {
        Style::stdout()
    };
    let progress = Progress::on_stderr();
    let mut out = String::new();
    let mut sound = 0;
    for exercise in &exercises {
        let findings = check(repo, common, exercise, &progress)?;
        progress.clear();
        let ok = findings.iter().all(|f| f.ok);
        sound += usize::from(ok);
        let mark = if ok {
            style.pass("✓")
        } else {
            style.fail("✗")
        };
        let _ = writeln!(
            out,
            "{mark} {} ({})",
            style.bold(&exercise.slug),
            exercise.title()
        );
        for finding in &findings {
            let mark = if finding.ok {
                style.pass("✓")
            } else {
                style.fail("✗")
            };
            let _ = writeln!(out, "  {mark} {}", finding.what);
            for line in finding.details.lines() {
                let _ = writeln!(out, "      {line}");
            }
        }
        // On a terminal, print as we go: verifying every exercise takes a while.
        if common.output.is_none() {
            report::emit(&std::mem::take(&mut out), None)?;
        }
    }
    let mut orphans = Vec::new();
    if slugs.is_empty() {
        orphans = orphan_findings(repo, &exercises);
        for finding in &orphans {
            let _ = writeln!(out, "{} {}", style.fail("✗"), finding.what);
        }
    }
    let all_sound = sound == exercises.len() && orphans.is_empty();
    let _ = writeln!(
        out,
        "\n{} {sound} of {} exercises are sound.",
        style.bold("verify:"),
        exercises.len()
    );
    report::emit(&out, common.output.as_deref())?;
    Ok(if all_sound {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

fn check(
    repo: &Repo,
    common: &Common,
    exercise: &Exercise,
    progress: &Progress,
) -> Result<Vec<Finding>> {
    let slug = &exercise.slug;
    let manifest = match &exercise.manifest {
        Ok(manifest) => manifest,
        Err(error) => {
            return Ok(vec![Finding::problem(
                "exercise.toml is not usable",
                error.to_string(),
            )])
        }
    };
    let mut findings = vec![Finding::ok("exercise.toml is sound")];
    findings.push(check_hints(manifest));
    findings.push(check_chapter(repo, exercise, manifest));
    findings.push(check_starter_copy(repo, exercise, manifest));

    let solution_dir = repo.solution_dir(slug);
    let missing: Vec<&str> = manifest
        .editable
        .iter()
        .filter(|file| !solution_dir.join(file).is_file())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        findings.push(Finding::problem(
            "the solution is incomplete",
            format!(
                "{} lacks {}",
                repo.relative(&solution_dir).display(),
                missing.join(", ")
            ),
        ));
        return Ok(findings);
    }
    let hidden_dir = repo.hidden_dir(slug, common.hidden.as_deref());
    if !hidden_dir.join("main.rs").is_file() {
        findings.push(Finding::problem(
            "there are no hidden tests",
            format!(
                "expected {}",
                repo.relative(&hidden_dir.join("main.rs")).display()
            ),
        ));
        return Ok(findings);
    }

    let options = GradeOptions {
        hidden: common.hidden.clone(),
        skip_timing: false,
        ..GradeOptions::default()
    };
    let solution = grading::grade(repo, exercise, &Source::Solution, &options, progress)?;
    findings.push(judge_solution(&solution));
    let starter = grading::grade(repo, exercise, &Source::Learner, &options, progress)?;
    findings.push(judge_starter(&starter, manifest));
    Ok(findings)
}

fn check_hints(manifest: &Manifest) -> Finding {
    let count = manifest.hints.len();
    let placeholders = manifest
        .hints
        .iter()
        .filter(|hint| hint.trim().is_empty() || hint.trim_start().starts_with("TODO"))
        .count();
    if !HINTS_RANGE.contains(&count) {
        Finding::problem(
            format!("{count} hints"),
            format!(
                "give {} to {} hints, from a nudge to the shape of the answer",
                HINTS_RANGE.start(),
                HINTS_RANGE.end()
            ),
        )
    } else if placeholders > 0 {
        Finding::problem(
            format!("{count} hints, {placeholders} of them empty or still a TODO placeholder"),
            "write them in exercise.toml",
        )
    } else {
        Finding::ok(format!("{count} hints"))
    }
}

fn check_chapter(repo: &Repo, exercise: &Exercise, manifest: &Manifest) -> Finding {
    let chapter = repo.root().join(&manifest.chapter);
    let Ok(text) = std::fs::read_to_string(&chapter) else {
        return Finding::problem(
            format!("chapter {} is missing", manifest.chapter),
            "write it, or fix `chapter` in exercise.toml",
        );
    };
    if text.contains(CHAPTER_STUB_MARKER) {
        return Finding::problem(
            format!("chapter {} is still the stub", manifest.chapter),
            "write the chapter, and delete its first line (the stub marker)",
        );
    }
    let crate_doc = crate_doc(&exercise.dir.join("src").join("lib.rs"));
    if !crate_doc.contains(&manifest.chapter) {
        return Finding::problem(
            format!("src/lib.rs doesn't name chapter {}", manifest.chapter),
            format!(
                "its crate doc (`//!` lines) should say where to read first, e.g. \
                 \"Read the chapter first: `{}`.\"",
                manifest.chapter
            ),
        );
    }
    Finding::ok(format!(
        "chapter {} exists and src/lib.rs names it",
        manifest.chapter
    ))
}

/// Every editable file has a pristine copy in `.starter/` equal to it (in a fresh clone), so
/// `cargo grade reset` restores the starter the exercise ships with.
fn check_starter_copy(repo: &Repo, exercise: &Exercise, manifest: &Manifest) -> Finding {
    let files = starters::compare(exercise, manifest);
    let starter_dir = repo.relative(&exercise.dir).join(starters::STARTER_DIR);
    let copy = |file: &starters::EditableFile| {
        format!(
            "cp {} {}",
            repo.relative(&file.path).display(),
            repo.relative(&file.starter).display()
        )
    };
    let missing: Vec<&starters::EditableFile> = files
        .iter()
        .filter(|f| f.state == FileState::NoStarter)
        .collect();
    if !missing.is_empty() {
        let commands: Vec<String> = missing.iter().map(|f| copy(f)).collect();
        return Finding::problem(
            format!(
                "{} lacks a pristine copy of the starter",
                starter_dir.display()
            ),
            format!(
                "`cargo grade reset` restores the starter from there; copy it in:\n{}",
                commands.join("\n")
            ),
        );
    }
    let changed: Vec<&starters::EditableFile> = files
        .iter()
        .filter(|f| f.state != FileState::Untouched)
        .collect();
    if changed.is_empty() {
        return Finding::ok(format!(
            "{} holds the starter's editable files as they are",
            starter_dir.display()
        ));
    }
    let names: Vec<&str> = changed.iter().map(|f| f.relative.as_str()).collect();
    let commands: Vec<String> = changed.iter().map(|f| copy(f)).collect();
    Finding::problem(
        format!(
            "{} differs from its pristine copy in {}",
            names.join(", "),
            starter_dir.display()
        ),
        format!(
            "verify checks a fresh clone. If you changed the starter, copy it over:\n{}\nIf you \
             were working on the exercise, `cargo grade reset {}` keeps your work as a backup and \
             restores the starter.",
            commands.join("\n"),
            exercise.slug
        ),
    )
}

/// The `//!` lines of a source file.
fn crate_doc(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.trim_start().starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn judge_solution(result: &ExerciseResult) -> Finding {
    let count = result.tests.len();
    if result.status == ExerciseStatus::Pass {
        let skipped: Vec<String> = result
            .tests
            .iter()
            .filter(|t| t.status == TestStatus::Skipped)
            .map(|t| format!("{} (skipped here: {})", t.name, t.message))
            .collect();
        let points = crate::report::human::points(result.max_score);
        let mut finding = Finding::ok(format!(
            "the solution passes every test: {count} of {count} ({points} point{})",
            if points == "1" { "" } else { "s" }
        ));
        finding.details = skipped.join("\n");
        return finding;
    }
    let details = result
        .problems()
        .map(|t| {
            format!(
                "{} ({}): {}",
                t.name,
                status_word(t.status),
                first_lines(&t.message, 6)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Finding::problem(
        format!(
            "the solution doesn't pass ({})",
            result.status.as_str().replace('_', " ")
        ),
        details,
    )
}

fn judge_starter(result: &ExerciseResult, manifest: &Manifest) -> Finding {
    if manifest.starter == Starter::DoesNotCompile {
        return judge_fix_it_starter(result, manifest.starter_error.as_deref().unwrap_or(""));
    }
    match result.status {
        ExerciseStatus::CompileError | ExerciseStatus::Error => Finding::problem(
            "the starter doesn't compile or can't be graded",
            result
                .problems()
                .map(|t| first_lines(&t.message, 12))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ExerciseStatus::Pass => Finding::problem(
            "the starter already passes every hidden test",
            "the hidden tests must fail on the starter code, whose bodies are `todo!` calls",
        ),
        ExerciseStatus::Fail | ExerciseStatus::Timeout => {
            let failing = result.problems().count();
            Finding::ok(format!(
                "the starter compiles and fails {failing} of {} tests",
                result.tests.len()
            ))
        }
    }
}

/// A fix-it starter must fail to compile, in its own code (not in the hidden tests), with the
/// error its chapter explains.
fn judge_fix_it_starter(result: &ExerciseResult, code: &str) -> Finding {
    let message: String = result
        .problems()
        .map(|t| t.message.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let with_code = message.contains(&format!("error[{code}]"));
    let own_code = !message.contains("the hidden tests don't compile");
    if result.status == ExerciseStatus::CompileError && with_code && own_code {
        Finding::ok(format!(
            "the starter doesn't compile, with {code}, as a fix-it exercise's should"
        ))
    } else if result.status == ExerciseStatus::CompileError && own_code {
        Finding::problem(
            format!("the starter doesn't compile, but not with {code}"),
            first_lines(&message, 12),
        )
    } else {
        Finding::problem(
            format!(
                "the starter of a fix-it exercise must not compile (with {code}); it {}",
                match result.status {
                    ExerciseStatus::CompileError => "breaks the hidden tests instead".to_owned(),
                    status => format!("compiles ({})", status.as_str().replace('_', " ")),
                }
            ),
            first_lines(&message, 12),
        )
    }
}

/// Hidden test folders and solutions with no exercise of that name.
fn orphan_findings(repo: &Repo, exercises: &[Exercise]) -> Vec<Finding> {
    let known: Vec<&str> = exercises.iter().map(|e| e.slug.as_str()).collect();
    let mut findings = Vec::new();
    for (what, dir) in [
        ("hidden tests", repo.root().join("grader").join("hidden")),
        ("a solution", repo.root().join("solutions")),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|name| !known.contains(&name.as_str()))
            .collect();
        names.sort();
        for name in names {
            findings.push(Finding::problem(
                format!(
                    "{} holds {what} for `{name}`, which is not an exercise",
                    repo.relative(&dir).display()
                ),
                "",
            ));
        }
    }
    findings
}

fn status_word(status: TestStatus) -> &'static str {
    match status {
        TestStatus::Pass => "passed",
        TestStatus::Fail => "failed",
        TestStatus::Timeout => "timed out",
        TestStatus::Error => "error",
        TestStatus::Skipped => "skipped",
    }
}

fn first_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut shown = lines[..lines.len().min(count)].join("\n");
    if lines.len() > count {
        shown.push_str("\n…");
    }
    shown
}
