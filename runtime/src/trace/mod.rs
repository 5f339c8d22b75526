//! The execution trace (`TASKLINGS_TRACE=FILE`, `Builder::trace`) — Go's execution tracer for
//! tasks, written as Chrome's trace-event JSON, which Perfetto and `chrome://tracing` open.
//!
//! What is recorded: a **slice per poll** on the track of the worker that ran it (task id, name,
//! spawn location), **flow arrows** from the poll that woke (or spawned) a task to that task's
//! next poll, and **instants** for spawn, steal, park, unpark, timer fire and task end. The
//! events live in memory while the runtime runs and are written when it is dropped (`json`).
//!
//! Two recorders fill the same `Event`s:
//! * in **normal mode**, each worker appends to a buffer only its own thread touches (`Buffer`,
//!   in `worker::Local`) and hands it to the runtime's `Sink` when it exits; events from other
//!   threads (a spawn from `main`) go to the sink under its lock. Times are real nanoseconds
//!   since the runtime started, and a wake-up's arrow reaches the woken task's next poll through
//!   a small map (task id → arrow) in the sink.
//! * in **deterministic mode** (`sim`), the simulator records under its own lock, with times
//!   from its virtual timeline, so the same seed writes the same bytes.
//!
//! When tracing is off, the runtime holds `None` where the sink would be, and every recording
//! site is one branch on it — the cost that `benches/compare.rs --determinism` measures.

pub(crate) mod json;

use crate::task::TaskId;
use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::Location;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Instant;

/// A track in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Lane {
    /// A worker (played by the simulator in deterministic mode).
    Worker(usize),
    /// The thread in `block_on` (its future's polls, in deterministic mode).
    Main,
    /// Any other thread: `main` outside `block_on`, the blocking pool, a std thread.
    Outside,
    /// The (virtual) clock: timers firing.
    Clock,
}

/// One thing that happened, at `ts` nanoseconds on `lane`.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub(crate) lane: Lane,
    pub(crate) ts: u64,
    pub(crate) what: What,
}

/// What happened.
#[derive(Clone, Debug)]
pub(crate) enum What {
    /// A task was polled for `dur` ns; `flow` is the arrow from whoever queued it.
    Poll {
        task: u64,
        dur: u64,
        flow: Option<u64>,
    },
    /// `block_on`'s future was polled (deterministic mode).
    MainPoll { dur: u64, flow: Option<u64> },
    /// A task was spawned here.
    Spawn {
        task: u64,
        name: Option<String>,
        location: &'static Location<'static>,
    },
    /// The start of an arrow: a task (or `block_on`'s future) was woken here.
    Wake { flow: u64 },
    /// The worker took a task from another worker's queue.
    Steal { victim: usize, task: u64 },
    /// The worker went to sleep for lack of work.
    Park,
    /// The worker woke up.
    Unpark,
    /// Due timers fired, waking `woken` tasks.
    TimerFire { woken: usize },
    /// A task finished (returned, panicked or was cancelled).
    TaskEnd { task: u64 },
}

/// Where the trace goes, and the header line of its process track.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub(crate) path: PathBuf,
    pub(crate) title: String,
    pub(crate) workers: usize,
}

/// The normal-mode recorder's shared half: events handed in by workers and other threads.
pub(crate) struct Sink {
    target: Target,
    start: Instant,
    events: Mutex<Vec<Event>>,
    /// Arrows waiting for their task's next poll, by task id.
    flows: Mutex<HashMap<u64, u64>>,
    next_flow: AtomicU64,
}

impl Sink {
    pub(crate) fn new(target: Target) -> Sink {
        Sink {
            target,
            start: Instant::now(),
            events: Mutex::new(Vec::new()),
            flows: Mutex::new(HashMap::new()),
            next_flow: AtomicU64::new(1),
        }
    }

    /// Nanoseconds since the runtime started.
    pub(crate) fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Records an event from a thread that is not a worker.
    pub(crate) fn record(&self, lane: Lane, what: What) {
        let ts = self.now();
        crate::sync::lock(&self.events).push(Event { lane, ts, what });
    }

    /// A worker's buffer, handed in when the worker exits.
    pub(crate) fn deposit(&self, events: Vec<Event>) {
        crate::sync::lock(&self.events).extend(events);
    }

    /// A task was woken: a new arrow, to end at its next poll.
    pub(crate) fn start_flow(&self, task: TaskId) -> u64 {
        let flow = self.next_flow.fetch_add(1, Relaxed);
        crate::sync::lock(&self.flows).insert(task.as_u64(), flow);
        flow
    }

    /// The arrow ending at this poll of `task`, if one was started.
    pub(crate) fn end_flow(&self, task: TaskId) -> Option<u64> {
        crate::sync::lock(&self.flows).remove(&task.as_u64())
    }

    /// Writes every event (time order) to the file; a failure is reported, not raised (this
    /// runs in `Drop for Runtime`).
    pub(crate) fn finish(&self) {
        let mut events = std::mem::take(&mut *crate::sync::lock(&self.events));
        events.sort_by_key(|e| (e.ts, e.lane));
        json::write_or_warn(&self.target, &events);
    }
}

/// A worker's own event buffer (normal mode): only its thread touches it.
#[derive(Default)]
pub(crate) struct Buffer {
    events: RefCell<Vec<Event>>,
}

impl Buffer {
    pub(crate) fn push(&self, lane: Lane, ts: u64, what: What) {
        self.events.borrow_mut().push(Event { lane, ts, what });
    }

    pub(crate) fn take(&self) -> Vec<Event> {
        self.events.take()
    }
}

/// The file named by `TASKLINGS_TRACE`, if set (and not empty).
pub(crate) fn from_env() -> Option<PathBuf> {
    std::env::var_os("TASKLINGS_TRACE")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}
