//! Each thread's share of the calls: the instrument behind "no thread gets more than ⌈n/w⌉ items".
//!
//! Counting calls per thread after the fact ([`probes::ThreadLog`]) settles a fixed split (chunks
//! decided up front), but not code that hands out items as threads ask for them (a shared counter,
//! a channel of indices): on a quiet machine its threads share the items evenly, on a busy one the
//! first thread to start may take most of them. Such code runs every item as soon as a thread is
//! free, which is what a fair split is for; a verdict that depended on the schedule would be luck.
//!
//! So the test's `f` is a [`ShareGate`]: a thread's call on its `share`-th item (⌈n/w⌉) does not
//! return until the calls on all `n` items have started. A thread that has taken its share can't
//! take another item before every item is taken, so code that hands out items on request never
//! gives a thread more than its share, on any schedule. Code with a fixed split is unaffected by
//! the wait when no chunk is longer than the share: every other thread runs its chunk to the end
//! meanwhile, so all `n` calls start (the chunks hold `n` items, each at most `share`, on at most
//! `w` threads; a thread waits only on its last item). A chunk longer than the share blocks its own
//! next item: nothing more arrives, the gate waits out its timeout once, then lets every call
//! through, and the count shows the thread that took more.
//!
//! Only code that gives a thread more than its share (or runs fewer than all items at once, and
//! then fails the rendezvous of the same test first) ever waits out the timeout.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// Holds each thread's `share`-th call until all `total` calls have started; counts calls per
/// thread.
pub struct ShareGate {
    share: usize,
    total: usize,
    timeout: Duration,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Calls started so far, on every thread.
    arrived: usize,
    /// Calls started per thread.
    per_thread: HashMap<ThreadId, usize>,
    /// A held call waited out the timeout: from then on no call waits.
    gave_up: bool,
}

impl ShareGate {
    /// A gate for `total` calls of which no thread should make more than `share`; a held call
    /// gives up after `timeout`.
    pub fn new(share: usize, total: usize, timeout: Duration) -> Self {
        Self {
            share,
            total,
            timeout,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        }
    }

    /// One call of `f` on the current thread: counted, and held while it is the thread's
    /// `share`-th and some calls have not started yet.
    pub fn call(&self) {
        let mut state = self.lock();
        state.arrived += 1;
        let mine = state.per_thread.entry(thread::current().id()).or_insert(0);
        *mine += 1;
        let held = *mine == self.share;
        if state.arrived >= self.total {
            self.changed.notify_all();
            return;
        }
        if !held {
            return;
        }
        let deadline = Instant::now() + self.timeout;
        while state.arrived < self.total && !state.gave_up {
            let now = Instant::now();
            if now >= deadline {
                state.gave_up = true;
                self.changed.notify_all();
                break;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// The most calls any one thread made.
    pub fn busiest(&self) -> usize {
        self.lock().per_thread.values().copied().max().unwrap_or(0)
    }

    /// Calls started in all.
    pub fn calls(&self) -> usize {
        self.lock().arrived
    }

    /// Calls per thread, largest first.
    pub fn shares(&self) -> Vec<usize> {
        let mut shares: Vec<usize> = self.lock().per_thread.values().copied().collect();
        shares.sort_unstable_by(|a, b| b.cmp(a));
        shares
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Poisoned only if a test thread panicked between two plain updates: the counts stand.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
