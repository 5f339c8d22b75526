//! The runtime as a whole — Go's `sched`: the Ps, the global run queue, and the rules that tie
//! them together. `Runtime`, `Builder`, spawning, waking and shutdown live here.
//!
//! * `Shared` is what every thread of one runtime sees: the workers (Ps, each with its local
//!   queue, LIFO slot and parker), the injector (Go's global run queue, `queue::Injector`),
//!   the idle bookkeeping, the timers and the blocking pool.
//! * **Spawning and waking from a worker** (a task spawning a task) go to that worker's LIFO
//!   slot: no lock, no shared counter, one plain load to decide whether a sleeping worker
//!   should be woken (`Worker::schedule_local`). Task ids come from per-worker batches and
//!   counters are per worker (`metrics`).
//! * **From anywhere else** (main, `block_on`, blocking threads, another runtime) tasks go to
//!   the injector, then a SeqCst fence, then the wake check (`schedule_remote`).
//! * **Lifetime**: tasks name their runtime by its index in `RUNTIMES` (a static table), so
//!   spawning touches no `Arc`. Instead the blocks are counted (per worker when freed on one, else in `orphans`), and
//!   when the `Runtime` is dropped the count of blocks still alive is added to `orphans`;
//!   whoever frees the last one releases `Shared` (an `Arc` reference held for all tasks).
//! * **Shutdown** (`Drop for Runtime`, Go's "main returns"): set `closed`, wake everyone; each
//!   worker cancels what is in its own queues and exits; the blocking pool finishes running
//!   closures and drops queued ones; then the injector is emptied and every idle task of this
//!   runtime is found through the slab (`task::shutdown_if_idle`) and dropped. A wake-up from
//!   another thread racing with all this sees `closed` (guarded by `remote_in_flight`) and
//!   drops the task itself instead of queueing it.

use crate::blocking::BlockingPool;
use crate::context;
use crate::idle::Idle;
use crate::join::{JoinHandle, TaskId};
use crate::metrics::{Count, Counters, Metrics};
use crate::queue::Injector;
use crate::task::{self, Header, NewTask, TaskRef, BLOCKING, NAMED};
use crate::timer::Timers;
use crate::worker::{self, Worker};
use crossbeam_utils::CachePadded;
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::panic::Location;
use std::pin::pin;
use std::ptr;
use std::sync::atomic::{
    fence, AtomicBool, AtomicI64, AtomicPtr, AtomicU64, AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst},
};
use std::sync::{Arc, Mutex};
use std::thread;

/// State shared by all threads of one runtime.
pub(crate) struct Shared {
    pub(crate) workers: Box<[Worker]>,
    /// Queue references of tasks queued from outside (or spilled from a full ring).
    pub(crate) injector: Injector<Header>,
    pub(crate) idle: Idle,
    pub(crate) timers: Arc<Timers>,
    pub(crate) blocking: BlockingPool,
    pub(crate) closed: AtomicBool,
    /// Remote pushes between "checked `closed`" and "pushed" (see `schedule_remote`).
    remote_in_flight: AtomicUsize,
    foreign: CachePadded<Foreign>,
    pub(crate) thread_name: String,
    /// This runtime's slot in `RUNTIMES`, stored in every task's state word.
    pub(crate) index: u16,
    /// Spawns wait for their spawner's poll to end (`lazy`).
    pub(crate) lazy_spawn: bool,
}

/// Live runtimes by index (a task finds its runtime here). A slot is taken when a runtime is
/// built and freed when its `Shared` is, after the last task block; 65,536 slots is the most
/// runtimes that can exist at once (untouched slots cost no memory).
static RUNTIMES: [AtomicPtr<Shared>; 1 << 16] =
    [const { AtomicPtr::new(ptr::null_mut()) }; 1 << 16];
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

/// The runtime in slot `index`. Valid while the caller holds a reference to one of its tasks.
pub(crate) fn runtime_at(index: u16) -> *const Shared {
    // Acquire: pairs with the Release that published the slot.
    RUNTIMES[index as usize].load(Acquire)
}

/// Reserves a free slot (marked with a dangling non-null pointer until filled).
fn reserve_slot() -> u16 {
    let start = NEXT_SLOT.fetch_add(1, Relaxed);
    for i in 0..RUNTIMES.len() {
        let slot = (start + i) % RUNTIMES.len();
        if RUNTIMES[slot]
            .compare_exchange(ptr::null_mut(), ptr::dangling_mut(), AcqRel, Relaxed)
            .is_ok()
        {
            return slot as u16;
        }
    }
    panic!("more than 65,536 runtimes exist at once")
}

impl Drop for Shared {
    fn drop(&mut self) {
        RUNTIMES[self.index as usize].store(ptr::null_mut(), Release);
    }
}

/// Counters for work done off this runtime's workers (shared lines, but off the fast path).
#[derive(Default)]
struct Foreign {
    spawned: AtomicU64,
    completed: AtomicU64,
    /// Blocks freed elsewhere, minus (after shutdown) the blocks still alive; see module doc.
    orphans: AtomicI64,
}

