//! What the kernel says about this process (the hidden test and the code under test share it):
//! its threads and its memory, read from `/proc/self/status`.

use std::fs;
use std::thread;
use std::time::{Duration, Instant};

/// A field of `/proc/self/status` as a number (`kB` fields stay in kB).
fn status_field(name: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
}

/// Threads alive in this process now.
pub fn threads() -> usize {
    status_field("Threads")
        .unwrap_or_else(|| panic!("test setup: /proc/self/status has no Threads")) as usize
}

/// Threads alive now, not counting the test harness's watchdogs: when every test runs in one
/// process (an instructor's run), the watchdogs of earlier tests linger until their timeout.
pub fn threads_but_watchdogs() -> usize {
    let Ok(tasks) = fs::read_dir("/proc/self/task") else {
        return threads();
    };
    tasks
        .filter_map(Result::ok)
        .filter(|task| {
            // The kernel keeps 15 bytes of a thread's name.
            fs::read_to_string(task.path().join("comm"))
                .map_or(true, |name| !name.starts_with("tasklings-watch"))
        })
        .count()
}

/// Waits up to `patience` for the thread count (watchdogs aside) to fall to `target`; returns
/// the last count seen. A thread that was joined may take a moment to leave the kernel's count;
/// only code that leaves threads running waits the whole time.
pub fn threads_settle_to(target: usize, patience: Duration) -> usize {
    let start = Instant::now();
    loop {
        let now = threads_but_watchdogs();
        if now <= target || start.elapsed() >= patience {
            return now;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Peak resident memory so far (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    status_field("VmHWM").unwrap_or_else(|| panic!("test setup: /proc/self/status has no VmHWM"))
        * 1024
}

/// Resets the peak (VmHWM) to the current resident size, so that a later [`peak_rss`] shows
/// only what happened since. Returns false where the kernel doesn't allow it; the peak then
/// counts from the start of the process.
pub fn reset_peak_rss() -> bool {
    // "5" resets the peak RSS (Linux ≥ 4.0, proc(5)).
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Memory this process could still use, in bytes: the kernel's MemAvailable, lowered by a
/// cgroup (v2) limit when one is set.
pub fn available_memory() -> u64 {
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_available = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))
        .and_then(|value| value.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(u64::MAX, |kb| kb * 1024);
    let cgroup_room = cgroup_dir().and_then(|dir| {
        let max: u64 = fs::read_to_string(format!("{dir}/memory.max"))
            .ok()?
            .trim()
            .parse()
            .ok()?; // "max" (no limit) doesn't parse: no cgroup bound
        let current: u64 = fs::read_to_string(format!("{dir}/memory.current"))
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Some(max.saturating_sub(current))
    });
    mem_available.min(cgroup_room.unwrap_or(u64::MAX))
}

/// Address space this process may still map, in bytes: its RLIMIT_AS (the grader sets one when
/// it isolates learner code) less what is mapped now (VmSize). `u64::MAX` without a limit.
pub fn address_space_room() -> u64 {
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
    let mapped = status_field("VmSize").unwrap_or(0) * 1024;
    // rlim_t is u64 on Linux, not on every target.
    #[allow(clippy::unnecessary_cast)]
    let limit = limit.rlim_cur as u64;
    limit.saturating_sub(mapped)
}

/// This process's cgroup v2 folder, from `/proc/self/cgroup` ("0::/path").
fn cgroup_dir() -> Option<String> {
    let cgroup = fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroup.lines().find_map(|line| line.strip_prefix("0::"))?;
    Some(format!("/sys/fs/cgroup{}", path.trim_end_matches('/')))
}
