//! Deterministic mode: every task of the runtime runs on one OS thread that plays `workers`
//! workers, and a seeded policy picks the next task at every step — shuttle's randomised
//! scheduler and Go's `testing/synctest` clock, for a work-stealing runtime.
//!
//! * **The runnable list** replaces the workers' queues: a spawn or a wake-up appends an entry
//!   (`push`); each step removes the entry the policy chose (`policy`) and polls it. The
//!   `block_on` future is an entry too ("main"), so "main waits before the task starts" is one
//!   of the orders explored. Which worker a step is played on is decided afterwards (`lanes`)
//!   and only shows in traces and counters.
//! * **The thread that drives** is whoever is in `Runtime::block_on` (or `JoinHandle::join`) of
//!   this runtime: tasks run only while someone drives, never in the background. One thread
//!   drives at a time; a second `block_on` meanwhile runs its future on its own thread and the
//!   run is marked non-deterministic.
//! * **Virtual time**: when nothing is runnable, the clock (`clock::VirtualTime`, read through
//!   the runtime's `Timers`) jumps to the earliest timer and fires it — unless a
//!   `spawn_blocking` closure is still running, whose result must be waited for in real time.
//!   With no timer and nothing running outside, the driver waits for another thread.
//! * **Recording** (`schedule`): the index of every choice among two or more entries. The same
//!   seed makes the same choices, so the same schedule and the same trace bytes; a recorded
//!   schedule replays exactly.
//! * **Wake-ups from other threads** (a std thread, a `spawn_blocking` closure finishing) wait
//!   in an inbox until nothing else can run, and only then join the runnable list — the one
//!   moment whose place in the schedule doesn't depend on real timing (synctest's "durably
//!   blocked"). So a program that waits for a thread's answer stays deterministic.
//! * **What breaks determinism**: two outside wake-ups found waiting together (their order
//!   was real timing's), a task left runnable so long that an outside wake-up had to be let in
//!   early (`STARVED_STEPS`: a task spinning until another thread answers), a second thread
//!   driving at once, or a replay that doesn't fit the program. The run is then marked
//!   (`Runtime::determinism_broken`) and a warning printed once.
//!
//! Tasks reach the simulator through `scheduler::Shared` (its remote path, since the driving
//! thread is not a worker), so the task module and the workers are the same as in normal mode.

pub(crate) mod lanes;
pub(crate) mod policy;
pub(crate) mod schedule;

use super::Shared;
use crate::clock::VirtualTime;
use crate::task::{RunOutcome, TaskId, TaskRef};
use crate::trace::{self, Event, Lane, Target, What};
use lanes::Lanes;
pub(crate) use policy::Policy;
use policy::{Candidate, Chooser};
use schedule::Schedule;
use std::cell::Cell;
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, ThreadId};
use std::time::Duration;

/// How long one poll lasts at least on the trace's virtual timeline (a poll that records many
/// events, like a spawner's, lasts 1 ns per event more, so each event sits inside it).
const POLL_NS: u64 = 1000;
/// How often the driver looks again while a blocking closure runs and nothing else can.
const BLOCKING_RECHECK: Duration = Duration::from_millis(1);
/// Steps an outside wake-up waits in the inbox while tasks keep running before it is let in
/// anyway (and the run marked non-deterministic): a task spinning with `yield_now` until a
/// thread answers must not spin forever.
const STARVED_STEPS: u64 = 10_000;
/// Task ids reserved per deterministic runtime, so a trace can number tasks from 1.
const IDS_PER_RUNTIME: u64 = 1 << 32;

/// What a deterministic runtime is built with (`Builder`).
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) workers: usize,
    pub(crate) seed: u64,
    pub(crate) policy: Policy,
    pub(crate) replay: Option<Schedule>,
    pub(crate) trace: Option<std::path::PathBuf>,
}

/// The simulator of one deterministic runtime.
pub(crate) struct Sim {
    core: Arc<Core>,
}

struct Core {
    state: Mutex<State>,
    /// Wakes a driver waiting for another thread.
    outside: Condvar,
    broken: AtomicBool,
    time: Arc<VirtualTime>,
    config: Config,
    /// The first task id of this runtime's block (`IDS_PER_RUNTIME`), and the next to give.
    id_base: u64,
    next_id: AtomicU64,
    /// The worker being played right now (`usize::MAX`: none); written by the driver only.
    current_worker: AtomicUsize,
    /// `clock::now_ms()`, refreshed every 64 steps: a spawn's birth time without a clock read.
    coarse_ms: AtomicU32,
}

