//! The command line. The doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::report::Format;

/// Tasklings' grader: runs the hidden tests of your exercises and tells you what to do next.
///
/// Exit status: 0 when every graded exercise passes, 1 when any fails, 2 on a usage or internal
/// error (with a message saying what to do).
#[derive(Debug, Parser)]
#[command(name = "grader", bin_name = "cargo grade", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to FILE instead of stdout (replaced atomically). For `batch`, the
    /// folder of the gradebook; for `gradescope package`, the zip.
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Take hidden tests from DIR/<slug>/ instead of grader/hidden/<slug>/ (private test sets).
    #[arg(long, global = true, value_name = "DIR")]
    pub hidden: Option<PathBuf>,

    /// The Tasklings repository (default: found from the current folder; env TASKLINGS_ROOT).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The learning path: each exercise, its status and score, and what to do next (the default).
    /// `--recheck` first rebuilds your progress by grading what is on disk.
    List(crate::commands::list::ListArgs),
    /// Grade exercises: your current code, or a submission folder.
    ///
    /// With --submission, giving any isolation option (--isolation, a limit) confines the
    /// submission's code as `batch` does, at the strongest level the machine allows up to
    /// --isolation's; without one, it runs unconfined.
    Run(crate::commands::run::RunArgs),
    /// Re-grade the current exercise on every save. Keys: h hint, n next, r re-run, l list,
    /// q quit.
    Watch(crate::commands::watch::WatchArgs),
    /// Put an exercise back as it shipped (`--all`: every one you changed), keeping your
    /// version as a backup in .tasklings/backups/. Asks first; `--yes` doesn't.
    Reset(crate::commands::reset::ResetArgs),
    /// Show the next hint for an exercise (default: the current one).
    Hint {
        /// The exercise.
        slug: Option<String>,
    },
    /// For instructors: every solution passes every test, every starter compiles and fails,
    /// every manifest, hint list and chapter link is sound.
    Verify {
        /// Exercises to check (all when none is named).
        slugs: Vec<String>,
    },
    /// For instructors: grade a class. DIR/<student>/<slug>/ holds each student's editable files
    /// (as `run --submission` takes them); writes OUT/gradebook.csv, OUT/gradebook.json,
    /// OUT/students/<student>.json|txt and OUT/gradebook.html (`--output OUT`). A stopped batch
    /// goes on where it left off when run again. `--shard K/N` grades one slice of the class;
    /// `batch merge OUT1 OUT2 … --output OUT` merges the slices.
    Batch(crate::commands::batch::BatchArgs),
    /// For instructors: Gradescope's autograder — `package` builds the zip to upload, `run` is
    /// what its `run_autograder` calls in the container.
    #[command(subcommand)]
    Gradescope(crate::commands::gradescope::GradescopeCommand),
    /// Legacy — GitHub Classroom (discontinued in August 2026): grade the exercises in this
    /// repository and report the result in the shape Classroom's grading reporter reads (to
    /// $GITHUB_OUTPUT as `result`); exit status 0 when they all pass. For plain GitHub Actions
    /// use grader/templates/github/tasklings.yml; for Classroom 50, `--format classroom50`.
    Classroom(crate::commands::classroom::ClassroomArgs),
    /// Draw a trace (the Chrome trace-event JSON that TASKLINGS_TRACE makes the runtime write)
    /// as a self-contained HTML timeline: workers as lanes, polls as boxes, wake arrows. Writes
    /// --output (default: the trace's name ending in .html).
    Timeline {
        /// The trace file.
        trace: PathBuf,
    },
    /// For instructors: scaffold a new exercise, its solution, hidden tests and chapter stub.
    New {
        /// The new exercise's slug (lowercase words joined by `-`, e.g. `worker-pool`).
        slug: String,
        /// Its title (default: the slug in words).
        #[arg(long)]
        title: Option<String>,
    },
}
