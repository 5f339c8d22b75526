//! `grader run [SLUG…]` and `grader run SLUG --submission DIR`: grade, report, remember.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::{bail, Result};

use crate::commands::{Common, Outcome};
use crate::grading::{self, GradeOptions};
use crate::guidance;
use crate::intake;
use crate::progress::Progress;
use crate::repo::{Exercise, Repo};
use crate::report::human;
use crate::report::{self, Format};
use crate::results::{ExerciseResult, Report};
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
    let source = source(slugs, submission)?;
    let exercises = repo.select(slugs)?;
    if exercises.is_empty() {
        bail!(
            "there are no exercises in {} yet",
            repo.exercises_dir().display()
        );
    }
    // A run of a few named tests says nothing about whether the exercise passes.
    let learner = matches!(source, Source::Learner) && only.is_empty();
    let options = GradeOptions {
        hidden: common.hidden.clone(),
        skip_timing,
        only,
        ..GradeOptions::default()
    };
    let started_at = SystemTime::now();
    let started = Instant::now();
    let mut results = Vec::new();
    for exercise in &exercises {
        results.push(grade(repo, exercise, &source, &options)?);
    }
    let report = Report::new(results, started.elapsed().as_secs_f64());
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
        Format::Human => render_human(repo, common, &report, &state, learner)?,
        Format::Json => report::json::render(&report),
        Format::Junit => report::junit::render(&report, started_at),
        Format::Gradescope => {
            // A learner's or instructor's machine: timing checks count as graded.
            let cpus = std::thread::available_parallelism().map_or(1, usize::from);
            let options = report::gradescope::Options {
                cpus,
                timing_informational: false,
            };
            report::gradescope::render(&report, &options)
        }
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

/// Where the editable files come from: the learner's own folder, or a submission folder.
fn source(slugs: &[String], submission: Option<PathBuf>) -> Result<Source> {
    let Some(dir) = submission else {
        return Ok(Source::Learner);
    };
    if slugs.len() != 1 {
        bail!(
            "--submission grades one exercise: name it, as in `cargo grade run parallel-sum \
             --submission {}`",
            dir.display()
        );
    }
    if !dir.is_dir() {
        bail!(
            "the submission folder {} doesn't exist (it should hold the exercise's editable \
             files, e.g. src/lib.rs)",
            dir.display()
        );
    }
    Ok(Source::Submission(dir))
}

/// Grades one exercise. Someone else's submission goes through intake first, as `batch` takes
/// it (only the editable files, refusals, notes); only the sandbox differs — none here.
fn grade(
    repo: &Repo,
    exercise: &Exercise,
    source: &Source,
    options: &GradeOptions,
) -> Result<ExerciseResult> {
    let progress = Progress::on_stderr();
    let result = match (source, exercise.manifest.as_ref()) {
        (Source::Submission(dir), Ok(manifest)) => {
            let into = repo.grader_dir().join("intake").join(format!(
                "{}-{}",
                exercise.slug,
                std::process::id()
            ));
            let taken = intake::take(manifest, dir, &into)?;
            let result = intake::grade(repo, exercise, &taken, Some(dir), options, &progress);
            let _ = std::fs::remove_dir_all(&into);
            result
        }
        _ => grading::grade(repo, exercise, source, options, &progress),
    };
    progress.clear();
    result
}

fn render_human(
    repo: &Repo,
    common: &Common,
    report: &Report,
    state: &State,
    learner: bool,
) -> Result<String> {
    let style = if common.output.is_some() {
        Style::plain()
    } else {
        Style::stdout()
    };
    let guidance = if learner {
        let exercises = repo.exercises()?;
        let (guidance, revealed) = guidance::for_learner(repo, report, &exercises, state, false);
        guidance::record_revealed(repo, revealed)?;
        guidance
    } else {
        guidance::for_submission(report)
    };
    Ok(human::render(report, style, &guidance))
}
