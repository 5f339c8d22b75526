//! # A mini executor
//!
//! Read the chapter first: `book/src/scheduler.md` (its last sections explain `poll`, `Pending`
//! and the `Waker`). Then grade your work with `cargo grade run mini-executor` (and
//! `cargo grade hint mini-executor` when stuck).
//!
//! The Tasklings runtime runs tasks for you. Here you write the two smallest things that can run
//! a future, with `std` alone (crossbeam's channels are allowed too):
//!
//! - [`block_on`] runs one future on the calling thread. Between polls the thread *sleeps* until
//!   the future's waker is woken — like an M with nothing to run, it parks.
//! - [`Executor`] runs many tasks on one thread: a run queue of tasks that are ready to make
//!   progress (one P's queue), [`Executor::spawn`] (Go's `go`), and [`Executor::run`], which polls
//!   whatever is queued and sleeps when nothing is, until every task has finished.
//!
//! Only this file is yours to change. Keep the signatures below exactly as they are; add any
//! private fields, types and helpers you like.
//!
//! ## The rules a future and its executor agree on
//!
//! A future's `poll` returns `Ready(output)`, or `Pending` after arranging for
//! `cx.waker()` (or a clone of it) to be woken once it can make progress. The executor's side:
//!
//! 1. **Poll after a wake, not before.** A pending future is polled again only after its waker
//!    was woken. Polling it "just in case", in a loop or on a timer, wastes the CPU (and with
//!    100,000 tasks, wastes it 100,000 times).
//! 2. **Any thread may wake.** Wakers are `Send + Sync`: a future may hand its waker to another
//!    thread that wakes it later. The wake must reach the sleeping executor thread.
//! 3. **Many wakes, one poll.** A task woken several times before it is polled again is queued
//!    once and polled once. A wake that arrives *while* the task is being polled (a task that
//!    wakes itself to yield, say) is not lost: the task is polled once more afterwards.
//! 4. **First in, first out.** The run queue is a queue: a task runs after the tasks that were
//!    queued before it, so a task that yields (wakes itself, returns `Pending`) lets every other
//!    ready task run before its next turn.
//! 5. **Finished means gone.** When a task's future returns `Ready`, the executor drops it.
//!    A waker that outlives its task (or its executor) may still be woken: it then does nothing.
//!
//! ## What the grader checks
//!
//! Its futures are hand-written instruments: they count their polls and hand their wakers to the
//! test, which wakes them from the executor thread or from other threads. Nothing is timed
//! against the clock.
//!
//! - outputs: `block_on` returns the future's output (futures that borrow, that yield); `run`
//!   runs every task to completion, including tasks spawned by tasks;
//! - wakes from another thread: a future woken from a plain thread, 100 times in a row, finishes
//!   (a lost wake leaves your thread asleep: the test gives up after a few seconds and says so);
//! - poll counts: exactly one poll per batch of wakes, from the executor's thread, from other
//!   threads, and during the task's own poll; a task that nobody wakes is not polled again while
//!   other tasks run; a waker of a finished task wakes nothing (not the next task either);
//! - `run` returns only when every task has finished, also when tasks wait for other threads;
//! - bounded memory: 100,000 tasks, spawned 1,000 at a time, each holding a token the test
//!   counts; after each thousand has finished, its futures must have been dropped;
//! - no spinning while idle: the CPU time the process burns while your code waits for a wake
//!   that comes from a thread a little later, relative to the wall time that passes.

use std::future::Future;

/// Runs `future` to completion on the calling thread and returns its output.
///
/// Polls the future once, then once more after each batch of wakes of its waker (however many
/// wakes the batch holds), until it is ready. While it is pending, the calling thread sleeps —
/// no polling in a loop, no sleeping for a fixed time — and the first wake, from this thread or
/// any other, wakes it up.
///
/// `future` may borrow from the caller (it needn't be `'static`) and needn't be `Send`: it never
/// leaves this thread.
///
/// ```no_run
/// assert_eq!(mini_executor::block_on(async { 40 + 2 }), 42);
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    drop(future);
    todo!("poll the future; while it is pending, sleep until its waker is woken")
}

/// A single-threaded executor: a run queue of tasks, [`spawn`](Executor::spawn) and
/// [`run`](Executor::run).
///
/// An `Executor` and its tasks stay on the thread that created them (tasks need not be `Send`);
/// only their wakers travel. To spawn from inside a task, share the executor with
/// `Rc<Executor>` and move a clone into the task.
///
/// ```no_run
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use mini_executor::Executor;
///
/// let executor = Executor::new();
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// for i in 0..3 {
///     let seen = Rc::clone(&seen);
///     executor.spawn(async move { seen.borrow_mut().push(i) });
/// }
/// executor.run();
/// assert_eq!(seen.borrow().len(), 3);
/// ```
pub struct Executor {
    // Your fields: the tasks (their futures stay on this thread), and what their wakers share
    // with the executor (the run queue, and a way to wake the thread sleeping in `run`).
}

impl Executor {
    /// An executor with no tasks.
    pub fn new() -> Self {
        Executor {}
    }

    /// Adds a task that runs `future`; it is queued, and first polled by [`run`](Self::run).
    ///
    /// May be called before `run`, or while `run` is running (from inside a task, through an
    /// `Rc<Executor>`): `run` then runs the new task too before it returns.
    pub fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        drop(future);
        todo!("store the task and put it on the run queue")
    }

    /// Runs tasks until every spawned task has finished, then returns.
    ///
    /// Takes tasks off the run queue one at a time and polls each once. When the queue is empty
    /// but tasks are still pending, the thread sleeps until a waker is woken — from a task on
    /// this thread or from any other thread — and carries on. A task is polled only when it is
    /// new or woken (see the crate's rules), and its future is dropped as soon as it finishes.
    ///
    /// A task that nobody ever wakes keeps `run` waiting forever, as a Go program whose
    /// goroutines all wait deadlocks. `run` may be called again after it returned, to run tasks
    /// spawned since.
    pub fn run(&self) {
        todo!("poll queued tasks; sleep while the queue is empty; return when no task is left")
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}
