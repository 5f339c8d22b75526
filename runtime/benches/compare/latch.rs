//! How every Rust contender counts finished tasks: the same work as Go's `sync.WaitGroup`.
//!
//! A [`Latch`] is an atomic countdown plus a mutex and condvar that are touched once, by the
//! task that brings the count to zero. Each task pays one atomic read-modify-write and carries a
//! plain `&'static Latch` (the latch is leaked, one small block per measured iteration), so no
//! contender pays for an `Arc` clone per task and they all do the same work.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::task::{Context, Poll};

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

/// Awaits the pinned `gate`, counting `started` down right after the first poll — once the
/// task has registered itself as a waiter — so that all the memory of a parked task is in place
/// when the measuring thread sees `started` open. A plain struct rather than an `async fn`, so
/// the task's future grows by two words only (an `async fn` taking the gate by value would hold
/// it twice, and the parked task's size is what `mem_parked` measures).
pub fn park_on<'a, F: Future>(gate: Pin<&'a mut F>, started: &'static Latch) -> ParkOn<'a, F> {
    ParkOn {
        gate,
        started: Some(started),
    }
}

/// The future [`park_on`] returns.
pub struct ParkOn<'a, F> {
    gate: Pin<&'a mut F>,
    started: Option<&'static Latch>,
}

impl<F: Future> Future for ParkOn<'_, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let poll = this.gate.as_mut().poll(cx);
        if let Some(started) = this.started.take() {
            started.done();
        }
        poll
    }
}
