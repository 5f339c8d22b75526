//! `grader run [SLUG…]` and `grader run SLUG --submission DIR`: grade, report, remember.
//!
//! One grading run, written in the `--format` asked for (to stdout or `--output`) and in any
//! number of other formats beside it (`--also FORMAT=FILE`: a CI job's summary and its CTRF
//! artifact from the same run). Each writer gets what it needs besides the report — the start
//! time, the CPU count, Classroom 50's identity — from [`Context`], made once here.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::{bail, Context as _, Result};
use clap::Args;

use crate::commands::sandboxing::IsolationArgs;
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

/// `grader run`'s arguments.
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// Exercises to grade (all when none is named).
    pub slugs: Vec<String>,
    /// Grade the editable files found under DIR (same relative paths) in a pristine scratch
    /// copy of the exercise; your own exercise folder is not touched. Needs one SLUG.
    #[arg(long, value_name = "DIR")]
    pub submission: Option<PathBuf>,
    /// Run only correctness tests (timing checks are reported as skipped): faster feedback.
    #[arg(long)]
    pub skip_timing: bool,
    /// Run only the hidden test with this name (repeat for more). Your progress isn't
    /// recorded by such a partial run.
    #[arg(long = "test", value_name = "NAME")]
    pub tests: Vec<String>,
    /// Show every failure in full (by default the report fits a screen: the first failure of
    /// each kind in full, the others a line each).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Run every Tasklings runtime in deterministic mode with this seed (TASKLINGS_SEED); a
    /// test that explores schedules runs only this one. A failure's message names the seed that
    /// replays it; the grader then draws that schedule's timeline and prints its path.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Also write the report as FORMAT to FILE, from the same grading run (repeat for more), e.g.
    /// `--also ctrf=ctrf-report.json --also github-summary="$GITHUB_STEP_SUMMARY"`.
    #[arg(long = "also", value_name = "FORMAT=FILE", value_parser = parse_also)]
    pub also: Vec<Also>,
    /// With --submission, giving any of these confines the submission's code as `batch` does
    /// (own uid, limits; offline builds); without them it runs unconfined. (A flattened group's
    /// doc comment is not help text: `Command::Run`'s says it.)
    #[command(flatten)]
    pub isolation: Option<IsolationArgs>,
}

/// `--also FORMAT=FILE`.
#[derive(Clone, Debug)]
pub struct Also {
    pub format: Format,
    pub path: PathBuf,
}

fn parse_also(text: &str) -> Result<Also, String> {
    use clap::ValueEnum;
    let (format, path) = text
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, as in ctrf=report.json, not `{text}`"))?;
    let format = Format::from_str(format, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
            .collect();
        format!("unknown format `{format}` (one of {})", names.join(", "))
    })?;
    if path.is_empty() {
        return Err(format!("no file after `{format:?}=`"));
    }
    Ok(Also {
        format,
        path: PathBuf::from(path),
    })
}

/// What the writers need besides the report.
struct Context {
    started_at: SystemTime,
    /// The learner's own code was graded in full: their progress and hints apply.
    learner: bool,
    state: State,
    /// How much of each failure the human report on the screen shows.
    detail: human::Detail,
}