struct State {
    runnable: Vec<Entry>,
    /// Wake-ups from other threads while someone drives, let in when nothing else can run.
    inbox: Vec<Entry>,
    /// The step at which the inbox last became non-empty.
    inbox_since: u64,
    main_queued: bool,
    chooser: Chooser,
    recorded: Vec<u32>,
    steps: u64,
    running: Option<Running>,
    lanes: Lanes,
    /// The trace's virtual timeline, in ns.
    now: u64,
    driving: bool,
    /// The thread that queued tasks while nobody drove (`rt.spawn` from `main`).
    idle_pusher: Option<ThreadId>,
    events: Option<Vec<Event>>,
    next_flow: u64,
    broken: Option<String>,
    /// The runtime is shutting down: pushes hand their task back to be cancelled.
    closed: bool,
}

/// The poll in progress.
struct Running {
    lane: Lane,
    start: u64,
    /// Events recorded during this poll so far (they are spaced 1 ns apart inside it).
    seq: u64,
    /// Where its slice is in the trace, to set its length when it ends.
    slice: usize,
}

/// A runnable task (None: `block_on`'s future), the worker whose queue it is in, and the
/// trace arrow from whoever queued it.
struct Entry {
    task: Option<TaskRef>,
    home: Option<usize>,
    flow: Option<u64>,
}

impl Entry {
    fn candidate(&self) -> Candidate {
        self.task.as_ref().map(|t| t.header().id())
    }
}

thread_local! {
    /// The simulator this thread drives, if any.
    static DRIVING: Cell<*const Core> = const { Cell::new(std::ptr::null()) };
}

/// What the driver does next.
enum Step {
    Main,
    Task(TaskRef),
}

impl Sim {
    pub(crate) fn new(config: Config) -> Sim {
        let chooser = match &config.replay {
            Some(schedule) => Chooser::replay(schedule.choices.clone()),
            None => Chooser::new(config.policy, config.seed),
        };
        let id_base = TaskId::reserve(IDS_PER_RUNTIME);
        let state = State {
            runnable: Vec::new(),
            inbox: Vec::new(),
            inbox_since: 0,
            main_queued: false,
            chooser,
            recorded: Vec::new(),
            steps: 0,
            running: None,
            lanes: Lanes::new(config.workers),
            now: 0,
            driving: false,
            idle_pusher: None,
            events: config.trace.is_some().then(Vec::new),
            next_flow: 1,
            broken: None,
            closed: false,
        };
        Sim {
            core: Arc::new(Core {
                state: Mutex::new(state),
                outside: Condvar::new(),
                broken: AtomicBool::new(false),
                time: Arc::new(VirtualTime::new()),
                config,
                id_base,
                next_id: AtomicU64::new(0),
                current_worker: AtomicUsize::new(usize::MAX),
                coarse_ms: AtomicU32::new(crate::clock::now_ms()),
            }),
        }
    }

    /// The virtual clock, for the runtime's timers.
    pub(crate) fn time(&self) -> Arc<VirtualTime> {
        self.core.time.clone()
    }

    /// A fresh id from this runtime's block.
    pub(crate) fn next_task_id(&self) -> TaskId {
        TaskId::from_raw(self.core.id_base + self.core.next_id.fetch_add(1, Relaxed))
    }

    /// The worker being played by this thread right now, if it drives this simulator.
    pub(crate) fn current_worker(&self) -> Option<usize> {
        if !self.core.is_driver() {
            return None;
        }
        match self.core.current_worker.load(Relaxed) {
            usize::MAX => None,
            w => Some(w),
        }
    }

    /// Records a spawn for the trace (the task is pushed next).
    pub(crate) fn spawned(
        &self,
        id: TaskId,
        name: Option<&str>,
        location: &'static Location<'static>,
    ) {
        if self.core.config.trace.is_none() {
            return;
        }
        let on_driver = self.core.is_driver();
        let mut state = self.core.lock();
        let what = What::Spawn {
            task: self.core.local(id),
            name: name.map(str::to_string),
            location,
        };
        state.record_here(on_driver, what);
    }

    /// Queues a task (spawned or woken); gives it back when the runtime is shutting down (the
    /// caller cancels it).
    #[must_use = "a task given back must be cancelled"]
    pub(crate) fn push(&self, task: TaskRef) -> Option<TaskRef> {
        self.core.push(Some(task))
    }

    /// Milliseconds since the process epoch, refreshed every 64 steps (task ages in `dump`).
    pub(crate) fn coarse_ms(&self) -> u32 {
        self.core.coarse_ms.load(Relaxed)
    }

    /// The text of the schedule so far.
    pub(crate) fn schedule(&self) -> String {
        let state = self.core.lock();
        Schedule {
            workers: self.core.config.workers,
            choices: state.recorded.clone(),
        }
        .encode()
    }

