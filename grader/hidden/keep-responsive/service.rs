//! The grader's side of the service: a [`Backend`] that watches where and how each of its
//! methods is called, a heartbeat task beside the handler, and the runtime they all run on.
//!
//! Every test runs `handle` as a task on a Tasklings runtime named [`RUNTIME`], so its threads
//! say what they are: the worker is `keep-responsive-0` (one worker unless a test asks for
//! more), the blocking pool's threads are `keep-responsive-blocking`. Anything else — a thread
//! the learner started, one of rayon's — is "another thread".
//!
//! What the backend watches is chosen per test ([`Watch`]), so each test fails for its own
//! reason only: the scoring test doesn't wait for heartbeats in the blocking calls, and so on.

use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use keep_responsive::{handle, Backend, Request, Response};
use probes::heartbeat::Heartbeat;
use runtime::{Runtime, TaskState};

/// The runtime's thread-name prefix.
pub const RUNTIME: &str = "keep-responsive";
/// The only worker's thread name on a one-worker runtime.
pub const WORKER: &str = "keep-responsive-0";
/// The blocking pool's thread name.
pub const POOL: &str = "keep-responsive-blocking";
/// At most this many calls of `score` in a row on the worker with no other task polled in
/// between: the crate's `SCORE_BUDGET`, as its docs promise (the grader keeps its own copy, so
/// the bound can't be moved by editing the crate).
pub const BUDGET: usize = 100;
/// How long a call waits for the heartbeat before giving up. A free worker answers in
/// microseconds, so only a stuck worker (wrong code) ever waits this out — once per test, since
/// the heartbeat stays given up.
pub const PATIENCE: Duration = Duration::from_secs(2);
/// Heartbeats each blocking call waits for in the return test: its call can't finish before the
/// worker has polled this many tasks after it began, so a handler that doesn't wait for it
/// returns first, whatever the machine.
const BEATS_BEFORE_FINISHING: usize = 3;

/// What the backend checks while the handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// Only records the calls (answers test).
    Calls,
    /// Blocking calls: never on the worker, and the heartbeat beats while each one runs.
    Blocking,
    /// `score`: off the worker with the heartbeat beating, or on it in slices of at most
    /// `SCORE_BUDGET` calls between turns given back.
    Scoring,
    /// Blocking calls: on the runtime's blocking pool, as the thread name and the dump show.
    Pool,
    /// Blocking calls: each waits for a few heartbeats before finishing, so that one nobody
    /// awaits is still running when the handler returns.
    Return,
}

/// Where the current thread belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Worker,
    Pool,
    Other(String),
}

impl Place {
    pub fn here() -> Place {
        match thread::current().name() {
            Some(WORKER) => Place::Worker,
            Some(POOL) => Place::Pool,
            Some(name) if name.starts_with(RUNTIME) => Place::Worker, // a runtime with more workers
            Some(name) => Place::Other(format!("thread `{name}`")),
            None => Place::Other(
                "an unnamed thread (one started with std::thread::spawn, or one of rayon's)"
                    .to_owned(),
            ),
        }
    }
}

/// The score of one item: the grader's `Backend::score`, and its expected results.
pub fn score_of(item: u64) -> u32 {
    // A few hundred cycles of integer mixing: heavy enough to be CPU work, cheap enough that a
    // thousand items cost about a millisecond.
    let mut h = item ^ 0x9E37_79B9_7F4A_7C15;
    for _ in 0..64 {
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    }
    (h % 1_000) as u32
}

/// The profile the grader's database returns for `user`.
pub fn profile_of(user: u64) -> String {
    format!("profile of user {user}")
}

/// The answer `handle` must give.
pub fn expected(request: &Request) -> Response {
    Response {
        user: request.user,
        profile: profile_of(request.user),
        score: request.items.iter().map(|&i| u64::from(score_of(i))).sum(),
    }
}

/// One thing that went wrong, and the methods whose calls it hit.
struct Problem {
    calls: Vec<String>,
    text: String,
}

impl Problem {
    fn render(&self) -> String {
        self.text.replace("{WHAT}", &self.calls.join(" and "))
    }
}

/// The instrumented backend. Shared with the test through an `Arc`.
pub struct Probe {
    watch: Watch,
    heart: Heartbeat,
    log: Mutex<Log>,
}

