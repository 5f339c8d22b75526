//! A rendezvous: proof that N calls really ran at the same time.
//!
//! A [`Gauge`](crate::gauge::Gauge) shows that no more than N calls overlapped; it cannot show that
//! N did, because on a quiet machine correct code may finish each call before the next one starts.
//! A rendezvous makes the overlap happen if the code allows it: the first `need` callers of
//! [`arrive`](Rendezvous::arrive) wait for one another. Code that really runs `need` calls at once
//! gets them all inside together and every one of them returns `true` the moment the last one
//! arrives — it never pays the timeout, however slow or busy the machine. Code that runs fewer at
//! once (sequential code, a pool one worker short) leaves the first caller waiting until `timeout`
//! passes; the rendezvous then *gives up*: that caller, every caller still waiting and every later
//! caller return `false` at once, so such code pays the timeout exactly once, not once per call.
//!
//! Once decided (reached or given up), the rendezvous stays decided; later callers never wait.
//!
//! Choose a timeout far above what correct code needs to get `need` calls started (seconds, not
//! milliseconds: thread start-up on a loaded 2-core machine can take tens of milliseconds). It only
//! bounds how long wrong code takes to fail, never how long correct code takes to pass.
//!
//! Threads call [`arrive`](Rendezvous::arrive) (blocks the thread); async tasks await
//! [`arrive_async`](Rendezvous::arrive_async). Under tokio the async timeout is a tokio timer, so on
//! a paused clock (see [`clock`](crate::clock)) it is virtual: when every task is stuck waiting, the
//! clock jumps to the deadline and wrong code fails instantly in real time. Size such a timeout in
//! virtual time above any legitimate wait of the code under test (rate-limit spacing, say), and keep
//! `spawn_blocking` work away from it (it stops the paused clock from advancing). Tasks on a paused
//! clock can't wait for partners *outside* their runtime (plain threads, another runtime): the
//! runtime looks idle, the clock jumps to the deadline, and the rendezvous gives up at once.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// Blocks its first `need` callers until they are all inside at once, or until `timeout` passes.
/// Clones share one state.
///
/// ```
/// use std::time::Duration;
/// use probes::Rendezvous;
///
/// // Three threads at once: reached at once, whatever the machine.
/// let together = Rendezvous::new(3, Duration::from_secs(10));
/// std::thread::scope(|scope| {
///     for _ in 0..3 {
///         scope.spawn(|| assert!(together.arrive()));
///     }
/// });
/// assert!(together.reached());
///
/// // One caller after another: the first waits out the timeout, then the rendezvous gives up.
/// let never = Rendezvous::new(2, Duration::from_millis(10));
/// assert!(!never.arrive());
/// assert!(!never.arrive()); // decided: returns at once
/// assert_eq!(never.max_together(), 1);
/// ```
#[derive(Clone)]
pub struct Rendezvous {
    shared: Arc<Shared>,
}

struct Shared {
    need: usize,
    timeout: Duration,
    state: Mutex<State>,
    /// Wakes threads blocked in `arrive` and the timer threads of async waiters outside tokio.
    changed: Condvar,
}

#[derive(Default)]
struct State {
    outcome: Outcome,
    /// Callers waiting for the rendezvous while it is open (always < `need` while open).
    waiting: usize,
    /// Callers inside `arrive` now, waiting or passing through.
    inside: usize,
    max_together: usize,
    arrivals: usize,
    /// Async waiters still waiting, by waiter id, with the waker of their last poll (taken when
    /// woken).
    wakers: HashMap<u64, Option<Waker>>,
    next_waiter: u64,
}

/// Where a rendezvous stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Not yet decided: fewer than `need` callers have been inside together, and no waiter has
    /// timed out.
    #[default]
    Open,
    /// `need` callers were inside at once.
    Reached,
    /// A waiter's timeout passed before `need` callers were inside at once.
    GaveUp,
}

