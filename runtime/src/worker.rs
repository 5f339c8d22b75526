//! A worker: one P (local run queue + LIFO slot) driven by one M (an OS thread) — the loop
//! that Go calls `schedule()`/`findRunnable()`.
//!
//! Each turn, a worker takes its next task in this order:
//! 1. every 61st turn, the injector first (so remote work can't starve) and the timers;
//! 2. the **LIFO slot** — the task most recently spawned or woken here (Go's `runnext`): a
//!    message passed to a task is handled while it is still in cache. At most 3 LIFO turns in a
//!    row, so two tasks waking each other can't starve the queue;
//! 3. the local ring (`queue`), oldest first;
//! 4. a batch from the injector (its share: `len / workers + 1`);
//! 5. **searching**: steal half of another worker's ring (random start), again and again for
//!    about 30 µs — Go's spinning M — while at most half the workers search (`idle`). At the
//!    end, a task that sat in another worker's LIFO slot across a few µs is taken too, so a
//!    task spawned by a worker that then blocks its thread still runs;
//! 6. **park**: register as a sleeper, look at every queue one last time, then sleep until
//!    woken or until the next timer is due (`timer`), firing due timers on waking — and, while
//!    another worker is awake, for at most 10 ms (see `idle` for why).
//!
//! `schedule_local` is the spawn/wake fast path: LIFO slot swap, the evicted task to the ring
//! (half the ring to the injector when full), then one plain load to see whether a sleeping
//! worker should be woken. Taking a task from the ring prefetches the next one, whose cache
//! lines were probably written by the core that spawned it. A task woken during its own poll
//! (`yield_now`) goes to the back of the ring instead. When the runtime closes, the worker
//! cancels whatever is left in its own queues and exits.
//!
//! A worker comes in two halves. `Worker` is what other threads touch — the ring and LIFO slot
//! they steal from, the parker they wake, the counters they sum — all atomic. `Local` is what
//! only the worker's own thread touches (its turn counter, random state, id batch, clock): it
//! lives on that thread's stack, `context` points at it, and its `Cell`s keep it from being
//! shared with another thread — checked by the compiler, not by convention. The worker talks to
//! `scheduler` (the injector, the sleepers, the timers) and to `task` (running a `TaskRef`).

use crate::clock::Coarse;
use crate::context;
use crate::metrics::Counters;
use crate::park::Parker;
use crate::queue::{Ring, CAPACITY};
use crate::scheduler::Shared;
use crate::task::{Header, RunOutcome, TaskId, TaskRef};
use crate::trace::{Buffer, Lane, Sink, What};
use crossbeam_utils::CachePadded;
use std::cell::Cell;
use std::ptr::{self, NonNull};
use std::sync::atomic::{
    AtomicPtr,
    Ordering::{AcqRel, Acquire},
};
use std::sync::Arc;

const MAX_LIFO_STREAK: u32 = 3;
const INJECTOR_INTERVAL: u32 = 61;
/// How long a worker out of work keeps looking before it parks (Go's spinning M): long enough
/// to catch the next message of a ping-pong without a futex round trip, short enough not to
/// burn a shared machine's CPU.
const SEARCH_BUDGET: std::time::Duration = std::time::Duration::from_micros(30);
const IDS_PER_BATCH: u64 = 64;
/// How often a parked worker looks for stranded work while another worker is awake (`idle`).
const RECHECK: std::time::Duration = std::time::Duration::from_millis(10);

/// One P as every thread sees it: the queues other workers steal from, the parker that wakes
/// its thread, and its counters. All of it is atomic, so `Worker` is `Send` and `Sync` without
/// an `unsafe impl`; what only the worker's own thread may touch is in `Local`.
pub(crate) struct Worker {
    index: usize,
    ring: Ring<Header>,
    lifo: CachePadded<AtomicPtr<Header>>,
    parker: Parker,
    counters: CachePadded<Counters>,
}

/// The worker as its own thread holds it: the shared half, the runtime, and the core that
/// nobody else touches. It lives on the worker thread's stack for the length of the loop, and
/// `context` points at it so that a spawn or wake-up on this thread finds it. Its `Cell`s make
/// it `!Sync`, so the compiler, not a convention, keeps it on its thread.
pub(crate) struct Local<'a> {
    shared: &'a Shared,
    worker: &'a Worker,
    /// The runtime's lazy-spawn setting (`lazy`), read once when the thread starts.
    lazy_spawn: bool,
    /// The trace recorder when tracing (`trace`): None costs one branch per recording site.
    trace: Option<&'a Sink>,
    core: Core,
}

