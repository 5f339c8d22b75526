//! `grader list --recheck`: progress rebuilt from what is on disk, for a new clone or machine
//! (`.tasklings/` is not committed), or a progress file lost or set aside.
//!
//! Every exercise, in learning-path order: one still equal to its pristine starter
//! (`starters`) is untouched, so it is recorded as not graded yet without building it (a
//! starter fails its tests — `verify` checks that — and grading seventeen of them would take
//! minutes for nothing); every other one is graded as `run` grades it and its verdict recorded.
//! Each finding is printed as it comes. Hints shown stay as they were.

use std::fmt::Write as _;

use anyhow::Result;

use crate::commands::Common;
use crate::grading::{self, GradeOptions};
use crate::interrupt;
use crate::progress::Progress;
use crate::repo::{Exercise, Repo};
use crate::report::human::points;
use crate::report::Format;
use crate::results::{ExerciseResult, ExerciseStatus};
use crate::scratch::Source;
use crate::starters;
use crate::state;
use crate::style::Style;

/// Re-grades the exercises and records what it finds; prints a line per exercise (to stdout
/// for people, to stderr beside `--format json`).
pub fn run(repo: &Repo, common: &Common, skip_timing: bool) -> Result<()> {
    let exercises = repo.exercises()?;
    let options = GradeOptions {
        hidden: common.hidden.clone(),
        skip_timing,
        ..GradeOptions::default()
    };
    let to_stdout = common.format == Format::Human && common.output.is_none();
    let style = if to_stdout {
        Style::stdout()
    } else {
        Style::stderr()
    };
    let say = |line: String| {
        if to_stdout {
            println!("{line}");
        } else {
            eprintln!("{line}");
        }
    };
    say(style.bold("Re-checking every exercise from the files on disk:"));
    let width = exercises.iter().map(|e| e.slug.len()).max().unwrap_or(0);
    for exercise in &exercises {
        if interrupt::requested() {
            say("Stopped: the exercises not re-checked keep their old progress.".to_owned());
            break;
        }
        let found = recheck(repo, exercise, &options, style)?;
        say(format!("  {:width$}  {found}", exercise.slug));
    }
    say(String::new());
    Ok(())
}

/// Re-checks one exercise, records it, and says what was found.
fn recheck(
    repo: &Repo,
    exercise: &Exercise,
    options: &GradeOptions,
    style: Style,
) -> Result<String> {
    let Ok(manifest) = &exercise.manifest else {
        return Ok(style.warn("! broken exercise.toml (`cargo grade verify`): left as it was"));
    };
    if starters::is_untouched(&starters::compare(exercise, manifest)) {
        state::update(repo, |state| state.forget_verdict(&exercise.slug))?;
        return Ok(style.dim("· as it shipped: not started"));
    }
    let progress = Progress::on_stderr();
    let graded = grading::grade(repo, exercise, &Source::Learner, options, &progress);
    progress.clear();
    let result = match graded {
        Ok(result) => result,
        Err(error) => {
            return Ok(style.warn(&format!("! could not be graded ({error}): left as it was")))
        }
    };
    state::update(repo, |state| state.record(&result))?;
    Ok(describe(&result, style))
}

/// "✓ passes, 16 of 16 points" or "✗ fails, 4 of 16 points (3 tests fail)".
fn describe(result: &ExerciseResult, style: Style) -> String {
    let score = format!(
        "{} of {} points",
        points(result.score),
        points(result.max_score)
    );
    if result.status == ExerciseStatus::Pass {
        return style.pass(&format!("✓ passes, {score}"));
    }
    let mut text = format!("✗ {}, {score}", result.status.as_str().replace('_', " "));
    let failing = result.problems().count();
    if result.status != ExerciseStatus::CompileError && failing > 0 {
        let _ = write!(
            text,
            " ({failing} test{} to go)",
            if failing == 1 { "" } else { "s" }
        );
    }
    style.fail(&text)
}
