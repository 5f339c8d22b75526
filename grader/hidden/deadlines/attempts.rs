//! Scripted attempts and a seeded jitter, both recording what the learner's code did with them.
//!
//! An attempt is a fake call whose outcome and duration the test scripts: succeed or fail after
//! so many (virtual) milliseconds, or never answer. Each records when it was first polled (its
//! start), and when it ended: completed, or dropped before completing. A dropped future is how
//! an attempt is stopped in Rust, so "the timed-out attempt is stopped at its timeout" is checked
//! as "its future was dropped at that instant". Each also holds a `LiveWork` token from the
//! moment `attempt(n)` creates it until its future is dropped: after the call returns, no token
//! may be left — a detached task still running an attempt holds one.
//!
//! The jitter is a closure drawing from a seeded generator: every wait is known in advance, and
//! the model (`model.rs`) draws the same numbers.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use probes::gauge::Gauge;
use probes::live::{LiveToken, LiveWork};
use probes::seeded::Rng;
use tokio::time::Instant;

/// What one scripted attempt does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Returns `Ok(value)` after `ms` milliseconds.
    Succeed { ms: u64, value: u32 },
    /// Returns `Err(code)` after `ms` milliseconds.
    Fail { ms: u64, code: u32 },
    /// Never answers: only a timeout or the deadline ends it.
    Hang,
}

/// What an attempt made beyond the script does: fails at once with this code.
pub const UNSCRIPTED: u32 = 9999;

/// How an attempt's future ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It completed (returned its result).
    Completed,
    /// It was dropped before completing.
    Dropped,
}

/// One call of `attempt(n)`, as recorded.
#[derive(Clone, Debug)]
pub struct Record {
    /// The `n` the learner passed.
    pub number: u32,
    /// When its future was first polled (virtual time since the test began).
    pub started: Option<Duration>,
    /// When and how its future ended; `None` while it is alive.
    pub ended: Option<(Duration, Ending)>,
}

/// The boxed future each attempt returns.
pub type AttemptFuture = Pin<Box<dyn Future<Output = Result<u32, u32>> + Send>>;

/// Shared by the test and every attempt.
#[derive(Clone)]
pub struct Attempts {
    origin: Instant,
    script: Arc<Vec<Step>>,
    records: Arc<Mutex<Vec<Record>>>,
    /// A token per attempt future, live until the future is dropped.
    pub live: LiveWork,
}

impl Attempts {
    /// Must be made inside the paused runtime, right before the learner's function is called:
    /// that instant is virtual time zero. Attempt `i` (in the order they are made) follows
    /// `script[i]`; attempts beyond the script fail at once with [`UNSCRIPTED`].
    pub fn new(script: Vec<Step>) -> Attempts {
        Attempts {
            origin: Instant::now(),
            script: Arc::new(script),
            records: Arc::new(Mutex::new(Vec::new())),
            live: LiveWork::new(),
        }
    }

    /// The instant the test calls time zero.
    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// The `attempt` closure handed to the learner's code.
    pub fn attempt(&self) -> impl FnMut(u32) -> AttemptFuture + Send + 'static {
        let attempts = self.clone();
        move |number| attempts.make(number)
    }

    fn make(&self, number: u32) -> AttemptFuture {
        let token = self.live.start();
        let index = {
            let mut records = self.lock();
            records.push(Record {
                number,
                started: None,
                ended: None,
            });
            records.len() - 1
        };
        let step = self.script.get(index).copied().unwrap_or(Step::Fail {
            ms: 0,
            code: UNSCRIPTED,
        });
        let mut watch = Watch {
            attempts: self.clone(),
            index,
            completed: false,
            _token: token,
        };
        Box::pin(async move {
            watch.attempts.lock()[index].started = Some(watch.attempts.now());
            let result = match step {
                Step::Succeed { ms, value } => {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Ok(value)
                }
                Step::Fail { ms, code } => {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Err(code)
                }
                Step::Hang => std::future::pending().await,
            };
            watch.completed = true;
            let now = watch.attempts.now();
            watch.attempts.lock()[index].ended = Some((now, Ending::Completed));
            result
        })
    }

    fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.origin)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Record>> {
        // A panic while holding this lock can only come from this file; keep the data anyway.
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every attempt made so far, in the order they were made.
    pub fn records(&self) -> Vec<Record> {
        self.lock().clone()
    }
}

