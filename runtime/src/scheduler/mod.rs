//! The runtime as a whole — Go's `sched`: the Ps, the global run queue, and the rules that tie
//! them together. `Runtime`, `Builder`, spawning, waking and shutdown live here.
//!
//! * `Shared` is what every thread of one runtime sees: the workers (Ps, each with its local
//!   queue, LIFO slot and parker), the injector (Go's global run queue, `queue::Injector`),
//!   the idle bookkeeping, the timers and the blocking pool. Its fields are private; the
//!   worker loop asks for the pieces it drives (`workers`, `injector`, `idle`, `timers`).
//! * **Spawning and waking from a worker** (a task spawning a task) go to that worker's LIFO
//!   slot: no lock, no shared counter, one plain load to decide whether a sleeping worker
//!   should be woken (`worker::Local::schedule_local`). Task ids come from per-worker batches
//!   and counters are per worker (`metrics`). Which worker, if any, this thread is, `context`
//!   says.
//! * **From anywhere else** (main, `block_on`, blocking threads, another runtime) tasks go to
//!   the injector, then a SeqCst fence, then the wake check (`schedule_remote`).
//! * **Tasks reach the runtime** only through `task::Schedule`, which `Shared` implements:
//!   queue a woken task, count a completion, count a freed block. The rule for how long the
//!   runtime's memory lives (until its last task block is freed, which may be after the
//!   `Runtime` is dropped) is `task`'s; this module keeps its side of the count: blocks
//!   created, and blocks freed on its own workers, both per worker.
//! * **Shutdown** (`Drop for Runtime`, Go's "main returns"): set `closed`, wake everyone; each
//!   worker cancels what is in its own queues and exits; the blocking pool finishes running
//!   closures and drops queued ones; then the injector is emptied and every idle task of this
//!   runtime is found through the slab (`task::cancel_idle`) and dropped. A wake-up from
//!   another thread racing with all this sees `closed` (guarded by `remote_in_flight`) and
//!   drops the task itself instead of queueing it. Last, the runtime tells the task ledger how
//!   many of its blocks are still alive (`task::Ownership::close`).
//! * **Deterministic mode** (`Builder::deterministic`, `TASKLINGS_SEED`): the same `Shared`
//!   with no worker threads; a simulator (`sim`) holds the runnable tasks and whoever is in
//!   `block_on` runs them one at a time in a seeded order. Tasks reach it through the remote
//!   path (the driving thread is not a worker), so spawning and waking are the same code.
//! * **Tracing** (`Builder::trace`, `TASKLINGS_TRACE`): a `trace::Sink` in normal mode (the
//!   simulator keeps its own); `None` when off, so each recording site costs one branch.

pub(crate) mod sim;

use crate::blocking::{BlockingPool, BlockingTask};
use crate::context;
use crate::idle::Idle;
use crate::metrics::{Count, Counters, Metrics};
use crate::queue::Injector;
use crate::task::{self, Header, JoinHandle, Kind, NewTask, OwnerId, Ownership, TaskId, TaskRef};
use crate::timer::Timers;
use crate::trace::{self, Lane, Sink, What};
use crate::worker::{self, Local, Worker};
use crossbeam_utils::CachePadded;
use sim::{Policy, Sim};
use std::future::Future;
use std::io;
use std::panic::Location;
use std::path::PathBuf;
use std::pin::pin;
use std::ptr::NonNull;
use std::sync::atomic::{
    fence, AtomicBool, AtomicU64, AtomicUsize,
    Ordering::{Acquire, Release, SeqCst},
};
use std::sync::{Arc, Mutex};
use std::thread;

/// State shared by all threads of one runtime.
pub(crate) struct Shared {
    workers: Box<[Worker]>,
    /// Queue references of tasks queued from outside (or spilled from a full ring).
    injector: Injector<Header>,
    idle: Idle,
    timers: Arc<Timers>,
    blocking: BlockingPool,
    closed: AtomicBool,
    /// Remote pushes between "checked `closed`" and "pushed" (see `schedule_remote`).
    remote_in_flight: AtomicUsize,
    foreign: CachePadded<Foreign>,
    /// This runtime's slot in the task owner table, and its ledger of task blocks (`task`).
    ownership: Ownership<Shared>,
    /// Spawns wait for their spawner's poll to end (`lazy`).
    lazy_spawn: bool,
    /// Deterministic mode's simulator; None in normal mode.
    sim: Option<Sim>,
    /// Normal mode's trace recorder, when tracing.
    trace: Option<Sink>,
    /// A trace is being recorded, in either mode.
    traced: bool,
}

