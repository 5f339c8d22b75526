//! A gate for the tasks that run the grader's `work`: proof that every call was in flight at
//! once, and a way to choose the order in which the calls finish.
//!
//! Each call waits at the gate until `need` calls are waiting together. Then, in
//! [`Release::AllAtOnce`] mode, all of them go on at the same moment (the contention test: every
//! task pushes its result in one burst); in [`Release::LastFirst`] mode they go on one at a time,
//! the call for the *last* input first, each one released only when the one after it in input
//! order has gone (the order test: results collected in finishing order come back reversed).
//!
//! Code that never has `need` calls in flight (a task spawned and awaited inside the loop) leaves
//! the first caller waiting: after `timeout` the gate *gives up*, lets everyone through at once,
//! and says so ([`Gate::gave_up`]). Correct code never pays the timeout, however busy the
//! machine; wrong code pays it once.
//!
//! Unlike `probes::Rendezvous`, whose async waiters outside tokio each start a timer thread, a
//! gate keeps one watchdog thread for all its callers: the contention test sends thousands of
//! calls through one gate.

use std::collections::HashMap;
use std::future::poll_fn;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// How the waiting calls go on once `need` of them are there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// All at once.
    AllAtOnce,
    /// One at a time, highest position first (positions are `0..need`).
    LastFirst,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Open,
    Reached,
    GaveUp,
}

/// Clones share one gate.
#[derive(Clone)]
pub struct Gate {
    shared: Arc<Shared>,
}

struct Shared {
    need: usize,
    release: Release,
    state: Mutex<State>,
    /// Wakes the watchdog when the gate is reached before its deadline.
    decided: Condvar,
}

struct State {
    outcome: Outcome,
    arrived: usize,
    /// The most calls waiting at once.
    max_waiting: usize,
    waiting: usize,
    /// `LastFirst`: the position that may go on next (`None` once position 0 has gone). A call
    /// whose position is at or past it goes on.
    next: Option<usize>,
    /// `LastFirst`: the positions of the calls that arrived before the gate was reached.
    positions: Vec<usize>,
    /// Wakers of the calls waiting, by waiter id.
    wakers: HashMap<usize, Waker>,
}

impl Gate {
    /// A gate for `need` calls (`need >= 1`), giving up `timeout` after it is made.
    pub fn new(need: usize, release: Release, timeout: Duration) -> Gate {
        assert!(need >= 1, "a gate needs at least one call");
        let shared = Arc::new(Shared {
            need,
            release,
            state: Mutex::new(State {
                outcome: Outcome::Open,
                arrived: 0,
                max_waiting: 0,
                waiting: 0,
                next: need.checked_sub(1),
                positions: Vec::new(),
                wakers: HashMap::new(),
            }),
            decided: Condvar::new(),
        });
        let watchdog = Arc::clone(&shared);
        let deadline = Instant::now() + timeout;
        thread::spawn(move || watchdog.give_up_at(deadline));
        Gate { shared }
    }

    /// Waits here as the call at `position` (`0..need`; only `LastFirst` reads it) until it may
    /// go on. Calls that arrive after the gate was reached don't wait for the others again; in
    /// `LastFirst` mode they wait for their position's turn (or go on if it has passed).
    pub async fn pass(&self, position: usize) {
        let shared = &*self.shared;
        let id = {
            let mut state = shared.lock();
            let id = state.arrived;
            state.arrived += 1;
            state.waiting += 1;
            state.max_waiting = state.max_waiting.max(state.waiting);
            if state.outcome == Outcome::Open {
                state.positions.push(position);
            }
            if state.outcome == Outcome::Open && state.waiting >= shared.need {
                state.outcome = Outcome::Reached;
                // Calls that don't come one per position (wrong code calling work with the
                // wrong inputs) can't be ordered: let them all go on rather than hang.
                let mut positions = std::mem::take(&mut state.positions);
                positions.sort_unstable();
                if !positions.iter().copied().eq(0..shared.need) {
                    state.next = Some(0);
                }
                shared.decided.notify_all();
                wake_all(&mut state);
            }
            id
        };
        poll_fn(|cx| {
            let mut state = shared.lock();
            let go_on = match (state.outcome, shared.release) {
                (Outcome::Open, _) => false,
                (Outcome::GaveUp, _) | (Outcome::Reached, Release::AllAtOnce) => true,
                (Outcome::Reached, Release::LastFirst) => {
                    state.next.is_none_or(|next| position >= next)
                }
            };
            if !go_on {
                state.wakers.insert(id, cx.waker().clone());
                return Poll::Pending;
            }
            state.wakers.remove(&id);
            state.waiting -= 1;
            if state.outcome == Outcome::Reached
                && shared.release == Release::LastFirst
                && state.next == Some(position)
            {
                // This call goes on; the one before it in input order may follow.
                state.next = position.checked_sub(1);
                wake_all(&mut state);
            }
            Poll::Ready(())
        })
        .await
    }

    /// Whether the gate gave up: fewer than `need` calls were ever waiting at once.
    pub fn gave_up(&self) -> bool {
        self.shared.lock().outcome == Outcome::GaveUp
    }

    /// The most calls that were waiting at once.
    pub fn max_waiting(&self) -> usize {
        self.shared.lock().max_waiting
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a single step under the lock: a panic elsewhere leaves it consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The watchdog: gives up at `deadline` unless the gate was reached first.
    fn give_up_at(&self, deadline: Instant) {
        let mut state = self.lock();
        while state.outcome == Outcome::Open {
            let now = Instant::now();
            if now >= deadline {
                state.outcome = Outcome::GaveUp;
                wake_all(&mut state);
                return;
            }
            state = self
                .decided
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Wakes every waiting call (each checks again whether it may go on). Waking under the lock is
/// fine: a woken task is only queued here, it runs later.
fn wake_all(state: &mut State) {
    for (_, waker) in state.wakers.drain() {
        waker.wake();
    }
}
