//! A heartbeat: proof that a runtime's workers stay free to run other tasks while some work is
//! under way, counted in polls rather than read from a clock.
//!
//! A hidden test spawns [`Heartbeat::task`] on the runtime under test, beside the code it grades.
//! The task does nothing unless asked: [`Heartbeat::request`] wakes it, and the first poll after a
//! request counts one *beat*. A beat therefore proves that some worker was free to poll a task
//! after the request was made — which is exactly what code that holds a worker (a blocking call
//! inside a task, a long computation with no `.await`) takes away from every other task.
//!
//! Two ways to ask, depending on where the asking code runs:
//!
//! - **Off the runtime's workers** (a blocking-pool thread, a rayon thread, a plain thread):
//!   [`Heartbeat::wait_for_beat`] requests a beat and blocks the thread until it comes. A free
//!   worker beats within microseconds, however busy the machine; a worker that is itself stuck
//!   waiting for this very thread (`recv()` on a channel, `JoinHandle::join`, a rayon call made
//!   from the task) never does, so the wait gives up after the heartbeat's *patience*. After a
//!   give-up every later wait returns `false` at once, so wrong code pays the patience once, like a
//!   [`Rendezvous`](crate::Rendezvous).
//! - **On a worker** (work running inline in a task): waiting there would wait for itself. Call
//!   [`Heartbeat::request`] without waiting and read [`Heartbeat::beats`] at each step: a task that
//!   gives its worker back (`yield_now().await`) lets the heartbeat beat before it is polled again
//!   (the woken heartbeat sits in the worker's LIFO slot, the yielding task at the back of its
//!   queue); a task that never does sees the same count at every step.
//!
//! On a runtime with one worker both verdicts are decided by the schedule alone: no
//! interleaving of threads makes a stuck worker beat or a free one stay silent.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// A task that beats when asked; clones share one state. See the module docs.
///
/// ```
/// use std::time::Duration;
/// use probes::heartbeat::Heartbeat;
///
/// let rt = runtime::Runtime::builder().workers(1).build().unwrap();
/// let heart = Heartbeat::new(Duration::from_secs(5));
/// rt.spawn(heart.task());
/// // The worker is free: a beat comes at once, from a thread that is not a worker.
/// assert!(rt.spawn_blocking({
///     let heart = heart.clone();
///     move || heart.wait_for_beat()
/// }).join().unwrap());
/// assert_eq!(heart.beats(), 1);
/// heart.stop();
/// ```
#[derive(Clone)]
pub struct Heartbeat {
    shared: Arc<Shared>,
}

struct Shared {
    patience: Duration,
    state: Mutex<State>,
    /// Wakes threads waiting for a beat (and for the first poll).
    beat: Condvar,
}

#[derive(Default)]
struct State {
    /// Beats asked for: the count that the next beat brings `beats` up to (never more than one
    /// ahead of `beats`: every request asks for "one more poll from now").
    requested: u64,
    beats: u64,
    /// Polls of the task, requested or not.
    polls: u64,
    /// The task's waker from its last poll; taken by the request that wakes it.
    waker: Option<Waker>,
    gave_up: bool,
    stopped: bool,
}

impl Heartbeat {
    /// A heartbeat whose waits give up after `patience` (choose seconds: it bounds how long wrong
    /// code takes to fail, never how long correct code takes to pass).
    pub fn new(patience: Duration) -> Self {
        Self {
            shared: Arc::new(Shared {
                patience,
                state: Mutex::new(State::default()),
                beat: Condvar::new(),
            }),
        }
    }

    /// The heartbeat task: spawn it on the runtime under test. It ends after [`stop`](Self::stop).
    pub fn task(&self) -> Beating {
        Beating {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Asks for one more beat and wakes the task, without waiting; returns the beat count that
    /// answers the request. Safe on a worker thread.
    pub fn request(&self) -> u64 {
        let (target, waker) = {
            let mut state = self.shared.lock();
            let target = state.beats + 1;
            state.requested = state.requested.max(target);
            (target, state.waker.take())
        };
        // Woken outside the lock: waking may queue the task, which must not wait for us.
        if let Some(waker) = waker {
            waker.wake();
        }
        target
    }

    /// Asks for a beat and blocks this thread until it comes (`true`) or the patience runs out
    /// (`false`: the heartbeat gives up, and every later wait returns `false` at once). Never call
    /// it on a worker of the runtime the task runs on: it would wait for itself.
    pub fn wait_for_beat(&self) -> bool {
        {
            let state = self.shared.lock();
            if state.gave_up || state.stopped {
                return false;
            }
        }
        let target = self.request();
        let shared = &*self.shared;
        let deadline = Instant::now() + shared.patience;
        let mut state = shared.lock();
        while state.beats < target && !state.gave_up && !state.stopped {
            let now = Instant::now();
            if now >= deadline {
                state.gave_up = true;
                shared.beat.notify_all();
                return false;
            }
            state = shared
                .beat
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        state.beats >= target
    }

    /// Blocks this thread until the task has been polled once (it is then ready to beat), or
    /// until the patience runs out; returns whether it was polled.
    pub fn wait_until_running(&self) -> bool {
        let shared = &*self.shared;
        let deadline = Instant::now() + shared.patience;
        let mut state = shared.lock();
        while state.polls == 0 {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = shared
                .beat
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        true
    }

    /// Beats so far (polls that answered a request).
    pub fn beats(&self) -> u64 {
        self.shared.lock().beats
    }

    /// Polls of the task so far, requested or not.
    pub fn polls(&self) -> u64 {
        self.shared.lock().polls
    }

    /// Whether a wait ran out of patience.
    pub fn gave_up(&self) -> bool {
        self.shared.lock().gave_up
    }

    /// How long a wait waits before giving up.
    pub fn patience(&self) -> Duration {
        self.shared.patience
    }

    /// Ends the task at its next poll, and releases every waiting thread: their waits, and all
    /// later ones, return `false` unless their beat came first.
    pub fn stop(&self) {
        let waker = {
            let mut state = self.shared.lock();
            state.stopped = true;
            self.shared.beat.notify_all();
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl fmt::Debug for Heartbeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Heartbeat")
            .field("patience", &self.shared.patience)
            .field("beats", &state.beats)
            .field("polls", &state.polls)
            .field("gave_up", &state.gave_up)
            .finish()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a few plain field writes: still consistent after a panic elsewhere.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The heartbeat task's future, from [`Heartbeat::task`].
#[must_use = "futures do nothing unless spawned or awaited"]
pub struct Beating {
    shared: Arc<Shared>,
}

impl Future for Beating {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        state.polls += 1;
        if state.stopped {
            shared.beat.notify_all();
            return Poll::Ready(());
        }
        if state.beats < state.requested {
            state.beats += 1;
        }
        state.waker = Some(cx.waker().clone());
        shared.beat.notify_all();
        Poll::Pending
    }
}

impl fmt::Debug for Beating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Beating").finish_non_exhaustive()
    }
}