#[derive(Default)]
pub struct Log {
    /// Users whose profile was loaded, in call order.
    pub profiles: Vec<u64>,
    /// Audit lines, in call order.
    pub audits: Vec<String>,
    /// Calls of `score`.
    pub scores: usize,
    /// Blocking calls (`load_profile`, `audit`) that have returned.
    pub finished_blocking: usize,
    /// What went wrong, each distinct problem once, in the order seen.
    problems: Vec<Problem>,
    /// `Watch::Scoring`: the current run of `score` calls on the worker with no heartbeat in
    /// between, the heartbeat count it started at, and the longest run.
    run: usize,
    run_beats: u64,
    pub longest_run: usize,
    /// `Watch::Scoring`: whether an off-worker call of `score` has waited for the heartbeat.
    waited_off_worker: bool,
}

impl Probe {
    pub fn new(watch: Watch) -> Arc<Probe> {
        Arc::new(Probe {
            watch,
            heart: Heartbeat::new(PATIENCE),
            log: Mutex::new(Log::default()),
        })
    }

    pub fn log(&self) -> MutexGuard<'_, Log> {
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a problem of `what` (a method's name); `text` says what happened, with `{WHAT}`
    /// where the names of the calls go, so that one problem of two methods reads as one.
    fn problem(&self, what: &str, text: String) {
        let mut log = self.log();
        let what = format!("`{what}`");
        match log.problems.iter_mut().find(|p| p.text == text) {
            Some(seen) if !seen.calls.contains(&what) => seen.calls.push(what),
            Some(_) => {}
            None => log.problems.push(Problem {
                calls: vec![what],
                text,
            }),
        }
    }

    /// Checks a blocking call (`what` names it) according to the watch, before it returns.
    fn blocking_call(&self, what: &str) {
        let place = Place::here();
        match (self.watch, &place) {
            (Watch::Blocking, Place::Worker) => self.problem(
                what,
                format!(
                    "Calls of {{WHAT}} ran on the runtime's worker thread `{WORKER}`, inside a \
                     task: while such a call blocks, that worker — the only one — can poll no \
                     other task. Run blocking calls with `runtime::spawn_blocking(move || …)` and \
                     `.await` the JoinHandle"
                ),
            ),
            (Watch::Blocking, _) => {
                // A wait that ends because the test is over (the heartbeat stopped) is no
                // verdict: that call outlived `handle`, which the return test reports.
                if !self.heart.wait_for_beat() && self.heart.gave_up() {
                    self.problem(
                        what,
                        format!(
                            "Calls of {{WHAT}} ran off the worker, {}, but while one ran the \
                             worker polled no other task for {PATIENCE:?}: your task held the \
                             worker while it waited for the call. Wait with `.await` on the \
                             JoinHandle (or on an async channel); a blocking `recv()`, \
                             `block_on` or a loop on `is_finished()` holds the worker just like \
                             the call itself",
                            describe(&place)
                        ),
                    );
                }
            }
            (Watch::Pool, Place::Pool) => {
                let dump = runtime::dump();
                if !dump.tasks.iter().any(|t| t.state == TaskState::Blocking) {
                    self.problem(
                        what,
                        format!(
                            "Calls of {{WHAT}} ran on a thread named like the blocking pool's, \
                             but the runtime's dump shows no task running on the pool:\n{dump}"
                        ),
                    );
                }
            }
            (Watch::Pool, Place::Worker) => self.problem(
                what,
                format!(
                    "Calls of {{WHAT}} ran on the worker thread `{WORKER}`, not on the runtime's \
                     blocking pool: run blocking calls with `runtime::spawn_blocking(move || …)` \
                     (a task made with `runtime::spawn` runs on a worker, like any other task)"
                ),
            ),
            (Watch::Pool, Place::Other(thread)) => self.problem(
                what,
                format!(
                    "Calls of {{WHAT}} ran on {thread}, not on the runtime's blocking pool \
                     (threads named `{POOL}`): run blocking calls with \
                     `runtime::spawn_blocking(move || …)`. A new thread per call costs a thread \
                     start each time and has no bound under load; rayon's threads are for \
                     computing — a blocked one is one fewer for every `par_iter` in the process"
                ),
            ),
            (Watch::Return, Place::Worker) => {} // finished before its task goes on
            (Watch::Return, _) => {
                for _ in 0..BEATS_BEFORE_FINISHING {
                    if !self.heart.wait_for_beat() {
                        break; // a stuck worker: the blocking test says why
                    }
                }
            }
            (Watch::Calls | Watch::Scoring, _) => {}
        }
    }

    /// Checks one call of `score`, according to the watch.
    fn score_call(&self) {
        if self.watch != Watch::Scoring {
            return;
        }
        let place = Place::here();
        if place == Place::Worker {
            let beats = self.heart.beats();
            {
                let mut log = self.log();
                if log.run > 0 && beats == log.run_beats {
                    log.run += 1;
                } else {
                    log.run = 1;
                    log.run_beats = beats;
                }
                log.longest_run = log.longest_run.max(log.run);
            }
            self.heart.request(); // polled at the next turn the task gives back
            return;
        }
        let first = !std::mem::replace(&mut self.log().waited_off_worker, true);
        if first && !self.heart.wait_for_beat() && self.heart.gave_up() {
            self.problem(
                "score",
                format!(
                    "Calls of {{WHAT}} ran off the worker, {}, but meanwhile the worker polled no \
                     other task for {PATIENCE:?}: your task held it while it waited for the \
                     scores. Wait with `.await` (on a JoinHandle, or on a channel such as \
                     futures' oneshot): calling rayon's `par_iter`, `thread::scope` or a \
                     blocking `recv()` from the task blocks the worker until all the scoring is \
                     done",
                    describe(&place)
                ),
            );
        }
    }
}

fn describe(place: &Place) -> String {
    match place {
        Place::Worker => format!("on `{WORKER}`"),
        Place::Pool => format!("on the blocking pool (`{POOL}`)"),
        Place::Other(thread) => format!("on {thread}"),
    }
}

impl Backend for Probe {
    fn load_profile(&self, user: u64) -> String {
        self.blocking_call("load_profile");
        let mut log = self.log();
        log.profiles.push(user);
        log.finished_blocking += 1;
        profile_of(user)
    }

