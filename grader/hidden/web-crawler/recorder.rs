//! The in-memory site as a `fetch`, instrumented, on tokio's paused clock.
//!
//! Every call of the fetch handed to `crawl` is recorded: its url, when `fetch` was called, when
//! its future was first polled (the request "goes out": the fetch *starts*), and when the future
//! completed or was dropped. From that record the tests read fetches per url, fetches in flight at
//! once (a [`Gauge`] entered at the first poll and left at completion or drop), the start times
//! per host, and which futures were still held after `crawl` returned.
//!
//! The clock is tokio's, paused: it stands still while any task can run and jumps to the next
//! timer when all wait, so a crawl of minutes of virtual time takes milliseconds of real time and
//! every recorded time is exact — no machine load can shift it. Code that blocks the thread
//! (`std::thread::sleep`) stops real time, not tokio's.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use probes::gauge::{Gauge, GaugeGuard};
use tokio::sync::Notify;
use tokio::time::Instant;
use web_crawler::{crawl, CancellationToken, Config, Fetched, Report};

use crate::site::{host, Site};

/// One call of the fetch, in virtual time since the test began.
#[derive(Debug, Clone)]
pub struct Call {
    pub url: String,
    /// When `fetch(url)` was called.
    pub called: Duration,
    /// When its future was first polled: the fetch started.
    pub started: Option<Duration>,
    /// When its future completed.
    pub ended: Option<Duration>,
    /// When its future was dropped before completing.
    pub dropped: Option<Duration>,
}

impl Call {
    /// Whether the future is still held (neither completed nor dropped).
    pub fn held(&self) -> bool {
        self.ended.is_none() && self.dropped.is_none()
    }
}

/// Shared by the test and every call of the fetch.
#[derive(Clone)]
pub struct Recorder {
    origin: Instant,
    site: Arc<Site>,
    calls: Arc<Mutex<Vec<Call>>>,
    /// Fetches started (polled) and not yet completed or dropped.
    pub in_flight: Gauge,
    /// Signalled when the calls exceed `cap`: the crawl is running away (a redirect chain
    /// followed forever, a url fetched again and again).
    runaway: Arc<Notify>,
    cap: usize,
}

/// The boxed future the fetch returns.
pub type Page = Pin<Box<dyn Future<Output = Fetched> + Send>>;

impl Recorder {
    /// Must be made inside the paused runtime, right before `crawl` is called: that instant is
    /// virtual time zero.
    pub fn new(site: Arc<Site>, cap: usize) -> Recorder {
        Recorder {
            origin: Instant::now(),
            site,
            calls: Arc::new(Mutex::new(Vec::new())),
            in_flight: Gauge::new(),
            runaway: Arc::new(Notify::new()),
            cap,
        }
    }

    /// The fetch handed to `crawl`: waits the url's latency (virtual) and answers what the site
    /// holds there; a hanging page never answers.
    pub fn fetch(&self) -> impl Fn(String) -> Page + Send + Sync + 'static {
        let recorder = self.clone();
        move |url: String| {
            let resource = recorder.site.resource(&url);
            let index = recorder.record_call(url);
            // Made now, moved into the future: dropping the future (polled or not) records it.
            let mut tracker = Tracker {
                recorder: recorder.clone(),
                index,
                in_flight: None,
                done: false,
            };
            Box::pin(async move {
                tracker.start();
                let answer = match (resource.latency(), resource.fetched()) {
                    (Some(latency), Some(answer)) => {
                        tokio::time::sleep(latency).await;
                        answer
                    }
                    _ => std::future::pending().await,
                };
                tracker.finish();
                answer
            })
        }
    }

    /// Virtual time since the recorder was made.
    pub fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.origin)
    }

    fn record_call(&self, url: String) -> usize {
        let called = self.now();
        let mut calls = self.lock();
        calls.push(Call {
            url,
            called,
            started: None,
            ended: None,
            dropped: None,
        });
        if calls.len() > self.cap {
            self.runaway.notify_one();
        }
        calls.len() - 1
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Call>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every call so far, in the order `fetch` was called.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().clone()
    }

    /// Start times of the fetches to `host`, sorted.
    pub fn starts_on(&self, host_name: &str) -> Vec<Duration> {
        let mut starts: Vec<Duration> = self
            .lock()
            .iter()
            .filter(|call| host(&call.url) == host_name)
            .filter_map(|call| call.started)
            .collect();
        starts.sort();
        starts
    }

    /// The hosts fetched from, sorted.
    pub fn hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .lock()
            .iter()
            .map(|call| host(&call.url).to_owned())
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }

    /// Completes when the calls exceed the cap.
    pub async fn runaway(&self) {
        self.runaway.notified().await;
    }
}

/// Lives inside one fetch future: notes its first poll, its completion, or its drop.
struct Tracker {
    recorder: Recorder,
    index: usize,
    in_flight: Option<GaugeGuard>,
    done: bool,
}

impl Tracker {
    fn start(&mut self) {
        let now = self.recorder.now();
        self.in_flight = Some(self.recorder.in_flight.enter());
        self.recorder.lock()[self.index].started = Some(now);
    }

    fn finish(&mut self) {
        let now = self.recorder.now();
        self.in_flight = None;
        self.done = true;
        self.recorder.lock()[self.index].ended = Some(now);
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        if !self.done {
            let now = self.recorder.now();
            self.recorder.lock()[self.index].dropped = Some(now);
        }
    }
}

