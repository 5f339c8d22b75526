//! The futures the hidden tests hand to the learner's code, and a way to run code that may hang.
//!
//! Every future here is an instrument: it counts its polls, and either hands its waker to the
//! test ([`Gate`]) or wakes itself in set ways ([`yield_now`], [`Restless`]). The tests judge the
//! learner's executor by those counts — how many polls for how many wakes — never by the clock.
//!
//! A learner's executor that loses a wake sleeps forever. [`within`] runs each scenario on a
//! thread of its own, so the test can give up after a grace period, say what it was waiting
//! for, and fail with that message instead of a bare timeout. The scenario thread also gives
//! `block_on` a fresh thread: no `unpark` token left by anything else.

use std::future::Future;
use std::panic;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use probes::LiveToken;

/// How long a scenario may take before the test gives up on it. Correct code needs milliseconds
/// (plus the pauses a scenario makes on purpose); only code that lost a wake ever waits this out.
pub const GRACE: Duration = Duration::from_secs(2);

/// Runs `scenario` on a new thread and waits up to `grace` for its result. `None`: it was still
/// running (the thread is left behind; the test process ends soon after). A panic in the scenario
/// — the learner's `todo!()`, say — is re-raised here, with the learner's own message.
pub fn within<R: Send + 'static>(
    grace: Duration,
    scenario: impl FnOnce() -> R + Send + 'static,
) -> Option<R> {
    let (done, result) = mpsc::channel();
    let thread = thread::Builder::new()
        .name("scenario".into())
        .spawn(move || {
            let _ = done.send(scenario());
        })
        .expect("a test thread can be started");
    match result.recv_timeout(grace) {
        Ok(value) => Some(value),
        Err(RecvTimeoutError::Timeout) => None,
        // The sender was dropped without a send: the scenario panicked.
        Err(RecvTimeoutError::Disconnected) => match thread.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => unreachable!("the scenario thread sends its result before it ends"),
        },
    }
}

/// A future's counterpart in the test: counts the polls of [`Gate::wait`]'s future, keeps the
/// waker of its last pending poll, and lets the future finish once it holds enough *grants*.
/// Clones share one state; wake and grant from any thread.
#[derive(Clone)]
pub struct Gate {
    shared: Arc<GateShared>,
}

struct GateShared {
    state: Mutex<GateState>,
    /// Notified on every poll, for threads waiting in [`Gate::wait_for_polls`].
    polled: Condvar,
}

struct GateState {
    polls: usize,
    granted: usize,
    needed: usize,
    waker: Option<Waker>,
}

impl Gate {
    /// A gate whose future finishes after one grant.
    pub fn new() -> Gate {
        Gate::needing(1)
    }

    /// A gate whose future finishes after `needed` grants.
    pub fn needing(needed: usize) -> Gate {
        Gate {
            shared: Arc::new(GateShared {
                state: Mutex::new(GateState {
                    polls: 0,
                    granted: 0,
                    needed,
                    waker: None,
                }),
                polled: Condvar::new(),
            }),
        }
    }

    /// The future: each poll counts; it is ready once the gate holds `needed` grants, and
    /// otherwise keeps the poll's waker and returns `Pending`.
    pub fn wait(&self) -> GateWait {
        GateWait { gate: self.clone() }
    }