    fn score(&self, item: u64) -> u32 {
        self.score_call();
        self.log().scores += 1;
        score_of(item)
    }

    fn audit(&self, line: String) {
        self.blocking_call("audit");
        let mut log = self.log();
        log.audits.push(line);
        log.finished_blocking += 1;
    }
}

/// One answered request: the response, and how many blocking calls had finished (of all
/// requests) at the moment `handle` returned.
pub struct Answered {
    pub response: Response,
    pub finished_blocking_at_return: usize,
}

/// Runs `handle` for every request at once, as tasks on a runtime of `workers` workers beside
/// the heartbeat, and waits for them all.
pub fn serve(probe: &Arc<Probe>, workers: usize, requests: &[Request]) -> Vec<Answered> {
    let rt = Runtime::builder()
        .workers(workers)
        .thread_name(RUNTIME)
        .build()
        .expect("the grader can start a runtime");
    rt.spawn(probe.heart.task());
    assert!(
        probe.heart.wait_until_running(),
        "the grader's heartbeat task never started (a problem of the grader, not of your code)"
    );
    let tasks: Vec<_> = requests
        .iter()
        .map(|request| {
            let (probe, request) = (Arc::clone(probe), request.clone());
            rt.spawn(async move {
                let response = handle(Arc::clone(&probe), request).await;
                // In the poll that completes `handle`: nothing else ran on this worker since.
                let finished_blocking_at_return = probe.log().finished_blocking;
                Answered {
                    response,
                    finished_blocking_at_return,
                }
            })
        })
        .collect();
    let answered = tasks
        .into_iter()
        .map(|task| {
            task.join()
                .unwrap_or_else(|error| panic!("`handle` panicked: {error}"))
        })
        .collect();
    probe.heart.stop();
    answered
}

/// Panics with the backend's problems, if any.
pub fn expect_no_problems(probe: &Probe) {
    let log = probe.log();
    let problems: Vec<String> = log.problems.iter().map(Problem::render).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// `count` items: `0, 1, …`.
pub fn items(count: u64) -> Vec<u64> {
    (0..count).collect()
}
