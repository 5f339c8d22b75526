//! The hidden-test harness: the test-binary side of the grader's protocol.
//!
//! A hidden test binary (`grader/hidden/<slug>/main.rs`, built with `harness = false`) hands its
//! tests to [`main`]:
//!
//! ```no_run
//! use probes::harness::{self, Test};
//! fn main() {
//!     harness::main(vec![
//!         Test::correctness("sums_an_empty_slice_to_zero", 1.0, empty_slice),
//!         Test::timing("runs_workers_calls_at_once", 2.0, empty_slice)
//!             .timeout(std::time::Duration::from_secs(20)),
//!     ])
//! }
//! fn empty_slice() {
//!     assert_eq!(0, 0, "an empty slice must sum to 0");
//! }
//! ```
//!
//! A test passes when its function returns and fails when it panics; the panic message is what
//! the learner reads. [`skip`] ends a test as skipped (a timing check on a machine with too few
//! CPUs, say): it counts neither for nor against the score.
//!
//! # Three modes
//!
//! * `BIN --tasklings-list`: writes one record naming every test (kind, points, timeout) to the
//!   result channel and exits. No test code runs.
//! * `BIN --tasklings-run NAME`: runs that one test and writes its verdict to the result channel.
//!   The grader runs every test in a process of its own, in a process group of its own, and kills
//!   the group at the test's timeout.
//! * `BIN [--seed N] [FILTER…]`: runs every test (whose name contains a filter) here, one after
//!   another, and prints a summary; `--seed N` sets `TASKLINGS_SEED` (every Tasklings runtime is
//!   deterministic with that seed, and an exploration runs only that seed, `crate::explore`). For instructors writing hidden tests; a hung test stops the run, since a
//!   thread can't be killed.
//!
//! # Why learner code can't forge a verdict
//!
//! The grader never reads verdicts from stdout or stderr (learner code prints there). It passes
//! the write end of a pipe, the *result channel*, as a file descriptor named in the environment
//! variable `TASKLINGS_RESULT_FD`, and a fresh random *nonce* as the first line on stdin. Before
//! any test code runs, this module reads the nonce, marks the descriptor close-on-exec (so
//! processes the learner starts don't inherit it) and removes the variable. The grader accepts
//! only records that carry the nonce, so a line printed by learner code, or a record written by a
//! process the learner started, counts for nothing; a test whose process ends without a verdict
//! record (`std::process::exit(0)` in learner code, an abort, a signal) has failed.
//!
//! This raises the bar; it is not a sandbox. Code in the same process could search its memory for
//! the nonce. Grading a class should also run the grader in a container per submission.
//!
//! # Records
//!
//! The lines on the result channel are `wire::Line`s (one JSON object per line, each with the
//! nonce): the test list, a verdict per test (with every panic the process saw, at most
//! [`MAX_PANICS_KEPT`], so the grader can say where), and the dump a watchdog writes shortly
//! before the test's timeout — `runtime::dump()` (every live task: id, name, where it was
//! spawned, its state) and the process's threads, so the grader can show what was still running
//! when it kills the test. `docs/protocol.md` is the contract.

use std::fmt::Write as _;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use wire::{ListedTest, Record, ResultChannel, Status, LIST_ARG, RUN_ARG};

pub use wire::Kind;
/// A test's timeout unless it sets its own with [`Test::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Panics recorded per process; a learner's thread that panics in a loop can't flood the record.
pub const MAX_PANICS_KEPT: usize = 16;

/// One hidden test: a name that says what is checked, its points, its timeout and its body.
#[derive(Clone, Debug)]
pub struct Test {
    name: String,
    kind: Kind,
    points: f64,
    timeout: Duration,
    env: Vec<(String, String)>,
    body: fn(),
}

impl Test {
    /// A correctness test worth `points`: passes when `body` returns, fails when it panics.
    pub fn correctness(name: impl Into<String>, points: f64, body: fn()) -> Test {
        Test::new(name.into(), Kind::Correctness, points, body)
    }

    /// A timing test worth `points`. Timing checks compare against a baseline measured in the
    /// same run and never assert an absolute time.
    pub fn timing(name: impl Into<String>, points: f64, body: fn()) -> Test {
        Test::new(name.into(), Kind::Timing, points, body)
    }

    fn new(name: String, kind: Kind, points: f64, body: fn()) -> Test {
        Test {
            name,
            kind,
            points,
            timeout: DEFAULT_TIMEOUT,
            env: Vec::new(),
            body,
        }
    }

