//! Counters: what `runtime::metrics()` reports — spawned, completed, polls, steals and parks,
//! per worker and in total (Go's `runtime.NumGoroutine` is `spawned - completed`).
//!
//! Each worker owns its counters on its own cache line and is their only writer, so counting
//! is a plain load and store, never a shared atomic increment (the spawn path must not write a
//! line another core writes). Readers sum them up. Work done off the workers (a spawn from
//! `main`, a task dropped at shutdown) is counted in shared atomics in `scheduler`. When a
//! runtime is dropped its totals are added to process-wide ones (`Metrics::retire`, kept by
//! `scheduler`), so `metrics()` called outside any runtime covers every runtime the process
//! ever ran.

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

/// One counter with a single writer (its worker) and any number of readers.
#[derive(Debug, Default)]
pub(crate) struct Count(AtomicU64);

impl Count {
    /// Adds one without a read-modify-write: only the owning worker writes it.
    pub(crate) fn bump(&self) {
        // Release: a reader that sees the new value also sees what happened before (num_tasks).
        self.0.store(self.0.load(Relaxed) + 1, Release);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Acquire)
    }
}

/// A worker's own counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) spawned: Count,
    pub(crate) completed: Count,
    pub(crate) polls: Count,
    pub(crate) steals: Count,
    pub(crate) parks: Count,
    /// Task blocks freed on this worker (for the runtime's lifetime accounting).
    pub(crate) freed: Count,
}

impl Counters {
    fn snapshot(&self) -> WorkerMetrics {
        WorkerMetrics {
            completed: self.completed.get(),
            spawned: self.spawned.get(),
            polls: self.polls.get(),
            steals: self.steals.get(),
            parks: self.parks.get(),
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
            m.add(w);
        }
        m.per_worker = per_worker;
        m
    }

    fn add(&mut self, w: &WorkerMetrics) {
        self.spawned += w.spawned;
        self.completed += w.completed;
        self.polls += w.polls;
        self.steals += w.steals;
        self.parks += w.parks;
    }

    /// Adds a dropped runtime's totals (not its workers: they are gone).
    pub(crate) fn retire(&mut self, dropped: &Metrics) {
        self.add(&WorkerMetrics {
            spawned: dropped.spawned,
            completed: dropped.completed,
            polls: dropped.polls,
            steals: dropped.steals,
            parks: dropped.parks,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_sum_workers_and_foreign_work() {
        let (a, b) = (Counters::default(), Counters::default());
        a.spawned.bump();
        a.polls.bump();
        b.completed.bump();
        b.steals.bump();
        let m = Metrics::collect([&a, &b].into_iter(), 2, 1);
        assert_eq!(
            (m.workers, m.spawned, m.completed, m.polls, m.steals),
            (2, 3, 2, 1, 1)
        );
        assert_eq!(m.per_worker[1].steals, 1);
    }
}
