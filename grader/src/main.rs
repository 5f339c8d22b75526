//! The Tasklings grader: builds a learner's exercise (or a submission) in a pristine scratch
//! workspace, runs its hidden tests one process each under timeouts, and reports verdicts that
//! learner code can't forge — to a person, or as JSON, JUnit, CTRF or a course platform's results
//! (Gradescope, PrairieLearn, Exercism, Classroom 50; docs/formats.md).
//!
//! The parts, in the order a `grader run` meets them:
//! `cli` (options) → `commands::*` (one file per command) → `repo` + `manifest` (what exercises
//! exist) → `grading` (one exercise end to end) → `scratch` (the pristine copy) → `cargo_build`
//! (the hidden test binary or the compiler's errors) → `protocol` (list and run tests, judge them)
//! → `process` (one process: its tree, timeout, result channel; confined by a `sandbox` when
//! grading others' work) → `results` (the model) → `report::*` (the writers) and `state` (the
//! learner's progress). `ARCHITECTURE.md` at the repository root draws the whole picture.

// Functions fit on a screen (clippy.toml sets the threshold to 80 lines).
#![warn(clippy::too_many_lines)]

mod batch;
mod book;
mod cargo_build;
mod changes;
mod cli;
mod commands;
mod diagnosis;
mod files;
mod gradescope;
mod grading;
mod guidance;
mod intake;
mod interrupt;
mod manifest;
mod maximum;
mod process;
mod progress;
mod protocol;
mod repo;
mod report;
mod results;
mod rustc_guard;
mod sandbox;
mod scratch;
mod starters;
mod state;
mod style;
mod suggest;
mod terminal;
mod timeline;
mod timing_gate;
mod traces;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Outcome;
use crate::style::Style;

fn main() -> ExitCode {
    // Cargo's RUSTC_WRAPPER call while `batch` or `gradescope run` builds a submission.
    if let Some(code) = rustc_guard::run() {
        return code;
    }
    interrupt::install();
    terminal::enable_colours();
    // clap prints usage errors itself and exits with status 2.
    let cli = cli::Cli::parse();
    match commands::dispatch(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(error) => {
            let style = Style::stderr();
            eprintln!("{} {error}", style.fail("error:"));
            for cause in error.chain().skip(1) {
                eprintln!("  {} {cause}", style.dim("because:"));
            }
            ExitCode::from(2)
        }
    }
}
