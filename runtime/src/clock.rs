//! The runtime's clock — Go's `nanotime()`: the one place that reads the time the program sees.
//!
//! Two readings come from here:
//! * `now()`, the instant that timers compare deadlines with (`timer`: `sleep`, firing due
//!   timers, how long a parking worker may sleep);
//! * `now_ms()`, milliseconds since the process epoch (the first reading), which is how a task
//!   records when it was spawned and how `dump` tells its age. 32 bits of milliseconds wrap
//!   after 49 days; ages are computed with wrapping arithmetic, so only an age above that is wrong.
//!
//! Reading the OS clock costs tens of nanoseconds, too much for every spawn, so each worker
//! keeps a `Coarse` copy of `now_ms()`: refreshed every 64 reads and every 61st scheduling turn
//! (`worker`), so a task's recorded birth is late by at most a few milliseconds.
//!
//! In **deterministic mode** timers read a `VirtualTime` instead (held by the runtime's
//! `timer::Timers`): an instant that stands still while tasks run and jumps to the next
//! deadline when no task can run (`sim`, after Go's `testing/synctest`), so the same seed sees
//! the same times and minutes of sleeps take microseconds. Task ages stay on the real clock.
//!
//! What doesn't come from here: a searching worker's spin budget (`worker`, ~30 µs of CPU time
//! measured with `Instant` directly) — that is about how long to burn a core, not about the
//! program's time.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// The current instant, as timers see it.
pub(crate) fn now() -> Instant {
    Instant::now()
}

/// Milliseconds since the process epoch (the first call), the unit of task ages.
pub(crate) fn now_ms() -> u32 {
    EPOCH.get_or_init(now).elapsed().as_millis() as u32
}

/// The virtual clock of a deterministic runtime: a real instant taken at its start, plus the
/// virtual nanoseconds passed since, which only `advance_to` moves.
#[derive(Debug)]
pub(crate) struct VirtualTime {
    origin: Instant,
    /// SeqCst: read by any thread that awaits a `Sleep`, written by the simulator only.
    elapsed_ns: AtomicU64,
}

impl VirtualTime {
    pub(crate) fn new() -> VirtualTime {
        VirtualTime {
            origin: now(),
            elapsed_ns: AtomicU64::new(0),
        }
    }

    /// The virtual now.
    pub(crate) fn now(&self) -> Instant {
        self.origin + Duration::from_nanos(self.elapsed_ns.load(SeqCst))
    }

    /// Virtual nanoseconds since the start.
    pub(crate) fn elapsed_ns(&self) -> u64 {
        self.elapsed_ns.load(SeqCst)
    }

    /// Moves the clock forward to `at` (never back).
    pub(crate) fn advance_to(&self, at: Instant) {
        let ns = at.saturating_duration_since(self.origin).as_nanos() as u64;
        self.elapsed_ns.fetch_max(ns, SeqCst);
    }
}

/// A worker's cached `now_ms()`: a `Cell` pair, so it belongs to one thread (the type is not
/// `Sync`).
#[derive(Debug)]
pub(crate) struct Coarse {
    ms: Cell<u32>,
    reads: Cell<u32>,
}

/// Reads between two refreshes of a `Coarse` clock.
const READS_PER_REFRESH: u32 = 64;

impl Coarse {
    pub(crate) fn new() -> Coarse {
        Coarse {
            ms: Cell::new(now_ms()),
            reads: Cell::new(0),
        }
    }

    /// The cached reading, refreshed from the OS clock every 64th call.
    pub(crate) fn read(&self) -> u32 {
        let reads = self.reads.get().wrapping_add(1);
        self.reads.set(reads);
        if reads.is_multiple_of(READS_PER_REFRESH) {
            self.refresh();
        }
        self.ms.get()
    }

    /// Reads the OS clock now (a busy worker calls this every 61st turn).
    pub(crate) fn refresh(&self) {
        self.ms.set(now_ms());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coarse_clock_never_runs_ahead_of_the_real_one() {
        let coarse = Coarse::new();
        for _ in 0..200 {
            assert!(coarse.read() <= now_ms());
        }
        coarse.refresh();
        assert!(coarse.read() <= now_ms());
    }
}