    /// Adds a grant and wakes the future (if it was polled yet): a wake with news.
    pub fn grant(&self) {
        let waker = {
            let mut state = self.lock();
            state.granted += 1;
            state.waker.clone()
        };
        // Woken outside the lock: the learner's wake runs none of our code, but keep it so.
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Wakes the future without a grant: its next poll changes nothing, but the executor can't
    /// know that — a wake is a wake. False if the future was never polled (no waker yet).
    pub fn wake(&self) -> bool {
        let waker = self.lock().waker.clone();
        waker.map(Waker::wake).is_some()
    }

    /// The waker of the future's last pending poll.
    pub fn waker(&self) -> Option<Waker> {
        self.lock().waker.clone()
    }

    /// How many times the future was polled.
    pub fn polls(&self) -> usize {
        self.lock().polls
    }

    /// Blocks the calling thread until the future has been polled at least `polls` times or
    /// `grace` has passed; returns whether it was.
    pub fn wait_for_polls(&self, polls: usize, grace: Duration) -> bool {
        let deadline = Instant::now() + grace;
        let mut state = self.lock();
        while state.polls < polls {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .shared
                .polled
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        true
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        // Only plain counter updates happen under the lock; a poisoned one is still consistent.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The future of [`Gate::wait`].
pub struct GateWait {
    gate: Gate,
}

impl Future for GateWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.gate.lock();
        state.polls += 1;
        let ready = state.granted >= state.needed;
        if !ready {
            // Stored before the poll is counted visibly (same lock): a thread that saw the poll
            // finds this waker.
            state.waker = Some(cx.waker().clone());
        }
        drop(state);
        self.gate.shared.polled.notify_all();
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Returns `Pending` once, after waking itself: the task goes to the back of the run queue.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// How a [`Restless`] future wakes itself in each of its rounds: `wake_by_ref` on the poll's
/// waker, `wake` on clones of it, and `wake` from a thread started (and joined) inside the poll.
pub const BY_REF_WAKES: usize = 4;
pub const CLONE_WAKES: usize = 3;
pub const THREAD_WAKES: usize = 3;
/// Wakes per round of a [`Restless`] future.
pub const WAKES_PER_POLL: usize = BY_REF_WAKES + CLONE_WAKES + THREAD_WAKES;

/// How long a [`Restless`] future, once quiet, waits for a poll nobody asked for before it
/// releases itself. Correct code makes no such poll and pays this once; code that counts wakes
/// makes its extra polls at once, with the extra wakes already queued.
pub const QUIET: Duration = Duration::from_millis(200);

/// A future that, in each of its first `rounds` polls, wakes itself [`WAKES_PER_POLL`] times and
/// returns `Pending`: each round is one batch of wakes, all before the poll returns. Its next
/// poll is *quiet*: `Pending` without a wake, and a helper thread that releases the future (and
/// wakes it) as soon as it sees a further poll — one nobody asked for — or after [`QUIET`]. The
/// poll after the release finishes it. A correct executor polls it exactly `rounds + 2` times.
///
/// The quiet phase is what shows an executor that polls once per *wake*: in the rounds, every
/// poll makes more wakes, so extra polls can't be told apart from the rounds; once quiet, the
/// wakes left over from the rounds each make a poll of their own, and are counted.
pub struct Restless {
    rounds: usize,
    polls: Arc<AtomicUsize>,
    released: Arc<AtomicBool>,
    quiet: bool,
}

impl Restless {
    /// The future, and a counter of its polls.
    pub fn new(rounds: usize) -> (Restless, Arc<AtomicUsize>) {
        let polls = Arc::new(AtomicUsize::new(0));
        (
            Restless {
                rounds,
                polls: Arc::clone(&polls),
                released: Arc::new(AtomicBool::new(false)),
                quiet: false,
            },
            polls,
        )
    }

    /// Polls a correct executor makes of `Restless::new(rounds)`.
    pub fn expected_polls(rounds: usize) -> usize {
        rounds + 2
    }
}

impl Future for Restless {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let polls = self.polls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.released.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        if polls <= self.rounds {
            for _ in 0..BY_REF_WAKES {
                cx.waker().wake_by_ref();
            }
            for _ in 0..CLONE_WAKES {
                cx.waker().clone().wake();
            }
            let waker = cx.waker().clone();
            thread::scope(|scope| {
                scope.spawn(|| {
                    for _ in 0..THREAD_WAKES {
                        waker.wake_by_ref();
                    }
                });
            });
            return Poll::Pending;
        }
        if !self.quiet {
            self.quiet = true;
            let (all_polls, released, waker) = (
                Arc::clone(&self.polls),
                Arc::clone(&self.released),
                cx.waker().clone(),
            );
            thread::spawn(move || {
                let deadline = Instant::now() + QUIET;
                while all_polls.load(Ordering::SeqCst) == polls && Instant::now() < deadline {
                    thread::sleep(Duration::from_millis(1));
                }
                released.store(true, Ordering::SeqCst);
                waker.wake();
            });
        }
        Poll::Pending
    }
}

/// A future that holds a live-work token until the future itself is dropped. An async block
/// can't do this: it drops what it owns as soon as it finishes, whether or not the executor
/// keeps the finished future around; this wrapper shows whether it does.
pub struct Tracked<F> {
    future: Pin<Box<F>>,
    _token: LiveToken,
}

impl<F: Future> Tracked<F> {
    /// `future`, counted live by `token` until dropped.
    pub fn new(future: F, token: LiveToken) -> Tracked<F> {
        Tracked {
            future: Box::pin(future),
            _token: token,
        }
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.future.as_mut().poll(cx)
    }
}
