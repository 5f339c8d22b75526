//! Counters: what `runtime::metrics()` reports — spawned, completed, polls, steals and parks,
//! per worker and in total (Go's `runtime.NumGoroutine` is `spawned - completed`).
//!
//! Each worker owns its counters on its own cache line and is their only writer, so counting
//! is a plain load and store, never a shared atomic increment (the spawn path must not write a
//! line another core writes). Readers sum them up. Work done off the workers (a spawn from
//! `main`, a task dropped at shutdown) is counted in shared atomics in `scheduler`. When a
//! runtime is dropped its totals move to a process-wide `Totals`, so `metrics()` called outside
//! any runtime covers every runtime the process ever ran.

use std::sync::atomic::{
    AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};

/// Counters of one runtime, or of the whole process when read outside a runtime.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Worker threads (summed over runtimes for the process-wide view).
    pub workers: usize,
    /// Tasks spawned (including `spawn_blocking`).
    pub spawned: u64,
    /// Tasks finished: returned, panicked or aborted.
    pub completed: u64,
    /// Times a worker polled a task.
    pub polls: u64,
    /// Successful steals from another worker's queue.
    pub steals: u64,
    /// Times a worker went to sleep for lack of work.
    pub parks: u64,
    /// One entry per worker (of live runtimes).
    pub per_worker: Vec<WorkerMetrics>,
}

/// Counters of one worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkerMetrics {
    /// Tasks spawned from tasks running on this worker.
    pub spawned: u64,
    /// Tasks that finished on this worker.
    pub completed: u64,
    /// Polls run by this worker.
    pub polls: u64,
    /// Steals made by this worker.
    pub steals: u64,
    /// Times this worker parked.
    pub parks: u64,
}

/// A worker's own counters: single writer (the worker), any reader.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    spawned: AtomicU64,
    completed: AtomicU64,
    polls: AtomicU64,
    steals: AtomicU64,
    parks: AtomicU64,
    /// Task blocks freed on this worker (for the runtime's lifetime accounting).
    freed: AtomicU64,
}

/// Adds one without a read-modify-write: only the owning worker writes these.
fn bump(counter: &AtomicU64) {
    // Release: a reader that sees the new value also sees what happened before (num_tasks).
    counter.store(counter.load(Relaxed) + 1, Release);
}

impl Counters {
    pub(crate) fn count_spawned(&self) {
        bump(&self.spawned)
    }
    pub(crate) fn count_completed(&self) {
        bump(&self.completed)
    }
    pub(crate) fn count_poll(&self) {
        bump(&self.polls)
    }
    pub(crate) fn count_steal(&self) {
        bump(&self.steals)
    }
    pub(crate) fn count_park(&self) {
        bump(&self.parks)
    }
    pub(crate) fn count_freed(&self) {
        bump(&self.freed)
    }
    pub(crate) fn spawned(&self) -> u64 {
        self.spawned.load(Acquire)
    }
    pub(crate) fn completed(&self) -> u64 {
        self.completed.load(Acquire)
    }
    pub(crate) fn freed(&self) -> u64 {
        self.freed.load(Acquire)
    }

    fn snapshot(&self) -> WorkerMetrics {
        WorkerMetrics {
            completed: self.completed.load(Acquire),
            spawned: self.spawned.load(Acquire),
            polls: self.polls.load(Acquire),
            steals: self.steals.load(Acquire),
            parks: self.parks.load(Acquire),
        }
    }
}

impl Metrics {
    pub(crate) fn collect<'a>(
        workers: impl Iterator<Item = &'a Counters>,
        foreign_spawned: u64,
        foreign_completed: u64,
    ) -> Metrics {
        let per_worker: Vec<WorkerMetrics> = workers.map(Counters::snapshot).collect();
        let mut m = Metrics {
            workers: per_worker.len(),
            spawned: foreign_spawned,
            completed: foreign_completed,
            ..Metrics::default()
        };
        for w in &per_worker {
            m.spawned += w.spawned;
            m.completed += w.completed;
            m.polls += w.polls;
            m.steals += w.steals;
            m.parks += w.parks;
        }
        m.per_worker = per_worker;
        m
    }

    fn absorb(&mut self, other: &Metrics) {
        self.workers += other.workers;
        self.spawned += other.spawned;
        self.completed += other.completed;
        self.polls += other.polls;
        self.steals += other.steals;
        self.parks += other.parks;
        self.per_worker.extend_from_slice(&other.per_worker);
    }
}

/// Totals of runtimes that have been dropped.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Totals {
    spawned: u64,
    completed: u64,
    polls: u64,
    steals: u64,
    parks: u64,
}

impl Totals {
    pub(crate) const ZERO: Totals = Totals {
        spawned: 0,
        completed: 0,
        polls: 0,
        steals: 0,
        parks: 0,
    };

    pub(crate) fn add(&mut self, m: &Metrics) {
        self.spawned += m.spawned;
        self.completed += m.completed;
        self.polls += m.polls;
        self.steals += m.steals;
        self.parks += m.parks;
    }
}

/// Process-wide metrics: every live runtime plus every dropped one.
pub(crate) fn process_wide() -> Metrics {
    let (live, retired) = crate::scheduler::live_runtimes();
    let mut m = Metrics {
        spawned: retired.spawned,
        completed: retired.completed,
        polls: retired.polls,
        steals: retired.steals,
        parks: retired.parks,
        ..Metrics::default()
    };
    for shared in &live {
        m.absorb(&shared.metrics());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_sum_workers_and_foreign_work() {
        let (a, b) = (Counters::default(), Counters::default());
        a.count_spawned();
        a.count_poll();
        b.count_completed();
        b.count_steal();
        let m = Metrics::collect([&a, &b].into_iter(), 2, 1);
        assert_eq!(
            (m.workers, m.spawned, m.completed, m.polls, m.steals),
            (2, 3, 2, 1, 1)
        );
        assert_eq!(m.per_worker[1].steals, 1);
    }
}
