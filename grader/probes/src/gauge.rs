//! A gauge: how many calls are in flight right now, the most there ever were at once, and how many
//! there were in all.
//!
//! A hidden test wraps the unit of work it hands to learner code (a closure, a fetch function) in
//! `let _in_flight = gauge.enter();`. Afterwards `peak() <= limit` proves a bound was never
//! exceeded — whatever the machine's speed or load, because it counts what actually overlapped
//! rather than timing anything. (A lower bound — "at least N at once" — is the job of
//! [`Rendezvous`](crate::rendezvous::Rendezvous): a gauge can only report what happened to
//! overlap, and on a quiet machine correct code may happen not to.)
//!
//! The guard is owned (`'static`), so it can live inside a spawned thread or a tokio task, and it is
//! released on every path out of the call: return, panic, or a future dropped mid-`.await`.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts calls in flight. Clones share one state, so a test keeps one clone and moves another
/// into the closure it hands to learner code.
///
/// ```
/// use probes::Gauge;
///
/// let gauge = Gauge::new();
/// // The closure a hidden test would hand to learner code:
/// let work = |n: &u64| {
///     let _in_flight = gauge.enter();
///     n * 2
/// };
/// std::thread::scope(|scope| {
///     for n in [1, 2, 3] {
///         scope.spawn(move || work(&n));
///     }
/// });
/// assert!(gauge.peak() <= 3, "never more than 3 at once");
/// assert_eq!((gauge.total(), gauge.current()), (3, 0));
/// ```
#[derive(Clone, Default)]
pub struct Gauge {
    state: Arc<GaugeState>,
}

#[derive(Default)]
struct GaugeState {
    current: AtomicUsize,
    peak: AtomicUsize,
    total: AtomicUsize,
}

impl Gauge {
    /// A gauge with nothing in flight, peak 0, total 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks one call as in flight until the returned guard is dropped.
    ///
    /// Raises `peak` to the new in-flight count if that is a new maximum, and counts the call in
    /// `total`. The peak is exact: every `enter` sees the count its own increment produced, so the
    /// largest overlap that really happened is recorded, never a larger one.
    #[must_use = "the call counts as in flight only while the guard is alive"]
    pub fn enter(&self) -> GaugeGuard {
        // SeqCst throughout: these counters are read by the test thread after learner code has
        // joined its workers; the strongest ordering costs nothing measurable here and leaves no
        // room for doubt about what a reader of `peak` can see.
        let now = self.state.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.state.peak.fetch_max(now, Ordering::SeqCst);
        self.state.total.fetch_add(1, Ordering::SeqCst);
        GaugeGuard {
            state: Arc::clone(&self.state),
        }
    }

    /// Calls in flight now (entered, guard not yet dropped).
    pub fn current(&self) -> usize {
        self.state.current.load(Ordering::SeqCst)
    }

    /// The most calls that were ever in flight at once.
    pub fn peak(&self) -> usize {
        self.state.peak.load(Ordering::SeqCst)
    }

    /// Calls ever entered, finished or not.
    pub fn total(&self) -> usize {
        self.state.total.load(Ordering::SeqCst)
    }

    /// Runs `work` as one call in flight and returns its result.
    pub fn track<R>(&self, work: impl FnOnce() -> R) -> R {
        let _in_flight = self.enter();
        work()
    }
}

impl fmt::Debug for Gauge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gauge")
            .field("current", &self.current())
            .field("peak", &self.peak())
            .field("total", &self.total())
            .finish()
    }
}

/// One call in flight; dropping it ends the call. Made only by [`Gauge::enter`].
#[must_use = "the call counts as in flight only while the guard is alive"]
pub struct GaugeGuard {
    state: Arc<GaugeState>,
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.state.current.fetch_sub(1, Ordering::SeqCst);
    }
}

impl fmt::Debug for GaugeGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GaugeGuard").finish_non_exhaustive()
    }
}