/// How a runtime runs: its workers, and what `Builder` resolved about determinism and tracing.
struct Mode {
    workers: usize,
    lazy_spawn: bool,
    sim: Option<sim::Config>,
    trace: Option<PathBuf>,
}

/// Counters for work done off this runtime's workers (shared lines, but off the fast path).
#[derive(Default)]
struct Foreign {
    spawned: AtomicU64,
    completed: AtomicU64,
}

impl Shared {
    /// A runtime's shared state, published in the task owner table (so its tasks can reach it).
    fn new(mode: Mode, thread_name: &str) -> Arc<Shared> {
        let Mode {
            workers,
            lazy_spawn,
            sim,
            trace,
        } = mode;
        let traced = trace.is_some() || sim.as_ref().is_some_and(|c| c.trace.is_some());
        let sim = sim.map(Sim::new);
        let trace = match (&sim, trace) {
            (None, Some(path)) => Some(Sink::new(trace::Target {
                path,
                title: format!("tasklings: {workers} workers"),
                workers,
            })),
            _ => None,
        };
        let shared = Arc::new(Shared {
            workers: (0..workers).map(Worker::new).collect(),
            injector: Injector::new(),
            idle: Idle::new(workers),
            timers: Arc::new(Timers::new(sim.as_ref().map(Sim::time))),
            blocking: BlockingPool::new(format!("{thread_name}-blocking")),
            closed: AtomicBool::new(false),
            remote_in_flight: AtomicUsize::new(0),
            foreign: CachePadded::new(Foreign::default()),
            ownership: Ownership::new(),
            lazy_spawn,
            sim,
            trace,
            traced,
        });
        // The reference all task blocks share; the last block releases it (`task`).
        Ownership::publish(&shared);
        shared
    }

    /// The workers (Ps), by index.
    pub(crate) fn workers(&self) -> &[Worker] {
        &self.workers
    }

    /// The global run queue; holds queue references (`TaskRef::into_raw`).
    pub(crate) fn injector(&self) -> &Injector<Header> {
        &self.injector
    }

    /// Who searches and who sleeps.
    pub(crate) fn idle(&self) -> &Idle {
        &self.idle
    }

    /// This runtime's timers.
    pub(crate) fn timers(&self) -> &Arc<Timers> {
        &self.timers
    }

    /// True once the `Runtime` is being dropped: workers leave their loops.
    pub(crate) fn is_closed(&self) -> bool {
        // Acquire: pairs with the SeqCst store in `close`.
        self.closed.load(Acquire)
    }

    /// Whether spawns wait for their spawner's poll to end (`lazy`).
    pub(crate) fn lazy_spawn(&self) -> bool {
        self.lazy_spawn
    }

    /// Normal mode's trace recorder, when tracing.
    pub(crate) fn trace(&self) -> Option<&Sink> {
        self.trace.as_ref()
    }

    /// Whether a `spawn_blocking` closure is queued or running (deterministic mode waits for
    /// it rather than jumping its clock).
    pub(crate) fn blocking_busy(&self) -> bool {
        self.blocking.busy()
    }

    /// This runtime's identity as the owner of its tasks.
    pub(crate) fn owner_id(&self) -> OwnerId {
        self.ownership.id()
    }