    /// Whether something outside the seed's control decided part of this run.
    pub(crate) fn determinism_broken(&self) -> bool {
        self.core.broken.load(Relaxed)
    }

    /// Runs `future` to completion, driving the simulation meanwhile (`Runtime::block_on`, and
    /// `JoinHandle::join` with `joining`). If another thread drives already, `future` runs on
    /// this thread by itself — a `join` just waits; a second `block_on` breaks determinism.
    pub(crate) fn block_on<F: Future>(
        &self,
        shared: &Shared,
        future: F,
        joining: bool,
    ) -> F::Output {
        let Some(_driving) = self.core.start_driving() else {
            if !joining {
                self.core.lock().broken(
                    &self.core,
                    "two threads ran `block_on` on one deterministic runtime at once",
                );
            }
            return crate::park::block_on_thread(future);
        };
        let mut future = pin!(future);
        let waker = Waker::from(Arc::new(MainWake(self.core.clone())));
        let mut cx = Context::from_waker(&waker);
        let _ = self.core.push(None);
        // What the previous step left to settle (one lock per step: settle, then choose).
        let mut finished = None;
        loop {
            let step = self.core.next_step(shared, finished.take());
            let _hold = shared
                .lazy_spawn()
                .then(|| crate::lazy::hold(shared.owner_id()));
            match step {
                Step::Main => {
                    if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                        let mut state = self.core.lock();
                        state.finish(&self.core, None);
                        state.forget_main();
                        return output;
                    }
                    finished = Some(None);
                }
                Step::Task(task) => finished = Some(Some(task.run())),
            }
        }
    }

    /// Every queued task, for the runtime to cancel at shutdown.
    pub(crate) fn take_queued(&self) -> Vec<TaskRef> {
        let mut state = self.core.lock();
        state.closed = true;
        state.main_queued = false;
        state.let_in();
        state.runnable.drain(..).filter_map(|e| e.task).collect()
    }

    /// Writes the trace, if one was asked for (runtime shutdown).
    pub(crate) fn finish_trace(&self) {
        let Some(path) = self.core.config.trace.clone() else {
            return;
        };
        let events = self.core.lock().events.take().unwrap_or_default();
        let config = &self.core.config;
        let title = match &config.replay {
            Some(_) => format!(
                "tasklings, deterministic: a replayed schedule, {} workers",
                config.workers
            ),
            None => format!(
                "tasklings, deterministic: seed {}, {} schedule, {} workers",
                config.seed, config.policy, config.workers
            ),
        };
        let target = Target {
            path,
            title,
            workers: config.workers,
        };
        trace::json::write_or_warn(&target, &events);
    }
}

/// Marks this thread as the driver until dropped.
struct Driving<'a> {
    core: &'a Core,
    previous: *const Core,
}

impl Drop for Driving<'_> {
    fn drop(&mut self) {
        DRIVING.with(|d| d.set(self.previous));
        let mut state = self.core.lock();
        state.driving = false;
        state.running = None;
        state.let_in();
        self.core.current_worker.store(usize::MAX, Relaxed);
    }
}

/// `block_on`'s waker: queues the main entry.
struct MainWake(Arc<Core>);

impl Wake for MainWake {
    fn wake(self: Arc<Self>) {
        let _ = self.0.push(None);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        let _ = self.0.push(None);
    }
}

