//! # Build your own WaitGroup — reference solution
//!
//! Chapter: `book/src/waitgroup.md`.
//!
//! Three parts share one allocation (`Shared`, behind an `Arc`, so clones share it):
//!
//! - the count, an `AtomicUsize`: `add` and every `done` but the last are one atomic
//!   read-modify-write, no lock;
//! - the waiters, under a `Mutex`: the wakers of pending [`Wait`] futures, each under a key its
//!   future remembers, so a dropped future takes its waker out again;
//! - a `Condvar` for threads in [`WaitGroup::wait_blocking`].
//!
//! The lost wake-up, and why it can't happen here. A waiter checks the count, then registers; the
//! `done` that takes the count to zero decrements, then wakes whoever is registered. If that
//! whole `done` fits between the waiter's check and its registration, the waiter registers after
//! the wake-up and sleeps forever. So the waiter checks *again* after taking the waiters' lock,
//! and the last `done` takes the same lock after its decrement, before it wakes anyone. The lock
//! orders the two: either the waiter registered first (then the `done` finds its waker), or the
//! `done` took the lock first (then its decrement happened before, and the waiter's re-check sees
//! zero). `wait_blocking` is the same argument with the Condvar: it checks under the lock, and
//! `notify_all` is called with the lock held, after the decrement.
//!
//! Foreign code stays out of the lock: a waker's `clone`, `wake` and `drop` are the executor's
//! code, so they run before the lock is taken or after it is released.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// Waits for a collection of tasks or threads to finish: Go's `sync.WaitGroup`.
///
/// Clones are handles to one count: `add` on one, `done` on another, `wait` on a third.
#[derive(Clone, Default)]
pub struct WaitGroup {
    shared: Arc<Shared>,
}

/// What every clone of a group shares.
#[derive(Default)]
struct Shared {
    count: AtomicUsize,
    waiters: Mutex<Waiters>,
    /// Notified (with `waiters` locked) when the count reaches zero.
    zero: Condvar,
}

/// The wakers of pending `Wait` futures.
#[derive(Default)]
struct Waiters {
    /// Key → waker of that future's last poll. Emptied when the count reaches zero.
    wakers: HashMap<u64, Waker>,
    /// The next key to hand out; keys are never reused, so a stale key matches nothing.
    next_key: u64,
}

impl WaitGroup {
    /// A group with a count of zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `n` to the count: `n` more jobs to wait for.
    pub fn add(&self, n: usize) {
        // Relaxed suffices: an add publishes nothing; the jobs' `done`s carry their work.
        self.shared.count.fetch_add(n, Ordering::Relaxed);
    }

    /// One job finished: subtracts one from the count, and wakes every waiter when that makes it
    /// zero.
    ///
    /// # Panics
    /// If the count is already zero, as Go's `Done` does ("negative WaitGroup counter").
    pub fn done(&self) {
        // Release: the job's work happens-before the waiter's Acquire load that sees the new count.
        // Acquire on the last one: that `done` also publishes every earlier `done`'s work.
        let previous =
            self.shared
                .count
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
                    count.checked_sub(1)
                });
        match previous {
            Err(_) => {
                panic!("WaitGroup::done called more times than add: negative WaitGroup counter")
            }
            Ok(1) => self.shared.wake_all(),
            Ok(_) => {}
        }
    }

    /// A future that completes once the count is zero (at once if it is zero already).
    pub fn wait(&self) -> Wait {
        Wait {
            shared: Arc::clone(&self.shared),
            key: None,
        }
    }

    /// Blocks the calling thread until the count is zero (returns at once if it is zero already).
    /// For threads, not tasks: in a task it would block a worker of the runtime.
    pub fn wait_blocking(&self) {
        if self.shared.is_zero() {
            return;
        }
        let mut waiters = self.shared.lock();
        // Checked under the lock that the last `done` holds while it notifies: no notification
        // falls between this check and `wait`, which releases the lock atomically.
        while !self.shared.is_zero() {
            waiters = self
                .shared
                .zero
                .wait(waiters)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Shared {
    fn is_zero(&self) -> bool {
        // Acquire: pairs with the Release of the `done` that made it zero.
        self.count.load(Ordering::Acquire) == 0
    }

    fn lock(&self) -> MutexGuard<'_, Waiters> {
        // No code that can panic runs while the lock is held, so a poisoned lock still holds
        // consistent data.
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Called by the `done` that took the count to zero.
    fn wake_all(&self) {
        let wakers = {
            let mut waiters = self.lock();
            self.zero.notify_all();
            std::mem::take(&mut waiters.wakers)
        };
        // Woken after the lock is released: a woken task may be polled on another worker at once,
        // and its first step is to take this lock.
        for waker in wakers.into_values() {
            waker.wake();
        }
    }
}

/// The future of [`WaitGroup::wait`]: completes once the group's count is zero.
///
/// It owns a handle to the group, so it may outlive the `WaitGroup` it came from (and be moved
/// into a spawned task). Dropping it before it completes takes its waker back out of the group.
#[must_use = "futures do nothing unless you `.await` them"]
pub struct Wait {
    shared: Arc<Shared>,
    /// This future's entry among the waiters, once it has registered.
    key: Option<u64>,
}

impl Future for Wait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `Wait` holds no self-references, so it is `Unpin` and can be used by `&mut`.
        let this = self.get_mut();
        if this.shared.is_zero() {
            this.deregister();
            return Poll::Ready(());
        }
        // Cloned before the lock is taken (see the module docs).
        let waker = cx.waker().clone();
        let mut waiters = this.shared.lock();
        if this.shared.is_zero() {
            // The last `done` came between the first check and the lock: nobody will wake us,
            // and nobody has to. (If we had registered before, that `done` took our waker out.)
            let stale = this.key.take().and_then(|key| waiters.wakers.remove(&key));
            drop(waiters);
            drop(stale);
            return Poll::Ready(());
        }
        let key = *this.key.get_or_insert_with(|| {
            let key = waiters.next_key;
            waiters.next_key += 1;
            key
        });
        // Replaces the waker of an earlier poll (the task may have moved to another executor or
        // worker; only the latest waker must be woken). Re-inserts the entry if the group
        // reached zero and was reused since our last poll.
        let previous = waiters.wakers.insert(key, waker);
        drop(waiters);
        drop(previous);
        Poll::Pending
    }
}

impl Wait {
    /// Takes this future's waker out of the group, if it is still there.
    fn deregister(&mut self) {
        if let Some(key) = self.key.take() {
            let waker = self.shared.lock().wakers.remove(&key);
            drop(waker); // after the lock is released
        }
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        self.deregister();
    }
}
