//! An instrumented `fetch` for tokio's paused clock, and the checks made on what it recorded.
//!
//! Each fake page has its own latency, written into its url (`…?latency_ms=250`), so calls finish
//! out of order and at different times: code that waits for a whole batch, or for the slowest call
//! ahead of it, leaves slots idle, and the recorded start times show exactly when.
//!
//! The clock is tokio's, paused: it only moves when every task is waiting on a timer, and then
//! jumps straight to the next timer. A test of minutes of virtual time takes milliseconds of real
//! time, and every recorded time is exact — no machine load can shift it. Learner code that
//! blocks the thread instead (`std::thread::sleep`) stops real time, not tokio's, so its calls all
//! appear to start at the same instant.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use probes::gauge::Gauge;
use probes::live::LiveWork;
use tokio::time::Instant;

/// What one call of the fake fetch did, in virtual time since the test began.
#[derive(Debug, Clone)]
pub struct Call {
    /// When the learner's code first polled the call's future (the request "goes out").
    pub started: Duration,
    /// When the call's future completed; `None` if it was dropped before (or is still running).
    pub ended: Option<Duration>,
}

/// Shared by the test and every call of the fake fetch.
#[derive(Clone)]
pub struct Recorder {
    origin: Instant,
    calls: Arc<Mutex<Vec<Call>>>,
    /// Calls (futures polled at least once) not yet completed or dropped.
    pub in_flight: Gauge,
    /// Futures the fetch handed out and not yet dropped, polled or not; `live.started()` is how
    /// many times `fetch` itself was called.
    pub live: LiveWork,
}

/// The boxed future the fake fetch returns (so the closure has a nameable type).
pub type Page = Pin<Box<dyn Future<Output = String> + Send>>;

impl Recorder {
    /// Must be made inside the paused runtime, right before the learner's function is called:
    /// that instant is virtual time zero.
    pub fn new() -> Recorder {
        Recorder {
            origin: Instant::now(),
            calls: Arc::new(Mutex::new(Vec::new())),
            in_flight: Gauge::new(),
            live: LiveWork::new(),
        }
    }

    /// The fetch handed to learner code: waits the url's latency (virtual) and returns
    /// [`body_of`] the url.
    pub fn fetch(&self) -> impl Fn(String) -> Page + Send + Sync + 'static {
        let recorder = self.clone();
        move |url: String| {
            // Counted when `fetch` is called, live until the future is dropped.
            let live = recorder.live.start();
            let recorder = recorder.clone();
            Box::pin(async move {
                let _live = live;
                let _in_flight = recorder.in_flight.enter();
                let index = recorder.record_start();
                tokio::time::sleep(latency_of(&url)).await;
                recorder.record_end(index);
                body_of(&url)
            })
        }
    }

    fn now(&self) -> Duration {
        Instant::now() - self.origin
    }

    fn record_start(&self) -> usize {
        let started = self.now();
        let mut calls = self.lock();
        calls.push(Call {
            started,
            ended: None,
        });
        calls.len() - 1
    }

    fn record_end(&self, index: usize) {
        let ended = self.now();
        self.lock()[index].ended = Some(ended);
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Call>> {
        // A panic while holding this lock can only come from this file; keep the data anyway.
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every call recorded so far, in the order they started.
    pub fn calls(&self) -> Vec<Call> {
        let mut calls = self.lock().clone();
        calls.sort_by_key(|call| call.started);
        calls
    }

    /// Start times in virtual time, sorted.
    pub fn starts(&self) -> Vec<Duration> {
        self.calls().iter().map(|call| call.started).collect()
    }
}

/// A fake url whose page takes `latency_ms` (virtual) milliseconds to fetch.
pub fn url(index: usize, latency_ms: u64) -> String {
    format!("http://pages.test/{index}?latency_ms={latency_ms}")
}

/// The page the fake fetch returns for `url`.
pub fn body_of(url: &str) -> String {
    format!("<page of {url}>")
}

fn latency_of(url: &str) -> Duration {
    let ms = url
        .rsplit_once("latency_ms=")
        .and_then(|(_, ms)| ms.parse().ok())
        .unwrap_or(0);
    Duration::from_millis(ms)
}

/// `count` fake urls with latencies drawn from `min_ms..=max_ms` by a fixed-seed generator, so a
/// failure reproduces exactly.
pub fn urls_with_latencies(count: usize, min_ms: u64, max_ms: u64, seed: u64) -> Vec<String> {
    let mut rng = probes::seeded::Rng::new(seed);
    (0..count)
        .map(|index| url(index, min_ms + rng.below(max_ms - min_ms + 1)))
        .collect()
}

/// What a call left behind, ten virtual seconds after it returned.
pub struct Leftovers {
    /// `Err` says which of the recorder's calls still ran (or were still held) after the return.
    pub quiet: Result<(), String>,
    /// Tokio tasks alive then, beyond those alive before the call.
    pub extra_tasks: usize,
}

/// Runs `call` on the paused clock with a fresh recorder (it hands `recorder.fetch()` to the
/// function under test), waits ten virtual seconds after it returns, and says what is left.
pub fn leftovers<T, Fut>(what: &str, call: impl FnOnce(Recorder) -> Fut) -> Leftovers
where
    Fut: Future<Output = T>,
{
    run_paused(what, || async move {
        let alive = || {
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks()
        };
        let before = alive();
        let recorder = Recorder::new();
        let _ = call(recorder.clone()).await;
        let quiet = recorder
            .live
            .check_quiet_async(Duration::from_secs(10))
            .await;
        Leftovers {
            quiet,
            extra_tasks: alive().saturating_sub(before),
        }
    })
    .output
}

/// How a run of learner code on the paused clock ended.
pub struct Run<T> {
    pub output: T,
    /// Real (wall-clock) time the run took. Only ever used to add a hint to a failure message:
    /// on a paused clock, correct code takes milliseconds of real time.
    pub real_time: Duration,
}

/// Runs `body` on a fresh current-thread tokio runtime whose clock starts paused, giving the
/// learner's function (`what`, e.g. "fetch_all(urls, 4, fetch)") an hour of virtual time. Panics
/// with a message for the learner if it panics or doesn't return in that hour.
pub fn run_paused<T, Fut>(what: &str, body: impl FnOnce() -> Fut) -> Run<T>
where
    Fut: Future<Output = T>,
{
    const VIRTUAL_DEADLINE: Duration = Duration::from_secs(3600);
    let runtime = probes::clock::paused_runtime();
    let real_start = std::time::Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(async { tokio::time::timeout(VIRTUAL_DEADLINE, body()).await })
    }));
    let real_time = real_start.elapsed();
    match result {
        Ok(Ok(output)) => Run { output, real_time },
        Ok(Err(_elapsed)) => panic!(
            "{what} did not return within an hour of (virtual) tokio time, with every task \
             waiting: is some call waiting for a slot or a permit that is never given back? \
             (With 0 for max_concurrent or per_second, treat it as 1.)"
        ),
        Err(payload) => panic!(
            "{what} panicked: {}",
            payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)")
        ),
    }
}

