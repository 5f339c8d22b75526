//! Isolation of learner code when the grader grades other people's work (`grader batch`,
//! `grader gradescope run`): what a learner process may see, use and touch, on top of what
//! `sandbox` always does (own process group killed whole, cleared environment, output cap, no
//! core dumps).
//!
//! Isolation is off unless a command turns it on with [`enable`] (a learner grading their own
//! code on their own machine needs none of it). Once on, every process `sandbox` starts goes
//! through [`configure`], and `grading` hands each built hidden test binary to [`stage`].
//!
//! How much can be done depends on the privileges the grader runs with; [`enable`] finds out
//! by trying, and says which [`Level`] it got:
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
//! clock timeout), no core dumps; a parent-death signal so nothing outlives a crashed grader;
//! `no_new_privs`, so no setuid program gives privileges back.
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
mod namespace;
mod uids;

use std::collections::HashMap;
use std::ffi::{CString, OsStr};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::protocol::HiddenBinary;

pub use limits::{parse_bytes, Policy};

/// How strongly learner processes are isolated (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Own uid, own network and filesystem view, resource limits.
    Namespaced,
    /// Own uid and resource limits.
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
            Level::Limits => {
                "resource limits only: learner code runs as the grader's user and can read what \
                 it can, and the process limit binds no one running as root (grade untrusted \
                 code as root with a stronger level, or in a container per submission)"
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

/// Isolation as turned on by [`enable`].
struct Active {
    level: Level,
    policy: Policy,
    /// Private working folders, staged binaries and new-root mount points live here.
    stage_root: PathBuf,
    uids: Option<uids::Pool>,
    /// For [`Level::Namespaced`]: the path a staged binary has inside the sandbox → its real
    /// path, bound there when a process starts.
    staged: Mutex<HashMap<PathBuf, PathBuf>>,
    next: AtomicU64,
    cpus: u64,
}

static ACTIVE: OnceLock<Active> = OnceLock::new();

/// Turns isolation on for the rest of this process, at the strongest level the privileges
/// allow (or at most `ceiling`). `grader_dir` is `<target>/tasklings`, which the
/// [`Level::SeparateUser`] level makes unreadable to others.
pub fn enable(policy: Policy, grader_dir: &Path, ceiling: Level) -> Result<Level> {
    if let Some(active) = ACTIVE.get() {
        return Ok(active.level);
    }
    let stage_root = grader_dir
        .with_file_name("tasklings-sandbox")
        .join(std::process::id().to_string());
    if stage_root.exists() {
        let _ = std::fs::remove_dir_all(&stage_root);
    }
    std::fs::create_dir_all(&stage_root)
        .with_context(|| format!("can't create {}", stage_root.display()))?;
    // Others may pass through (to their own private folder) but not list it.
    std::fs::set_permissions(&stage_root, std::fs::Permissions::from_mode(0o711))
        .with_context(|| format!("can't set the permissions of {}", stage_root.display()))?;
    sweep_stale_stages(stage_root.parent().unwrap_or(&stage_root));

    let root = is_root();
    let uid_pool = if root && ceiling != Level::Limits {
        Some(uids::Pool::new(
            &std::env::temp_dir().join("tasklings-sandbox-uids"),
        )?)
    } else {
        None
    };
    if let Some(pool) = &uid_pool {
        let swept = pool.sweep();
        if swept > 0 {
            eprintln!(
                "isolation: killed the processes an earlier grader's tests left running under \
                 {swept} sandbox uid(s)"
            );
        }
    }
    let level = match (&uid_pool, ceiling) {
        (None, _) => Level::Limits,
        (Some(_), Level::Namespaced) if namespace::available(&stage_root) => Level::Namespaced,
        (Some(_), _) => Level::SeparateUser,
    };
    if level == Level::SeparateUser {
        std::fs::create_dir_all(grader_dir)
            .with_context(|| format!("can't create {}", grader_dir.display()))?;
        std::fs::set_permissions(grader_dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("can't restrict {}", grader_dir.display()))?;
        // The test's uid must pass through the target folder to reach its staged binary.
        if let Some(target) = grader_dir.parent() {
            if let Ok(meta) = std::fs::metadata(target) {
                let mode = meta.permissions().mode() | 0o111;
                let _ = std::fs::set_permissions(target, std::fs::Permissions::from_mode(mode));
            }
        }
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let active = Active {
        level,
        policy,
        stage_root,
        uids: uid_pool,
        staged: Mutex::new(HashMap::new()),
        next: AtomicU64::new(1),
        cpus,
    };
    let _ = ACTIVE.set(active);
    Ok(level)
}

/// The level in force, if isolation is on.
pub fn level() -> Option<Level> {
    ACTIVE.get().map(|active| active.level)
}

/// The limits in force, if isolation is on.
pub fn policy() -> Option<Policy> {
    ACTIVE.get().map(|active| active.policy.clone())
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

/// Removes this process's private folders (call once grading is over).
pub fn clean_up() {
    if let Some(active) = ACTIVE.get() {
        let _ = std::fs::remove_dir_all(&active.stage_root);
    }
}

/// Makes a built hidden test binary runnable inside the sandbox. Without isolation it is
/// returned as it is.
pub fn stage(mut hidden: HiddenBinary) -> Result<HiddenBinary> {
    let Some(active) = ACTIVE.get() else {
        return Ok(hidden);
    };
    let n = active.next.fetch_add(1, Ordering::SeqCst);
    match active.level {
        Level::Namespaced => {
            // Bound read-only at this path inside each test's own root (see `namespace`).
            let inside = PathBuf::from(format!("/tasklings/{n}/hidden"));
            active
                .staged
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(inside.clone(), hidden.path.clone());
            hidden.path = inside;
        }
        Level::SeparateUser | Level::Limits => {
            // Out of `<target>/tasklings` (unreadable to the test's uid), into a folder it may
            // pass through; a hard link where possible, else a copy.
            let dir = active.stage_root.join(format!("bin-{n}"));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("can't create {}", dir.display()))?;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o711))
                .with_context(|| format!("can't set the permissions of {}", dir.display()))?;
            let staged = dir.join("hidden");
            if std::fs::hard_link(&hidden.path, &staged).is_err() {
                std::fs::copy(&hidden.path, &staged).with_context(|| {
                    format!(
                        "can't copy {} to {}",
                        hidden.path.display(),
                        staged.display()
                    )
                })?;
            }
            std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("can't set the permissions of {}", staged.display()))?;
            hidden.path = staged;
        }
    }
    Ok(hidden)
}