impl Core {
    fn lock(&self) -> MutexGuard<'_, State> {
        crate::sync::lock(&self.state)
    }

    fn is_driver(&self) -> bool {
        DRIVING.with(|d| std::ptr::eq(d.get(), self))
    }

    /// A task's number in the trace: 1, 2, … in spawn order within this runtime.
    fn local(&self, id: TaskId) -> u64 {
        id.as_u64() - self.id_base + 1
    }

    fn start_driving(&self) -> Option<Driving<'_>> {
        assert!(
            !self.is_driver(),
            "a task called `block_on` or `JoinHandle::join` on the deterministic runtime that \
             runs it: a task must not block its runtime's only thread — use `.await` instead"
        );
        let mut state = self.lock();
        if state.driving {
            return None;
        }
        state.driving = true;
        Some(Driving {
            core: self,
            previous: DRIVING.with(|d| d.replace(self)),
        })
    }

    /// Queues a task, or the main entry (None), from any thread.
    fn push(&self, task: Option<TaskRef>) -> Option<TaskRef> {
        let on_driver = self.is_driver();
        let mut state = self.lock();
        if state.closed {
            return task;
        }
        if task.is_none() {
            if state.main_queued {
                return None;
            }
            state.main_queued = true;
        }
        if !on_driver {
            if state.driving {
                if state.inbox.is_empty() {
                    state.inbox_since = state.steps;
                }
                state.inbox.push(Entry {
                    task,
                    home: None,
                    flow: None,
                });
                drop(state);
                self.outside.notify_one();
                return None;
            }
            state.check_idle_push(self);
        }
        let home = match &state.running {
            Some(Running {
                lane: Lane::Worker(w),
                ..
            }) if on_driver => Some(*w),
            _ => None,
        };
        let flow = if on_driver && state.running.is_some() && state.events.is_some() {
            let flow = state.next_flow;
            state.next_flow += 1;
            state.record_here(true, What::Wake { flow });
            Some(flow)
        } else {
            None
        };
        state.lanes.queued(home);
        state.runnable.push(Entry { task, home, flow });
        None
    }

    /// Settles the step that just ended (`finished`: `Some(None)` for the main future), then
    /// picks the next one — waiting, or moving the clock, until there is one.
    fn next_step(&self, shared: &Shared, finished: Option<Option<RunOutcome>>) -> Step {
        let mut state = self.lock();
        if let Some(outcome) = finished {
            state.finish(self, outcome);
        }
        loop {
            if !state.runnable.is_empty() {
                if !state.inbox.is_empty() && state.steps - state.inbox_since > STARVED_STEPS {
                    state.broken(
                        self,
                        "a task kept running (spinning?) while a thread outside the runtime \
                         waited to wake another, so the wake-up was let in at a moment real \
                         timing chose",
                    );
                    state.let_in();
                }
                return state.take(self, shared);
            }
            if !state.inbox.is_empty() {
                if state.inbox.len() > 1 {
                    state.broken(
                        self,
                        "two wake-ups from threads outside the runtime (std threads, \
                         spawn_blocking closures) arrived together, in an order real timing chose",
                    );
                }
                state.let_in();
                continue;
            }
            if shared.blocking_busy() {
                state = wait(&self.outside, state, Some(BLOCKING_RECHECK));
                continue;
            }
            if let Some(at) = shared.timers().earliest() {
                state.jump(self, shared, at);
                drop(state);
                let woken = shared.timers().fire_due();
                state = self.lock();
                let now = state.now;
                state.record(Lane::Clock, now, What::TimerFire { woken });
                continue;
            }
            state = wait(&self.outside, state, None);
        }
    }
}

fn wait<'a>(
    condvar: &Condvar,
    state: MutexGuard<'a, State>,
    timeout: Option<Duration>,
) -> MutexGuard<'a, State> {
    match timeout {
        Some(t) => condvar
            .wait_timeout(state, t)
            .map_or_else(|e| e.into_inner().0, |(g, _)| g),
        None => condvar.wait(state).unwrap_or_else(|e| e.into_inner()),
    }
}

impl State {
    /// After a poll: trace its end, requeue a task that woke itself.
    fn finish(&mut self, core: &Core, outcome: Option<RunOutcome>) {
        core.current_worker.store(usize::MAX, Relaxed);
        let Some(running) = self.running.take() else {
            return;
        };
        let end = self.end_slice(&running);
        match outcome {
            Some(RunOutcome::Completed(id)) if self.events.is_some() => {
                let task = core.local(id);
                self.record(running.lane, end - 1, What::TaskEnd { task });
            }
            Some(RunOutcome::Reschedule(task)) => {
                let home = match running.lane {
                    Lane::Worker(w) => Some(w),
                    _ => None,
                };
                self.lanes.queued(home);
                self.runnable.push(Entry {
                    task: Some(task),
                    home,
                    flow: None,
                });
            }
            _ => {}
        }
    }

