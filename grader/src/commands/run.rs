//! `grader run [SLUG…]` and `grader run SLUG --submission DIR`: grade, report, remember.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::{bail, Result};

use crate::commands::{Common, Outcome};
use crate::grading::{self, GradeOptions};
use crate::progress::Progress;
use crate::repo::{Exercise, Repo};
use crate::report::human::{self, Guidance, Hint};
use crate::report::{self, Format};
use crate::results::{ExerciseResult, ExerciseStatus, Report, TestStatus};
use crate::scratch::Source;
use crate::state::{self, State};
use crate::style::Style;

pub fn run(
    repo: &Repo,
    common: &Common,
    slugs: &[String],
    submission: Option<PathBuf>,
    skip_timing: bool,
    only: Vec<String>,
) -> Result<Outcome> {
    let source = match submission {
        Some(dir) => {
            if slugs.len() != 1 {
                bail!(
                    "--submission grades one exercise: name it, as in `cargo grade run \
                     parallel-sum --submission {}`",
                    dir.display()
                );
            }
            if !dir.is_dir() {
                bail!(
                    "the submission folder {} doesn't exist (it should hold the exercise's \
                     editable files, e.g. src/lib.rs)",
                    dir.display()
                );
            }
            Source::Submission(dir)
        }
        None => Source::Learner,
    };
    let exercises = repo.select(slugs)?;
    if exercises.is_empty() {
        bail!(
            "there are no exercises in {} yet",
            repo.exercises_dir().display()
        );
    }
    let partial = !only.is_empty();
    let options = GradeOptions {
        hidden: common.hidden.clone(),
        skip_timing,
        only,
        ..GradeOptions::default()
    };
    let started_at = SystemTime::now();
    let started = Instant::now();
    let progress = Progress::on_stderr();
    let mut results = Vec::new();
    for exercise in &exercises {
        let result = grading::grade(repo, exercise, &source, &options, &progress);
        progress.clear();
        results.push(result?);
    }
    let report = Report::new(results, started.elapsed().as_secs_f64());

    // A run of a few named tests says nothing about whether the exercise passes.
    let learner = matches!(source, Source::Learner) && !partial;
    let state = if learner {
        state::update(repo, |state| {
            for result in &report.exercises {
                state.record(result);
            }
        })?
    } else {
        State::default()
    };
    let text = match common.format {
        Format::Human => {
            let style = if common.output.is_some() {
                Style::plain()
            } else {
                Style::stdout()
            };
            let guidance = if learner {
                learner_guidance(repo, &report, &state, false)?
            } else {
                submission_guidance(&report)
            };
            human::render(&report, style, &guidance)
        }
        Format::Json => report::json::render(&report),
        Format::Junit => report::junit::render(&report, started_at),
        Format::Gradescope => report::gradescope::render(&report),
    };
    if common.format != Format::Human {
        // The machine-readable formats go to stdout or a file; notes go to the reader.
        for result in &report.exercises {
            for note in &result.notes {
                eprintln!("note: {}: {note}", result.exercise);
            }
        }
    }
    report::emit(&text, common.output.as_deref())?;
    Ok(if report.all_pass() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

/// Hints for failing exercises (the latest revealed one, or the first) and the next step.
/// Showing the first hint counts as revealing it.
pub fn learner_guidance(
    repo: &Repo,
    report: &Report,
    state: &State,
    watching: bool,
) -> Result<Guidance> {
    let exercises = repo.exercises()?;
    let mut guidance = Guidance::default();
    let mut revealed = Vec::new();
    for result in &report.exercises {
        if result.status == ExerciseStatus::Pass {
            continue;
        }
        let Some(manifest) = exercises
            .iter()
            .find(|e| e.slug == result.exercise)
            .and_then(|e| e.manifest.as_ref().ok())
        else {
            continue;
        };
        if manifest.hints.is_empty() {
            continue;
        }
        let index = state
            .of(&result.exercise)
            .hints_shown
            .clamp(1, manifest.hints.len());
        guidance.hints.insert(
            result.exercise.clone(),
            Hint {
                index,
                count: manifest.hints.len(),
                text: manifest.hints[index - 1].clone(),
            },
        );
        revealed.push((result.exercise.clone(), index));
    }
    if !revealed.is_empty() {
        state::update(repo, |state| {
            for (slug, index) in &revealed {
                let progress = state.exercises.entry(slug.clone()).or_default();
                progress.hints_shown = progress.hints_shown.max(*index);
            }
        })?;
    }
    guidance.next = next_step(repo, report, &exercises, state, watching);
    Ok(guidance)
}

/// The one line that says what to do next.
/// With `watching`, the advice fits `grader watch` (save to re-grade, `n` for the next one).
pub fn next_step(
    repo: &Repo,
    report: &Report,
    exercises: &[Exercise],
    state: &State,
    watching: bool,
) -> String {
    if let Some(failing) = report
        .exercises
        .iter()
        .find(|e| e.status != ExerciseStatus::Pass)
    {
        return fix_step(repo, failing, exercises, state, watching);
    }
    let graded: Vec<&str> = report
        .exercises
        .iter()
        .map(|e| e.exercise.as_str())
        .collect();
    match super::current(exercises, state) {
        Some(next) => {
            let chapter = next
                .manifest
                .as_ref()
                .map(|m| m.chapter.clone())
                .unwrap_or_default();
            if watching {
                return format!(
                    "{} pass{}. Press n to go on with `{}` (read {chapter} first).",
                    graded.join(", "),
                    if graded.len() == 1 { "es" } else { "" },
                    next.slug
                );
            }
            format!(
                "{} pass{}. Go on with `{}`: read {chapter}, then run `cargo grade run {}`.",
                graded.join(", "),
                if graded.len() == 1 { "es" } else { "" },
                next.slug,
                next.slug
            )
        }
        None => "every exercise passes. Well done! (`cargo grade list` shows your path.)".into(),
    }
}

fn fix_step(
    repo: &Repo,
    failing: &ExerciseResult,
    exercises: &[Exercise],
    state: &State,
    watching: bool,
) -> String {
    let slug = &failing.exercise;
    let file = exercises
        .iter()
        .find(|e| &e.slug == slug)
        .and_then(|e| e.manifest.as_ref().ok())
        .and_then(|m| m.editable.first().cloned())
        .unwrap_or_else(|| "src/lib.rs".into());
    let path = repo.relative(&repo.exercise_dir(slug)).join(file);
    let what = match failing.status {
        ExerciseStatus::CompileError => "fix the compiler error".to_owned(),
        ExerciseStatus::Error => "fix the problem above".to_owned(),
        _ => match failing.problems().next() {
            Some(test) if test.status == TestStatus::Timeout => {
                format!("find out why `{}` never finishes", test.name)
            }
            Some(test) => format!("make `{}` pass", test.name),
            None => "fix the failures above".to_owned(),
        },
    };
    let hints = exercises
        .iter()
        .find(|e| &e.slug == slug)
        .and_then(|e| e.manifest.as_ref().ok())
        .map_or(0, |m| m.hints.len());
    let shown = state.of(slug).hints_shown.max(1);
    let more = if shown < hints {
        format!(
            " (`cargo grade hint {slug}` shows hint {} of {hints})",
            shown + 1
        )
    } else {
        String::new()
    };
    if watching {
        let more = if shown < hints {
            format!(" (h shows hint {} of {hints})", shown + 1)
        } else {
            String::new()
        };
        return format!("{what} in {}; saving it re-grades{more}.", path.display());
    }
    format!(
        "{what} in {}, then run `cargo grade run {slug}` again or keep `cargo grade watch` \
         running{more}.",
        path.display()
    )
}

fn submission_guidance(report: &Report) -> Guidance {
    let failing = report
        .exercises
        .iter()
        .filter(|e| e.status != ExerciseStatus::Pass)
        .count();
    Guidance {
        hints: Default::default(),
        next: if failing == 0 {
            "the submission passes every test.".to_owned()
        } else {
            "the submission doesn't pass; the messages above say why (your own exercise folder \
             was not touched)."
                .to_owned()
        },
    }
}
