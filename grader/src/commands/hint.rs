//! `grader hint [SLUG]`: reveals the next hint of an exercise (the current one by default), from
//! a nudge to the shape of the answer, and remembers how many were shown.

use anyhow::{bail, Result};

use crate::commands::{Common, Outcome};
use crate::repo::{Exercise, Repo};
use crate::report;
use crate::state;
use crate::style::Style;

pub fn run(repo: &Repo, common: &Common, slug: Option<String>) -> Result<Outcome> {
    let exercises = repo.exercises()?;
    let exercise = match slug {
        Some(slug) => repo.exercise(&slug)?,
        None => match state::load(repo).current(&exercises) {
            Some(exercise) => repo.exercise(&exercise.slug)?,
            None => bail!("every exercise passes, so there is no current one: name one, as in `cargo grade hint parallel-sum`"),
        },
    };
    let style = if common.output.is_some() {
        Style::plain()
    } else {
        Style::stdout()
    };
    let text = reveal_next(repo, &exercise, style)?;
    report::emit(&text, common.output.as_deref())?;
    Ok(Outcome::Success)
}

/// Reveals the next hint of `exercise` and returns the text to show.
pub fn reveal_next(repo: &Repo, exercise: &Exercise, style: Style) -> Result<String> {
    let manifest = exercise.manifest()?;
    if manifest.hints.is_empty() {
        bail!("`{}` has no hints", exercise.slug);
    }
    let count = manifest.hints.len();
    let state = state::update(repo, |state| {
        let progress = state.exercises.entry(exercise.slug.clone()).or_default();
        progress.hints_shown = (progress.hints_shown + 1).min(count);
    })?;
    let index = state.of(&exercise.slug).hints_shown;
    let mut text = format!(
        "{} {}\n",
        style.hint(&format!("Hint {index} of {count} for {}:", exercise.slug)),
        manifest.hints[index - 1]
    );
    if index == count {
        text.push_str(&format!(
            "That was the last hint. {} walks through the idea again; the reference solution is in \
             {} if you are truly stuck.\n",
            manifest.chapter,
            repo.relative(&repo.solution_dir(&exercise.slug)).display()
        ));
    } else {
        text.push_str(&format!(
            "`cargo grade hint {}` again shows hint {} of {count}.\n",
            exercise.slug,
            index + 1
        ));
    }
    Ok(text)
}