    /// Creates a task and queues it: on this worker when called from one of ours, else
    /// through the injector (or the blocking pool for `Kind::Blocking`).
    pub(crate) fn spawn_task<F>(
        &self,
        future: F,
        name: Option<String>,
        location: &'static Location<'static>,
        kind: Kind,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        context::with_worker(|local| {
            let local = local.filter(|w| w.runs_on(self));
            let (id, born_ms) = match local {
                Some(w) => (w.next_task_id(), w.clock_ms()),
                None => self.outside_identity(),
            };
            if self.traced {
                self.trace_spawn(local, id, name.as_deref(), location);
            }
            let new = NewTask {
                owner: self.owner_id(),
                id,
                name,
                location,
                born_ms,
                kind,
            };
            let raw = task::allocate::<F, Shared>(future, new);
            match local
                .map(Local::counters)
                .or_else(|| self.played_counters())
            {
                Some(counters) => counters.spawned.bump(),
                // Release: pairs with the Acquire in `num_tasks` (spawned is read after completed).
                None => drop(self.foreign.spawned.fetch_add(1, Release)),
            }
            // SAFETY: `raw` was just created with three references: one is the handle's…
            let handle = unsafe { JoinHandle::from_raw(raw) };
            // SAFETY: …and one is the queue entry's (the third is the owner's).
            let queued = unsafe { TaskRef::from_raw(raw) };
            if kind == Kind::Blocking {
                self.blocking.push(queued, self);
            } else if let Some(queued) = self.hold_if_lazy(queued) {
                match local {
                    Some(w) => w.schedule_local(queued),
                    None => self.schedule_remote(queued),
                }
            }
            handle
        })
    }

    /// A task id and birth time for a spawn from outside the workers: the id from the
    /// simulator's own block in deterministic mode (so traces number tasks the same way).
    fn outside_identity(&self) -> (TaskId, u32) {
        match &self.sim {
            Some(sim) => (sim.next_task_id(), sim.coarse_ms()),
            None => (TaskId::from_raw(TaskId::reserve(1)), crate::clock::now_ms()),
        }
    }

    /// In deterministic mode, on the driving thread during a task's poll: the counters of the
    /// worker being played (the driver is their only writer).
    fn played_counters(&self) -> Option<&Counters> {
        let worker = self.sim.as_ref()?.current_worker()?;
        Some(self.workers[worker].counters())
    }

    /// Records a spawn (and an arrow to the task's first poll) in the trace.
    fn trace_spawn(
        &self,
        local: Option<&Local<'_>>,
        id: TaskId,
        name: Option<&str>,
        location: &'static Location<'static>,
    ) {
        let what = What::Spawn {
            task: id.as_u64(),
            name: name.map(str::to_string),
            location,
        };
        match (&self.sim, &self.trace, local) {
            (Some(sim), _, _) => sim.spawned(id, name, location),
            (None, Some(_), Some(w)) => {
                w.trace(what);
                w.trace_wake(id);
            }
            (None, Some(sink), None) => sink.record(Lane::Outside, what),
            (None, None, _) => {}
        }
    }

    /// On the lazy schedule, keeps a new task back until its spawner's poll ends (`lazy`);
    /// returns the task when it is to be queued now.
    fn hold_if_lazy(&self, task: TaskRef) -> Option<TaskRef> {
        if self.lazy_spawn {
            crate::lazy::try_hold(task)
        } else {
            Some(task)
        }
    }

    /// Queues a task from outside this runtime's workers, then wakes a worker if needed.
    fn schedule_remote(&self, task: TaskRef) {
        if let Some(sim) = &self.sim {
            // The simulator's lock orders pushes with shutdown (`Sim::take_queued`).
            if let Some(task) = sim.push(task) {
                task::cancel_orphan(task);
            }
            return;
        }
        // Dekker with `Drop for Runtime`: either it sees us in flight and waits before
        // draining the injector, or we see `closed` and drop the task ourselves.
        self.remote_in_flight.fetch_add(1, SeqCst);
        if self.closed.load(SeqCst) {
            self.remote_in_flight.fetch_sub(1, Release);
            task::cancel_orphan(task);
            return;
        }
        self.injector.push(task.into_raw().as_ptr());
        self.remote_in_flight.fetch_sub(1, Release);
        // The push must be visible before we read the idle word (see `idle`).
        fence(SeqCst);
        self.wake_one_sleeper();
    }

    /// Wakes a sleeping worker if nobody is searching and someone sleeps.
    pub(crate) fn wake_one_sleeper(&self) {
        if self.idle.should_wake() {
            if let Some(index) = self.idle.pick_sleeper() {
                self.workers[index].unpark();
            }
        }
    }

    /// Is there queued work anywhere (the sleeper's last look before parking)?
    pub(crate) fn has_work_anywhere(&self) -> bool {
        !self.injector.is_empty() || self.workers.iter().any(Worker::has_queued_work)
    }