// SAFETY: the raw pointers inside (workers' back pointers, queued tasks) refer to data owned by
// this runtime whose access is synchronised by atomics and the task state protocol.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Shared {
    fn new(workers: usize, thread_name: String, lazy_spawn: bool) -> Arc<Shared> {
        let index = reserve_slot();
        let shared = Arc::new(Shared {
            workers: (0..workers).map(Worker::new).collect(),
            injector: Injector::new(),
            idle: Idle::new(workers),
            timers: Arc::new(Timers::new()),
            blocking: BlockingPool::new(),
            closed: AtomicBool::new(false),
            remote_in_flight: AtomicUsize::new(0),
            foreign: CachePadded::new(Foreign::default()),
            thread_name,
            index,
            lazy_spawn,
        });
        RUNTIMES[index as usize].store(Arc::as_ptr(&shared).cast_mut(), Release);
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
        // Acquire: pairs with the SeqCst store in `Drop for Runtime`.
        self.closed.load(Acquire)
    }

    /// Whether spawns wait for their spawner's poll to end (`lazy`).
    pub(crate) fn lazy_spawn(&self) -> bool {
        self.lazy_spawn
    }

    /// Creates a task and queues it: on this worker when called from one of ours, else
    /// through the injector (or the blocking pool for `BLOCKING`).
    pub(crate) fn spawn_task<F>(
        &self,
        future: F,
        name: Option<String>,
        location: &'static Location<'static>,
        mut flags: usize,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        context::with_worker(|local| {
            let local = local.filter(|w| w.runs_on(self));
            let (id, born_ms) = match local {
                Some(w) => (w.next_task_id(), w.clock_ms()),
                None => (TaskId::from_raw(TaskId::reserve(1)), crate::clock::now_ms()),
            };
            if let Some(name) = name {
                flags |= NAMED;
                crate::dump::remember_name(id, name);
            }
            let new = NewTask {
                runtime: self.index,
                id,
                location,
                born_ms,
                flags,
            };
            let raw = task::allocate(future, new);
            match local {
                Some(w) => w.counters().spawned.bump(),
                // Release: pairs with the Acquire in `num_tasks` (spawned is read after completed).
                None => drop(self.foreign.spawned.fetch_add(1, Release)),
            }
            // SAFETY: `raw` was just created with three references: one is the handle's…
            let handle = unsafe { JoinHandle::from_raw(raw) };
            // SAFETY: …and one is the queue entry's (the third is the runtime's).
            let queued = unsafe { TaskRef::from_raw(raw) };
            if flags & BLOCKING != 0 {
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

    /// On the lazy schedule, keeps a new task back until its spawner's poll ends (`lazy`);
    /// returns the task when it is to be queued now.
    fn hold_if_lazy(&self, task: TaskRef) -> Option<TaskRef> {
        if self.lazy_spawn {
            crate::lazy::try_hold(self, task)
        } else {
            Some(task)
        }
    }

    /// Queues a task from outside this runtime's workers, then wakes a worker if needed.
    pub(crate) fn schedule_remote(&self, task: TaskRef) {
        // Dekker with `Drop for Runtime`: either it sees us in flight and waits before
        // draining the injector, or we see `closed` and drop the task ourselves.
        self.remote_in_flight.fetch_add(1, SeqCst);
        if self.closed.load(SeqCst) {
            self.remote_in_flight.fetch_sub(1, Release);
            cancel_orphan(task);
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

/// Counts a task completion for its runtime (per worker when on one of its workers).
pub(crate) fn count_completed(shared: *const Shared) {
    context::with_worker(|local| match local {
        Some(w) if ptr::eq(w.shared(), shared) => w.counters().completed.bump(),
        // SAFETY: the caller holds a reference to a task of `shared`, which keeps it alive.
        _ => drop(unsafe { &*shared }.foreign.completed.fetch_add(1, Release)),
    })
}

/// Counts a freed task block for its runtime; may release the runtime (see module doc).
pub(crate) fn count_freed(shared: *const Shared) {
    let counted = context::with_worker(|local| match local {
        Some(w) if ptr::eq(w.shared(), shared) => {
            w.counters().freed.bump();
            true
        }
        _ => false,
    });
    if !counted {
        // SAFETY: the block being freed was still counted, which keeps `shared` alive.
        let orphans = &unsafe { &*shared }.foreign.orphans;
        if orphans.fetch_sub(1, AcqRel) == 1 {
            // SAFETY: the last block of a dropped runtime: release the tasks' reference.
            unsafe { Arc::decrement_strong_count(shared) };
        }
    }
}

/// Queues a woken task on the runtime it belongs to.
pub(crate) fn schedule(task: TaskRef) {
    // SAFETY: the task's queue reference keeps the runtime alive.
    let shared = unsafe { &*task.header().shared() };
    if task.header().state.load(Acquire) & BLOCKING != 0 {
        shared.blocking.push(task, shared);
        return;
    }
    context::with_worker(|local| match local {
        Some(w) if w.runs_on(shared) => w.schedule_local(task),
        _ => shared.schedule_remote(task),
    })
}

thread_local! {
    /// Tasks waiting to be dropped by an outer `cancel_orphan` on this thread.
    static ORPHANS: RefCell<Option<Vec<TaskRef>>> = const { RefCell::new(None) };
}

/// Drops a task of a closed runtime on this thread. Drops that wake more tasks queue them on
/// this thread's list instead of recursing, so long chains can't overflow the stack.
pub(crate) fn cancel_orphan(task: TaskRef) {
    let mut task = Some(task);
    let outermost = ORPHANS.with(|list| {
        let mut list = list.borrow_mut();
        match list.as_mut() {
            Some(pending) => {
                pending.extend(task.take());
                false
            }
            None => {
                *list = Some(Vec::new());
                true
            }
        }
    });
    if !outermost {
        return;
    }
    let mut next = task;
    while let Some(task) = next {
        task.shutdown();
        next = ORPHANS.with(|list| list.borrow_mut().as_mut().and_then(Vec::pop));
    }
    ORPHANS.with(|list| *list.borrow_mut() = None);
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

/// Every live runtime (for `num_tasks`, `metrics` and `dump` called outside any runtime),
/// plus the totals of runtimes already dropped.
pub(crate) fn live_runtimes() -> (Vec<Arc<Shared>>, Metrics) {
    let registry = registry();
    (registry.live.clone(), registry.retired.clone())
}

/// Workers a new runtime gets: `TASKLINGS_WORKERS` if set to a positive integer, else the
/// number of CPUs (Go's GOMAXPROCS).
pub(crate) fn default_workers() -> usize {
    std::env::var("TASKLINGS_WORKERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()))
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
}

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

    /// Starts the worker threads.
    pub fn build(self) -> io::Result<Runtime> {
        let workers = self.workers.unwrap_or_else(default_workers);
        let name = self
            .thread_name
            .unwrap_or_else(|| "tasklings-worker".to_string());
        let lazy = self.lazy_spawn.unwrap_or_else(crate::lazy::from_env);
        let shared = Shared::new(workers, name.clone(), lazy);
        // The reference all task blocks share; released by the last block (module doc).
        std::mem::forget(shared.clone());
        let mut runtime = Runtime {
            shared,
            threads: Vec::with_capacity(workers),
        };
        for index in 0..workers {
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

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// A runtime with the default number of workers.
    ///
    /// # Panics
    /// If no worker thread can be started.
    pub fn new() -> Runtime {
        Builder::default()
            .build()
            .expect("could not start the runtime's worker threads")
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
        if self.shared.lazy_spawn {
            let shared = &*self.shared;
            let mut future = pin!(future);
            crate::park::block_on_thread(std::future::poll_fn(move |cx| {
                let _hold = crate::lazy::hold(shared);
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
        self.shared.spawn_task(future, None, Location::caller(), 0)
    }

    /// Runs a blocking closure on the blocking pool (an M without a P).
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.shared.spawn_task(
            crate::blocking::BlockingTask::new(f),
            None,
            Location::caller(),
            BLOCKING,
        )
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
        crate::dump::collect(|s| ptr::eq(s, &*self.shared))
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
        shared.closed.store(true, SeqCst);
        shared.idle.take_all_sleepers();
        for worker in shared.workers.iter() {
            worker.unpark();
        }
        let me = thread::current().id();
        for thread in self.threads.drain(..) {
            if thread.thread().id() != me {
                let _ = thread.join();
            }
        }
        shared.blocking.shutdown();
        while shared.remote_in_flight.load(SeqCst) != 0 {
            thread::yield_now();
        }
        while let Some(task) = shared.injector.pop() {
            // SAFETY: the injector holds queue references.
            cancel_orphan(unsafe { TaskRef::from_raw(std::ptr::NonNull::new_unchecked(task)) });
        }
        crate::slab::for_each_block(|block| {
            // SAFETY: the block comes from the slab.
            unsafe { task::shutdown_if_idle(block.cast(), shared.index) }
        });
        shared.timers.clear();
        {
            let mut registry = registry();
            registry.live.retain(|s| !Arc::ptr_eq(s, &self.shared));
            registry.retired.retire(&shared.metrics());
        }
        // Blocks still alive (held by JoinHandles or wakers elsewhere) now count down `orphans`.
        let alive = shared.spawned() as i64 - shared.total(|c| &c.freed) as i64;
        if shared.foreign.orphans.fetch_add(alive, AcqRel) + alive == 0 {
            // SAFETY: no task block is left: release the reference they shared.
            unsafe { Arc::decrement_strong_count(Arc::as_ptr(&self.shared)) };
        }
    }
}
