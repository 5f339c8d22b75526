//! Two meeting points for many tasks at once, with one watchdog thread in all.
//!
//! - [`Gate`]: its futures return only once `need` of them have arrived — all the tasks alive at
//!   the same moment, which is when the tests count threads and memory.
//! - [`Turnstile`]: future `i` of `n` returns only after future `i + 1` did, so the tasks finish
//!   in reverse order on every run, whatever the scheduler does.
//!
//! `probes::Rendezvous` asks the same question as the gate, but outside tokio it starts a timer
//! thread per waiting future: right for 50 waiters, not while counting the process's threads, nor
//! for 100,000 waiters. Here one watchdog thread per meeting gives up when no future has arrived
//! or passed for `patience` — progress, not a fixed deadline, so correct code on a slow machine
//! (100,000 arrivals take a while) never waits it out, and code that runs the futures one after
//! another waits it out once: the first future waits, the meeting gives up, and from then on every
//! future passes at once (the gate's return `false`, the turnstile's keep their order no more).

use std::future::{poll_fn, Future};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// Where a meeting stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Open,
    /// Every future met the rule: all arrived (gate), all passed in turn (turnstile).
    Reached,
    /// No progress for `patience`: every future passes at once from now on.
    GaveUp,
}

/// What both meetings share: the futures' wakers by slot, the outcome, and the last progress.
struct Core {
    patience: Duration,
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    outcome: Outcome,
    last_progress: Instant,
    /// The waker of each waiting future, by its slot (the input's index).
    wakers: Vec<Option<Waker>>,
    /// Gate: futures arrived. Turnstile: the slot whose turn it is (counts down; `None` when all
    /// have passed).
    arrived: usize,
    next: Option<usize>,
    most_waiting: usize,
    waiting: usize,
}

impl Core {
    /// A meeting of `slots` futures, with its watchdog thread started.
    fn start(slots: usize, patience: Duration) -> Arc<Core> {
        let core = Arc::new(Core {
            patience,
            state: Mutex::new(State {
                outcome: if slots == 0 {
                    Outcome::Reached
                } else {
                    Outcome::Open
                },
                last_progress: Instant::now(),
                wakers: (0..slots).map(|_| None).collect(),
                arrived: 0,
                next: slots.checked_sub(1),
                most_waiting: 0,
                waiting: 0,
            }),
            changed: Condvar::new(),
        });
        let watched = Arc::clone(&core);
        thread::Builder::new()
            .name("meeting-watch".into())
            .spawn(move || watched.watch())
            .expect("test setup: can't start the meeting's watchdog thread");
        core
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a single step; a panic elsewhere leaves the state usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Gives up once `patience` passes without progress; returns when the meeting is decided.
    fn watch(&self) {
        let mut state = self.lock();
        while state.outcome == Outcome::Open {
            let deadline = state.last_progress + self.patience;
            let now = Instant::now();
            if now >= deadline {
                state.outcome = Outcome::GaveUp;
                wake_all(&mut state);
                return;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    fn decide(&self, state: &mut State, outcome: Outcome) {
        state.outcome = outcome;
        wake_all(state);
        self.changed.notify_all(); // the watchdog may exit
    }
}

fn wake_all(state: &mut State) {
    for waker in state.wakers.iter_mut().filter_map(Option::take) {
        waker.wake();
    }
}

/// `need` futures meet; none returns before all have arrived (or the gate gave up).
/// Clones share one gate.
#[derive(Clone)]
pub struct Gate {
    core: Arc<Core>,
    need: usize,
}

impl Gate {
    /// A gate for `need` futures, one per slot `0..need`.
    pub fn new(need: usize, patience: Duration) -> Gate {
        Gate {
            core: Core::start(need, patience),
            need,
        }
    }

    /// Arrives as slot `slot` and waits for the others: `true` if all `need` were inside at once,
    /// `false` if the gate gave up (or had already given up).
    pub fn arrive(&self, slot: usize) -> impl Future<Output = bool> + Send + 'static {
        let core = Arc::clone(&self.core);
        let need = self.need;
        let mut arrived = false;
        poll_fn(move |cx| {
            let mut state = core.lock();
            if !arrived {
                arrived = true;
                state.arrived += 1;
                state.last_progress = Instant::now();
                if state.outcome == Outcome::Open {
                    state.waiting += 1;
                    state.most_waiting = state.most_waiting.max(state.waiting);
                    if state.arrived >= need {
                        core.decide(&mut state, Outcome::Reached);
                    }
                }
            }
            match state.outcome {
                Outcome::Open => {
                    state.wakers[slot] = Some(cx.waker().clone());
                    Poll::Pending
                }
                outcome => Poll::Ready(outcome == Outcome::Reached),
            }
        })
    }

    /// Open, reached, or given up.
    pub fn outcome(&self) -> Outcome {
        self.core.lock().outcome
    }

    /// The most futures that were waiting at the gate at once.
    pub fn most_waiting(&self) -> usize {
        self.core.lock().most_waiting
    }
}

/// Futures `0..n` pass in reverse order: `n - 1` first, then `n - 2`, …, `0` last.
/// Clones share one turnstile.
#[derive(Clone)]
pub struct Turnstile {
    core: Arc<Core>,
}

impl Turnstile {
    /// A turnstile for slots `0..n`.
    pub fn new(n: usize, patience: Duration) -> Turnstile {
        Turnstile {
            core: Core::start(n, patience),
        }
    }

    /// Waits until every slot above `slot` has passed, then passes (at once once the turnstile
    /// has given up).
    pub fn pass(&self, slot: usize) -> impl Future<Output = ()> + Send + 'static {
        let core = Arc::clone(&self.core);
        let mut arrived = false;
        poll_fn(move |cx| {
            let mut state = core.lock();
            if !arrived {
                arrived = true;
                state.last_progress = Instant::now();
            }
            match state.outcome {
                Outcome::GaveUp => return Poll::Ready(()),
                Outcome::Open | Outcome::Reached => {}
            }
            if state.next == Some(slot) {
                state.next = slot.checked_sub(1);
                state.last_progress = Instant::now();
                match state.next {
                    Some(below) => {
                        if let Some(waker) = state.wakers[below].take() {
                            waker.wake();
                        }
                    }
                    None => core.decide(&mut state, Outcome::Reached),
                }
                return Poll::Ready(());
            }
            state.wakers[slot] = Some(cx.waker().clone());
            Poll::Pending
        })
    }

    /// Open (not every slot passed yet), reached (all passed in reverse order), or given up.
    pub fn outcome(&self) -> Outcome {
        self.core.lock().outcome
    }
}
