//! What the kernel says about this process (the hidden test and the code under test share it):
//! its threads, and the memory it may still use.
//!
//! Threads are counted by `probes::threads::os_threads` (one implementation per OS there); the
//! peak resident memory is read by `probes::memory` (see `memory.rs`). What stays here reads Linux's
//! `/proc` and falls back to "unknown" elsewhere: each fallback can only make a check less strict.

use std::thread;
use std::time::{Duration, Instant};

/// Threads alive in this process now, or `None` where they can't be counted.
pub fn threads() -> Option<usize> {
    probes::threads::os_threads()
}

/// Threads alive now, not counting the test harness's watchdogs: when every test runs in one
/// process (an instructor's run), the watchdogs of earlier tests linger until their timeout.
/// Outside Linux the watchdogs are counted too; they only ever end during a test, so counting
/// them can only lower a count taken after one taken before.
pub fn threads_but_watchdogs() -> Option<usize> {
    #[cfg(target_os = "linux")]
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        let count = tasks
            .filter_map(Result::ok)
            .filter(|task| {
                // The kernel keeps 15 bytes of a thread's name.
                std::fs::read_to_string(task.path().join("comm"))
                    .map_or(true, |name| !name.starts_with("tasklings-watch"))
            })
            .count();
        return Some(count);
    }
    threads()
}

/// Waits up to `patience` for the thread count (watchdogs aside) to fall to `target`; returns
/// the last count seen. A thread that was joined may take a moment to leave the kernel's count;
/// only code that leaves threads running waits the whole time.
pub fn threads_settle_to(target: usize, patience: Duration) -> Option<usize> {
    let start = Instant::now();
    loop {
        let now = threads_but_watchdogs()?;
        if now <= target || start.elapsed() >= patience {
            return Some(now);
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Memory this process could still use, in bytes: the kernel's MemAvailable, lowered by a
/// cgroup (v2) limit when one is set. `u64::MAX` where it can't be read (not Linux).
pub fn available_memory() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_available = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemAvailable:"))
            .and_then(|value| value.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(u64::MAX, |kb| kb * 1024);
        mem_available.min(cgroup_room().unwrap_or(u64::MAX))
    }
    #[cfg(not(target_os = "linux"))]
    {
        u64::MAX
    }
}

/// Room left under this process's cgroup (v2) memory limit, from `/proc/self/cgroup` ("0::/path").
#[cfg(target_os = "linux")]
fn cgroup_room() -> Option<u64> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroup.lines().find_map(|line| line.strip_prefix("0::"))?;
    let dir = format!("/sys/fs/cgroup{}", path.trim_end_matches('/'));
    let read = |name: &str| -> Option<u64> {
        // "max" (no limit) doesn't parse: no cgroup bound.
        std::fs::read_to_string(format!("{dir}/{name}"))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    Some(read("memory.max")?.saturating_sub(read("memory.current")?))
}

/// Address space this process may still map, in bytes: its RLIMIT_AS (the grader sets one when
/// it isolates learner code) less what is mapped now (VmSize, Linux). `u64::MAX` without a limit
/// or where there are no such limits (Windows).
pub fn address_space_room() -> u64 {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one `rlimit` into the struct we pass, which outlives the call.
        if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } != 0
            || limit.rlim_cur == libc::RLIM_INFINITY
        {
            return u64::MAX;
        }
        // rlim_t is u64 on Linux, not on every target.
        #[allow(clippy::unnecessary_cast)]
        let limit = limit.rlim_cur as u64;
        limit.saturating_sub(mapped_now())
    }
    #[cfg(not(unix))]
    {
        u64::MAX
    }
}

/// Bytes mapped now (VmSize), 0 where it can't be read: the room above is then the whole limit.
#[cfg(unix)]
fn mapped_now() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmSize:"))
        .and_then(|value| value.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Why a check that counts threads skipped.
pub const CANT_COUNT_THREADS: &str =
    "this platform doesn't let the test count the process's threads";

/// Runs `process_files` once on a few small files (a first call may start pools that live on by
/// design, rayon's global pool say), lets its threads wind down, and counts the threads then.
pub fn warm_up_and_count_threads() -> Option<usize> {
    let dir = crate::fixture::Dir::new();
    let paths: Vec<std::path::PathBuf> = (0..6)
        .map(|i| dir.file(&format!("warm-up-{i}.txt"), b"warm up\n"))
        .collect();
    crate::fixture::run(&paths, 3);
    thread::sleep(Duration::from_millis(200));
    threads_but_watchdogs()
}

/// Fails when, a few seconds after call `round` returned, more threads are alive than `before`.
pub fn assert_threads_back_to(before: usize, round: usize) {
    let settle = Duration::from_secs(5);
    let Some(after) = threads_settle_to(before, settle) else {
        return;
    };
    assert!(
        after <= before,
        "{} more threads were alive {} s after process_files returned (call {round} after a \
         warm-up call; {before} threads before, {after} after): join every thread you start \
         before returning. A worker blocked on a channel whose Sender is never dropped, or on a \
         shared receiver that never closes, never exits.",
        after - before,
        settle.as_secs(),
    );
}
