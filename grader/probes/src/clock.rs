//! Tokio's paused clock, and a log of call start times checked against a rate.
//!
//! Rate limits, timeouts and pacing are about time, but a test that reads the wall clock fails on a
//! busy machine. On a paused tokio clock, time stands still while any task can run and jumps to the
//! next timer when all are waiting: `tokio::time::sleep(1 s)` takes no real time, timers fire in
//! order, and every `tokio::time::Instant::now()` is exact. A rate limiter built on `tokio::time`
//! therefore behaves on a paused clock exactly as it would on a perfectly idle machine, and a
//! [`StartLog`] of its calls' start times can be checked to the nanosecond.
//!
//! What is *not* virtual: `std::time::Instant`, `std::thread::sleep`, and anything waiting on the
//! OS (real sockets). Code that limits its rate with those runs in real time, or stalls the runtime;
//! paused-clock tests are for in-process fakes. `spawn_blocking` work keeps the clock from
//! advancing while it runs.
//!
//! A paused clock needs tokio's current-thread runtime (tokio panics otherwise).
//! [`real_time_runtime`] builds a multi-thread runtime for tests that need real parallelism and so
//! real time.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

/// A current-thread tokio runtime with all drivers enabled and its clock paused from the start.
pub fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("building a current-thread tokio runtime (no threads, no I/O) cannot fail")
}

/// Runs `future` to completion on a fresh [`paused_runtime`] and drops the runtime (with any tasks
/// still alive) before returning.
pub fn block_on_paused<F: Future>(future: F) -> F::Output {
    paused_runtime().block_on(future)
}

/// A multi-thread tokio runtime with `workers` worker threads (0 is treated as 1), all drivers
/// enabled, on the real clock. For tests that need tasks to run in parallel; its clock cannot be
/// paused.
pub fn real_time_runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()
}

/// Records when each call started, on tokio's clock (`tokio::time::Instant::now()`: virtual on a
/// paused clock). Clones share one log.
///
/// ```
/// use std::time::Duration;
/// use probes::clock::{block_on_paused, StartLog};
///
/// block_on_paused(async {
///     let log = StartLog::new();
///     let origin = tokio::time::Instant::now();
///     // A limiter of 2 calls per second, spacing its calls 500 ms apart (virtual time: instant).
///     for _ in 0..6 {
///         log.record();
///         tokio::time::sleep(Duration::from_millis(500)).await;
///     }
///     assert_eq!(log.max_in_window(Duration::from_secs(1)), 2);
///     assert_eq!(log.check_rate(2, Duration::from_secs(1)), Ok(()));
///     assert_eq!(log.check_pace(origin, 2, Duration::from_secs(1)), Ok(()));
/// });
/// ```
#[derive(Clone, Default)]
pub struct StartLog {
    starts: Arc<Mutex<Vec<Instant>>>,
}

