//! `WaitGroup`: Go's `sync.WaitGroup` — wait until a counter of outstanding jobs drops to zero.
//!
//! `add(n)` before starting jobs, `done()` as each finishes, and `wait().await` (in a task) or
//! `wait_blocking()` (on a plain thread) until the count is zero. Clones share one count.
//! `done()` is a single atomic decrement; only the `done()` that reaches zero takes the lock to
//! wake the waiters. Waiters register under that lock after re-checking the count, so a
//! wake-up can't slip between "count is not zero" and "registered". A waiter's slot is
//! cleared when its `Wait` future is dropped, so abandoned waits don't hold tasks alive.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{
    AtomicUsize,
    Ordering::{AcqRel, Acquire},
};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// Waits for a collection of tasks (or threads) to finish.
#[derive(Clone, Default)]
pub struct WaitGroup {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    count: AtomicUsize,
    waiters: Mutex<Waiters>,
    zero: Condvar,
}

#[derive(Default)]
struct Waiters {
    /// Slots of `Wait` futures; a slot is `None` once its future is gone.
    wakers: Vec<Option<Waker>>,
    /// Bumped each time the count reaches zero and the slots are emptied.
    generation: u32,
}

impl WaitGroup {
    /// A WaitGroup with a count of zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `n` outstanding jobs.
    pub fn add(&self, n: usize) {
        self.inner.count.fetch_add(n, AcqRel);
    }

    /// Marks one job finished.
    ///
    /// # Panics
    /// If the count is already zero ("negative WaitGroup counter", as in Go).
    pub fn done(&self) {
        let previous = self
            .inner
            .count
            .fetch_update(AcqRel, Acquire, |c| c.checked_sub(1));
        match previous {
            Err(_) => {
                panic!("WaitGroup::done called more times than add: negative WaitGroup counter")
            }
            Ok(1) => self.wake_all(),
            Ok(_) => {}
        }
    }

    fn wake_all(&self) {
        let wakers = {
            let mut waiters = self.inner.lock();
            waiters.generation = waiters.generation.wrapping_add(1);
            self.inner.zero.notify_all();
            std::mem::take(&mut waiters.wakers)
        };
        wakers.into_iter().flatten().for_each(Waker::wake);
    }

    /// The current count (racy by nature; for diagnostics).
    pub fn count(&self) -> usize {
        self.inner.count.load(Acquire)
    }

    /// A future that completes when the count is zero.
    pub fn wait(&self) -> Wait<'_> {
        Wait {
            group: self,
            generation: 0,
            slot: 0,
        }
    }

    /// Blocks the calling thread until the count is zero (not for use inside a task: it
    /// would block the worker; use `wait().await` there).
    pub fn wait_blocking(&self) {
        // A task this thread spawned lazily and still holds would never get to `done`.
        crate::lazy::release_held();
        let mut waiters = self.inner.lock();
        while self.inner.count.load(Acquire) != 0 {
            waiters = self
                .inner
                .zero
                .wait(waiters)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Waiters> {
        crate::sync::lock(&self.waiters)
    }
}

impl std::fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitGroup")
            .field("count", &self.count())
            .finish()
    }
}

/// Future returned by `WaitGroup::wait`.
#[must_use = "futures do nothing unless you `.await` them"]
#[derive(Debug)]
pub struct Wait<'a> {
    group: &'a WaitGroup,
    /// Generation and index + 1 of our waker slot (0: not registered). Two u32s keep a
    /// parked task small.
    generation: u32,
    slot: u32,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let inner = &this.group.inner;
        if inner.count.load(Acquire) == 0 {
            return Poll::Ready(());
        }
        let mut waiters = inner.lock();
        if inner.count.load(Acquire) == 0 {
            return Poll::Ready(());
        }
        if this.slot != 0 && this.generation == waiters.generation {
            let slot = &mut waiters.wakers[this.slot as usize - 1];
            if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *slot = Some(cx.waker().clone());
            }
        } else {
            waiters.wakers.push(Some(cx.waker().clone()));
            this.generation = waiters.generation;
            this.slot = waiters.wakers.len() as u32;
        }
        Poll::Pending
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if self.slot != 0 {
            let mut waiters = self.group.inner.lock();
            if waiters.generation == self.generation {
                let waker = waiters.wakers[self.slot as usize - 1].take();
                drop(waiters);
                drop(waker);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_wait_returns_after_last_done() {
        let wg = WaitGroup::new();
        wg.add(3);
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let wg = wg.clone();
                std::thread::spawn(move || wg.done())
            })
            .collect();
        wg.wait_blocking();
        assert_eq!(wg.count(), 0);
        threads.into_iter().for_each(|t| t.join().unwrap());
    }

    #[test]
    #[should_panic(expected = "negative WaitGroup counter")]
    fn done_below_zero_panics() {
        WaitGroup::new().done();
    }
}
