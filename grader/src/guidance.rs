//! What the grader tells a learner to do next: the hint to show under each failing exercise,
//! and the one closing line ("make `x` pass in exercises/…/src/lib.rs, then …"). `run` and
//! `watch` both print it; neither owns it. Computing guidance changes nothing: the hints it
//! reveals come back as [`Revealed`], which the caller records.

use anyhow::Result;

use crate::repo::{Exercise, Repo};
use crate::report::human::{Guidance, Hint};
use crate::results::{ExerciseResult, ExerciseStatus, Report, TestStatus};
use crate::state::{self, State};

/// Hints for failing exercises (the latest revealed one, or the first) and the next step, and
/// the hints this reveals (showing the first hint counts as revealing it), for the caller to
/// record with [`record_revealed`].
pub fn for_learner(
    repo: &Repo,
    report: &Report,
    exercises: &[Exercise],
    state: &State,
    watching: bool,
) -> (Guidance, Revealed) {
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
    guidance.next = next_step(repo, report, exercises, state, watching);
    (guidance, Revealed(revealed))
}

/// Hints shown to the learner: (exercise, the hint's number).
#[must_use]
pub struct Revealed(Vec<(String, usize)>);

/// Remembers in the learner's progress that these hints were shown.
pub fn record_revealed(repo: &Repo, revealed: Revealed) -> Result<()> {
    if revealed.0.is_empty() {
        return Ok(());
    }
    state::update(repo, |state| {
        for (slug, index) in &revealed.0 {
            let progress = state.exercises.entry(slug.clone()).or_default();
            progress.hints_shown = progress.hints_shown.max(*index);
        }
    })?;
    Ok(())
}

/// The one line that says what to do next.
/// With `watching`, the advice fits `grader watch` (save to re-grade, `n` for the next one).
fn next_step(
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
    match state.current(exercises) {
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

/// For someone else's submission: no hints (they are the learner's), only the verdict.
pub fn for_submission(report: &Report) -> Guidance {
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
