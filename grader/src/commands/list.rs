//! `grader list` (and plain `grader`): the learning path with each exercise's status and score,
//! from the progress state (nothing is built), and what to do next. `--recheck` first rebuilds
//! that state by grading what is on disk (`recheck`).

use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::book::Parts;
use crate::commands::{Common, Outcome};
use crate::manifest::Starter;
use crate::repo::{Exercise, Repo};
use crate::report::human::points;
use crate::report::{self, Format};
use crate::results::ExerciseStatus;
use crate::state::{self, State};
use crate::style::Style;

/// `grader list`'s arguments.
#[derive(Clone, Debug, Default, Args)]
pub struct ListArgs {
    /// First rebuild your progress from the files on disk (a new clone or machine): every
    /// exercise you changed is graded, one as it shipped counts as not started.
    #[arg(long)]
    pub recheck: bool,
    /// With --recheck: run only correctness tests (faster; timing checks count as skipped).
    #[arg(long, requires = "recheck")]
    pub skip_timing: bool,
}

/// `grader list [--recheck]`.
pub fn run_with(repo: &Repo, common: &Common, args: &ListArgs) -> Result<Outcome> {
    if args.recheck {
        super::recheck::run(repo, common, args.skip_timing)?;
    }
    run(repo, common)
}

/// The learning path from the progress state as it is.
pub fn run(repo: &Repo, common: &Common) -> Result<Outcome> {
    let exercises = repo.exercises()?;
    let state = state::load(repo);
    let parts = Parts::load(repo.root());
    let text = if common.format == Format::Json {
        as_json(&exercises, &state, &parts)?
    } else {
        let style = if common.output.is_some() {
            Style::plain()
        } else {
            Style::stdout()
        };
        as_text(repo, &exercises, &state, &parts, style)
    };
    report::emit(&text, common.output.as_deref())?;
    Ok(Outcome::Success)
}

fn part_of<'a>(parts: &'a Parts, exercise: &Exercise) -> Option<&'a str> {
    let manifest = exercise.manifest.as_ref().ok()?;
    parts.part_of(&manifest.chapter)
}

fn is_fix_it(exercise: &Exercise) -> bool {
    exercise
        .manifest
        .as_ref()
        .is_ok_and(|m| m.starter == Starter::DoesNotCompile)
}

fn as_json(exercises: &[Exercise], state: &State, parts: &Parts) -> Result<String> {
    let entries: Vec<_> = exercises
        .iter()
        .map(|e| {
            let progress = state.of(&e.slug);
            json!({
                "exercise": e.slug,
                "title": e.title(),
                "order": e.manifest.as_ref().ok().map(|m| m.order),
                "chapter": e.manifest.as_ref().ok().map(|m| m.chapter.clone()),
                "part": part_of(parts, e),
                "fix_it": is_fix_it(e),
                "status": progress.status.map(|s| s.as_str()),
                "score": progress.score,
                "max_score": progress.max_score,
                "hints_shown": progress.hints_shown,
            })
        })
        .collect();
    Ok(serde_json::to_string_pretty(&json!({ "exercises": entries }))? + "\n")
}

/// The path for people: the book's parts as groups, a line per exercise, then what to do next.
fn as_text(
    repo: &Repo,
    exercises: &[Exercise],
    state: &State,
    parts: &Parts,
    style: Style,
) -> String {
    let done = exercises.iter().filter(|e| state.passes(&e.slug)).count();
    let mut out = format!(
        "{} — {done} of {} exercises pass\n\n",
        style.bold("Tasklings: your learning path"),
        exercises.len()
    );
    let width = exercises.iter().map(|e| e.slug.len()).max().unwrap_or(0);
    let next = state.current(exercises);
    let mut shown_part = None;
    for exercise in exercises {
        let part = part_of(parts, exercise);
        if part.is_some() && part != shown_part {
            out.push_str(&format!("  {}\n", style.dim(part.unwrap_or_default())));
            shown_part = part;
        }
        let pointer = if next.is_some_and(|n| n.slug == exercise.slug) {
            "→"
        } else {
            " "
        };
        let (mark, status) = status_of(exercise, state, style);
        let title = if is_fix_it(exercise) {
            format!("{} (fix it)", exercise.title())
        } else {
            exercise.title().to_owned()
        };
        out.push_str(&format!(
            "{pointer} {mark} {:width$}  {title:34} {status}\n",
            exercise.slug,
        ));
    }
    let next_line = next_line(repo, exercises, state, next);
    out.push_str(&format!("\n{} {next_line}\n", style.bold("Next:")));
    out
}

/// The mark and the words for an exercise's progress.
fn status_of(exercise: &Exercise, state: &State, style: Style) -> (String, String) {
    let progress = state.of(&exercise.slug);
    let score = || {
        format!(
            "{} of {} points",
            points(progress.score),
            points(progress.max_score)
        )
    };
    match (&exercise.manifest, progress.status) {
        (Err(_), _) => (
            style.warn("!"),
            style.warn("broken exercise.toml (`cargo grade verify`)"),
        ),
        (Ok(_), None) => (style.dim("·"), style.dim("not graded yet")),
        (Ok(_), Some(ExerciseStatus::Pass)) => {
            (style.pass("✓"), style.pass(&format!("passes, {}", score())))
        }
        (Ok(_), Some(status)) => (
            style.fail("✗"),
            style.fail(&format!(
                "{}, {}",
                status.as_str().replace('_', " "),
                score()
            )),
        ),
    }
}

fn next_line(
    repo: &Repo,
    exercises: &[Exercise],
    state: &State,
    next: Option<&Exercise>,
) -> String {
    let Some(exercise) = next else {
        return if exercises.is_empty() {
            "there are no exercises yet.".to_owned()
        } else {
            "every exercise passes. Well done!".to_owned()
        };
    };
    let file = repo.relative(&exercise.dir).join("src/lib.rs");
    if state.of(&exercise.slug).status.is_some() {
        return format!(
            "keep going with `{}`: edit {}, then run `cargo grade run {}` (or `cargo grade \
             watch`).",
            exercise.slug,
            file.display(),
            exercise.slug
        );
    }
    let chapter = exercise
        .manifest
        .as_ref()
        .map(|m| m.chapter.clone())
        .unwrap_or_default();
    format!(
        "read {chapter}, then edit {} and run `cargo grade run {}` (or `cargo grade watch`).",
        file.display(),
        exercise.slug
    )
}