    pub(crate) fn num_tasks(&self) -> usize {
        // Completed first: every completion counted was spawned before it (Acquire/Release),
        // so the difference is never negative.
        let completed = self.foreign.completed.load(Acquire) + self.total(|c| &c.completed);
        let spawned = self.spawned();
        spawned.saturating_sub(completed) as usize
    }

    fn spawned(&self) -> u64 {
        self.foreign.spawned.load(Acquire) + self.total(|c| &c.spawned)
    }

    /// One counter summed over the workers.
    fn total(&self, pick: impl Fn(&Counters) -> &Count) -> u64 {
        self.workers.iter().map(|w| pick(w.counters()).get()).sum()
    }

    pub(crate) fn metrics(&self) -> Metrics {
        Metrics::collect(
            self.workers.iter().map(Worker::counters),
            self.foreign.spawned.load(Acquire),
            self.foreign.completed.load(Acquire),
        )
    }
}

/// How tasks reach this runtime (the hook `task` defines). On one of its own workers, a task
/// is queued locally and counted per worker; anywhere else, through the injector and the
/// shared counters.
impl task::Schedule for Shared {
    fn ownership(&self) -> &Ownership<Self> {
        &self.ownership
    }

    fn schedule(&self, task: TaskRef) {
        if task.kind() == Kind::Blocking {
            self.blocking.push(task, self);
            return;
        }
        context::with_worker(|local| match local {
            Some(w) if w.runs_on(self) => {
                if self.trace.is_some() {
                    w.trace_wake(task.header().id());
                }
                w.schedule_local(task)
            }
            _ => self.schedule_remote(task),
        })
    }

    fn task_completed(&self) {
        context::with_worker(|local| match local {
            Some(w) if w.runs_on(self) => w.counters().completed.bump(),
            _ => match self.played_counters() {
                Some(counters) => counters.completed.bump(),
                None => drop(self.foreign.completed.fetch_add(1, Release)),
            },
        })
    }

    fn freed_on_own_thread(&self) -> bool {
        context::with_worker(|local| match local {
            Some(w) if w.runs_on(self) => {
                w.counters().freed.bump();
                true
            }
            _ => false,
        })
    }
}

// --- Shutdown, step by step (`Drop for Runtime`). ---------------------------------------------

impl Shared {
    /// Step 1: no more work is started; every worker is woken to notice.
    fn close(&self) {
        self.closed.store(true, SeqCst);
        self.idle.forget_sleepers();
        for worker in self.workers.iter() {
            worker.unpark();
        }
    }

    /// Step 3 (after the worker threads have emptied their own queues and exited): the
    /// blocking pool, remote pushes in flight, the injector, idle tasks, timers.
    fn cancel_everything_left(&self) {
        self.blocking.shutdown();
        while self.remote_in_flight.load(SeqCst) != 0 {
            thread::yield_now();
        }
        while let Some(task) = self.injector.pop() {
            // SAFETY: the injector holds queue references, and never null ones.
            task::cancel_orphan(unsafe { TaskRef::from_raw(NonNull::new_unchecked(task)) });
        }
        if let Some(sim) = &self.sim {
            sim.take_queued().into_iter().for_each(task::cancel_orphan);
        }
        task::cancel_idle(self.owner_id());
        self.timers.clear();
        if let Some(sink) = &self.trace {
            sink.finish();
        }
        if let Some(sim) = &self.sim {
            sim.finish_trace();
        }
    }

    /// Step 5: the blocks still alive by this runtime's own count (created minus freed on
    /// its workers) go to the task ledger, whose last free releases the runtime's memory.
    fn close_ledger(&self) {
        self.ownership
            .close(self.spawned() - self.total(|c| &c.freed));
    }

    #[cfg(test)]
    pub(crate) fn blocking_pool(&self) -> &BlockingPool {
        &self.blocking
    }
}

// --- The registry of live runtimes, for the process-wide views. ------------------------------

struct Registry {
    live: Vec<Arc<Shared>>,
    /// Totals of the runtimes already dropped.
    retired: Metrics,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    live: Vec::new(),
    retired: Metrics {
        workers: 0,
        spawned: 0,
        completed: 0,
        polls: 0,
        steals: 0,
        parks: 0,
        per_worker: Vec::new(),
    },
});

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    crate::sync::lock(&REGISTRY)
}

