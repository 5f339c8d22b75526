//! Which threads did the work, how many threads the process has, and how much CPU it burned.
//!
//! - [`ThreadLog`] records the thread of every call it sees: a bound on distinct threads catches a
//!   "pool" that spawns a thread per item (`distinct() <= workers`), and the calling thread's share
//!   shows whether work really left it.
//! - [`os_threads`] counts the process's OS threads (Linux, macOS, Windows), and [`wait_for_os_threads`] waits,
//!   briefly, for that count to come back down: a thread left running after a function returned
//!   keeps it up.
//! - [`process_cpu_time`] is the CPU time of all the process's threads: code that blocks (sleeps,
//!   waits on a lock or a join) burns almost none of it, code that spins burns as much as it runs.
//!   Comparing it with the wall time of a call whose work only sleeps catches busy-waiting without
//!   any absolute threshold (see [`CpuMeter`]).
//!
//! What each system is asked, and how, is in the private `os` module (`threads/os.rs`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

mod os;

/// Records the thread of each call. Clones share one log.
///
/// ```
/// use probes::ThreadLog;
///
/// let threads = ThreadLog::new();
/// std::thread::scope(|scope| {
///     for _ in 0..2 {
///         scope.spawn(|| (0..5).for_each(|_| threads.record()));
///     }
/// });
/// assert_eq!((threads.distinct(), threads.calls()), (2, 10));
/// ```
#[derive(Clone, Default)]
pub struct ThreadLog {
    calls: Arc<Mutex<Calls>>,
}

#[derive(Default)]
struct Calls {
    /// Threads in the order they first called `record`, with their call counts.
    order: Vec<ThreadId>,
    counts: HashMap<ThreadId, usize>,
}

impl ThreadLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one call on the current thread.
    pub fn record(&self) {
        let id = thread::current().id();
        let mut calls = self.lock();
        let count = calls.counts.entry(id).or_insert(0);
        if *count == 0 {
            calls.order.push(id);
        }
        *calls.counts.get_mut(&id).expect("just inserted") += 1;
    }

    /// How many different threads recorded calls.
    pub fn distinct(&self) -> usize {
        self.lock().order.len()
    }

    /// Each thread that recorded calls, with its number of calls, in the order the threads first
    /// recorded one.
    pub fn calls_per_thread(&self) -> Vec<(ThreadId, usize)> {
        let calls = self.lock();
        calls
            .order
            .iter()
            .map(|id| (*id, calls.counts[id]))
            .collect()
    }

    /// Calls recorded in all.
    pub fn calls(&self) -> usize {
        self.lock().counts.values().sum()
    }

    /// Calls recorded on thread `id` (0 if none).
    pub fn calls_on(&self, id: ThreadId) -> usize {
        self.lock().counts.get(&id).copied().unwrap_or(0)
    }

    fn lock(&self) -> MutexGuard<'_, Calls> {
        // Poisoned only if a panic hit between two plain field updates; the counts are still usable.
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for ThreadLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadLog")
            .field("distinct", &self.distinct())
            .field("calls", &self.calls())
            .finish()
    }
}

/// The number of OS threads in this process now, or `None` where this system can't say (Linux,
/// macOS and Windows can; `threads/os.rs` says what each is asked).
pub fn os_threads() -> Option<usize> {
    os::os_threads()
}

/// Waits until the process has at most `limit` OS threads, polling for up to `grace` of real
/// time. `Ok(Some(count))`: it came down to `count <= limit`; `Err(count)`: still `count > limit`
/// after `grace`; `Ok(None)`: threads can't be counted on this system ([`os_threads`] is `None`),
/// so nothing was checked.
///
/// A joined thread may stay counted for a moment after `join` returns (the kernel finishes tearing
/// it down after waking the joiner), hence the polling. Give a generous grace (a second or two):
/// correct code is done in microseconds and never waits it out.
pub fn wait_for_os_threads(limit: usize, grace: Duration) -> Result<Option<usize>, usize> {
    let deadline = Instant::now() + grace;
    loop {
        let Some(count) = os_threads() else {
            return Ok(None);
        };
        if count <= limit {
            return Ok(Some(count));
        }
        if Instant::now() >= deadline {
            return Err(count);
        }
        thread::sleep(Duration::from_millis(2));
    }
}

/// CPU time (user + system) used so far by all threads of this process, ended ones included,
/// or `None` where this system can't say (every Unix and Windows can).
pub fn process_cpu_time() -> Option<Duration> {
    os::process_cpu_time()
}

/// Measures the CPU time the process burns against the wall time that passes, over one call.
///
/// Use it around a call whose work only *waits* (the test's closure sleeps or blocks): correct code
/// then burns next to no CPU, however long it runs, while code that spins a thread burns about as
/// much CPU as wall time passes. [`CpuUsage::cpu_per_wall`] is a ratio, so no absolute time enters
/// the verdict; a busy machine can only make a spinner *look* better (it gets less CPU), never make
/// correct code look worse.
#[derive(Debug, Clone, Copy)]
pub struct CpuMeter {
    cpu: Option<Duration>,
    wall: Instant,
}

/// What a [`CpuMeter`] saw.
#[derive(Debug, Clone, Copy)]
pub struct CpuUsage {
    /// CPU time the process used (all threads).
    pub cpu: Duration,
    /// Wall time that passed.
    pub wall: Duration,
}

impl CpuMeter {
    /// Starts measuring now.
    pub fn start() -> Self {
        Self {
            cpu: process_cpu_time(),
            wall: Instant::now(),
        }
    }

    /// CPU and wall time since `start`, or `None` where CPU time can't be read.
    pub fn stop(&self) -> Option<CpuUsage> {
        let wall = self.wall.elapsed();
        let cpu = process_cpu_time()?.saturating_sub(self.cpu?);
        Some(CpuUsage { cpu, wall })
    }

    /// Runs `work` and returns its result with the CPU and wall time it took (`None` where CPU time
    /// can't be read).
    pub fn measure<R>(work: impl FnOnce() -> R) -> (R, Option<CpuUsage>) {
        let meter = Self::start();
        let result = work();
        (result, meter.stop())
    }
}

impl CpuUsage {
    /// CPU time per wall time: about 0 for code that waits, about 1 per spinning thread.
    pub fn cpu_per_wall(&self) -> f64 {
        self.cpu.as_secs_f64() / self.wall.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}
