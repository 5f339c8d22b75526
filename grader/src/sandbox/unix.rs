//! The sandbox on Unix: private working folders and staged binaries under a folder of this
//! grader's own, resource limits and (Linux, as root) a uid per test and namespaces, applied to
//! each learner process between fork and exec.

use std::collections::HashMap;
use std::ffi::{CString, OsStr};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result};

use super::{limits, Guard, Level, Policy};
#[cfg(target_os = "linux")]
use super::{namespace, uids};

/// A sandbox as [`Active::enable`] set it up; removes its private folders when dropped.
pub struct Active {
    level: Level,
    policy: Policy,
    /// Private working folders, staged binaries and new-root mount points live here.
    stage_root: PathBuf,
    #[cfg(target_os = "linux")]
    uids: Option<uids::Pool>,
    /// For [`Level::Namespaced`]: the path a staged binary has inside the sandbox → its real
    /// path, bound there when a process starts.
    staged: Mutex<HashMap<PathBuf, PathBuf>>,
    next: AtomicU64,
    cpus: u64,
}

impl Drop for Active {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.stage_root);
    }
}

impl Active {
    /// Sets up the strongest level the privileges allow, at most `ceiling`.
    pub fn enable(policy: Policy, grader_dir: &Path, ceiling: Level) -> Result<Active> {
        let stage_root = grader_dir
            .with_file_name("tasklings-sandbox")
            .join(std::process::id().to_string());
        if stage_root.exists() {
            let _ = std::fs::remove_dir_all(&stage_root);
        }
        std::fs::create_dir_all(&stage_root)
            .with_context(|| format!("can't create {}", stage_root.display()))?;
        // Others may pass through (to their own private folder) but not list it.
        set_mode(&stage_root, 0o711)?;
        sweep_stale_stages(stage_root.parent().unwrap_or(&stage_root));

        #[cfg(target_os = "linux")]
        let (level, uids) = linux_level(&stage_root, ceiling)?;
        #[cfg(not(target_os = "linux"))]
        let level = {
            let _ = ceiling;
            Level::Limits
        };
        if level == Level::SeparateUser {
            restrict_grader_dir(grader_dir)?;
        }
        Ok(Active {
            level,
            policy,
            stage_root,
            #[cfg(target_os = "linux")]
            uids,
            staged: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
        })
    }