    /// Replaces the default timeout ([`DEFAULT_TIMEOUT`]). Generous is right: a timeout is for
    /// code that hangs, not a performance bound.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Test {
        self.timeout = timeout;
        self
    }

    /// Sets an environment variable for this test only, before its body (and any thread it
    /// starts) runs: `TASKLINGS_LAZY_SPAWN=1` to make a race on "who runs first" lose every
    /// time, say. Runtimes read their settings when they are built, so the test sees the value.
    #[must_use]
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The test's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Correctness or timing.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Points the test is worth.
    pub fn points(&self) -> f64 {
        self.points
    }

    /// How long the test may run before it is stopped.
    pub fn timeout_duration(&self) -> Duration {
        self.timeout
    }
}

/// Ends the current test as skipped, with `reason` shown to the learner ("needs 2 CPUs, this
/// machine has 1"). Call it from the test's own thread, not from a thread the test started.
pub fn skip(reason: impl Into<String>) -> ! {
    // `resume_unwind` doesn't run the panic hook: a skip is not a panic the learner should see.
    panic::resume_unwind(Box::new(Skipped(reason.into())))
}

/// The unwinding payload of [`skip`].
struct Skipped(String);

/// Runs the hidden tests in the mode the command line asks for (see the module docs) and exits.
pub fn main(tests: Vec<Test>) -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some(LIST_ARG) => list_mode(&tests),
        Some(RUN_ARG) => match args.get(1) {
            Some(name) => run_mode(&tests, name),
            None => usage_error(&format!("{RUN_ARG} needs the name of a test")),
        },
        _ => in_process_mode(&tests, &args),
    };
    std::process::exit(code)
}

// ---------------------------------------------------------------------------------------------
// Grader modes.

fn list_mode(tests: &[Test]) -> i32 {
    let channel = match ResultChannel::from_grader() {
        Ok(channel) => channel,
        Err(message) => return usage_error(&message),
    };
    let record = match check_tests(tests) {
        Ok(()) => Record::List {
            tests: tests
                .iter()
                .map(|test| ListedTest {
                    name: test.name.clone(),
                    kind: test.kind,
                    points: test.points,
                    timeout_ms: millis(test.timeout),
                })
                .collect(),
        },
        Err(problem) => Record::Unsound { problem },
    };
    channel.send(record);
    0
}

fn run_mode(tests: &[Test], name: &str) -> i32 {
    // The channel comes first: the nonce is read and the descriptor hidden before any test code.
    let channel = match ResultChannel::from_grader() {
        Ok(channel) => channel,
        Err(message) => return usage_error(&message),
    };
    let Some(test) = tests.iter().find(|test| test.name == name) else {
        return usage_error(&format!("no test named `{name}` in this binary"));
    };
    install_panic_recorder();
    // Still the only thread: the environment can be changed safely.
    set_env(test);

    let channel = &*Box::leak(Box::new(channel));
    let test_name = test.name.clone();
    let watchdog_at = watchdog_delay(test.timeout);
    // The watchdog thread writes the dump shortly before the grader's deadline; if the test
    // finishes first, the process exits and the watchdog with it.
    let _watchdog = thread::Builder::new()
        .name("tasklings-watchdog".into())
        .spawn(move || {
            thread::sleep(watchdog_at);
            channel.send(Record::Dump {
                name: test_name,
                text: dump_text(),
            });
        });

    let outcome = run_test(test);
    let seeded = match outcome.status {
        Status::Fail => crate::explore::take_failure().or_else(seed_from_env),
        _ => None,
    };
    channel.send(Record::Verdict {
        name: test.name.clone(),
        status: outcome.status,
        message: outcome.message,
        duration_ms: millis(outcome.duration),
        panics: recorded_panics(),
        seeded,
    });
    // The verdict is on its way; whatever learner output is still buffered is only shown.
    let _ = std::io::stdout().flush();
    0
}

/// The seed every runtime of this process ran under when the grader set one (`--seed`), for a
/// failure that came from no exploration.
fn seed_from_env() -> Option<wire::Seeded> {
    let seed = std::env::var("TASKLINGS_SEED").ok()?.trim().parse().ok()?;
    let policy = std::env::var("TASKLINGS_SCHEDULE").unwrap_or_else(|_| "random".to_owned());
    Some(wire::Seeded {
        seed,
        policy,
        schedule: None,
    })
}