/// The scheduling state of one worker, touched only by its own thread.
struct Core {
    tick: Cell<u32>,
    lifo_streak: Cell<u32>,
    searching: Cell<bool>,
    rng: Cell<u32>,
    next_id: Cell<u64>,
    ids_left: Cell<u64>,
    clock: Coarse,
    /// This worker's trace events, handed to the sink when the thread exits.
    events: Buffer,
    /// A poll is in progress (a wake-up recorded now starts an arrow from it).
    polling: Cell<bool>,
}

// The split is checked by the compiler: `Worker` (and so `Shared`) is `Send + Sync` on its own,
// and `Local` is not `Sync` — if it ever became so, the two blanket impls below would both
// apply and the method path would be ambiguous (the `static_assertions::assert_not_impl_any`
// trick), which is a compile error.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Worker>();
    send_sync::<Shared>();
    trait AmbiguousIfSync<A> {
        fn some_item() {}
    }
    impl<T: ?Sized> AmbiguousIfSync<()> for T {}
    impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}
    let _ = <Local<'static> as AmbiguousIfSync<_>>::some_item;
};

/// The worker thread's body.
pub(crate) fn run(shared: Arc<Shared>, index: usize) {
    let local = Local::new(&shared, index);
    let _worker = context::enter_worker(&local);
    local.run();
}

impl Worker {
    pub(crate) fn new(index: usize) -> Worker {
        Worker {
            index,
            ring: Ring::new(),
            lifo: CachePadded::new(AtomicPtr::new(ptr::null_mut())),
            parker: Parker::new(),
            counters: CachePadded::new(Counters::default()),
        }
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Wakes the worker's thread if it sleeps (or makes its next park return at once).
    pub(crate) fn unpark(&self) {
        self.parker.unpark();
    }

    pub(crate) fn has_queued_work(&self) -> bool {
        !self.ring.is_empty() || !self.lifo.load(Acquire).is_null()
    }
}

impl<'a> Local<'a> {
    fn new(shared: &'a Shared, index: usize) -> Local<'a> {
        Local {
            shared,
            worker: &shared.workers()[index],
            lazy_spawn: shared.lazy_spawn(),
            trace: shared.trace(),
            core: Core {
                tick: Cell::new(0),
                lifo_streak: Cell::new(0),
                searching: Cell::new(false),
                rng: Cell::new(0x9E37_79B9 ^ (index as u32 + 1).wrapping_mul(0x85EB_CA6B)),
                next_id: Cell::new(0),
                ids_left: Cell::new(0),
                clock: Coarse::new(),
                events: Buffer::default(),
                polling: Cell::new(false),
            },
        }
    }

    pub(crate) fn shared(&self) -> &'a Shared {
        self.shared
    }

    /// True if this worker belongs to `shared`.
    pub(crate) fn runs_on(&self, shared: &Shared) -> bool {
        ptr::eq(self.shared, shared)
    }

    pub(crate) fn counters(&self) -> &'a Counters {
        &self.worker.counters
    }

    /// A fresh task id from this worker's batch.
    pub(crate) fn next_task_id(&self) -> TaskId {
        let core = &self.core;
        if core.ids_left.get() == 0 {
            core.next_id.set(TaskId::reserve(IDS_PER_BATCH));
            core.ids_left.set(IDS_PER_BATCH);
        }
        let id = core.next_id.get();
        core.next_id.set(id + 1);
        core.ids_left.set(core.ids_left.get() - 1);
        TaskId::from_raw(id)
    }

    /// Milliseconds since the process epoch, coarse (`clock::Coarse`): for task ages.
    pub(crate) fn clock_ms(&self) -> u32 {
        self.core.clock.read()
    }

    /// Records an event on this worker's track, when tracing.
    pub(crate) fn trace(&self, what: What) {
        if let Some(sink) = self.trace {
            self.core
                .events
                .push(Lane::Worker(self.worker.index), sink.now(), what);
        }
    }

    /// Starts a trace arrow from the poll in progress to `task`'s next poll (a wake-up or a
    /// spawn on this worker); outside a poll there is no slice to start it from.
    pub(crate) fn trace_wake(&self, task: TaskId) {
        if let Some(sink) = self.trace.filter(|_| self.core.polling.get()) {
            let flow = sink.start_flow(task);
            self.trace(What::Wake { flow });
        }
    }

    /// The spawn/wake fast path: the LIFO slot, the evicted task to the ring.
    pub(crate) fn schedule_local(&self, task: TaskRef) {
        if self.core.lifo_streak.get() >= MAX_LIFO_STREAK {
            self.push_back(task);
        } else {
            let evicted = self.worker.lifo.swap(task.into_raw().as_ptr(), AcqRel);
            if let Some(evicted) = NonNull::new(evicted) {
                // SAFETY: the slot owned that task's queue reference; now we do.
                self.push_back(unsafe { TaskRef::from_raw(evicted) });
            }
        }
        self.shared.wake_one_sleeper();
    }

