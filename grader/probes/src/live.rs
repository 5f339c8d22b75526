//! Live work: proof that nothing a function started is still running after it returns.
//!
//! A hidden test makes every unit of work it hands to learner code hold a [`LiveToken`] for as long
//! as it runs (`let _live = live.start();` at the top of the closure or fake task). When the
//! learner's function returns, `live() == 0` proves every unit it started has finished (or, for a
//! future, has been dropped: tokio runs a task's destructor before its `JoinHandle` completes).
//! Correct code that joins its threads or awaits its tasks passes deterministically — joining gives
//! the test a happens-before edge to every token's drop.
//!
//! Detached work can also start *late*: a thread spawned and never joined may not have begun its
//! first call when the function returns. [`LiveWork::check_quiet`] therefore looks twice: right
//! away, and again after a short grace period, when it also checks that no unit *started* after the
//! return. The grace is one-sided: it can only let badly-behaved code slip through on an unlucky
//! schedule, never fail correct code.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Counts units of work that started, finished, and are live (started, not finished).
/// Clones share one state.
///
/// ```
/// use std::time::Duration;
/// use probes::LiveWork;
///
/// let live = LiveWork::new();
/// std::thread::scope(|scope| {
///     for _ in 0..4 {
///         scope.spawn(|| live.track(|| { /* a unit of work */ }));
///     }
/// }); // the scope joined every thread
/// assert_eq!(live.check_quiet(Duration::from_millis(20)), Ok(()));
/// assert_eq!(live.started(), 4);
/// ```
#[derive(Clone, Default)]
pub struct LiveWork {
    state: Arc<LiveState>,
}

#[derive(Default)]
struct LiveState {
    live: AtomicUsize,
    started: AtomicUsize,
    finished: AtomicUsize,
}

impl LiveWork {
    /// Nothing started yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks a unit of work as started; it is live until the token is dropped (by return, panic,
    /// or a future dropped mid-`.await`).
    #[must_use = "the work counts as live only while the token is alive"]
    pub fn start(&self) -> LiveToken {
        // SeqCst: read by the test thread after learner code returned; see the module header.
        self.state.started.fetch_add(1, Ordering::SeqCst);
        self.state.live.fetch_add(1, Ordering::SeqCst);
        LiveToken {
            state: Arc::clone(&self.state),
        }
    }

    /// Runs `work` as one live unit and returns its result.
    pub fn track<R>(&self, work: impl FnOnce() -> R) -> R {
        let _live = self.start();
        work()
    }

    /// Units started and not yet finished.
    pub fn live(&self) -> usize {
        self.state.live.load(Ordering::SeqCst)
    }

    /// Units ever started.
    pub fn started(&self) -> usize {
        self.state.started.load(Ordering::SeqCst)
    }

    /// Units finished (token dropped).
    pub fn finished(&self) -> usize {
        self.state.finished.load(Ordering::SeqCst)
    }

    /// Call right after the function under test returned. Checks that nothing is live now, then
    /// sleeps the calling thread for `grace` (real time) and checks that still nothing is live and
    /// nothing started in the meantime. A few tens of milliseconds of grace are plenty: the check
    /// cannot fail correct code, however long or short the grace.
    ///
    /// The error says what was found, in words a learner can act on.
    pub fn check_quiet(&self, grace: Duration) -> Result<(), String> {
        let at_return = self.snapshot();
        at_return.still_running()?;
        std::thread::sleep(grace);
        at_return.nothing_new_since(self.snapshot())
    }

    /// [`check_quiet`](Self::check_quiet) for async tests: the grace is a `tokio::time::sleep`, so on
    /// a paused clock it is virtual and lets every other task of the runtime run first (detached
    /// tasks included) before looking again.
    pub async fn check_quiet_async(&self, grace: Duration) -> Result<(), String> {
        let at_return = self.snapshot();
        at_return.still_running()?;
        tokio::time::sleep(grace).await;
        at_return.nothing_new_since(self.snapshot())
    }

    fn snapshot(&self) -> Snapshot {
        // `finished` first: a unit finishing between the loads then can't look like one that
        // finished without starting.
        let finished = self.finished();
        let live = self.live();
        let started = self.started();
        Snapshot {
            live,
            started,
            finished,
        }
    }
}

impl fmt::Debug for LiveWork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveWork")
            .field("live", &self.live())
            .field("started", &self.started())
            .field("finished", &self.finished())
            .finish()
    }
}

#[derive(Clone, Copy)]
struct Snapshot {
    live: usize,
    started: usize,
    finished: usize,
}

impl Snapshot {
    fn still_running(&self) -> Result<(), String> {
        if self.live == 0 {
            return Ok(());
        }
        Err(format!(
            "{} of {} calls were still running when the function returned ({} had finished): \
             join every thread (or await every task) you start before returning — a dropped \
             JoinHandle detaches its thread or task instead of waiting for it",
            self.live, self.started, self.finished
        ))
    }

    fn nothing_new_since(&self, later: Snapshot) -> Result<(), String> {
        if later.started > self.started {
            return Err(format!(
                "{} more calls started after the function had returned ({} before it returned): \
                 some thread or task outlived the function — join or await everything you start \
                 before returning",
                later.started - self.started,
                self.started
            ));
        }
        later.still_running()
    }
}

/// One live unit of work; dropping it finishes the unit. Made only by [`LiveWork::start`].
#[must_use = "the work counts as live only while the token is alive"]
pub struct LiveToken {
    state: Arc<LiveState>,
}

impl Drop for LiveToken {
    fn drop(&mut self) {
        self.state.finished.fetch_add(1, Ordering::SeqCst);
        self.state.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl fmt::Debug for LiveToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveToken").finish_non_exhaustive()
    }
}