impl Rendezvous {
    /// A rendezvous for `need` callers at once; a waiter gives up after `timeout`.
    /// `need` 0 or 1 is reached by the first caller (a single call is always "at once").
    pub fn new(need: usize, timeout: Duration) -> Self {
        let outcome = if need == 0 {
            Outcome::Reached
        } else {
            Outcome::Open
        };
        Self {
            shared: Arc::new(Shared {
                need,
                timeout,
                state: Mutex::new(State {
                    outcome,
                    ..State::default()
                }),
                changed: Condvar::new(),
            }),
        }
    }

    /// How many callers must be inside at once.
    pub fn need(&self) -> usize {
        self.shared.need
    }

    /// Blocks the calling thread until `need` callers are inside at once (then returns `true`), or
    /// until its timeout passes first (then the rendezvous gives up and this returns `false`).
    /// Once the rendezvous is decided, returns its outcome at once without waiting.
    ///
    /// For threads. In an async task use [`arrive_async`](Self::arrive_async): blocking a runtime's
    /// worker thread here would keep the other tasks from arriving.
    pub fn arrive(&self) -> bool {
        let shared = &*self.shared;
        let mut state = shared.lock();
        let waits = state.enter(shared.need);
        if waits {
            shared.wake_if_decided(&mut state);
            let deadline = Instant::now() + shared.timeout;
            while state.outcome == Outcome::Open {
                let now = Instant::now();
                if now >= deadline {
                    state.outcome = Outcome::GaveUp;
                    shared.wake_all(&mut state);
                    break;
                }
                state = shared
                    .changed
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .0;
            }
        }
        state.leave(false)
    }

    /// The same as [`arrive`](Self::arrive) for an async task: resolves to `true` when `need`
    /// callers are inside at once, `false` if the rendezvous gave up.
    ///
    /// Inside a tokio runtime the timeout is a `tokio::time` timer (virtual on a paused clock; the
    /// runtime needs its time driver, as `enable_all()` gives it). Outside tokio (the Tasklings
    /// runtime, a plain executor) a helper thread keeps the real-time deadline. Dropping the future
    /// before it resolves withdraws the caller, as if it had never arrived.
    pub fn arrive_async(&self) -> Arrive {
        Arrive {
            rendezvous: self.clone(),
            phase: Phase::NotArrived,
        }
    }

    /// Whether `need` callers were ever inside at once.
    pub fn reached(&self) -> bool {
        self.outcome() == Outcome::Reached
    }

    /// Open, reached, or given up.
    pub fn outcome(&self) -> Outcome {
        self.shared.lock().outcome
    }

    /// The most callers that were inside `arrive`/`arrive_async` at once (waiting or passing
    /// through). After a give-up, this tells the learner how close the code came.
    pub fn max_together(&self) -> usize {
        self.shared.lock().max_together
    }

    /// Callers that ever arrived.
    pub fn arrivals(&self) -> usize {
        self.shared.lock().arrivals
    }

    /// Callers inside now.
    pub fn inside(&self) -> usize {
        self.shared.lock().inside
    }
}

impl fmt::Debug for Rendezvous {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Rendezvous")
            .field("need", &self.shared.need)
            .field("timeout", &self.shared.timeout)
            .field("outcome", &state.outcome)
            .field("max_together", &state.max_together)
            .field("arrivals", &state.arrivals)
            .finish()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a test thread panicked while holding it; the counters are still
        // consistent (every update is a single step), so keep going rather than hide the first panic.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// After an arrival: if it completed the rendezvous, wake everyone waiting.
    fn wake_if_decided(&self, state: &mut State) {
        if state.outcome != Outcome::Open {
            self.wake_all(state);
        }
    }

    fn wake_all(&self, state: &mut State) {
        self.changed.notify_all();
        for waker in state.wakers.values_mut().filter_map(Option::take) {
            waker.wake();
        }
    }

    /// A waiter's deadline passed: give up if still open.
    fn give_up(&self, state: &mut State) {
        if state.outcome == Outcome::Open {
            state.outcome = Outcome::GaveUp;
            self.wake_all(state);
        }
    }
}

