//! The sandbox: confinement of learner code when the grader grades other people's work
//! (`grader batch`, `grader gradescope run`) — what a learner process may see, use and touch, on
//! top of what the `process` runner always does (its tree killed whole, cleared environment,
//! output cap, no core dumps).
//!
//! A [`Sandbox`] is a value the command that grades makes and passes down: [`Sandbox::none`]
//! for a learner grading their own code (who needs none of this), [`Sandbox::enable`] for a
//! class. Every process the runner starts goes through [`Sandbox::confine`], and grading hands
//! each built hidden test binary to [`Sandbox::stage`]. Nothing global decides what happens.
//!
//! How much can be done depends on the system and the privileges the grader runs with;
//! [`Sandbox::enable`] finds out by trying, and says which [`Level`] it got. Namespaces and the
//! uid pool are Linux's; on macOS the sandbox reaches [`Level::Limits`]; on Windows class grading
//! is not offered (a learner's own loop runs in a Job object, see `process`):
//!
//! * [`Level::Namespaced`] — root with CAP_SYS_ADMIN (a VM, a CI runner with sudo, a privileged
//!   container): each test process gets
//!   - a **uid of its own** from a pool (`uids`), so RLIMIT_NPROC — which counts per uid —
//!     bounds that test alone, its processes can't signal or trace the grader or each other,
//!     and everything it started, even outside its process group (`setsid`), is killed by uid
//!     when it ends;
//!   - a **network namespace** with only a loopback interface (hidden tests that talk HTTP to
//!     a server on 127.0.0.1 still work; nothing else is reachable);
//!   - a **private filesystem view** (`namespace`): a new root holding read-only binds of
//!     `/usr`, `/etc`, the library folders, `/proc` and `/sys`, a minimal `/dev`, its own
//!     size-capped `/tmp` (its working folder, `HOME` and `TMPDIR`), and its test binary. The
//!     repository, the hidden tests' sources, the solutions, other students' submissions, the
//!     grader's build and scratch folders and the results exist nowhere in that view;
//!   - the resource limits below.
//! * [`Level::SeparateUser`] — root without namespaces (a Docker container with default
//!   capabilities, such as Gradescope's): the own uid and the limits, a private working folder,
//!   and the grader's own folder (`<target>/tasklings`) made unreadable to other users. Files
//!   the grader doesn't own (the hidden tests in the repository, the solutions) are protected by
//!   their permissions only: the Gradescope package's scripts `chmod` them; elsewhere the
//!   grader warns when they are readable by others.
//! * [`Level::Limits`] — not root: the limits (RLIMIT_NPROC counted over the grader's own uid,
//!   so a fork bomb is stopped but shares the budget with the grader), a private working
//!   folder. The learner's code runs as the grader's user: it can read what the grader can.
//!   Grade untrusted code as root, or in a container per submission.
//!
//! The limits (`limits`, all levels): address space (RLIMIT_AS), processes and threads
//! (RLIMIT_NPROC), file size (RLIMIT_FSIZE), CPU time (RLIMIT_CPU, a backstop behind the wall
//! clock timeout), no core dumps; on Linux a parent-death signal so nothing outlives a crashed
//! grader, and `no_new_privs`, so no setuid program gives privileges back. macOS does not enforce
//! RLIMIT_AS and counts RLIMIT_NPROC over all of a user's processes, so there the sandbox sets
//! neither: memory and fork bombs are bounded only by the system's own per-user limits.
//!
//! Results are never written here: the grader writes them after [`Guard::stop`] has killed
//! every process of the test.
//!
//! What no level here prevents (see also `intake` and `rustc_guard`, which act before this):
//! learner code runs *in the same process* as the hidden test that checks it (that is how a
//! Rust test calls a function), so it can read that process's memory — the test binary's own
//! code and constants, and the nonce of the result channel, with which it could forge a pass
//! record. `intake` refuses the easy ways in (`#[no_mangle]` interposition of `read`/`write`, a
//! `#[global_allocator]` that sees every buffer), not a determined `unsafe` memory scan.
//! Grading where that matters needs the hidden tests to check results in a process of their own.

mod limits;
#[cfg(target_os = "linux")]
mod namespace;
#[cfg(target_os = "linux")]
mod uids;
#[cfg(unix)]
mod unix;

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
#[cfg(unix)]
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

pub use limits::{parse_bytes, Policy};

/// How strongly learner processes are confined (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Own uid, own network and filesystem view, resource limits (Linux, as root).
    Namespaced,
    /// Own uid and resource limits (Linux, as root).
    SeparateUser,
    /// Resource limits only.
    Limits,
}

impl Level {
    /// One line for reports and logs.
    pub fn describe(self) -> &'static str {
        match self {
            Level::Namespaced => {
                "own uid per test, no network (loopback only), a private filesystem view \
                 (no repository, hidden tests, solutions, other submissions or results), \
                 resource limits"
            }
            Level::SeparateUser => {
                "own uid per test and resource limits; no namespaces here (no CAP_SYS_ADMIN), \
                 so the network is reachable and files are protected by permissions only"
            }
            Level::Limits if cfg!(target_os = "linux") => {
                "resource limits only: learner code runs as the grader's user and can read what \
                 it can, and the process limit binds no one running as root (grade untrusted \
                 code as root with a stronger level, or in a container per submission)"
            }
            Level::Limits => {
                "resource limits only (file size and CPU time: this system enforces no memory or \
                 per-test process limit): learner code runs as the grader's user and can read \
                 what it can (own uids, namespaces and a private filesystem view need Linux; \
                 grade untrusted code there, or in a container per submission)"
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Namespaced => "namespaced",
            Level::SeparateUser => "separate_user",
            Level::Limits => "limits",
        }
    }
}

