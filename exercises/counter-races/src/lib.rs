//! # Counter races
//!
//! Read the chapter first. Then grade your work with `cargo grade run counter-races`.

use std::sync::Arc;

/// A counter shared by reference between threads.
pub trait Counter: Send + Sync {
    /// Adds one to the count.
    fn increment(&self);
    /// The count, including every `increment` that returned before this call.
    fn get(&self) -> u64;
}

/// A counter behind a `std::sync::Mutex`.
#[derive(Default)]
pub struct MutexCounter {}

impl MutexCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        todo!("a MutexCounter at zero")
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
#[derive(Default)]
pub struct AtomicCounter {}

impl AtomicCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        todo!("an AtomicCounter at zero")
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

/// A counter owned by one thread or task; the others send it messages.
#[derive(Default)]
pub struct ChannelCounter {}

impl ChannelCounter {
    /// A counter at zero, with its owner already running.
    pub fn new() -> Self {
        todo!("start the owner, keep a way to send it messages")
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
pub fn count_concurrently<C: Counter + 'static>(
    counter: Arc<C>,
    tasks: usize,
    increments: usize,
) -> u64 {
    let _ = counter;
    todo!("spawn {tasks} tasks of {increments} increments each and wait for them with a WaitGroup")
}