/// Every live runtime (for `num_tasks` and `dump` called outside any runtime).
pub(crate) fn live_runtimes() -> Vec<Arc<Shared>> {
    registry().live.clone()
}

/// Process-wide metrics: every live runtime plus every dropped one (`metrics()` called outside
/// any runtime).
pub(crate) fn process_metrics() -> Metrics {
    let (live, mut m) = {
        let registry = registry();
        (registry.live.clone(), registry.retired.clone())
    };
    for shared in &live {
        let one = shared.metrics();
        m.retire(&one);
        m.workers += one.workers;
        m.per_worker.extend(one.per_worker);
    }
    m
}

/// Step 4 of shutdown: the runtime leaves the registry, its totals stay in the process-wide ones.
fn retire(shared: &Arc<Shared>) {
    let mut registry = registry();
    registry.live.retain(|s| !Arc::ptr_eq(s, shared));
    registry.retired.retire(&shared.metrics());
}

/// Workers a new runtime gets: `TASKLINGS_WORKERS` if set to a positive integer, else the
/// number of CPUs (Go's GOMAXPROCS).
pub(crate) fn default_workers() -> usize {
    workers_from_env().unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `TASKLINGS_WORKERS`, if set to a positive integer.
fn workers_from_env() -> Option<usize> {
    std::env::var("TASKLINGS_WORKERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
}

/// The deterministic runtime that owns tasks of `owner`, if it is one (for
/// `JoinHandle::join`, which must drive it: its tasks run only while someone does).
pub(crate) fn deterministic_owner(owner: OwnerId) -> Option<Arc<Shared>> {
    let registry = registry();
    let shared = registry.live.iter().find(|s| s.owner_id() == owner)?;
    shared.sim.is_some().then(|| shared.clone())
}

impl Shared {
    /// Runs `future` while driving this deterministic runtime (`JoinHandle::join`).
    pub(crate) fn drive<F: Future>(&self, future: F) -> F::Output {
        let _enter = context::enter(self);
        match &self.sim {
            Some(sim) => sim.block_on(self, future, true),
            None => crate::park::block_on_thread(future),
        }
    }
}

// --- The public handle. ------------------------------------------------------------------------

/// A work-stealing runtime: `workers` threads (Go's Ps and Ms) running tasks (Gs).
///
/// Dropping it drops every unfinished task (their destructors run) and joins its threads — like
/// `main` returning. A `spawn_blocking` closure that is already running can't be interrupted:
/// the drop waits for it to return.
pub struct Runtime {
    shared: Arc<Shared>,
    threads: Vec<thread::JoinHandle<()>>,
}

/// Configures a `Runtime`: `Runtime::builder().workers(2).thread_name("w").build()?`.
#[derive(Debug, Default)]
pub struct Builder {
    workers: Option<usize>,
    thread_name: Option<String>,
    lazy_spawn: Option<bool>,
    seed: Option<u64>,
    policy: Option<Policy>,
    replay: Option<String>,
    trace: Option<PathBuf>,
}

/// Workers a deterministic runtime plays unless told otherwise: a constant, not the number of
/// CPUs, so a seed means the same schedule on every machine.
const DETERMINISTIC_WORKERS: usize = 2;

impl Builder {
    /// Number of worker threads (0 is treated as 1). Default: `runtime::workers()`.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n.max(1));
        self
    }

    /// Prefix of the worker threads' names (default `tasklings-worker`).
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.thread_name = Some(name.into());
        self
    }

    /// Lazy spawning: a task spawned while a future is being polled (`block_on`'s, or a
    /// task's) starts only once that poll returns, so the spawner always reaches its next
    /// `.await` first — Go's schedule with `GOMAXPROCS=1`. Correct programs behave the same;
    /// programs that count on a task starting early (`wg.add(1)` inside the task) fail every
    /// time instead of now and then. Default: on if the environment variable
    /// `TASKLINGS_LAZY_SPAWN` is `1` (or `true`), else off.
    pub fn lazy_spawn(mut self, lazy: bool) -> Self {
        self.lazy_spawn = Some(lazy);
        self
    }

    /// Deterministic mode: all tasks run on one OS thread (the one in `block_on`) playing
    /// `workers` workers; at each step the next task is picked among the runnable ones by a
    /// generator seeded with `seed` (how, `policy` says: uniform random by default). Timers
    /// run on a virtual clock that jumps to the next deadline when no task can run. The same
    /// seed gives the same schedule (`Runtime::schedule`) and the same trace, byte for byte,
    /// as long as nothing outside the runtime takes part (`Runtime::determinism_broken`).
    /// Default: on with the seed in `TASKLINGS_SEED` if that is set, else off. The workers
    /// played default to `TASKLINGS_WORKERS`, else 2 (not the number of CPUs).
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// How deterministic mode picks the next task: `Policy::Random` (the default) or
    /// `Policy::Pct { depth }`. Default: `TASKLINGS_SCHEDULE` (`random` or `pct:DEPTH`) if set.
    /// No effect in normal mode.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Replays a schedule that `Runtime::schedule` printed, exactly: deterministic mode with
    /// the recorded choices instead of a generator, and the recorded number of workers.
    /// `build` fails with `InvalidInput` if the text isn't such a schedule. Default:
    /// `TASKLINGS_REPLAY` if set.
    pub fn replay(mut self, schedule: &str) -> Self {
        self.replay = Some(schedule.to_string());
        self
    }

    /// Records a trace of the run (Chrome trace-event JSON, which Perfetto and
    /// `chrome://tracing` open) and writes it to `path` when the runtime is dropped: a track
    /// per worker, a slice per poll, arrows from each wake-up to the woken task's next poll,
    /// instants for spawns, steals, parks, timers and task ends. Works in both modes; in
    /// deterministic mode the same seed writes the same bytes. Default: `TASKLINGS_TRACE`.
    pub fn trace(mut self, path: impl Into<PathBuf>) -> Self {
        self.trace = Some(path.into());
        self
    }

    /// Starts the worker threads (none in deterministic mode).
    ///
    /// # Errors
    /// When a worker thread can't be started, or a setting (a schedule to replay, or one of
    /// `TASKLINGS_SEED`, `TASKLINGS_SCHEDULE`, `TASKLINGS_REPLAY`) is malformed: the error's
    /// kind is `InvalidInput` and its message names the setting and what to write instead.
    pub fn build(self) -> io::Result<Runtime> {
        let name = self
            .thread_name
            .clone()
            .unwrap_or_else(|| "tasklings-worker".to_string());
        let mode = self
            .mode()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let threads = if mode.sim.is_some() { 0 } else { mode.workers };
        let shared = Shared::new(mode, &name);
        let mut runtime = Runtime {
            shared,
            threads: Vec::with_capacity(threads),
        };
        for index in 0..threads {
            let shared = runtime.shared.clone();
            let thread = thread::Builder::new()
                .name(format!("{name}-{index}"))
                .spawn(move || worker::run(shared, index))?; // on error, Drop stops the others
            runtime.threads.push(thread);
        }
        registry().live.push(runtime.shared.clone());
        Ok(runtime)
    }
}

