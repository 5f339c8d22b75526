//! `grader batch DIR --output OUT`: grade a class into a gradebook (see `batch`); `--shard K/N`
//! grades one slice of it, and `batch merge` makes the slices' outputs one (`batch::merge`).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use crate::batch::shard::Shard;
use crate::batch::{self, Options};
use crate::commands::sandboxing::IsolationArgs;
use crate::commands::{Common, Outcome};
use crate::grading::GradeOptions;
use crate::repo::Repo;

/// `grader batch`'s arguments.
#[derive(Clone, Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BatchArgs {
    #[command(subcommand)]
    pub command: Option<BatchCommand>,
    /// The submissions: DIR/<student>/<slug>/src/lib.rs … (one folder per student).
    #[arg(required = true)]
    pub dir: Option<PathBuf>,
    /// Grade only shard K of N (1 ≤ K ≤ N): the students at positions K, K+N, K+2N, … of the
    /// name-sorted class. Grade each shard into its own OUT, then `batch merge` them.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Submissions graded at once (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Grade only this exercise (repeat for more; default: every exercise some student handed
    /// in).
    #[arg(long = "exercise", value_name = "SLUG")]
    pub exercises: Vec<String>,
    /// Forget what an earlier run graded (OUT/journal.jsonl) and grade everything again.
    #[arg(long)]
    pub fresh: bool,
    /// Run only correctness tests (timing checks are reported as skipped).
    #[arg(long)]
    pub skip_timing: bool,
    #[command(flatten)]
    pub isolation: IsolationArgs,
}

/// `grader batch`'s subcommands.
#[derive(Clone, Debug, Subcommand)]
pub enum BatchCommand {
    /// Merge the outputs of a class's shards (`batch DIR --shard K/N --output OUTk`) into one
    /// gradebook, reports and page in `--output OUT`, as if one machine had graded the class.
    /// Refuses outputs that overlap, miss students or graded different exercises, naming them.
    Merge {
        /// The shards' output folders.
        #[arg(required = true, value_name = "OUTk")]
        outputs: Vec<PathBuf>,
    },
}

pub fn run(repo: &Repo, common: &Common, args: BatchArgs) -> Result<Outcome> {
    if let Some(BatchCommand::Merge { outputs }) = &args.command {
        return merge(common, outputs);
    }
    let dir = args.dir.clone().unwrap_or_default();
    let Some(out) = common.output.clone() else {
        bail!(
            "name the folder for the gradebook: `cargo grade batch {} --output OUT`",
            dir.display()
        );
    };
    if !dir.is_dir() {
        bail!(
            "the submissions folder {} doesn't exist (lay it out as DIR/<student>/<slug>/src/lib.rs)",
            dir.display()
        );
    }
    let sandbox = args.isolation.set_up(repo, true)?;
    if sandbox.level() == Some(crate::sandbox::Level::SeparateUser) {
        // Learner code runs as other users and sees the real filesystem: what it must not
        // read has to be closed to others (the gradebook is nobody else's business).
        crate::files::restrict_to_owner(&out)
            .with_context(|| format!("can't restrict {}", out.display()))?;
        let hidden = common
            .hidden
            .clone()
            .unwrap_or_else(|| repo.root().join("grader").join("hidden"));
        for secret in [dir.clone(), hidden, repo.root().join("solutions")] {
            warn_if_readable_by_others(&secret);
        }
    }

    let options = Options {
        submissions: dir,
        out: out.clone(),
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
        exercises: args.exercises,
        fresh: args.fresh,
        shard: args.shard,
        grade: GradeOptions {
            hidden: common.hidden.clone(),
            skip_timing: args.skip_timing,
            sandbox,
            ..GradeOptions::default()
        },
    };
    let summary = batch::run(repo, &options, &|line| eprintln!("{line}"))?;

    print_summary(&summary.rows, &out);
    eprintln!(
        "Graded {} now, {} from an earlier run, in {:.1} s.",
        summary.graded, summary.resumed, summary.wall_s
    );
    if summary.interrupted {
        bail!(
            "interrupted: the gradebook holds what was graded so far; run the same command again \
             to grade the rest"
        );
    }
    if !summary.errors.is_empty() {
        bail!(
            "{} submission(s) could not be graded (not counted; run again to retry):\n{}",
            summary.errors.len(),
            summary.errors.join("\n")
        );
    }
    Ok(outcome(&summary.rows))
}

/// `batch merge OUT1 OUT2 … --output OUT`.
fn merge(common: &Common, outputs: &[PathBuf]) -> Result<Outcome> {
    let Some(out) = common.output.clone() else {
        bail!("name the folder for the merged gradebook: `cargo grade batch merge OUT1 OUT2 … --output OUT`");
    };
    let rows = batch::merge::merge(outputs, &out)?;
    print_summary(&rows, &out);
    Ok(outcome(&rows))
}

/// Exit status 0 when every row passes.
fn outcome(rows: &[batch::gradebook::Row]) -> Outcome {
    if rows
        .iter()
        .all(|r| r.status == crate::results::ExerciseStatus::Pass)
    {
        Outcome::Success
    } else {
        Outcome::Failure
    }
}

/// One paragraph for the instructor: how many passed, and where the gradebook is.
fn print_summary(rows: &[batch::gradebook::Row], out: &std::path::Path) {
    let passing = rows
        .iter()
        .filter(|r| r.status == crate::results::ExerciseStatus::Pass)
        .count();
    let students = rows
        .iter()
        .map(|r| r.student.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    eprintln!(
        "\n{} submission(s) of {students} student(s): {passing} pass.\nGradebook: \
         {}/gradebook.csv (and .json); reports: {}/students/; for a look: {}/gradebook.html",
        rows.len(),
        out.display(),
        out.display(),
        out.display()
    );
}

/// Without namespaces, learner code could read what other users may: say so.
fn warn_if_readable_by_others(dir: &std::path::Path) {
    if readable_by_others(dir) {
        eprintln!(
            "warning: {} is readable by other users, and learner code runs as another user \
             here: run `chmod o-rwx {}` so that submissions can't read it",
            dir.display(),
            dir.display()
        );
    }
}

/// Other users' access on Windows is by ACL, which the sandbox never meets (it is Unix only).
#[cfg(not(unix))]
fn readable_by_others(_dir: &std::path::Path) -> bool {
    false
}

/// Whether a user other than the owner (and not in its group) can list `dir`: it may be read
/// and searched, and every folder above it searched.
#[cfg(unix)]
fn readable_by_others(dir: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &std::path::Path| std::fs::metadata(path).map(|m| m.permissions().mode());
    let Ok(own) = mode(dir) else {
        return false;
    };
    own & 0o005 == 0o005
        && dir
            .ancestors()
            .skip(1)
            .all(|above| mode(above).is_ok_and(|m| m & 0o001 != 0))
}