/// Lives inside an attempt's future: records the drop of a future that never completed, and
/// holds the attempt's live token until the future is gone.
struct Watch {
    attempts: Attempts,
    index: usize,
    completed: bool,
    _token: LiveToken,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.completed {
            let now = self.attempts.now();
            self.attempts.lock()[self.index].ended = Some((now, Ending::Dropped));
        }
    }
}

/// The wait the test's jitter returns for `backoff`: a whole number of milliseconds between half
/// the backoff and all of it ("equal jitter"), drawn from `rng`.
pub fn draw(rng: &mut Rng, backoff: Duration) -> Duration {
    let whole = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX / 2);
    let half = whole / 2;
    Duration::from_millis(half + rng.below(whole - half + 1))
}

/// The jitter closure handed to the learner's code, and what it was called with.
#[derive(Clone)]
pub struct Jitter {
    seed: u64,
    calls: Arc<Mutex<Vec<Duration>>>,
}

impl Jitter {
    pub fn new(seed: u64) -> Jitter {
        Jitter {
            seed,
            calls: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Returns [`draw`] of a generator seeded with the test's seed, and records its argument.
    pub fn closure(&self) -> impl FnMut(Duration) -> Duration + Send + 'static {
        let mut rng = Rng::new(self.seed);
        let calls = Arc::clone(&self.calls);
        move |backoff| {
            calls
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(backoff);
            draw(&mut rng, backoff)
        }
    }

    /// The backoffs the jitter was called with, in order.
    pub fn calls(&self) -> Vec<Duration> {
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// One call of the poller's `poll`, as recorded.
#[derive(Clone, Debug)]
pub struct PollRecord {
    /// The index the learner passed.
    pub index: usize,
    pub started: Option<Duration>,
    pub ended: Option<Duration>,
}

/// Scripted calls for `poll_every`: call `i` (in the order they are made) takes `durations[i]`
/// milliseconds and returns `reading(index)`.
#[derive(Clone)]
pub struct Polls {
    origin: Instant,
    durations: Arc<Vec<u64>>,
    records: Arc<Mutex<Vec<PollRecord>>>,
    /// Calls polled and not yet finished or dropped.
    pub in_flight: Gauge,
    pub live: LiveWork,
}

/// What call `index` of the poller returns.
pub fn reading(index: usize) -> String {
    format!("reading #{index}")
}

impl Polls {
    /// Must be made inside the paused runtime, right before `poll_every` is called.
    pub fn new(durations: Vec<u64>) -> Polls {
        Polls {
            origin: Instant::now(),
            durations: Arc::new(durations),
            records: Arc::new(Mutex::new(Vec::new())),
            in_flight: Gauge::new(),
            live: LiveWork::new(),
        }
    }

    /// The instant the test calls time zero.
    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// The `poll` closure handed to `poll_every`.
    pub fn poll(&self) -> impl FnMut(usize) -> Pin<Box<dyn Future<Output = String> + Send>> + Send {
        let polls = self.clone();
        move |index| polls.make(index)
    }

    fn make(&self, index: usize) -> Pin<Box<dyn Future<Output = String> + Send>> {
        let token = self.live.start();
        let slot = {
            let mut records = self.lock();
            records.push(PollRecord {
                index,
                started: None,
                ended: None,
            });
            records.len() - 1
        };
        let duration = self.durations.get(slot).copied().unwrap_or(0);
        let polls = self.clone();
        Box::pin(async move {
            let _token = token;
            let _in_flight = polls.in_flight.enter();
            polls.lock()[slot].started = Some(polls.now());
            tokio::time::sleep(Duration::from_millis(duration)).await;
            polls.lock()[slot].ended = Some(polls.now());
            reading(index)
        })
    }

    fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.origin)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<PollRecord>> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every call made so far, in the order they were made.
    pub fn records(&self) -> Vec<PollRecord> {
        self.lock().clone()
    }
}
