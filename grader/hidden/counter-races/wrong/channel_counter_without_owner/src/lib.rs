// Must fail channel_counter_has_an_owner_that_stops_when_dropped: a 'ChannelCounter' that is an atomic in disguise — no owner, no messages.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use runtime::WaitGroup;

/// A counter shared by reference between threads.
pub trait Counter: Send + Sync {
    /// Adds one to the count.
    fn increment(&self);
    /// The count, including every `increment` that returned before this call.
    fn get(&self) -> u64;
}

/// A counter behind a `std::sync::Mutex`.
pub struct MutexCounter {
    count: Mutex<u64>,
}

impl MutexCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        MutexCounter {
            count: Mutex::new(0),
        }
    }
}

impl Default for MutexCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for MutexCounter {
    fn increment(&self) {
        // The guard lives for this one statement only: the lock is held for the add, no longer.
        // A poisoned lock (a thread panicked while holding it) still holds a valid u64: keep going.
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    }

    fn get(&self) -> u64 {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A counter updated with an atomic read-modify-write.
pub struct AtomicCounter {
    count: AtomicU64,
}

impl AtomicCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        AtomicCounter {
            count: AtomicU64::new(0),
        }
    }
}

impl Default for AtomicCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for AtomicCounter {
    fn increment(&self) {
        // Relaxed suffices: every fetch_add on one atomic takes its place in that atomic's single
        // modification order, so none is lost, and no other memory is published through the
        // counter. (A load followed by a store would lose updates whatever the ordering.)
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        // Relaxed again: a load sees every fetch_add that happened-before it (coherence). An
        // increment that "returned before" this call on another thread happened-before it only if
        // the two threads synchronised somehow (a join, a lock, a channel) — which is also the only
        // way to know it returned before.
        self.count.load(Ordering::Relaxed)
    }
}

/// No owner at all.
pub struct ChannelCounter {
    count: AtomicU64,
}

impl ChannelCounter {
    pub fn new() -> Self {
        ChannelCounter {
            count: AtomicU64::new(0),
        }
    }
}

impl Default for ChannelCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for ChannelCounter {
    fn increment(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

/// Spawns `tasks` tasks on the Tasklings runtime, each calling `counter.increment()` `increments`
/// times, waits for all of them with a WaitGroup, and returns `counter.get()`.
pub fn count_concurrently<C: Counter + 'static>(
    counter: Arc<C>,
    tasks: usize,
    increments: usize,
) -> u64 {
    // `runtime::run` is Go's `func main`: when its future returns, the runtime is dropped and any
    // task still running dies with it — so we must wait for ours first.
    runtime::run(async move {
        let all_done = WaitGroup::new();
        for _ in 0..tasks {
            // Add before spawning (Go's rule): added inside the task, `wait` could run first, see
            // zero, and return before the task even started.
            all_done.add(1);
            // Each task owns a clone of the Arc (`move`): spawned tasks must be 'static.
            let counter = Arc::clone(&counter);
            let done = DoneOnDrop(all_done.clone());
            // The JoinHandle is dropped, which detaches the task; the WaitGroup is how we wait.
            drop(runtime::spawn(async move {
                let _done = done;
                for _ in 0..increments {
                    counter.increment();
                }
            }));
        }
        all_done.wait().await;
        counter.get()
    })
}

/// Calls `done()` when dropped — Go's `defer wg.Done()`: even a task that panics counts itself
/// done, so `wait` doesn't hang.
struct DoneOnDrop(WaitGroup);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        self.0.done();
    }
}