/// How long after the start the watchdog writes its dump: a little before the timeout, so the
/// record arrives before the grader kills the process group.
fn watchdog_delay(timeout: Duration) -> Duration {
    let margin = (timeout / 10).min(Duration::from_secs(1));
    timeout.saturating_sub(margin)
}

// ---------------------------------------------------------------------------------------------
// The in-process mode, for instructors.

fn in_process_mode(tests: &[Test], args: &[String]) -> i32 {
    if let Err(problem) = check_tests(tests) {
        eprintln!("error: {problem}");
        return 2;
    }
    let filters = match take_seed(args) {
        Ok(filters) => filters,
        Err(message) => return usage_error(&message),
    };
    install_panic_recorder();
    // Options such as `--nocapture` (which `cargo test` may pass along) are not name filters.
    let filters: Vec<&String> = filters.iter().filter(|f| !f.starts_with('-')).collect();
    let selected: Vec<&Test> = tests
        .iter()
        .filter(|test| filters.is_empty() || filters.iter().any(|f| test.name.contains(f.as_str())))
        .collect();
    println!("running {} hidden tests in this process", selected.len());
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for test in selected {
        let name = test.name.clone();
        let timeout = test.timeout;
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watch = std::sync::Arc::clone(&finished);
        // A hung test can't be interrupted in-process: say what is running and stop.
        let _watchdog = thread::Builder::new()
            .name("tasklings-watchdog".into())
            .spawn(move || {
                thread::sleep(timeout);
                if !watch.load(std::sync::atomic::Ordering::SeqCst) {
                    eprintln!(
                        "\ntest {name} timed out after {} ms; stopping here (the grader runs each \
                         test in a process it can kill).\n{}",
                        millis(timeout),
                        dump_text()
                    );
                    std::process::exit(1);
                }
            });
        // Other threads exist here (watchdogs, threads earlier tests left behind), and none of
        // ours reads the environment; the grader's mode, one process per test, needs no care.
        set_env(test);
        let outcome = run_test(test);
        for (key, _) in &test.env {
            std::env::remove_var(key);
        }
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
        let ms = millis(outcome.duration);
        match outcome.status {
            Status::Pass => {
                passed += 1;
                println!("ok       {} ({ms} ms)", test.name);
            }
            Status::Fail => {
                failed += 1;
                println!(
                    "FAILED   {} ({ms} ms)\n{}",
                    test.name,
                    indent(&outcome.message)
                );
            }
            Status::Skipped => {
                skipped += 1;
                println!("skipped  {}: {}", test.name, outcome.message);
            }
        }
    }
    println!("\n{passed} passed, {failed} failed, {skipped} skipped");
    i32::from(failed > 0)
}

/// `--seed N` among the arguments sets `TASKLINGS_SEED` for every test (what `cargo grade run
/// --seed N` does for the grader's processes); the other arguments are returned.
fn take_seed(args: &[String]) -> Result<Vec<String>, String> {
    let mut rest = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--seed") {
            Some("") => args.next().cloned(),
            Some(tail) if tail.starts_with('=') => Some(tail[1..].to_owned()),
            _ => {
                rest.push(arg.clone());
                continue;
            }
        };
        match value.as_deref().map(str::parse::<u64>) {
            Some(Ok(seed)) => std::env::set_var("TASKLINGS_SEED", seed.to_string()),
            _ => return Err("--seed needs a whole number, the seed a failure named".to_owned()),
        }
    }
    Ok(rest)
}

