//! What every scenario needs: a runtime to run it on, gates the test opens when it chooses,
//! turns of the scheduler, and limits that turn a hang into a message.
//!
//! A scenario runs as a task on a fresh runtime, most of them with **one** worker thread. There
//! a task runs only when the others give the thread back, and `runtime::yield_now` gives every
//! other ready task a turn before this one runs again. So "let the pool do what it will, then
//! look" is a count of turns, not a wait: whatever a pool does at once (start a job as a task,
//! return from `shutdown`, accept a job into a full queue) it has done after a few turns, on every
//! run, and what it does only later (a worker's job that waits at a closed gate) it can't do by
//! then on any machine.
//!
//! The clock appears in two places only, both one-sided: [`wait_until`] gives up on a condition
//! that correct code meets at once (so only wrong code waits [`PATIENCE`]), and [`within`] stops
//! waiting for a future that correct code completes at once (only wrong code waits [`STUCK`]).

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::future::{self, Either};
use runtime::Runtime;
use tokio::sync::Semaphore;

/// How long a rendezvous, or a condition correct code meets at once, waits before giving up.
pub const PATIENCE: Duration = Duration::from_millis(1500);

/// How long [`within`] waits for a future that correct code completes at once: above
/// [`PATIENCE`], so a job stuck at a rendezvous gives up before the test stops waiting for it.
pub const STUCK: Duration = Duration::from_secs(4);

/// Turns of the scheduler given to a pool before the test looks (see the module docs).
pub const TURNS: usize = 50;

/// The message of the test's own failure, so [`run_on`] can tell it from a panic of the code
/// under test.
static VERDICT: Mutex<Option<String>> = Mutex::new(None);

/// Fails the test with `message` (from inside a scenario or outside).
#[track_caller]
pub fn fail(message: String) -> ! {
    *VERDICT.lock().unwrap_or_else(PoisonError::into_inner) = Some(message.clone());
    panic!("{message}")
}

/// Fails the test with the formatted message unless the condition holds.
macro_rules! check {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            $crate::support::fail(format!($($message)+));
        }
    };
}
pub(crate) use check;

/// Runs `scenario` as a task on a fresh runtime of `threads` worker threads, and returns when it
/// has ended. A failed check inside fails the test with its message; a panic of the pool's code
/// (inside `Pool::new`, `submit`, `shutdown` or `run_all`, which the scenario awaits) fails it
/// with a message that says so.
pub fn run_on<F>(threads: usize, scenario: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let runtime = Runtime::builder()
        .workers(threads)
        .build()
        .expect("the test can start a runtime");
    let ended = runtime.block_on(async { runtime::spawn(scenario).await });
    if let Err(error) = ended {
        let message = error
            .panic_message()
            .unwrap_or("a panic without a message")
            .to_owned();
        let verdict = VERDICT.lock().unwrap_or_else(PoisonError::into_inner).take();
        if verdict.as_deref() == Some(message.as_str()) {
            panic!("{message}");
        }
        panic!("{}", pool_panicked(&message));
    }
}

/// The learner-facing message for a panic that came out of the pool's own methods.
pub fn pool_panicked(message: &str) -> String {
    if message.starts_with("not yet implemented") {
        format!("the pool is not written yet: {message}")
    } else {
        format!(
            "your pool's code panicked in the task that called it (Pool::new, submit, shutdown \
             or run_all, or a JobHandle being awaited): \"{message}\". Jobs' panics must come \
             back through their handles, and nothing else in the pool should panic."
        )
    }
}

/// Awaits `future`, or stops waiting after [`STUCK`]: `None`.
pub async fn within<F: Future>(future: F) -> Option<F::Output> {
    let future = Box::pin(future);
    let limit = Box::pin(runtime::sleep(STUCK));
    match future::select(future, limit).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

/// Gives every other ready task `turns` turns (on a one-thread runtime: see the module docs).
pub async fn let_others_run(turns: usize) {
    for _ in 0..turns {
        runtime::yield_now().await;
    }
}

/// Yields until `condition` holds (true), or until [`PATIENCE`] has passed (false).
pub async fn wait_until(condition: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if condition() {
            return true;
        }
        if start.elapsed() > PATIENCE {
            return false;
        }
        runtime::yield_now().await;
    }
}

/// A gate that jobs wait at until the test lets them through, one pass per `open`. Clones share
/// one gate. (A tokio semaphore: it needs no tokio runtime.)
#[derive(Clone)]
pub struct Gate {
    passes: Arc<Semaphore>,
}

impl Gate {
    /// A closed gate.
    pub fn new() -> Gate {
        Gate {
            passes: Arc::new(Semaphore::new(0)),
        }
    }

    /// Waits for a pass, and uses it up.
    pub async fn pass(&self) {
        self.passes
            .acquire()
            .await
            .expect("the test never closes a gate")
            .forget();
    }

    /// Lets `n` more waiters through.
    pub fn open(&self, n: usize) {
        self.passes.add_permits(n);
    }
}

/// The live tasks of this runtime that the test did not spawn, one per line, as
/// `runtime::dump()` shows them: what a pool left behind.
pub fn pool_tasks() -> String {
    let mut text = String::new();
    for task in runtime::dump().tasks {
        let file = task.location.file().replace('\\', "/");
        if file.contains("hidden/") {
            continue;
        }
        text.push_str(&format!("\n  task {} ({})", task.id, task.state));
        // A spawn inside the standard library (`.map(runtime::spawn)`) has no place worth showing.
        if !file.starts_with("/rustc/") {
            text.push_str(&format!(", spawned at {}", task.location));
        }
    }
    text
}