    fn push_back(&self, task: TaskRef) {
        let mut item = task.into_raw().as_ptr();
        loop {
            match self.worker.ring.push(item) {
                Ok(()) => return,
                Err(back) => item = back,
            }
            if let Some(half) = self.worker.ring.take_half() {
                // Queue references move to the injector, 129 under one lock.
                self.shared
                    .injector()
                    .push_batch(half.into_iter().chain([item]));
                return;
            }
        }
    }

    fn take_lifo(&self) -> Option<TaskRef> {
        if self.worker.lifo.load(Acquire).is_null() {
            return None;
        }
        let task = NonNull::new(self.worker.lifo.swap(ptr::null_mut(), AcqRel))?;
        // SAFETY: the slot owned the queue reference.
        Some(unsafe { TaskRef::from_raw(task) })
    }

    fn pop_ring(&self) -> Option<TaskRef> {
        let task = self.worker.ring.pop()?;
        if let Some(next) = self.worker.ring.peek() {
            // Start moving the next task here while this one runs: it was probably written by
            // the worker that spawned it.
            crate::slab::prefetch(next.cast());
        }
        // SAFETY: the ring holds queue references.
        Some(unsafe { TaskRef::from_raw(nonnull(task)) })
    }

    fn run(&self) {
        loop {
            if self.shared.is_closed() {
                break;
            }
            if let Some(task) = self.next_task().or_else(|| self.search()) {
                self.run_task(task);
            } else {
                self.park();
            }
        }
        self.drain();
        if let Some(sink) = self.trace {
            sink.deposit(self.core.events.take());
        }
    }

    fn run_task(&self, task: TaskRef) {
        if self.core.searching.replace(false)
            && self.shared.idle().stop_searching()
            && self.shared.has_work_anywhere()
        {
            // The last searcher found work and there is more: let another worker look for
            // it (chaining). With nothing left, waking one would only cost a syscall.
            self.shared.wake_one_sleeper();
        }
        self.worker.counters.polls.bump();
        let _hold = self
            .lazy_spawn
            .then(|| crate::lazy::hold(self.shared.owner_id()));
        if let Some(sink) = self.trace {
            return self.run_traced(sink, task);
        }
        if let RunOutcome::Reschedule(task) = task.run() {
            self.push_back(task);
        }
    }

    /// `run_task` when tracing: the poll becomes a slice, its end maybe a "task end".
    fn run_traced(&self, sink: &Sink, task: TaskRef) {
        let id = task.header().id();
        let flow = sink.end_flow(id);
        let start = sink.now();
        self.core.polling.set(true);
        let outcome = task.run();
        self.core.polling.set(false);
        let end = sink.now();
        let lane = Lane::Worker(self.worker.index);
        let (task_no, dur) = (id.as_u64(), end - start);
        let poll = What::Poll {
            task: task_no,
            dur,
            flow,
        };
        self.core.events.push(lane, start, poll);
        match outcome {
            RunOutcome::Reschedule(task) => self.push_back(task),
            RunOutcome::Completed(_) => {
                self.core
                    .events
                    .push(lane, end, What::TaskEnd { task: task_no });
            }
            RunOutcome::Idle => {}
        }
    }

    fn next_task(&self) -> Option<TaskRef> {
        let tick = self.core.tick.get().wrapping_add(1);
        self.core.tick.set(tick);
        if tick.is_multiple_of(INJECTOR_INTERVAL) {
            self.core.clock.refresh();
            self.fire_timers();
            if let Some(task) = self.pop_injector(false) {
                return Some(task);
            }
        }
        if self.core.lifo_streak.get() < MAX_LIFO_STREAK {
            if let Some(task) = self.take_lifo() {
                self.core.lifo_streak.set(self.core.lifo_streak.get() + 1);
                return Some(task);
            }
        }
        self.core.lifo_streak.set(0);
        self.pop_ring()
            .or_else(|| self.take_lifo())
            .or_else(|| self.pop_injector(true))
    }

    /// One task from the injector; with `batch`, also this worker's share into its ring.
    fn pop_injector(&self, batch: bool) -> Option<TaskRef> {
        let injector = self.shared.injector();
        let share = if batch {
            (injector.len() / self.shared.workers().len() + 1).min(CAPACITY / 2)
        } else {
            1
        };
        let first = injector.pop_batch(share, |task| {
            // The ring has room: batches are only taken when it is empty.
            if self.worker.ring.push(task).is_err() {
                injector.push(task);
            }
        })?;
        // SAFETY: the injector holds queue references.
        Some(unsafe { TaskRef::from_raw(nonnull(first)) })
    }

