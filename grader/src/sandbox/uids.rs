//! The pool of uids that learner processes run as (when the grader is root), one per running
//! test, and the means to kill everything a uid runs.
//!
//! Why a uid per test: RLIMIT_NPROC counts the processes and threads of a *uid*, so only a uid of
//! its own makes it a per-test bound (one student's fork bomb can't starve another's threads);
//! and "every process of this uid" is a set that `setsid()` or a double fork can't leave, so
//! killing it leaves nothing behind — unlike a process group.
//!
//! A uid is leased under an exclusive lock on `<lock dir>/<uid>.lock` (held by the [`Lease`]), so
//! two threads, or two graders on one machine, never share one. Before a uid is handed out,
//! anything still running as it (left by a grader that crashed) is killed. The pool skips ids
//! that `/etc/passwd` or `/etc/group` name: those belong to real users.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, Result};

/// The first uid (and gid) of the pool by default: above the usual ranges of system and login
/// users, below 65534 ("nobody") so that containers mapping only 16 bits of ids can use it.
const DEFAULT_FIRST: u32 = 61_000;
/// How many ids the pool holds: tests running at once on one machine.
const COUNT: u32 = 512;
/// The environment variable that moves the pool (its first uid), for machines where the
/// default range is taken — or to keep two graders' pools apart.
pub const FIRST_UID_ENV: &str = "TASKLINGS_SANDBOX_UID_BASE";

/// The uids learner processes may run as.
pub struct Pool {
    first: u32,
    lock_dir: PathBuf,
    taken_by_users: BTreeSet<u32>,
    next: AtomicU32,
}

/// One leased uid (with the gid of the same number); released when dropped.
pub struct Lease {
    pub uid: libc::uid_t,
    pub gid: libc::gid_t,
    _lock: File,
}

impl Lease {
    /// The uid and gid the test runs as.
    pub fn ids(&self) -> (libc::uid_t, libc::gid_t) {
        (self.uid, self.gid)
    }
}

impl Pool {
    pub fn new(lock_dir: &Path) -> Result<Pool> {
        let first = match std::env::var(FIRST_UID_ENV) {
            Ok(text) => match text.trim().parse::<u32>() {
                Ok(first) if (1000..=u32::MAX - COUNT).contains(&first) => first,
                _ => anyhow::bail!(
                    "{FIRST_UID_ENV}={text}: expected a uid of at least 1000 (the first of {COUNT})"
                ),
            },
            Err(_) => DEFAULT_FIRST,
        };
        std::fs::create_dir_all(lock_dir)
            .with_context(|| format!("can't create {}", lock_dir.display()))?;
        let mut taken_by_users = BTreeSet::new();
        for file in ["/etc/passwd", "/etc/group"] {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            for line in text.lines() {
                if let Some(id) = line.split(':').nth(2).and_then(|id| id.parse().ok()) {
                    taken_by_users.insert(id);
                }
            }
        }
        Ok(Pool {
            first,
            lock_dir: lock_dir.to_path_buf(),
            taken_by_users,
            next: AtomicU32::new(0),
        })
    }

    /// Kills what a crashed grader's tests left running: processes of pool uids that no live
    /// grader holds (their lock is free). Returns how many uids had some.
    pub fn sweep(&self) -> usize {
        let mut running: BTreeSet<u32> = BTreeSet::new();
        for (status, _) in processes() {
            if let Some(uid) = real_uid(&status).filter(|uid| self.range().contains(uid)) {
                running.insert(uid);
            }
        }
        let mut swept = 0;
        for uid in running {
            let path = self.lock_dir.join(format!("{uid}.lock"));
            let Ok(lock) = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
            else {
                continue;
            };
            let free = lock.try_lock().is_ok();
            if free && !self.taken_by_users.contains(&uid) {
                kill_all(uid);
                swept += 1;
            }
        }
        swept
    }