impl StartLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a call starting now and returns the instant recorded.
    pub fn record(&self) -> Instant {
        let now = Instant::now();
        self.record_at(now);
        now
    }

    /// Records a call that started at `at`.
    pub fn record_at(&self, at: Instant) {
        self.lock().push(at);
    }

    /// Every recorded start, earliest first.
    pub fn starts(&self) -> Vec<Instant> {
        let mut starts = self.lock().clone();
        starts.sort();
        starts
    }

    /// How many starts were recorded.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no start was recorded.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The most starts in any half-open window `[t, t + window)`, over every `t` (a strict sliding
    /// window: not fixed buckets, which a limiter that bursts at a bucket's edge would slip through).
    pub fn max_in_window(&self, window: Duration) -> usize {
        busiest_window(&self.starts(), window).map_or(0, |(_, count)| count)
    }

    /// `Ok` when no window `[t, t + window)` holds more than `per_window` starts; otherwise an error
    /// naming the busiest window (relative to the first start) and its count.
    ///
    /// Strict: a limiter that spaces calls by `window / per_window` rounded down (1 s / 3 =
    /// 333 333 333 ns) fits `per_window + 1` starts into one window and fails. Tests that want to
    /// forgive such rounding can call [`max_in_window`](Self::max_in_window) with a slightly shorter
    /// window.
    pub fn check_rate(&self, per_window: usize, window: Duration) -> Result<(), String> {
        let starts = self.starts();
        match busiest_window(&starts, window) {
            Some((from, count)) if count > per_window => Err(format!(
                "{count} calls started within one window of {window:?} (from {} after the first \
                 call), but at most {per_window} may: check the limiter with a sliding window — a \
                 token bucket that starts full lets a burst through on top of the steady rate",
                Elapsed(from - starts[0]),
            )),
            _ => Ok(()),
        }
    }

    /// `Ok` when the calls kept up the pace `per_window` per `window`, measured from `origin` (when
    /// the function under test was called): for every k, the first k starts all happened within
    /// `ceil(k / per_window)` windows of `origin`. Allows 1 ms of rounding in all (an implementation
    /// that divides a window by `per_window` may round up each step by a nanosecond).
    ///
    /// Only meaningful where nothing else slows the calls down (enough concurrency slots, short
    /// latencies): the check asks "never slower than the rate allows".
    pub fn check_pace(
        &self,
        origin: Instant,
        per_window: usize,
        window: Duration,
    ) -> Result<(), String> {
        let per_window = per_window.max(1);
        let slack = Duration::from_millis(1);
        for (index, start) in self.starts().into_iter().enumerate() {
            let k = index + 1;
            let windows = k.div_ceil(per_window);
            let allowed = window * u32::try_from(windows).unwrap_or(u32::MAX) + slack;
            let took = start.saturating_duration_since(origin);
            if took > allowed {
                return Err(format!(
                    "call {k} started {} after the function was called, but at {per_window} \
                     calls per {window:?} the first {k} calls can all start within {}: the \
                     calls are slower than the rate allows (does the code wait a whole window \
                     after each call, or between batches?)",
                    Elapsed(took),
                    Elapsed(allowed - slack),
                ));
            }
        }
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Instant>> {
        // Poisoned only if a panic hit during a push; the log is still usable.
        self.starts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for StartLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let starts = self.starts();
        let first = starts.first().copied();
        let offsets: Vec<Elapsed> = starts
            .iter()
            .map(|start| Elapsed(*start - first.unwrap_or(*start)))
            .collect();
        f.debug_struct("StartLog")
            .field("starts_after_first", &offsets)
            .finish()
    }
}

/// The start of the busiest half-open window of length `window` over sorted `starts`, and how many
/// starts it holds; `None` when there are none.
fn busiest_window(starts: &[Instant], window: Duration) -> Option<(Instant, usize)> {
    let mut best: Option<(Instant, usize)> = None;
    let mut end = 0;
    for (begin, from) in starts.iter().enumerate() {
        // Two pointers: `end` only moves forward, so the scan is linear.
        end = end.max(begin);
        while end < starts.len() && starts[end] < *from + window {
            end += 1;
        }
        let count = end - begin;
        if best.is_none_or(|(_, most)| count > most) {
            best = Some((*from, count));
        }
    }
    best
}

/// A duration printed in seconds with millisecond precision, for learners' messages.
#[derive(Clone, Copy)]
struct Elapsed(Duration);

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} s", self.0.as_secs_f64())
    }
}

impl fmt::Debug for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: Instant, millis: &[u64]) -> Vec<Instant> {
        millis
            .iter()
            .map(|ms| base + Duration::from_millis(*ms))
            .collect()
    }

    #[test]
    fn busiest_window_is_half_open_and_sliding() {
        let base = Instant::now();
        let second = Duration::from_secs(1);
        // 0 and 1000 are in different half-open windows.
        assert_eq!(busiest_window(&at(base, &[0, 1000]), second).unwrap().1, 1);
        // Fixed buckets [0,1000) [1000,2000) would see 2 and 2; the window [600,1600) sees 4.
        let starts = at(base, &[0, 600, 900, 1000, 1500]);
        let (from, count) = busiest_window(&starts, second).unwrap();
        assert_eq!((from - base, count), (Duration::from_millis(600), 4));
        assert_eq!(busiest_window(&[], second), None);
    }
}
