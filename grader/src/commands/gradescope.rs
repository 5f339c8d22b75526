//! `grader gradescope package|run|prepare` (see `gradescope`).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::cargo_build::{self, BuildOutcome};
use crate::commands::sandboxing::IsolationArgs;
use crate::commands::{Common, Outcome};
use crate::gradescope::{package, run};
use crate::grading::GradeOptions;
use crate::manifest::Starter;
use crate::progress::Progress;
use crate::repo::Repo;
use crate::scratch::{self, Source};

/// The environment variable that names the autograder folder (default `/autograder`).
pub const AUTOGRADER_DIR_ENV: &str = "TASKLINGS_AUTOGRADER_DIR";

#[derive(Clone, Debug, Subcommand)]
pub enum GradescopeCommand {
    /// Build the zip to upload as the assignment's autograder (default: autograder.zip):
    /// setup.sh, run_autograder, the runtime, the grader, the exercises and their hidden tests
    /// (from --hidden DIR when given) — never the solutions.
    Package {
        /// Exercises to package (all when none is named).
        slugs: Vec<String>,
    },
    /// Grade the submission in Gradescope's container: what run_autograder calls. Always writes
    /// a valid results.json; exit status 0 when grading worked, whatever the verdicts.
    Run {
        /// The autograder folder holding submission/ and results/ (default: env
        /// TASKLINGS_AUTOGRADER_DIR, else /autograder).
        #[arg(long, value_name = "DIR")]
        autograder_dir: Option<PathBuf>,
        /// The submission folder (default: <autograder dir>/submission).
        #[arg(long, value_name = "DIR")]
        submission: Option<PathBuf>,
        /// Where to write results.json (default: <autograder dir>/results/results.json).
        #[arg(long, value_name = "FILE")]
        results: Option<PathBuf>,
        /// Run only correctness tests (timing checks are reported as skipped).
        #[arg(long)]
        skip_timing: bool,
        #[command(flatten)]
        isolation: IsolationArgs,
    },
    /// Build each exercise's hidden tests once against its starter code, so the image holds
    /// every dependency compiled (setup.sh calls this).
    Prepare {
        /// Exercises to prepare (all when none is named).
        slugs: Vec<String>,
    },
}

pub fn run(repo: &Repo, common: &Common, command: GradescopeCommand) -> Result<Outcome> {
    match command {
        GradescopeCommand::Package { slugs } => run_package(repo, common, &slugs),
        GradescopeCommand::Run {
            autograder_dir,
            submission,
            results,
            skip_timing,
            isolation,
        } => {
            let dir = autograder_dir
                .or_else(|| std::env::var_os(AUTOGRADER_DIR_ENV).map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from("/autograder"));
            let mut paths = run::Paths::under(&dir);
            if let Some(submission) = submission {
                paths.submission = submission;
            }
            if let Some(results) = results {
                paths.results = results;
            }
            run_in_container(repo, common, &paths, skip_timing, &isolation)
        }
        GradescopeCommand::Prepare { slugs } => prepare(repo, &slugs),
    }
}

fn run_package(repo: &Repo, common: &Common, slugs: &[String]) -> Result<Outcome> {
    let output = common
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("autograder.zip"));
    let built = package::build(repo, slugs, common.hidden.as_deref())?;
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("can't create {}", parent.display()))?;
    }
    crate::files::write_atomically(&output, &built.zip)
        .with_context(|| format!("can't write {}", output.display()))?;
    eprintln!(
        "wrote {} ({} files, {} KiB): exercises {}.\n\
         Upload it in the assignment's Configure Autograder page (base image: Ubuntu). Give the \
         autograder 2 CPUs or more under Autograder Settings, or timing checks only inform; \
         1.5 GB of memory and a 20-minute timeout leave room for building the submission.",
        output.display(),
        built.files,
        built.zip.len() / 1024,
        built.exercises.join(", ")
    );
    Ok(Outcome::Success)
}

fn run_in_container(
    repo: &Repo,
    common: &Common,
    paths: &run::Paths,
    skip_timing: bool,
    isolation: &IsolationArgs,
) -> Result<Outcome> {
    // Dependencies were fetched and built by setup.sh: nothing is downloaded while grading.
    let worked = match isolation.set_up(repo, false) {
        Ok(sandbox) => {
            let options = GradeOptions {
                hidden: common.hidden.clone(),
                skip_timing,
                sandbox,
                ..GradeOptions::default()
            };
            run::run(repo, paths, &options)?
        }
        Err(error) => {
            let text = run::failure_results(&format!("{error:#}"), std::time::Instant::now());
            crate::report::emit(&text, Some(&paths.results))?;
            false
        }
    };
    eprintln!("wrote {}", paths.results.display());
    if worked {
        Ok(Outcome::Success)
    } else {
        anyhow::bail!(
            "grading failed inside the grader; {} says why",
            paths.results.display()
        )
    }
}

fn prepare(repo: &Repo, slugs: &[String]) -> Result<Outcome> {
    let progress = Progress::on_stderr();
    let mut outcome = Outcome::Success;
    for exercise in repo.select(slugs)? {
        let manifest = exercise.manifest()?;
        let hidden = repo.hidden_dir(&exercise.slug, None);
        let scratch = scratch::prepare(repo, &exercise, manifest, &Source::Learner, &hidden)
            .map_err(|error| anyhow::anyhow!("{error}"))
            .with_context(|| format!("can't prepare `{}`", exercise.slug))?;
        progress.start(&exercise.slug);
        let built = cargo_build::build(repo, &scratch, &progress)?;
        progress.clear();
        match built {
            BuildOutcome::Built(_) => eprintln!("{}: built", exercise.slug),
            // A fix-it exercise's starter fails to compile on purpose; its dependencies are
            // built all the same, which is what preparing is for.
            BuildOutcome::CompileError { .. } if manifest.starter == Starter::DoesNotCompile => {
                eprintln!(
                    "{}: dependencies built (the starter doesn't compile, as a fix-it \
                     exercise's shouldn't)",
                    exercise.slug
                );
            }
            BuildOutcome::CompileError { rendered, .. } => {
                eprintln!(
                    "{}: the starter code doesn't compile:\n{rendered}",
                    exercise.slug
                );
                outcome = Outcome::Failure;
            }
            BuildOutcome::CargoFailed(stderr) => {
                eprintln!("{}: cargo failed:\n{stderr}", exercise.slug);
                outcome = Outcome::Failure;
            }
        }
    }
    Ok(outcome)
}