/// A hint to append to a failure on the paused clock when real time passed: blocking the thread
/// stops real time, not tokio's.
pub fn blocking_hint(real_time: Duration) -> String {
    if real_time >= Duration::from_millis(500) {
        format!(
            " This test took {:.1} s of real time although tokio's clock is paused (correct code \
             takes milliseconds): something blocks the thread instead of awaiting — \
             std::thread::sleep inside async code? Use tokio::time::sleep; it yields to other tasks \
             and tests can fast-forward it.",
            real_time.as_secs_f64()
        )
    } else {
        String::new()
    }
}

/// Seconds with millisecond precision, for messages.
pub fn secs(at: Duration) -> String {
    format!("{:.3} s", at.as_secs_f64())
}

/// The largest number of `starts` (sorted) in any half-open window `[t, t + window)`, and the
/// first such window's start.
pub fn max_in_window(starts: &[Duration], window: Duration) -> (usize, Duration) {
    let mut best = (0, Duration::ZERO);
    let mut first = 0;
    for (last, &at) in starts.iter().enumerate() {
        while at - starts[first] >= window {
            first += 1;
        }
        if last + 1 - first > best.0 {
            best = (last + 1 - first, starts[first]);
        }
    }
    best
}

/// Checks that, at every instant something happened (and at time zero), as many calls were in
/// flight as the limit and the remaining work allowed: `min(limit, calls not yet finished)`.
/// Code that waits for a batch, or for the slowest call ahead, fails at the first instant a
/// slot stayed free. `calls` must all have ended.
pub fn check_slots_reused(calls: &[Call], limit: usize) -> Result<(), String> {
    let total = calls.len();
    let ends: Vec<Duration> = calls
        .iter()
        .map(|call| call.ended.expect("every call ended before the check"))
        .collect();
    let mut instants: Vec<Duration> = calls.iter().map(|call| call.started).collect();
    instants.extend(&ends);
    instants.push(Duration::ZERO);
    instants.sort();
    instants.dedup();
    for &at in &instants {
        let started = calls.iter().filter(|call| call.started <= at).count();
        let ended = ends.iter().filter(|&&end| end <= at).count();
        let in_flight = started - ended;
        let possible = limit.min(total - ended);
        if in_flight < possible {
            let next_start = calls
                .iter()
                .map(|call| call.started)
                .filter(|&start| start > at)
                .min()
                .map_or_else(
                    || "never".to_owned(),
                    |start| format!("only at {}", secs(start)),
                );
            return Err(format!(
                "at {} only {in_flight} call(s) were in flight although {possible} could have \
                 been (limit {limit}, {} call(s) not started yet); the next call started {next_start}. \
                 A new call must start as soon as a slot frees — don't wait for a whole batch, or \
                 for a slow call ahead of it, to finish.",
                secs(at),
                total - started,
            ));
        }
    }
    Ok(())
}