pub fn run(repo: &Repo, common: &Common, args: RunArgs) -> Result<Outcome> {
    let source = source(&args.slugs, args.submission.clone())?;
    let exercises = repo.select(&args.slugs)?;
    if exercises.is_empty() {
        bail!(
            "there are no exercises in {} yet",
            repo.exercises_dir().display()
        );
    }
    let sandbox = match (&args.isolation, &source) {
        (None, _) => crate::sandbox::Sandbox::none(),
        (Some(isolation), Source::Submission(_)) => isolation.set_up(repo, false)?,
        (Some(_), _) => bail!(
            "--isolation and the limits confine someone else's code: use them with --submission"
        ),
    };
    // A run of a few named tests says nothing about whether the exercise passes.
    // A run of a few named tests, or of one schedule, says nothing about whether it passes.
    let learner = matches!(source, Source::Learner) && args.tests.is_empty() && args.seed.is_none();
    let detail = detail(&args, matches!(source, Source::Learner));
    let options = GradeOptions {
        hidden: common.hidden.clone(),
        skip_timing: args.skip_timing,
        only: args.tests,
        sandbox,
        seed: args.seed,
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
    let context = Context {
        started_at,
        learner,
        state,
        detail,
    };
    write_reports(repo, common, &args.also, &report, &context)?;
    Ok(if report.all_pass() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

/// The report in `--format` (stdout or `--output`), then in each `--also` format to its file.
fn write_reports(
    repo: &Repo,
    common: &Common,
    also: &[Also],
    report: &Report,
    context: &Context,
) -> Result<()> {
    let mut guidance = None;
    let (main_style, main_detail) = if common.output.is_some() {
        (Style::plain(), human::Detail::Full)
    } else {
        (Style::stdout(), context.detail.clone())
    };
    let text = render(
        repo,
        common.format,
        (main_style, &main_detail),
        report,
        context,
        &mut guidance,
    )?;
    if common.format != Format::Human {
        // The machine-readable formats go to stdout or a file; notes go to the reader.
        for result in &report.exercises {
            for note in &result.notes {
                eprintln!("note: {}: {note}", result.exercise);
            }
        }
    }
    report::emit(&text, common.output.as_deref())?;
    for also in also {
        let text = render(
            repo,
            also.format,
            (Style::plain(), &human::Detail::Full),
            report,
            context,
            &mut guidance,
        )?;
        report::emit(&text, Some(&also.path))
            .with_context(|| format!("can't write the {:?} report", also.format))?;
    }
    Ok(())
}

/// The report in one format. The human report's guidance is worked out once (it records which
/// hints were shown) and kept in `guidance` for a second human report.
fn render(
    repo: &Repo,
    format: Format,
    (style, detail): (Style, &human::Detail),
    report: &Report,
    context: &Context,
    guidance: &mut Option<human::Guidance>,
) -> Result<String> {
    Ok(match format {
        Format::Human => {
            if guidance.is_none() {
                *guidance = Some(human_guidance(repo, report, context)?);
            }
            let guidance = guidance.as_ref().expect("set just above");
            human::render_with(report, style, guidance, detail)
        }
        Format::Json => report::json::render(report),
        Format::Junit => report::junit::render(report, context.started_at),
        Format::Gradescope => {
            // A learner's or instructor's machine: timing checks count as graded.
            let cpus = std::thread::available_parallelism().map_or(1, usize::from);
            let options = report::gradescope::Options {
                cpus,
                timing_informational: false,
            };
            report::gradescope::render(report, &options)
        }
        Format::Prairielearn => report::prairielearn::render(report),
        Format::Exercism => report::exercism::render(report),
        Format::Ctrf => report::ctrf::render(
            report,
            &report::ctrf::Options {
                started: context.started_at,
                report_id: report::uuid_v4(),
            },
        ),
        Format::GithubSummary => report::markdown::render(report),
        Format::Classroom50 => {
            report::classroom50::render(report, &classroom50_options(context.started_at))
        }
    })
}

/// Classroom 50's identity of the submission, from the environment its runner gives an
/// autograder (see `grader/templates/classroom50/autograder.py`).
fn classroom50_options(started_at: SystemTime) -> report::classroom50::Options {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let missing: Vec<&str> = ["CLASSROOM", "ASSIGNMENT", "SUBMISSION_TAG", "COMMIT_URL"]
        .into_iter()
        .filter(|name| std::env::var_os(name).is_none())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "note: {} not set: Classroom 50's runner sets them; its collect-scores rejects a \
             result.json whose identity doesn't match the repository",
            missing.join(", ")
        );
    }
    let graded_at = report::classroom50::utc_seconds(SystemTime::now());
    let review = std::env::var("REVIEW_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| var("COMMIT_URL"));
    report::classroom50::Options {
        classroom: var("CLASSROOM"),
        assignment: var("ASSIGNMENT"),
        submission: var("SUBMISSION_TAG"),
        commit: var("COMMIT_URL"),
        release: var("RELEASE_URL"),
        review,
        // The submission instant is the graded commit's date, which the autograder reads from
        // git; without it, when grading began.
        datetime: std::env::var("TASKLINGS_SUBMITTED_AT")
            .ok()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| report::classroom50::utc_seconds(started_at)),
        graded_at,
    }
}

/// Every failure in full with `--verbose`; else one screen, saying how to see the rest.
fn detail(args: &RunArgs, learner: bool) -> human::Detail {
    if args.verbose {
        return human::Detail::Full;
    }
    let everything = if learner {
        let mut command = String::from("cargo grade run");
        for slug in &args.slugs {
            command.push(' ');
            command.push_str(slug);
        }
        if args.skip_timing {
            command.push_str(" --skip-timing");
        }
        format!("`{command} --verbose` shows them in full")
    } else {
        "--verbose shows them in full".to_owned()
    };
    human::Detail::OneScreen { everything }
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
/// it (only the editable files, refusals, notes); the sandbox is `--isolation`'s, none without.
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

/// The hints and "what next" under a human report: the learner's own (recording which hints
/// were shown), or a reviewer's for a submission.
fn human_guidance(repo: &Repo, report: &Report, context: &Context) -> Result<human::Guidance> {
    if context.learner {
        let exercises = repo.exercises()?;
        let (guidance, revealed) =
            guidance::for_learner(repo, report, &exercises, &context.state, false);
        guidance::record_revealed(repo, revealed)?;
        Ok(guidance)
    } else {
        Ok(guidance::for_submission(report))
    }
}
