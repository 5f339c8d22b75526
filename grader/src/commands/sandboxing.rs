//! Grading other people's work (`batch`, `gradescope run`), set up in one place: the isolation
//! options, and [`IsolationArgs::set_up`], which readies the process (a scrubbed environment,
//! the compiler's limits, offline builds) and makes the [`Sandbox`] every learner process runs
//! in.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::repo::Repo;
use crate::sandbox::{Level, Policy, Sandbox};

/// How learner code is confined (see `grader/src/sandbox/mod.rs` for what each level does).
#[derive(Clone, Debug, Args)]
pub struct IsolationArgs {
    /// The strongest isolation to use: `namespaced` (own uid, no network, private filesystem
    /// view; needs root with CAP_SYS_ADMIN), `separate-user` (own uid; needs root), `limits`
    /// (resource limits only), `off`. The grader uses the strongest the machine allows, up to
    /// this.
    #[arg(long, value_enum, default_value_t = IsolationChoice::Namespaced)]
    pub isolation: IsolationChoice,
    /// Address space of each test process (RLIMIT_AS), e.g. 4G. Every test of the real
    /// exercises' solutions passes in 1G; a memory bomb stops here.
    #[arg(long, value_name = "SIZE", default_value = "2G", value_parser = parse_size)]
    pub memory_limit: u64,
    /// Processes and threads of each test (RLIMIT_NPROC).
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub process_limit: u64,
    /// Largest file a test may write (RLIMIT_FSIZE), e.g. 4G.
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = parse_size)]
    pub file_size_limit: u64,
    /// Size of each test's private /tmp (namespaced isolation), e.g. 512M.
    #[arg(long, value_name = "SIZE", default_value = "512M", value_parser = parse_size)]
    pub tmp_size: u64,
}

/// `--isolation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IsolationChoice {
    Namespaced,
    SeparateUser,
    Limits,
    Off,
}

fn parse_size(text: &str) -> Result<u64, String> {
    crate::sandbox::parse_bytes(text)
}

impl IsolationArgs {
    /// The sandbox asked for, at the level the machine allows (`Sandbox::none()`: off).
    pub fn enable(&self, repo: &Repo) -> Result<Sandbox> {
        let ceiling = match self.isolation {
            IsolationChoice::Off => return Ok(Sandbox::none()),
            IsolationChoice::Namespaced => Level::Namespaced,
            IsolationChoice::SeparateUser => Level::SeparateUser,
            IsolationChoice::Limits => Level::Limits,
        };
        let policy = Policy {
            memory_bytes: self.memory_limit,
            processes: self.process_limit,
            file_size_bytes: self.file_size_limit,
            scratch_bytes: self.tmp_size,
        };
        Sandbox::enable(policy, &repo.grader_dir(), ceiling)
            .context("can't set up the isolation of learner code")
    }
}

impl IsolationArgs {
    /// Readies this process to grade untrusted code and returns the sandbox, saying on stderr
    /// which level it reached. Call before any other thread starts: it changes the environment
    /// (learner code compiled from here on sees only what it needs, and builds run offline).
    /// `fetch_first` downloads the exercises' dependencies before going offline (`batch`; a
    /// Gradescope image fetched them when it was built).
    pub fn set_up(&self, repo: &Repo, fetch_first: bool) -> Result<Sandbox> {
        crate::sandbox::scrub_environment();
        crate::rustc_guard::install().context("can't set up the compiler's limits")?;
        if fetch_first {
            crate::batch::prefetch_dependencies(repo)?;
        }
        // No other thread exists yet to read the variable.
        std::env::set_var("CARGO_NET_OFFLINE", "true");
        let sandbox = self.enable(repo)?;
        match (sandbox.level(), sandbox.policy()) {
            (Some(level), Some(policy)) => {
                eprintln!("isolation: {}", level.describe());
                eprintln!("limits per test: {}", policy.describe());
            }
            _ => eprintln!("isolation: off (--isolation off): learner code runs unconfined"),
        }
        Ok(sandbox)
    }
}