/// One crawl on the paused clock, and what it left behind.
pub struct Run {
    /// `crawl(…)` with the site and config, for messages.
    pub what: String,
    pub site: Arc<Site>,
    pub config: Config,
    pub report: Report,
    pub recorder: Recorder,
    /// Virtual time at which `crawl` returned.
    pub returned: Duration,
    /// Tokio tasks alive ten virtual seconds after the return, beyond those alive before.
    pub extra_tasks: usize,
    /// Real time the run took (only ever used for a hint: on a paused clock correct code takes
    /// milliseconds).
    pub real_time: std::time::Duration,
}

impl Run {
    /// Calls whose future was still held ten virtual seconds after `crawl` returned.
    pub fn held_after_return(&self) -> Vec<Call> {
        self.recorder
            .calls()
            .into_iter()
            .filter(Call::held)
            .collect()
    }

    /// Fetches that started after `at` (virtual).
    pub fn started_after(&self, at: Duration) -> Vec<Call> {
        self.recorder
            .calls()
            .into_iter()
            .filter(|call| call.started.is_some_and(|started| started > at))
            .collect()
    }
}

/// How many calls make a crawl "run away", for a site whose model fetches `expected` urls.
fn runaway_cap(expected: usize) -> usize {
    expected * 3 + 50
}

/// Crawls `site` with `config` on a fresh paused runtime, cancelling the token at `cancel_at`
/// (virtual; `Some(ZERO)`: before `crawl` is called), then waits ten virtual seconds and looks at
/// what is left. Panics with a message for the learner if `crawl` panics, runs away, or doesn't
/// return within an hour of virtual time.
pub fn run(site: Site, config: Config, cancel_at: Option<Duration>) -> Run {
    let what = format!("crawl({})", site.describe(&config));
    let site = Arc::new(site);
    let expected = site.model(&config).len();
    let cap = runaway_cap(expected);
    let runtime = probes::clock::paused_runtime();
    let real_start = std::time::Instant::now();
    let body = {
        let (site, config, what) = (Arc::clone(&site), config.clone(), what.clone());
        async move {
            let alive = || {
                tokio::runtime::Handle::current()
                    .metrics()
                    .num_alive_tasks()
            };
            let before = alive();
            let recorder = Recorder::new(Arc::clone(&site), cap);
            let stop = CancellationToken::new();
            if cancel_at == Some(Duration::ZERO) {
                stop.cancel();
            }
            let crawling = crawl(site.start.clone(), config, recorder.fetch(), stop.clone());
            let cancelling = async {
                if let Some(at) = cancel_at {
                    tokio::time::sleep(at).await;
                    stop.cancel();
                }
            };
            let watched = async {
                tokio::select! {
                    report = crawling => Some(report),
                    () = recorder.runaway() => None,
                }
            };
            let (report, ()) = tokio::join!(
                async {
                    let report = watched.await;
                    (report, recorder.now())
                },
                cancelling
            );
            let (report, returned) = report;
            let Some(report) = report else {
                let calls = recorder.calls();
                let mut counts = std::collections::BTreeMap::<&str, usize>::new();
                for call in &calls {
                    *counts.entry(call.url.as_str()).or_default() += 1;
                }
                let (most, times) = counts
                    .iter()
                    .max_by_key(|(_, count)| **count)
                    .map(|(url, count)| ((*url).to_owned(), *count))
                    .unwrap_or_default();
                let last = calls.last().map_or("none", |call| call.url.as_str());
                let why = if times > 1 {
                    format!(
                        "{most} was fetched {times} times: claim each url the moment you first \
                         see it, and never fetch a claimed url again"
                    )
                } else {
                    format!(
                        "no url twice, but the last one fetched was {last}: is a chain of \
                         redirects (each to a new url) followed forever? Count the redirects in \
                         a row, and stop following after max_redirects"
                    )
                };
                panic!(
                    "{what} ran away: it called fetch {} times, though the whole crawl takes \
                     {expected} fetches; {why}.",
                    calls.len(),
                );
            };
            // Let anything left behind show itself: ten virtual seconds.
            tokio::time::sleep(Duration::from_secs(10)).await;
            let extra_tasks = alive().saturating_sub(before);
            (report, recorder, returned, extra_tasks)
        }
    };
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(async { tokio::time::timeout(VIRTUAL_DEADLINE, body).await })
    }));
    let real_time = real_start.elapsed();
    match result {
        Ok(Ok((report, recorder, returned, extra_tasks))) => Run {
            what,
            site,
            config,
            report,
            recorder,
            returned,
            extra_tasks,
            real_time,
        },
        Ok(Err(_elapsed)) => panic!(
            "{what} did not return within an hour of (virtual) tokio time, with every task \
             waiting: is a fetch that never answers awaited without a timeout \
             (tokio::time::timeout(config.fetch_timeout, fetch(url)))? Or is a task waiting for \
             a slot or a permit that is never given back (with 0 for max_concurrent or \
             per_host_per_second, treat it as 1)?"
        ),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)");
            if message.contains(" ran away: ") {
                panic::resume_unwind(payload)
            }
            panic!("{what} panicked: {message}")
        }
    }
}

const VIRTUAL_DEADLINE: Duration = Duration::from_secs(3600);

/// A hint to append to a failure on the paused clock when real time passed: blocking the thread
/// stops real time, not tokio's.
pub fn blocking_hint(real_time: std::time::Duration) -> String {
    if real_time >= std::time::Duration::from_millis(500) {
        format!(
            " This test took {:.1} s of real time although tokio's clock is paused (correct code \
             takes milliseconds): something blocks the thread instead of awaiting — \
             std::thread::sleep inside async code? Use tokio::time::sleep.",
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
