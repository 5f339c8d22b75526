//! `dump()`: Go's goroutine dump (SIGQUIT, `pprof/goroutine?debug=2`) for tasks.
//!
//! A task has no stack to print — it is a future parked at an `.await` — so a dump shows what
//! the runtime knows about each live task: its id, its name (`spawn_named`), where it was
//! spawned (`#[track_caller]`), its state (running, scheduled, idle, or running in the blocking
//! pool), its age and how many times it was polled.
//!
//! There is no task registry on the spawn path. Instead the dump walks every task block the
//! slab ever carved (`task::for_each_live`), takes a reference on each live task it finds (a
//! CAS that fails on free blocks), reads the header and lets go. So a dump costs time
//! proportional to the memory ever used for tasks, and nothing at all until it is asked for —
//! which is also why it works from a plain watchdog thread while workers are stuck. Names live
//! in a side table (`task`), paid for only by named tasks. Ages come from `clock`.

use crate::task::{self, Header, Kind, OwnerId, TaskId};
use std::fmt;
use std::panic::Location;
use std::time::Duration;

/// What a task is doing at the moment of the dump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Being polled by a worker right now.
    Running,
    /// Queued, waiting for a worker.
    Scheduled,
    /// Waiting for a wake-up (at an `.await`).
    Idle,
    /// A `spawn_blocking` closure running on the blocking pool.
    Blocking,
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskState::Running => "running",
            TaskState::Scheduled => "scheduled",
            TaskState::Idle => "idle",
            TaskState::Blocking => "blocking",
        })
    }
}

/// One live task in a dump.
#[derive(Clone, Debug)]
pub struct TaskSnapshot {
    /// The task's id.
    pub id: TaskId,
    /// Its name, if spawned with `spawn_named`.
    pub name: Option<String>,
    /// Where it was spawned.
    pub location: &'static Location<'static>,
    /// What it is doing.
    pub state: TaskState,
    /// Time since it was spawned (millisecond resolution).
    pub age: Duration,
    /// Times it has been polled.
    pub polls: u64,
}

/// Every live task, ordered by id. `Display` prints it like Go's goroutine dump.
#[derive(Clone, Debug, Default)]
pub struct Dump {
    /// The tasks, ordered by id.
    pub tasks: Vec<TaskSnapshot>,
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.tasks.len();
        writeln!(f, "{n} live task{}", if n == 1 { "" } else { "s" })?;
        for t in &self.tasks {
            write!(f, "\ntask {}", t.id)?;
            if let Some(name) = &t.name {
                write!(f, " \"{name}\"")?;
            }
            let polls = if t.polls == 1 { "poll" } else { "polls" };
            writeln!(f, " [{}, {:?}, {} {polls}]:", t.state, t.age, t.polls)?;
            writeln!(f, "\tspawned at {}", t.location)?;
        }
        Ok(())
    }
}

/// Snapshots every live task whose runtime passes `keep`.
pub(crate) fn collect(keep: impl Fn(OwnerId) -> bool) -> Dump {
    let now = crate::clock::now_ms();
    let mut tasks = Vec::new();
    task::for_each_live(|task| {
        let h = task.header();
        if !h.snapshot().is_complete() && keep(h.owner()) {
            tasks.push(snapshot(h, now));
        }
    });
    task::with_names(|names| {
        for t in &mut tasks {
            t.name = names.get(&t.id).cloned();
        }
    });
    tasks.sort_by_key(|t| t.id);
    Dump { tasks }
}

fn snapshot(h: &Header, now: u32) -> TaskSnapshot {
    let state = h.snapshot();
    TaskSnapshot {
        id: h.id(),
        name: state.is_named().then(String::new),
        location: h.location(),
        state: match () {
            _ if state.is_running() && state.kind() == Kind::Blocking => TaskState::Blocking,
            _ if state.is_running() => TaskState::Running,
            _ if state.is_scheduled() => TaskState::Scheduled,
            _ => TaskState::Idle,
        },
        age: Duration::from_millis(now.wrapping_sub(h.born_ms()) as u64),
        polls: h.polls() as u64,
    }
}