/// How learner processes are confined: nothing ([`Sandbox::none`], a learner's own code), or
/// what [`Sandbox::enable`] set up. Clones share one set-up, which is taken down (private
/// folders removed) when the last clone is dropped.
#[derive(Clone, Default)]
pub struct Sandbox {
    #[cfg(unix)]
    active: Option<Arc<unix::Active>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("level", &self.level())
            .finish()
    }
}

impl Sandbox {
    /// No confinement: learner code runs as the grader does (inside the runner's tree).
    pub fn none() -> Sandbox {
        Sandbox::default()
    }

    /// Confinement at the strongest level the system and privileges allow, at most
    /// `ceiling`. `grader_dir` is `<target>/tasklings`, which [`Level::SeparateUser`] makes
    /// unreadable to others.
    #[cfg(unix)]
    pub fn enable(policy: Policy, grader_dir: &Path, ceiling: Level) -> Result<Sandbox> {
        let active = unix::Active::enable(policy, grader_dir, ceiling)?;
        Ok(Sandbox {
            active: Some(Arc::new(active)),
        })
    }

    /// Class grading confines learner code with Unix means; Windows has no sandbox here.
    #[cfg(not(unix))]
    pub fn enable(_policy: Policy, _grader_dir: &Path, _ceiling: Level) -> Result<Sandbox> {
        anyhow::bail!(
            "confining other people's code (batch, Gradescope and PrairieLearn grading) needs \
             Linux or macOS; on Windows, grade in WSL or a Linux container, or pass \
             --isolation off to grade unconfined"
        )
    }

    /// The level in force, `None` without confinement.
    pub fn level(&self) -> Option<Level> {
        #[cfg(unix)]
        return self.active.as_ref().map(|active| active.level());
        #[cfg(not(unix))]
        return None;
    }

    /// The limits in force, `None` without confinement.
    pub fn policy(&self) -> Option<&Policy> {
        #[cfg(unix)]
        return self.active.as_ref().map(|active| active.policy());
        #[cfg(not(unix))]
        return None;
    }

    /// The path at which a built hidden test binary runs inside the sandbox (a staged copy or
    /// a path inside the private root); without confinement, `binary` itself.
    pub fn stage(&self, binary: &Path) -> Result<PathBuf> {
        #[cfg(unix)]
        if let Some(active) = &self.active {
            return active.stage(binary);
        }
        Ok(binary.to_path_buf())
    }

    /// Prepares `command` (a learner process that should finish within `timeout`) for the
    /// confinement in force; call after its environment is set, which this adds to.
    pub fn confine(&self, command: &mut Command, timeout: Duration) -> io::Result<Guard> {
        #[cfg(unix)]
        if let Some(active) = &self.active {
            return active.confine(command, timeout);
        }
        let _ = (command, timeout);
        Ok(Guard::none())
    }
}

/// What one learner process holds while it runs: its uid, its private folder. [`Guard::stop`]
/// (or dropping the guard) kills everything it started and gives them back.
#[must_use]
pub struct Guard {
    #[cfg(unix)]
    inner: Option<unix::Held>,
}

impl Guard {
    /// No confinement: nothing to hold.
    fn none() -> Guard {
        Guard {
            #[cfg(unix)]
            inner: None,
        }
    }

    /// Kills every process the test left (by uid, where it has its own: so also those outside
    /// its process group), removes its private folder, and returns notes for the learner:
    /// whether it ran into the process limit, whether it left processes behind. `group` is the
    /// test's process group.
    pub fn stop(&mut self, group: i32) -> Vec<String> {
        #[cfg(unix)]
        if let Some(held) = self.inner.take() {
            return held.stop(group);
        }
        let _ = group;
        Vec::new()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.stop(0);
    }
}

/// Environment variables the grader keeps when it grades others' work: what cargo, rustup and
/// the grader need. Everything else (tokens, keys, CI secrets) goes, since `env!` in a
/// submission would compile it into the program and print it.
const ENV_KEPT: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LC_ALL",
    "TERM",
    "NO_COLOR",
    "TMPDIR",
    "CARGO",
    "CARGO_HOME",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_JOBS",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTFLAGS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// Clears the grader's own environment down to [`ENV_KEPT`] and `TASKLINGS_*`, `CARGO_NET_*`,
/// `CARGO_HTTP_*`. Call before any other thread starts.
pub fn scrub_environment() {
    for (key, _) in std::env::vars_os() {
        let Some(name) = key.to_str() else {
            std::env::remove_var(&key);
            continue;
        };
        let kept = ENV_KEPT.contains(&name)
            || ["TASKLINGS_", "CARGO_NET_", "CARGO_HTTP_"]
                .iter()
                .any(|prefix| name.starts_with(prefix));
        if !kept {
            std::env::remove_var(&key);
        }
    }
}