fn set_env(test: &Test) {
    for (key, value) in &test.env {
        std::env::set_var(key, value);
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

// ---------------------------------------------------------------------------------------------
// Running one test.

struct Outcome {
    status: Status,
    message: String,
    duration: Duration,
}

/// Runs the test's body on a thread named after the test (so a panic says which test it was in).
fn run_test(test: &Test) -> Outcome {
    let body = test.body;
    let started = Instant::now();
    let joined = thread::Builder::new()
        .name(test.name.clone())
        .spawn(move || panic::catch_unwind(AssertUnwindSafe(body)))
        .map(|handle| handle.join());
    let duration = started.elapsed();
    let result = match joined {
        Ok(Ok(result)) => result,
        // catch_unwind caught everything; a join error means the thread died another way.
        Ok(Err(payload)) => Err(payload),
        Err(error) => {
            return Outcome {
                status: Status::Fail,
                message: format!("the harness could not start a thread for the test: {error}"),
                duration,
            }
        }
    };
    match result {
        Ok(()) => Outcome {
            status: Status::Pass,
            message: String::new(),
            duration,
        },
        Err(payload) => match payload.downcast::<Skipped>() {
            Ok(skipped) => Outcome {
                status: Status::Skipped,
                message: skipped.0,
                duration,
            },
            Err(payload) => Outcome {
                status: Status::Fail,
                message: payload_text(payload.as_ref()),
                duration,
            },
        },
    }
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "the test panicked with a value that is not a string".to_owned()
    }
}

fn check_tests(tests: &[Test]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for test in tests {
        let name = &test.name;
        let snake = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !snake {
            return Err(format!(
                "test name `{name}` is not snake_case (lowercase letters, digits, `_`)"
            ));
        }
        if !seen.insert(name.as_str()) {
            return Err(format!("two tests are named `{name}`"));
        }
        if !(test.points.is_finite() && test.points >= 0.0) {
            return Err(format!(
                "test `{name}` is worth {} points; points must be 0 or more",
                test.points
            ));
        }
        if test.timeout.is_zero() {
            return Err(format!("test `{name}` has a zero timeout"));
        }
    }
    if tests.is_empty() {
        return Err("the hidden test binary has no tests".to_owned());
    }
    Ok(())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn usage_error(message: &str) -> i32 {
    eprintln!(
        "error: {message}\n\
         The `{LIST_ARG}` and `{RUN_ARG}` modes are the grader's protocol; to run the tests \
         yourself, start this binary without arguments (or with parts of test names)."
    );
    2
}

// ---------------------------------------------------------------------------------------------
// Panics: what the learner should see.

static PANICS: Mutex<Vec<wire::Panic>> = Mutex::new(Vec::new());

/// Keeps the default hook's printing (the learner sees it in the test's output) and records each
/// panic's message and location for the verdict.
fn install_panic_recorder() {
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
        let record = wire::Panic {
            thread: thread::current().name().unwrap_or("<unnamed>").to_owned(),
            message: payload_text(info.payload()),
            location: info.location().map(|at| at.to_string()),
        };
        let mut panics = PANICS.lock().unwrap_or_else(PoisonError::into_inner);
        if panics.len() < MAX_PANICS_KEPT {
            panics.push(record);
        }
        drop(panics);
        default_hook(info);
    }));
}

fn recorded_panics() -> Vec<wire::Panic> {
    PANICS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

// ---------------------------------------------------------------------------------------------
// The dump written before a timeout.

/// What is still running: every live task of the Tasklings runtime (id, name, spawn location,
/// state — like Go's goroutine dump), then the process's threads with their kernel state.
fn dump_text() -> String {
    let mut text = String::new();
    let tasks = runtime::dump();
    if !tasks.tasks.is_empty() {
        let _ = writeln!(text, "Tasklings runtime: {tasks}");
    }
    text.push_str(&threads_text());
    text
}

/// Every thread of this process, with its name and kernel state (running, sleeping, …), read from
/// `/proc/self/task`. Empty where there is no `/proc`.
fn threads_text() -> String {
    let Ok(entries) = std::fs::read_dir("/proc/self/task") else {
        return String::new();
    };
    let mut threads: Vec<(u64, String, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let tid: u64 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // stat is "tid (comm) S …"; comm may contain spaces and parentheses.
            let close = stat.rfind(')')?;
            let name = stat[stat.find('(')? + 1..close].to_owned();
            let state = match stat[close + 1..].trim_start().chars().next()? {
                'R' => "running",
                'S' => "sleeping (waiting: a lock, a channel, a sleep or I/O)",
                'D' => "in uninterruptible I/O",
                'T' | 't' => "stopped",
                'Z' => "zombie",
                _ => "other",
            };
            Some((tid, name, state.to_owned()))
        })
        .collect();
    threads.sort();
    // Leave out the harness's own threads: the main thread (waiting for the test) and the
    // watchdog ("tasklings-watchdog", cut to 15 bytes by the kernel).
    let main_thread = u64::from(std::process::id());
    threads.retain(|(tid, name, _)| *tid != main_thread && name != "tasklings-watch");
    let mut text = format!("threads of the test process ({}):\n", threads.len());
    for (tid, name, state) in threads {
        let _ = writeln!(text, "  thread {tid} '{name}': {state}");
    }
    text
}