impl Builder {
    /// Resolves the settings against the environment: an explicit choice wins.
    fn mode(&self) -> Result<Mode, String> {
        let lazy_spawn = self.lazy_spawn.unwrap_or_else(crate::lazy::from_env);
        let trace = self.trace.clone().or_else(trace::from_env);
        let replay = match self.replay.clone().or_else(|| env("TASKLINGS_REPLAY")) {
            Some(text) => Some(sim::schedule::Schedule::decode(&text)?),
            None => None,
        };
        let seed = match (self.seed, env("TASKLINGS_SEED")) {
            (Some(seed), _) => Some(seed),
            (None, Some(text)) => Some(text.trim().parse::<u64>().map_err(|_| {
                format!(
                    "TASKLINGS_SEED must be a whole number like 42 (the seed a failure \
                     message names), not `{text}`"
                )
            })?),
            (None, None) => None,
        };
        let policy = match (self.policy, env("TASKLINGS_SCHEDULE")) {
            (Some(policy), _) => policy,
            (None, Some(text)) => Policy::parse(&text)?,
            (None, None) => Policy::Random,
        };
        if seed.is_none() && replay.is_none() {
            let workers = self.workers.unwrap_or_else(default_workers);
            let sim = None;
            return Ok(Mode {
                workers,
                lazy_spawn,
                sim,
                trace,
            });
        }
        let workers = match &replay {
            Some(schedule) => schedule.workers,
            None => self
                .workers
                .or_else(workers_from_env)
                .unwrap_or(DETERMINISTIC_WORKERS),
        };
        let sim = Some(sim::Config {
            workers,
            seed: seed.unwrap_or(0),
            policy,
            replay,
            trace: trace.clone(),
        });
        Ok(Mode {
            workers,
            lazy_spawn,
            sim,
            trace,
        })
    }
}

