//! # Counter races
//!
//! Go's classic race: many goroutines run `counter++` on one variable, and updates get lost,
//! because `++` is a load, an add and a store that other goroutines slip in between. Rust won't
//! compile that program (`book/trybuild/tests/compile_fail/` and `tests/error_codes/` show
//! the errors you get instead), and `examples/racy_counter.rs` shows what the race costs when
//! it is written with a separate load and store. Here you write three counters that don't lose
//! updates, and Go's WaitGroup example.
//!
//! Every counter must be right under any amount of contention: after `n` increments have
//! returned, on whatever threads, `get` returns at least `n` — and exactly `n` when nothing else
//! is incrementing.
//!
//! What the grader measures, and why. Each check asks what the code achieves, not how:
//! - *Exact totals from many threads at once* for each counter: a lost update is the bug this
//!   exercise is about, and many threads hammering one counter make it show.
//! - *`get` sees every increment that returned before it*: a channel counter must answer after
//!   the messages sent before the question, not from a stale copy.
//! - *The channel counter's owner stops when the counter is dropped* (its thread or task is
//!   counted before and after): an owner left running is a leak.
//! - *`count_concurrently`* spawns tasks on the runtime, adds exactly `n × per_task` to the
//!   current count, and returns only once every task has finished. That last check runs your
//!   function under 200 seeded schedules of the runtime's deterministic mode, the same ones on
//!   every run, so a missing or misplaced WaitGroup fails every time, with the seed that shows it
//!   and the command that replays it (book: "Seeing the schedule").
//!
//! Read the chapter first (`book/src/logic-races.md`). Then grade your work with
//! `cargo grade run counter-races`; `cargo grade hint counter-races` gives hints.
//! You may change the structs' fields (they are private) and add private helpers.

use std::sync::Arc;

/// A counter shared by reference between threads.
pub trait Counter: Send + Sync {
    /// Adds one to the count.
    fn increment(&self);
    /// The count, including every `increment` that returned before this call.
    fn get(&self) -> u64;
}

/// A counter behind a `std::sync::Mutex`.
pub struct MutexCounter {
    // Your fields here.
}

impl MutexCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        todo!("a MutexCounter at zero")
    }
}

impl Default for MutexCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for MutexCounter {
    fn increment(&self) {
        todo!("lock, add one")
    }
    fn get(&self) -> u64 {
        todo!("lock, read")
    }
}

/// A counter updated with an atomic read-modify-write.
pub struct AtomicCounter {
    // Your fields here.
}

impl AtomicCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        todo!("an AtomicCounter at zero")
    }
}

impl Default for AtomicCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for AtomicCounter {
    fn increment(&self) {
        todo!("one atomic add")
    }
    fn get(&self) -> u64 {
        todo!("one atomic load")
    }
}

/// A counter owned by one thread (or task): only the owner touches the count; `increment` and
/// `get` send it messages, and `get` waits for the owner's answer. The owner starts in `new` and
/// stops when the counter is dropped (no thread outlives its counter).
pub struct ChannelCounter {
    // Your fields here.
}

impl ChannelCounter {
    /// A counter at zero, with its owner already running.
    pub fn new() -> Self {
        todo!("start the owner, keep a way to send it messages")
    }
}

impl Default for ChannelCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for ChannelCounter {
    fn increment(&self) {
        todo!("send the owner an increment")
    }
    fn get(&self) -> u64 {
        todo!("ask the owner for the count and wait for its answer")
    }
}

/// Spawns `tasks` tasks on the Tasklings runtime, each calling `counter.increment()` `increments`
/// times, waits for all of them with a WaitGroup, and returns `counter.get()`.
///
/// Use `runtime::run` (it creates a runtime, runs your future on it, and drops the runtime with
/// any task still running when the future returns — like Go's `main`), `runtime::spawn`, and
/// `runtime::WaitGroup`. The tests count the tasks you spawn on the runtime.
pub fn count_concurrently<C: Counter + 'static>(
    counter: Arc<C>,
    tasks: usize,
    increments: usize,
) -> u64 {
    let _ = counter;
    todo!("spawn {tasks} tasks of {increments} increments each and wait for them with a WaitGroup")
}