    /// Looks for work elsewhere, as one of the (at most half the) searching workers.
    fn search(&self) -> Option<TaskRef> {
        let shared = self.shared;
        if !self.core.searching.get() {
            if !shared.idle().try_start_searching() {
                return None;
            }
            self.core.searching.set(true);
        }
        let started = std::time::Instant::now();
        loop {
            if let Some(task) = self.steal_round() {
                return Some(task);
            }
            if shared.is_closed() {
                return None;
            }
            if self.fire_timers() > 0 {
                return self.next_task();
            }
            if started.elapsed() > SEARCH_BUDGET {
                break;
            }
            // Spin, never `thread::yield_now`: a searching worker that gives its core away on a
            // busy machine may not run again for milliseconds, and while it counts as searching
            // nobody wakes a sleeper for new work.
            (0..16).for_each(|_| std::hint::spin_loop());
        }
        self.steal_stuck_lifo()
    }

    fn steal_round(&self) -> Option<TaskRef> {
        let workers = self.shared.workers();
        let start = self.next_random() as usize % workers.len();
        for i in 0..workers.len() {
            let victim = &workers[(start + i) % workers.len()];
            if victim.index == self.worker.index {
                continue;
            }
            if let Some(task) = victim.ring.steal_half_into(&self.worker.ring) {
                self.worker.counters.steals.bump();
                // SAFETY: stolen ring entries are queue references.
                let task = unsafe { TaskRef::from_raw(nonnull(task)) };
                self.trace_steal(victim.index, &task);
                return Some(task);
            }
        }
        self.pop_injector(true)
    }

    /// Takes a task that sat in another worker's LIFO slot across a short wait: that worker
    /// is probably stuck in a long poll (Go steals `runnext` the same way, after `usleep(3)`).
    fn steal_stuck_lifo(&self) -> Option<TaskRef> {
        for victim in self.shared.workers().iter() {
            let seen = victim.lifo.load(Acquire);
            if victim.index == self.worker.index || seen.is_null() {
                continue;
            }
            (0..50).for_each(|_| std::hint::spin_loop()); // a few µs, like Go's usleep(3)
            if victim.lifo.load(Acquire) == seen {
                if let Some(task) = NonNull::new(victim.lifo.swap(ptr::null_mut(), AcqRel)) {
                    self.worker.counters.steals.bump();
                    // SAFETY: the slot owned the queue reference.
                    let task = unsafe { TaskRef::from_raw(task) };
                    self.trace_steal(victim.index, &task);
                    return Some(task);
                }
            }
        }
        None
    }

    fn trace_steal(&self, victim: usize, task: &TaskRef) {
        if self.trace.is_some() {
            let task = task.header().id().as_u64();
            self.trace(What::Steal { victim, task });
        }
    }

    fn next_random(&self) -> u32 {
        let mut x = self.core.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.core.rng.set(x);
        x
    }

    /// Wakes the tasks whose timers are due; they land in this worker's queues.
    fn fire_timers(&self) -> usize {
        let woken = self.shared.timers().fire_due();
        if woken > 0 && self.trace.is_some() {
            self.trace(What::TimerFire { woken });
        }
        woken
    }

    fn park(&self) {
        let shared = self.shared;
        if self.core.searching.replace(false)
            && shared.idle().stop_searching()
            && shared.has_work_anywhere()
        {
            return; // the last searcher must not sleep on work that just arrived
        }
        shared.idle().register_sleeper(self.worker.index);
        if shared.is_closed() || shared.has_work_anywhere() {
            if !shared.idle().unregister_sleeper(self.worker.index) {
                self.core.searching.set(true); // a waker picked us: we count as searching
            }
            return;
        }
        self.worker.counters.parks.bump();
        let mut timeout = shared.timers().park_timeout();
        if shared.idle().others_awake() {
            // Sysmon-lite: look again soon, in case a busy worker blocked with work queued.
            timeout = Some(timeout.map_or(RECHECK, |t| t.min(RECHECK)));
        }
        self.trace(What::Park);
        self.worker.parker.park(timeout);
        self.trace(What::Unpark);
        if !shared.idle().unregister_sleeper(self.worker.index) {
            self.core.searching.set(true);
        }
        self.fire_timers();
    }

    /// Cancels everything left in this worker's queues (runtime shutdown).
    fn drain(&self) {
        if self.core.searching.replace(false) {
            self.shared.idle().stop_searching();
        }
        while let Some(task) = self.take_lifo().or_else(|| self.pop_ring()) {
            task.shutdown();
        }
    }
}

fn nonnull(task: *mut Header) -> NonNull<Header> {
    NonNull::new(task).expect("queues never hold null")
}