    pub fn level(&self) -> Level {
        self.level
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Makes a built hidden test binary runnable inside the sandbox; returns the path to run.
    pub fn stage(&self, binary: &Path) -> Result<PathBuf> {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        if self.level == Level::Namespaced {
            // Bound read-only at this path inside each test's own root (see `namespace`).
            let inside = PathBuf::from(format!("/tasklings/{n}/hidden"));
            self.staged
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(inside.clone(), binary.to_path_buf());
            return Ok(inside);
        }
        // Out of `<target>/tasklings` (unreadable to the test's uid), into a folder it may pass
        // through; a hard link where possible, else a copy.
        let dir = self.stage_root.join(format!("bin-{n}"));
        std::fs::create_dir_all(&dir).with_context(|| format!("can't create {}", dir.display()))?;
        set_mode(&dir, 0o711)?;
        let staged = dir.join("hidden");
        if std::fs::hard_link(binary, &staged).is_err() {
            std::fs::copy(binary, &staged).with_context(|| {
                format!("can't copy {} to {}", binary.display(), staged.display())
            })?;
        }
        set_mode(&staged, 0o755)?;
        Ok(staged)
    }

    /// Prepares `command` for this sandbox; the guard holds what the process was given.
    pub fn confine(&self, command: &mut Command, timeout: Duration) -> io::Result<Guard> {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let private_dir = self.stage_root.join(format!("run-{n}"));
        std::fs::create_dir(&private_dir)?;
        let lease = self.lease()?;
        let ids = lease.as_ref().map(Lease::ids);
        let processes_limit = self.processes_limit(ids.is_some());
        let rlimits = limits::for_process(&self.policy, timeout, self.cpus, processes_limit);
        let (namespace, workdir) = self.filesystem_view(command, &private_dir, ids)?;

        command
            .env("HOME", &workdir)
            .env("TMPDIR", &workdir)
            .env("USER", "tasklings")
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            // glibc reserves 64 MiB of address space per malloc arena (up to 8 per CPU): with an
            // address-space limit, a few arenas are enough and leave the limit to real use.
            .env("MALLOC_ARENA_MAX", "2");

        let child = ChildSetup {
            namespace,
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

    #[cfg(target_os = "linux")]
    fn lease(&self) -> io::Result<Option<Lease>> {
        self.uids.as_ref().map(uids::Pool::lease).transpose()
    }

    #[cfg(not(target_os = "linux"))]
    fn lease(&self) -> io::Result<Option<Lease>> {
        Ok(None)
    }

    /// RLIMIT_NPROC for one test: the policy's when the test has a uid of its own; counted over
    /// our own uid otherwise, leaving the grader's own processes and threads room (Linux only:
    /// elsewhere the count isn't per test, see the module docs).
    fn processes_limit(&self, own_uid: bool) -> u64 {
        #[cfg(target_os = "linux")]
        if !own_uid {
            // SAFETY: getuid has no preconditions.
            return uids::tasks_of(unsafe { libc::getuid() }) + self.policy.processes;
        }
        let _ = own_uid;
        self.policy.processes
    }

    /// The private root (namespaced) or the private working folder, and the working folder as
    /// the process sees it.
    fn filesystem_view(
        &self,
        command: &Command,
        private_dir: &Path,
        ids: Option<(libc::uid_t, libc::gid_t)>,
    ) -> io::Result<(Option<NamespacePlan>, PathBuf)> {
        #[cfg(target_os = "linux")]
        if self.level == Level::Namespaced {
            let program = PathBuf::from(command.get_program());
            let binary = self
                .staged
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&program)
                .cloned()
                .map(|real| (real, program));
            let plan = namespace::Plan::new(
                private_dir,
                binary,
                ids.unwrap_or((0, 0)),
                self.policy.scratch_bytes,
            )?;
            return Ok((Some(plan), PathBuf::from("/tmp")));
        }
        let _ = command;
        if let Some((uid, gid)) = ids {
            std::os::unix::fs::chown(private_dir, Some(uid), Some(gid))?;
        }
        std::fs::set_permissions(private_dir, std::fs::Permissions::from_mode(0o700))?;
        Ok((None, private_dir.to_path_buf()))
    }
}

#[cfg(target_os = "linux")]
type Lease = uids::Lease;
#[cfg(target_os = "linux")]
type NamespacePlan = namespace::Plan;

/// A test's own uid: only leased on Linux, so elsewhere there is no value of this type.
#[cfg(not(target_os = "linux"))]
pub enum Lease {}
/// A private root: Linux only, so elsewhere there is no value of this type.
#[cfg(not(target_os = "linux"))]
pub enum NamespacePlan {}

#[cfg(not(target_os = "linux"))]
impl Lease {
    fn ids(&self) -> (libc::uid_t, libc::gid_t) {
        match *self {}
    }
}

#[cfg(not(target_os = "linux"))]
impl NamespacePlan {
    fn enter(&self) -> io::Result<()> {
        match *self {}
    }
}

/// The strongest level this Linux machine allows, and the uid pool when it has one.
#[cfg(target_os = "linux")]
fn linux_level(stage_root: &Path, ceiling: Level) -> Result<(Level, Option<uids::Pool>)> {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let pool = if root && ceiling != Level::Limits {
        Some(uids::Pool::new(
            &std::env::temp_dir().join("tasklings-sandbox-uids"),
        )?)
    } else {
        None
    };
    if let Some(pool) = &pool {
        let swept = pool.sweep();
        if swept > 0 {
            eprintln!(
                "isolation: killed the processes an earlier grader's tests left running under \
                 {swept} sandbox uid(s)"
            );
        }
    }
    let level = match (&pool, ceiling) {
        (None, _) => Level::Limits,
        (Some(_), Level::Namespaced) if namespace::available(stage_root) => Level::Namespaced,
        (Some(_), _) => Level::SeparateUser,
    };
    Ok((level, pool))
}

/// `<target>/tasklings` closed to others, its parent passable (a test's uid must reach its
/// staged binary through it).
fn restrict_grader_dir(grader_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(grader_dir)
        .with_context(|| format!("can't create {}", grader_dir.display()))?;
    set_mode(grader_dir, 0o700)?;
    if let Some(target) = grader_dir.parent() {
        if let Ok(meta) = std::fs::metadata(target) {
            let mode = meta.permissions().mode() | 0o111;
            let _ = std::fs::set_permissions(target, std::fs::Permissions::from_mode(mode));
        }
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("can't set the permissions of {}", path.display()))
}

/// What a confined process holds while it runs.
pub struct Held {
    lease: Option<Lease>,
    /// The private folder (or, namespaced, the mount point of the private root).
    private_dir: PathBuf,
    processes_limit: u64,
}

impl Held {
    /// See [`Guard::stop`].
    pub fn stop(self, group: i32) -> Vec<String> {
        #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
        let mut notes = Vec::new();
        #[cfg(target_os = "linux")]
        if let Some(lease) = &self.lease {
            let census = uids::census(lease.uid, group);
            if census.tasks + 2 >= self.processes_limit {
                notes.push(format!(
                    "It was running {} processes and threads when it was stopped: the grader \
                     allows {} per test, and starting more fails (a fork or thread bomb, or \
                     a thread per item?).",
                    census.tasks, self.processes_limit
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
        let _ = (group, self.processes_limit, &self.lease);
        // Namespaced: an empty mount point (the mounts died with the namespace). Otherwise the
        // folder and whatever the test left in it.
        let _ = std::fs::remove_dir_all(&self.private_dir);
        notes
    }
}

/// Everything the child does between fork and exec, prepared by the parent.
struct ChildSetup {
    namespace: Option<NamespacePlan>,
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
        self.tie_to_parent()
    }

    /// Linux: die with the grader, and never gain privileges through a setuid program.
    #[cfg(target_os = "linux")]
    fn tie_to_parent(&self) -> io::Result<()> {
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

    /// Elsewhere there is no parent-death signal: the runner's kill of the process group is
    /// what ends a test.
    #[cfg(not(target_os = "linux"))]
    fn tie_to_parent(&self) -> io::Result<()> {
        let _ = self.parent;
        Ok(())
    }
}

pub fn check(result: libc::c_int) -> io::Result<()> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

pub fn cstring(text: &OsStr) -> io::Result<CString> {
    CString::new(text.as_bytes()).map_err(|_| io::Error::other("a path holds a NUL byte"))
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