    /// The uids of the pool.
    pub fn range(&self) -> std::ops::Range<u32> {
        self.first..self.first + COUNT
    }

    /// A free uid, with nothing running as it.
    pub fn lease(&self) -> std::io::Result<Lease> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for offset in 0..COUNT {
            let uid = self.first + (start + offset) % COUNT;
            if self.taken_by_users.contains(&uid) {
                continue;
            }
            let path = self.lock_dir.join(format!("{uid}.lock"));
            let lock = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            if lock.try_lock().is_err() {
                continue;
            }
            kill_all(uid);
            return Ok(Lease {
                uid,
                gid: uid,
                _lock: lock,
            });
        }
        Err(std::io::Error::other(format!(
            "all {COUNT} sandbox uids ({}–{}) are in use",
            self.first,
            self.first + COUNT - 1
        )))
    }
}

/// Sends SIGKILL to every process running as `uid`, until none is left.
///
/// A helper process becomes `uid` and calls `kill(-1, SIGKILL)`, which signals every process
/// that uid may signal — exactly its own — except the helper. The kernel walks the process list
/// under a lock that `fork` also needs, so a fork bomb can't outrun one round; a few rounds
/// catch processes that were being created at that moment.
pub fn kill_all(uid: libc::uid_t) {
    for _ in 0..16 {
        // SAFETY: the child makes only async-signal-safe calls (setuid, kill, _exit) before it
        // exits; the parent waits for it.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: in the forked child: system calls on integers, then _exit.
            unsafe {
                if libc::setuid(uid) != 0 {
                    libc::_exit(2);
                }
                let found = libc::kill(-1, libc::SIGKILL) == 0;
                libc::_exit(if found { 0 } else { 1 });
            }
        }
        if pid < 0 {
            return;
        }
        let mut status = 0;
        // SAFETY: waiting for the child we just forked.
        unsafe {
            while libc::waitpid(pid, &mut status, 0) == -1
                && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
            {
            }
        }
        let found_some = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
        if !found_some {
            return;
        }
    }
}

/// What a uid was running.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Census {
    /// Threads of all its processes (what RLIMIT_NPROC counts).
    pub tasks: u64,
    /// Its processes outside process group `group`.
    pub outside_group: u64,
}

/// Counts what `uid` runs now (from /proc).
pub fn census(uid: libc::uid_t, group: i32) -> Census {
    let mut census = Census::default();
    for (status, stat) in processes() {
        if real_uid(&status) != Some(uid) {
            continue;
        }
        census.tasks += threads(&status).max(1);
        if group > 0 && process_group(&stat) != Some(group) {
            census.outside_group += 1;
        }
    }
    census
}

/// Threads run by `uid` now.
pub fn tasks_of(uid: libc::uid_t) -> u64 {
    processes()
        .filter(|(status, _)| real_uid(status) == Some(uid))
        .map(|(status, _)| threads(&status).max(1))
        .sum()
}

/// (status, stat) of every process in /proc.
fn processes() -> impl Iterator<Item = (String, String)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter_map(|entry| {
            let dir = entry.path();
            let status = std::fs::read_to_string(dir.join("status")).ok()?;
            let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
            Some((status, stat))
        })
}

fn status_field<'a>(status: &'a str, key: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .map(str::trim)
}

fn real_uid(status: &str) -> Option<u32> {
    status_field(status, "Uid:")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn threads(status: &str) -> u64 {
    status_field(status, "Threads:")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// Field 5 of /proc/PID/stat (after the command name in parentheses, which may hold spaces).
fn process_group(stat: &str) -> Option<i32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_group_is_read_after_the_command_name() {
        let stat = "1234 (a (strange) name) S 1 777 777 0 -1";
        assert_eq!(process_group(stat), Some(777));
    }

    #[test]
    fn this_process_is_counted_under_its_uid() {
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        assert!(tasks_of(uid) >= 1);
    }
}