    /// Takes the chosen entry and starts its step.
    fn take(&mut self, core: &Core, shared: &Shared) -> Step {
        let len = self.runnable.len();
        let mut index = 0;
        if len > 1 {
            let runnable = &self.runnable;
            index = match self.chooser.choose(len, |i| runnable[i].candidate()) {
                Ok(index) => index,
                Err(diverged) => {
                    let why = format!(
                        "the replayed schedule ended or named a missing task at choice {}: \
                         this program took another path than the one recorded",
                        diverged.choice + 1
                    );
                    self.broken(core, &why);
                    0
                }
            };
            self.recorded.push(index as u32);
        }
        let entry = self.runnable.swap_remove(index);
        self.steps += 1;
        if self.steps.is_multiple_of(64) {
            core.coarse_ms.store(crate::clock::now_ms(), Relaxed);
        }
        self.chooser.ran(entry.candidate(), self.steps);
        let start = self.now;
        let Some(task) = entry.task else {
            self.main_queued = false;
            let slice = self.record(
                Lane::Main,
                start,
                What::MainPoll {
                    dur: POLL_NS,
                    flow: entry.flow,
                },
            );
            self.running = Some(Running {
                lane: Lane::Main,
                start,
                seq: 0,
                slice,
            });
            return Step::Main;
        };
        let placed = self.lanes.place(entry.home, self.steps);
        let worker = &shared.workers()[placed.worker];
        worker.counters().polls.bump();
        let lane = Lane::Worker(placed.worker);
        let local = core.local(task.header().id());
        if placed.unparked {
            self.record(lane, start, What::Unpark);
        }
        if let Some(victim) = placed.stolen_from {
            worker.counters().steals.bump();
            self.record(
                lane,
                start,
                What::Steal {
                    victim,
                    task: local,
                },
            );
        }
        let poll = What::Poll {
            task: local,
            dur: POLL_NS,
            flow: entry.flow,
        };
        let slice = self.record(lane, start, poll);
        self.running = Some(Running {
            lane,
            start,
            seq: 0,
            slice,
        });
        core.current_worker.store(placed.worker, Relaxed);
        Step::Task(task)
    }

    /// Nothing can run: every worker parks and the clock jumps to `at`.
    fn jump(&mut self, core: &Core, shared: &Shared, at: std::time::Instant) {
        let from = core.time.elapsed_ns();
        core.time.advance_to(at);
        let by = core.time.elapsed_ns() - from;
        for w in self.lanes.park_all() {
            shared.workers()[w].counters().parks.bump();
            self.record(Lane::Worker(w), self.now, What::Park);
        }
        self.now += by.max(POLL_NS);
    }

    /// Records an event; returns its index in the trace.
    fn record(&mut self, lane: Lane, ts: u64, what: What) -> usize {
        match &mut self.events {
            Some(events) => {
                events.push(Event { lane, ts, what });
                events.len() - 1
            }
            None => 0,
        }
    }

    /// The poll `r` ended: its slice covers its events; the timeline moves past it.
    fn end_slice(&mut self, r: &Running) -> u64 {
        let dur = POLL_NS.max(r.seq + 2);
        if let Some(event) = self.events.as_mut().and_then(|e| e.get_mut(r.slice)) {
            if let What::Poll { dur: d, .. } | What::MainPoll { dur: d, .. } = &mut event.what {
                *d = dur;
            }
        }
        self.now = r.start + dur;
        self.now
    }

    /// Records an event inside the poll in progress (on the driver), else on the outside track.
    fn record_here(&mut self, on_driver: bool, what: What) {
        if self.events.is_none() {
            return;
        }
        let (lane, ts) = match &mut self.running {
            Some(r) if on_driver => {
                r.seq += 1;
                (r.lane, r.start + r.seq)
            }
            _ => (Lane::Outside, self.now),
        };
        self.record(lane, ts, what);
    }

    /// Moves the inbox into the runnable list, in arrival order.
    fn let_in(&mut self) {
        for entry in std::mem::take(&mut self.inbox) {
            self.lanes.queued(entry.home);
            self.runnable.push(entry);
        }
    }

    /// A push while nobody drives (`rt.spawn` from `main` before `block_on`): fine as long as
    /// it's always the same thread, else the order depended on timing.
    fn check_idle_push(&mut self, core: &Core) {
        let me = thread::current().id();
        match self.idle_pusher {
            None => self.idle_pusher = Some(me),
            Some(first) if first != me => self.broken(
                core,
                "two threads queued tasks on the runtime while nobody was running it",
            ),
            Some(_) => {}
        }
    }

    /// Marks the run non-deterministic, warning once.
    fn broken(&mut self, core: &Core, why: &str) {
        core.broken.store(true, Relaxed);
        if self.broken.is_some() {
            return;
        }
        self.broken = Some(why.to_string());
        let seed = match &core.config.replay {
            Some(_) => "replaying this schedule".to_string(),
            None => format!("TASKLINGS_SEED={}", core.config.seed),
        };
        eprintln!(
            "tasklings: this run depends on more than its seed: {why}. {seed} may not repeat \
             it exactly (docs/runtime-env.md says which programs are deterministic)"
        );
    }

    /// `block_on` returned: a main entry still queued (the future woke itself and then
    /// finished) belongs to nobody.
    fn forget_main(&mut self) {
        if self.main_queued {
            self.main_queued = false;
            self.runnable.retain(|e| e.task.is_some());
            self.inbox.retain(|e| e.task.is_some());
        }
    }
}
