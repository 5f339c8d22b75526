//! Tasklings' runtime: a small work-stealing scheduler for futures, built the way Go schedules
//! goroutines, so the workbook can open it up and show how G, M and P work.
//!
//! | Go | here | module |
//! |---|---|---|
//! | G (goroutine) | a task: one block holding header, future and output | `task`, `slab` |
//! | P (processor, local run queue, `runnext`) | a worker's ring + LIFO slot | `worker`, `queue` |
//! | M (OS thread) | a worker thread; blocking-pool threads are Ms without a P | `worker`, `blocking` |
//! | `getg()`, `g.m.p` (this thread's G, M and P) | the thread's current runtime and worker | `context` |
//! | global run queue | the injector | `scheduler` |
//! | spinning Ms, `pidle`, `wakep` | searching/sleeping workers | `idle`, `park` |
//! | timers, `time.Sleep`, `nanotime` | per-runtime timers driven by parking workers | `timer`, `clock` |
//! | `runtime.NumGoroutine`, SIGQUIT dump | `num_tasks()`, `dump()` | `metrics`, `dump` |
//! | `sync.WaitGroup`, `context.WithCancel` | `WaitGroup`, `CancellationToken` | `waitgroup`, `cancel` |
//! | `GOMAXPROCS=1`: a new goroutine waits for `main` to block | lazy spawning (opt-in) | `lazy` |
//! | `testing/synctest`'s fake clock; shuttle's seeded schedules | deterministic mode (opt-in) | `scheduler::sim` |
//! | `go tool trace` | Chrome trace-event JSON (opt-in) | `trace` |
//!
//! ```
//! let total = runtime::run(async {
//!     let handles: Vec<_> = (1..=10u64).map(|i| runtime::spawn(async move { i * i })).collect();
//!     let mut total = 0;
//!     for h in handles {
//!         total += h.await.unwrap();
//!     }
//!     total
//! });
//! assert_eq!(total, 385);
//! ```
//!
//! Read the modules in this order: `task` (what a G is, and who frees it: `task/mod.rs`, then
//! `state`, `raw`, `waker`, `join`, `owner`), `queue` and `worker` (the P and its loop), `idle`
//! and `park` (sleeping and waking Ms), `context` (which runtime and worker a thread runs),
//! `scheduler` (the whole, and shutdown), then `timer`, `clock`, `blocking`, `slab`, `metrics`,
//! `dump` and `lazy`; then `scheduler::sim` (deterministic mode: `policy`, `schedule`, `lanes`) and
//! `trace` (`json`).

// Functions fit on a screen (clippy.toml sets the threshold to 80 lines).
#![warn(clippy::too_many_lines)]

mod blocking;
mod cancel;
mod clock;
mod context;
mod dump;
mod idle;
mod lazy;
mod metrics;
mod park;
mod queue;
mod scheduler;
mod slab;
mod sync;
mod task;
mod timer;
mod trace;
mod waitgroup;
mod worker;

pub use cancel::{CancellationToken, Cancelled};
pub use dump::{Dump, TaskSnapshot, TaskState};
pub use metrics::{Metrics, WorkerMetrics};
pub use scheduler::sim::policy::Policy;
pub use scheduler::{Builder, Runtime};
pub use task::{JoinError, JoinHandle, TaskId};
pub use timer::{now, sleep, yield_now, Sleep, YieldNow};
pub use waitgroup::{Wait, WaitGroup};

use std::future::Future;
use std::panic::Location;
use task::Kind;

/// The run queue and parker, exposed only to the loom model tests (`tests/loom.rs`).
#[cfg(tasklings_loom)]
#[doc(hidden)]
pub mod loom_exports {
    pub use crate::park::Parker;
    pub use crate::queue::{Ring, CAPACITY};
}

const OUTSIDE_RUNTIME: &str = "called outside the Tasklings runtime: wrap your program's main \
    in `runtime::run(async { ... })` (or call this inside `Runtime::block_on`), or spawn with \
    `Runtime::spawn` on a runtime you built";

/// Runs `future` on a new default runtime and returns its output — the `func main` of a
/// program. The runtime is dropped on return, so tasks still running die, as goroutines do
/// when `main` returns.
pub fn run<F: Future>(future: F) -> F::Output {
    Runtime::new().block_on(future)
}

/// Spawns a task on the current runtime (Go's `go` statement).
///
/// # Panics
/// Outside a runtime; the message says what to do instead.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match spawn_on_current(future, None, Location::caller(), Kind::Future) {
        Ok(handle) => handle,
        Err(_unspawned) => panic!("runtime::spawn {OUTSIDE_RUNTIME}"),
    }
}

/// Spawns a task with a name that `dump()` shows.
///
/// # Panics
/// Outside a runtime.
#[track_caller]
pub fn spawn_named<F>(name: impl Into<String>, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match spawn_on_current(future, Some(name.into()), Location::caller(), Kind::Future) {
        Ok(handle) => handle,
        Err(_unspawned) => panic!("runtime::spawn_named {OUTSIDE_RUNTIME}"),
    }
}

/// Runs a blocking closure on the current runtime's blocking pool, so it doesn't stall a worker.
///
/// # Panics
/// Outside a runtime.
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let closure = blocking::BlockingTask::new(f);
    match spawn_on_current(closure, None, Location::caller(), Kind::Blocking) {
        Ok(handle) => handle,
        Err(_unspawned) => panic!("runtime::spawn_blocking {OUTSIDE_RUNTIME}"),
    }
}

/// Spawns onto this thread's runtime; outside every runtime, gives the future back (the caller
/// panics, and the future is dropped while unwinding, after the message).
fn spawn_on_current<F>(
    future: F,
    name: Option<String>,
    location: &'static Location<'static>,
    kind: Kind,
) -> Result<JoinHandle<F::Output>, F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    context::with_runtime(|runtime| match runtime {
        Some(shared) => Ok(shared.spawn_task(future, name, location, kind)),
        None => Err(future),
    })
}

/// Live (unfinished) tasks: of the current runtime inside one, else of every live runtime
/// (Go's `runtime.NumGoroutine`).
pub fn num_tasks() -> usize {
    let current = context::with_runtime(|runtime| runtime.map(scheduler::Shared::num_tasks));
    current.unwrap_or_else(|| {
        let live = scheduler::live_runtimes();
        live.iter().map(|s| s.num_tasks()).sum()
    })
}

/// Worker threads: of the current runtime inside one, else what a new `Runtime` would get
/// (`TASKLINGS_WORKERS`, else the number of CPUs — Go's GOMAXPROCS).
pub fn workers() -> usize {
    context::with_runtime(|runtime| runtime.map(|shared| shared.workers().len()))
        .unwrap_or_else(scheduler::default_workers)
}

/// Counters: of the current runtime inside one; outside, process-wide totals over every
/// runtime the process has run, dropped ones included.
pub fn metrics() -> Metrics {
    context::with_runtime(|runtime| runtime.map(scheduler::Shared::metrics))
        .unwrap_or_else(scheduler::process_metrics)
}

/// Every live task: of the current runtime inside one, else of every live runtime. Safe to
/// call from any thread at any time (a watchdog's last look before killing a stuck test).
pub fn dump() -> Dump {
    match context::with_runtime(|runtime| runtime.map(scheduler::Shared::owner_id)) {
        Some(me) => dump::collect(|owner| owner == me),
        None => {
            let live: Vec<_> = scheduler::live_runtimes()
                .iter()
                .map(|s| s.owner_id())
                .collect();
            dump::collect(|owner| live.contains(&owner))
        }
    }
}
