//! One file per command; each takes the parsed options and returns how the grader should exit.

pub mod batch;
pub mod classroom;
pub mod gradescope;
pub mod hint;
pub mod list;
pub mod new;
pub mod recheck;
pub mod reset;
pub mod run;
pub mod sandboxing;
pub mod timeline;
pub mod verify;
pub mod watch;

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::repo::Repo;
use crate::report::Format;

/// How a command that worked ended: exit status 0 or 1. (Errors are exit status 2.)
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything graded passes (or the command has nothing to grade).
    Success,
    /// Something graded doesn't pass.
    Failure,
}

/// Options every command may use.
#[derive(Clone, Debug)]
pub struct Common {
    pub format: Format,
    pub output: Option<PathBuf>,
    pub hidden: Option<PathBuf>,
}

/// Runs the command the command line names.
pub fn dispatch(cli: Cli) -> Result<Outcome> {
    // Drawing a trace needs no repository: it works on a file from anywhere.
    if let Some(Command::Timeline { trace }) = &cli.command {
        return timeline::run(trace, cli.output);
    }
    let repo = Repo::discover(cli.root.as_deref())?;
    let common = Common {
        format: cli.format,
        output: cli.output,
        hidden: cli.hidden,
    };
    match cli
        .command
        .unwrap_or(Command::List(list::ListArgs::default()))
    {
        Command::List(args) => list::run_with(&repo, &common, &args),
        Command::Run(args) => run::run(&repo, &common, args),
        Command::Watch(args) => watch::run(&repo, &common, args),
        Command::Hint { slug } => hint::run(&repo, &common, slug),
        Command::Reset(args) => reset::run(&repo, &common, args),
        Command::Verify { slugs } => verify::run(&repo, &common, &slugs),
        Command::New { slug, title } => new::run(&repo, &slug, title),
        Command::Batch(args) => batch::run(&repo, &common, args),
        Command::Gradescope(command) => gradescope::run(&repo, &common, command),
        Command::Classroom(args) => classroom::run(&repo, &common, args),
        // Handled above, before the repository is looked for; the same call if it ever isn't.
        Command::Timeline { trace } => timeline::run(&trace, common.output),
    }
}