/// What one learner process holds while it runs: its uid, its private folder. [`Guard::stop`]
/// (or dropping the guard) kills everything it started and gives them back.
#[must_use]
pub struct Guard {
    inner: Option<Held>,
}

struct Held {
    lease: Option<uids::Lease>,
    /// The private folder (or, namespaced, the mount point of the private root).
    private_dir: PathBuf,
    processes_limit: u64,
}

impl Guard {
    /// No isolation: nothing to hold.
    fn none() -> Guard {
        Guard { inner: None }
    }

    /// Kills every process the test left, by uid (so also those outside its process group),
    /// removes its private folder, and returns notes for the learner: whether it ran into the
    /// process limit, whether it left processes behind. `group` is the test's process group.
    pub fn stop(&mut self, group: i32) -> Vec<String> {
        let Some(held) = self.inner.take() else {
            return Vec::new();
        };
        let mut notes = Vec::new();
        if let Some(lease) = &held.lease {
            let census = uids::census(lease.uid, group);
            if census.tasks + 2 >= held.processes_limit {
                notes.push(format!(
                    "It was running {} processes and threads when it was stopped: the grader \
                     allows {} per test, and starting more fails (a fork or thread bomb, or \
                     a thread per item?).",
                    census.tasks, held.processes_limit
                ));
            }
            if census.outside_group > 0 {
                notes.push(format!(
                    "It left {} process(es) running outside its process group; the grader \
                     killed them.",
                    census.outside_group
                ));
            }
            uids::kill_all(lease.uid);
        }
        let _ = remove_private_dir(&held.private_dir);
        notes
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.stop(0);
    }
}

fn remove_private_dir(dir: &Path) -> io::Result<()> {
    // Namespaced: an empty mount point (the mounts died with the namespace). Otherwise the
    // folder and whatever the test left in it.
    std::fs::remove_dir_all(dir)
}