impl State {
    /// Counts an arrival; returns whether the caller must wait (the rendezvous was open). If this
    /// arrival completes the rendezvous, marks it reached.
    fn enter(&mut self, need: usize) -> bool {
        self.arrivals += 1;
        self.inside += 1;
        self.max_together = self.max_together.max(self.inside);
        if self.outcome != Outcome::Open {
            return false;
        }
        self.waiting += 1;
        if self.waiting >= need {
            self.outcome = Outcome::Reached;
        }
        true
    }

    /// Counts a caller leaving; `withdrawn` is a waiter that left before the outcome was decided
    /// (a dropped future). Returns whether the rendezvous was reached.
    fn leave(&mut self, withdrawn: bool) -> bool {
        self.inside -= 1;
        if withdrawn && self.outcome == Outcome::Open {
            self.waiting -= 1;
        }
        self.outcome == Outcome::Reached
    }
}

/// The future of [`Rendezvous::arrive_async`].
#[must_use = "futures do nothing unless awaited"]
pub struct Arrive {
    rendezvous: Rendezvous,
    phase: Phase,
}

enum Phase {
    NotArrived,
    Waiting { id: u64, timer: Timer },
    Done,
}

enum Timer {
    /// A tokio timer: virtual on a paused clock.
    Tokio(Pin<Box<tokio::time::Sleep>>),
    /// Outside tokio: a helper thread gives up at the deadline unless woken by a decision first.
    Thread,
}

impl Future for Arrive {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        let this = &mut *self;
        let shared = Arc::clone(&this.rendezvous.shared);
        let mut state = shared.lock();
        if let Phase::NotArrived = this.phase {
            if !state.enter(shared.need) {
                this.phase = Phase::Done;
                return Poll::Ready(state.leave(false));
            }
            if state.outcome != Outcome::Open {
                // This arrival completed the rendezvous.
                shared.wake_all(&mut state);
                this.phase = Phase::Done;
                return Poll::Ready(state.leave(false));
            }
            let id = state.next_waiter;
            state.next_waiter += 1;
            state.wakers.insert(id, None);
            let timer = if tokio::runtime::Handle::try_current().is_ok() {
                Timer::Tokio(Box::pin(tokio::time::sleep(shared.timeout)))
            } else {
                let for_timer = Arc::clone(&shared);
                let deadline = Instant::now() + shared.timeout;
                thread::spawn(move || give_up_at(&for_timer, id, deadline));
                Timer::Thread
            };
            this.phase = Phase::Waiting { id, timer };
        }
        let Phase::Waiting { id, timer } = &mut this.phase else {
            panic!("Arrive polled after it completed");
        };
        if state.outcome == Outcome::Open {
            if let Timer::Tokio(sleep) = timer {
                if sleep.as_mut().poll(cx).is_ready() {
                    shared.give_up(&mut state);
                }
            }
        }
        if state.outcome == Outcome::Open {
            state.wakers.insert(*id, Some(cx.waker().clone()));
            return Poll::Pending;
        }
        let id = *id;
        state.wakers.remove(&id);
        this.phase = Phase::Done;
        Poll::Ready(state.leave(false))
    }
}

impl Drop for Arrive {
    fn drop(&mut self) {
        if let Phase::Waiting { id, .. } = self.phase {
            let shared = &self.rendezvous.shared;
            let mut state = shared.lock();
            state.wakers.remove(&id);
            state.leave(true);
            // Lets this waiter's timer thread (outside tokio) see the withdrawal and exit.
            shared.changed.notify_all();
        }
    }
}

impl fmt::Debug for Arrive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arrive")
            .field("rendezvous", &self.rendezvous)
            .finish_non_exhaustive()
    }
}

/// Timer thread of async waiter `id` outside tokio: waits until the rendezvous is decided, the
/// waiter withdraws (its future was dropped) or the deadline passes, and gives up in the last case.
fn give_up_at(shared: &Shared, id: u64, deadline: Instant) {
    let mut state = shared.lock();
    while state.outcome == Outcome::Open && state.wakers.contains_key(&id) {
        let now = Instant::now();
        if now >= deadline {
            shared.give_up(&mut state);
            return;
        }
        state = shared
            .changed
            .wait_timeout(state, deadline - now)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
    }
}
