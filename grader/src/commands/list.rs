//! `grader list` (and plain `grader`): the learning path with each exercise's status and score,
//! from the progress state (nothing is built), and what to do next.

use anyhow::Result;
use serde_json::json;

use crate::book::Parts;
use crate::commands::{current, Common, Outcome};
use crate::manifest::Starter;
use crate::repo::{Exercise, Repo};
use crate::report::human::points;
use crate::report::{self, Format};
use crate::results::ExerciseStatus;
use crate::state;
use crate::style::Style;

pub fn run(repo: &Repo, common: &Common) -> Result<Outcome> {
    let exercises = repo.exercises()?;
    let state = state::load(repo);
    let parts = Parts::load(repo.root());
    let part_of = |exercise: &Exercise| {
        exercise
            .manifest
            .as_ref()
            .ok()
            .and_then(|m| parts.part_of(&m.chapter))
    };
    if common.format == Format::Json {
        let entries: Vec<_> = exercises
            .iter()
            .map(|e| {
                let progress = state.of(&e.slug);
                json!({
                    "exercise": e.slug,
                    "title": e.title(),
                    "order": e.manifest.as_ref().ok().map(|m| m.order),
                    "chapter": e.manifest.as_ref().ok().map(|m| m.chapter.clone()),
                    "part": part_of(e),
                    "fix_it": e.manifest.as_ref().is_ok_and(|m| m.starter == Starter::DoesNotCompile),
                    "status": progress.status.map(|s| s.as_str()),
                    "score": progress.score,
                    "max_score": progress.max_score,
                    "hints_shown": progress.hints_shown,
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&json!({ "exercises": entries }))? + "\n";
        report::emit(&text, common.output.as_deref())?;
        return Ok(Outcome::Success);
    }

    let style = if common.output.is_some() {
        Style::plain()
    } else {
        Style::stdout()
    };
    let done = exercises.iter().filter(|e| state.passes(&e.slug)).count();
    let mut out = format!(
        "{} — {done} of {} exercises pass\n\n",
        style.bold("Tasklings: your learning path"),
        exercises.len()
    );
    let width = exercises.iter().map(|e| e.slug.len()).max().unwrap_or(0);
    let next = current(&exercises, &state);
    let mut shown_part = None;
    for exercise in &exercises {
        let part = part_of(exercise);
        if part.is_some() && part != shown_part {
            out.push_str(&format!("  {}\n", style.dim(part.unwrap_or_default())));
            shown_part = part;
        }
        let progress = state.of(&exercise.slug);
        let (mark, status) = match (&exercise.manifest, progress.status) {
            (Err(_), _) => (
                style.warn("!"),
                style.warn("broken exercise.toml (`cargo grade verify`)"),
            ),
            (Ok(_), None) => (style.dim("·"), style.dim("not graded yet")),
            (Ok(_), Some(ExerciseStatus::Pass)) => (
                style.pass("✓"),
                style.pass(&format!(
                    "passes, {} of {} points",
                    points(progress.score),
                    points(progress.max_score)
                )),
            ),
            (Ok(_), Some(status)) => (
                style.fail("✗"),
                style.fail(&format!(
                    "{}, {} of {} points",
                    status.as_str().replace('_', " "),
                    points(progress.score),
                    points(progress.max_score)
                )),
            ),
        };
        let pointer = if next.is_some_and(|n| n.slug == exercise.slug) {
            "→"
        } else {
            " "
        };
        let fix_it = exercise
            .manifest
            .as_ref()
            .is_ok_and(|m| m.starter == Starter::DoesNotCompile);
        let title = if fix_it {
            format!("{} (fix it)", exercise.title())
        } else {
            exercise.title().to_owned()
        };
        out.push_str(&format!(
            "{pointer} {mark} {:width$}  {title:34} {status}\n",
            exercise.slug,
        ));
    }
    let next_line = match next {
        Some(exercise) => {
            let chapter = exercise
                .manifest
                .as_ref()
                .map(|m| m.chapter.clone())
                .unwrap_or_default();
            if state.of(&exercise.slug).status.is_some() {
                format!(
                    "keep going with `{}`: edit {}, then run `cargo grade run {}` (or `cargo grade \
                     watch`).",
                    exercise.slug,
                    repo.relative(&exercise.dir).join("src/lib.rs").display(),
                    exercise.slug
                )
            } else {
                format!(
                    "read {chapter}, then edit {} and run `cargo grade run {}` (or `cargo grade \
                     watch`).",
                    repo.relative(&exercise.dir).join("src/lib.rs").display(),
                    exercise.slug
                )
            }
        }
        None if exercises.is_empty() => "there are no exercises yet.".to_owned(),
        None => "every exercise passes. Well done!".to_owned(),
    };
    out.push_str(&format!("\n{} {next_line}\n", style.bold("Next:")));
    report::emit(&out, common.output.as_deref())?;
    Ok(Outcome::Success)
}