/// Prepares `command` (a learner process that should finish within `timeout`) for the
/// isolation in force. Call after its environment is set; adds to it.
pub fn configure(command: &mut Command, timeout: Duration) -> io::Result<Guard> {
    let Some(active) = ACTIVE.get() else {
        return Ok(Guard::none());
    };
    let n = active.next.fetch_add(1, Ordering::SeqCst);
    let private_dir = active.stage_root.join(format!("run-{n}"));
    std::fs::create_dir(&private_dir)?;
    let lease = match &active.uids {
        Some(pool) => Some(pool.lease()?),
        None => None,
    };
    let ids = lease.as_ref().map(|lease| (lease.uid, lease.gid));
    let processes_limit = match ids {
        Some(_) => active.policy.processes,
        // Counted over our own uid: leave the grader's own processes and threads room.
        None => uids::tasks_of(current_uid()) + active.policy.processes,
    };
    let rlimits = limits::for_process(&active.policy, timeout, active.cpus, processes_limit);

    let (namespace_plan, workdir) = match active.level {
        Level::Namespaced => {
            let program = PathBuf::from(command.get_program());
            let binary = active
                .staged
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&program)
                .cloned()
                .map(|real| (real, program));
            let plan = namespace::Plan::new(
                &private_dir,
                binary,
                ids.unwrap_or((0, 0)),
                active.policy.scratch_bytes,
            )?;
            (Some(plan), PathBuf::from("/tmp"))
        }
        Level::SeparateUser | Level::Limits => {
            if let Some((uid, gid)) = ids {
                std::os::unix::fs::chown(&private_dir, Some(uid), Some(gid))?;
            }
            std::fs::set_permissions(&private_dir, std::fs::Permissions::from_mode(0o700))?;
            (None, private_dir.clone())
        }
    };

    command
        .env("HOME", &workdir)
        .env("TMPDIR", &workdir)
        .env("USER", "tasklings")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        // glibc reserves 64 MiB of address space per malloc arena (up to 8 per CPU): with an
        // address-space limit, a few arenas are enough and leave the limit to real use.
        .env("MALLOC_ARENA_MAX", "2");

    let child = ChildSetup {
        namespace: namespace_plan,
        workdir: cstring(workdir.as_os_str())?,
        rlimits,
        ids,
        parent: std::process::id() as libc::pid_t,
    };
    // SAFETY: `ChildSetup::apply` makes only async-signal-safe system calls on data prepared
    // here, and allocates nothing (see its comment).
    unsafe {
        command.pre_exec(move || child.apply());
    }
    Ok(Guard {
        inner: Some(Held {
            lease,
            private_dir,
            processes_limit,
        }),
    })
}

/// Everything the child does between fork and exec, prepared by the parent.
struct ChildSetup {
    namespace: Option<namespace::Plan>,
    workdir: CString,
    rlimits: Vec<(limits::Resource, libc::rlim_t)>,
    ids: Option<(libc::uid_t, libc::gid_t)>,
    parent: libc::pid_t,
}

impl ChildSetup {
    /// Runs in the forked child: only system calls, no allocation, no locks. Order matters:
    /// namespaces and mounts need root, so the uid is dropped last; the parent-death signal is
    /// set after the uid change, which would clear it.
    fn apply(&self) -> io::Result<()> {
        if let Some(plan) = &self.namespace {
            plan.enter()?;
        }
        // SAFETY: chdir to a NUL-terminated path we own.
        check(unsafe { libc::chdir(self.workdir.as_ptr()) })?;
        for &(resource, value) in &self.rlimits {
            limits::set(resource, value)?;
        }
        if let Some((uid, gid)) = self.ids {
            // SAFETY: plain system calls on integers; failure is reported.
            unsafe {
                check(libc::setgroups(0, std::ptr::null()))?;
                check(libc::setgid(gid))?;
                check(libc::setuid(uid))?;
            }
        }
        // SAFETY: prctl and getppid take and return integers only.
        unsafe {
            check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL))?;
            if libc::getppid() != self.parent {
                // The grader died before the signal was armed.
                libc::_exit(1);
            }
            check(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))?;
        }
        Ok(())
    }
}

fn check(result: libc::c_int) -> io::Result<()> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn cstring(text: &OsStr) -> io::Result<CString> {
    CString::new(text.as_bytes()).map_err(|_| io::Error::other("a path holds a NUL byte"))
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn current_uid() -> libc::uid_t {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() }
}

/// Removes the private folders of graders that are no longer running (a crash leaves them).
fn sweep_stale_stages(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: kill with signal 0 only checks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0
            || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
