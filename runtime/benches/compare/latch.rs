//! How every Rust contender counts finished tasks: the same work as Go's `sync.WaitGroup`.
//!
//! A [`Latch`] is an atomic countdown plus a mutex and condvar that are touched once, by the
//! task that brings the count to zero. Each task pays one atomic read-modify-write and carries a
//! plain `&'static Latch` (the latch is leaked, one small block per measured iteration), so no
//! contender pays for an `Arc` clone per task and they all do the same work.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// A countdown the measuring thread blocks on until `n` tasks have called [`Latch::done`].
pub struct Latch {
    remaining: AtomicUsize,
    open: Mutex<bool>,
    opened: Condvar,
}

impl Latch {
    /// A latch waiting for `n` calls to `done`, leaked so tasks can capture `&'static Latch`.
    pub fn leak(n: usize) -> &'static Latch {
        Box::leak(Box::new(Latch {
            remaining: AtomicUsize::new(n),
            open: Mutex::new(n == 0),
            opened: Condvar::new(),
        }))
    }

    /// Counts one task as finished; the last one wakes the waiting thread.
    pub fn done(&self) {
        // AcqRel: the last task must see every other task's writes before it opens the latch,
        // and its own writes must be visible to the thread that returns from `wait`.
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            *self.open.lock().unwrap_or_else(|e| e.into_inner()) = true;
            self.opened.notify_all();
        }
    }

    /// Blocks the calling thread (never a worker) until the count reaches zero.
    pub fn wait(&self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
    }
}