/// A set, non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// A runtime with the default number of workers (deterministic if `TASKLINGS_SEED` or
    /// `TASKLINGS_REPLAY` is set: see `Builder::deterministic`).
    ///
    /// # Panics
    /// If no worker thread can be started, or one of the `TASKLINGS_*` variables is malformed
    /// (the message says which and what to write).
    pub fn new() -> Runtime {
        match Builder::default().build() {
            Ok(runtime) => runtime,
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => panic!("{e}"),
            Err(e) => panic!("could not start the runtime's worker threads: {e}"),
        }
    }

    /// A builder to configure the runtime.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Runs `future` on the calling thread until it completes; `runtime::spawn` inside it
    /// spawns onto this runtime.
    ///
    /// # Panics
    /// When called from a task (a worker must not block): use `.await` there.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        assert!(
            !context::is_worker_thread(),
            "block_on called from inside a task: a worker thread must not block, use `.await` instead"
        );
        let _enter = context::enter(&self.shared);
        if let Some(sim) = &self.shared.sim {
            return sim.block_on(&self.shared, future, false);
        }
        if self.shared.lazy_spawn {
            let owner = self.shared.owner_id();
            let mut future = pin!(future);
            crate::park::block_on_thread(std::future::poll_fn(move |cx| {
                let _hold = crate::lazy::hold(owner);
                future.as_mut().poll(cx)
            }))
        } else {
            crate::park::block_on_thread(future)
        }
    }

    /// Spawns a task onto this runtime.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.shared
            .spawn_task(future, None, Location::caller(), Kind::Future)
    }

    /// Runs a blocking closure on the blocking pool (an M without a P).
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let closure = BlockingTask::new(f);
        self.shared
            .spawn_task(closure, None, Location::caller(), Kind::Blocking)
    }

    /// Number of worker threads.
    pub fn workers(&self) -> usize {
        self.shared.workers.len()
    }

    /// Tasks spawned and not yet finished.
    pub fn num_tasks(&self) -> usize {
        self.shared.num_tasks()
    }

    /// Counters of this runtime, per worker and in total.
    pub fn metrics(&self) -> Metrics {
        self.shared.metrics()
    }

    /// Every live task of this runtime.
    pub fn dump(&self) -> crate::Dump {
        let me = self.shared.owner_id();
        crate::dump::collect(|owner| owner == me)
    }

    /// The schedule recorded so far in deterministic mode: a compact string of the choices
    /// made, with a checksum, that `Builder::replay` and `TASKLINGS_REPLAY` accept to run the
    /// same schedule again. None in normal mode.
    pub fn schedule(&self) -> Option<String> {
        self.shared.sim.as_ref().map(Sim::schedule)
    }

    /// Whether something outside the runtime's control (a `spawn_blocking` closure, a std
    /// thread waking a task, real I/O) made this run depend on more than the seed: a wake-up
    /// from another thread arrived while tasks could run, or two threads drove the runtime.
    /// A warning is printed the first time. Always false in normal mode, which promises no
    /// order at all.
    pub fn determinism_broken(&self) -> bool {
        self.shared
            .sim
            .as_ref()
            .is_some_and(Sim::determinism_broken)
    }
}

#[cfg(test)]
impl Runtime {
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("workers", &self.workers())
            .field("num_tasks", &self.num_tasks())
            .finish()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let shared = &*self.shared;
        // Destructors that spawn (or wake) during shutdown reach this closed runtime, whose
        // tasks are dropped at once, instead of panicking "outside a runtime".
        let _enter = context::enter(shared);
        shared.close();
        // Step 2: each worker cancels what is left in its own queues and exits. A runtime
        // dropped on one of its own workers (by a task that owned it) can't join itself.
        let me = thread::current().id();
        for thread in self.threads.drain(..) {
            if thread.thread().id() != me {
                let _ = thread.join();
            }
        }
        shared.cancel_everything_left();
        retire(&self.shared);
        shared.close_ledger();
    }
}
