// Passes: ChannelCounter's owner is a Tasklings task on a one-worker runtime the counter builds in new() and drops with itself, no thread of its own; AtomicCounter increments with a compare_exchange loop; count_concurrently adds every task to the WaitGroup at once, before spawning any.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use runtime::{Runtime, WaitGroup};

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
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        *count += 1;
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
        // A compare-and-swap retried until no other thread slipped in between: fetch_add by hand.
        let mut seen = self.count.load(Ordering::Relaxed);
        while let Err(now) =
            self.count
                .compare_exchange_weak(seen, seen + 1, Ordering::Relaxed, Ordering::Relaxed)
        {
            seen = now;
        }
    }
    fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

enum Message {
    Increment,
    Get(Sender<u64>),
}

/// A counter owned by one task on a runtime of its own.
pub struct ChannelCounter {
    // Fields drop in order: the sender first (the owner's loop ends), then the runtime, whose
    // drop joins its worker once that task is done.
    to_owner: Sender<Message>,
    _owner_runtime: Runtime,
}

impl ChannelCounter {
    /// A counter at zero, with its owner already running.
    pub fn new() -> Self {
        let (to_owner, inbox) = mpsc::channel();
        let owner_runtime = Runtime::builder()
            .workers(1)
            .thread_name("counter-owner")
            .build()
            .expect("the owner's runtime starts");
        // The owner blocks its worker in recv: that worker runs nothing else.
        drop(owner_runtime.spawn(async move {
            let mut count = 0_u64;
            for message in inbox {
                match message {
                    Message::Increment => count += 1,
                    Message::Get(reply) => drop(reply.send(count)),
                }
            }
        }));
        ChannelCounter {
            to_owner,
            _owner_runtime: owner_runtime,
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
        self.to_owner
            .send(Message::Increment)
            .expect("the owner runs while the counter exists");
    }
    fn get(&self) -> u64 {
        let (reply, answer) = mpsc::channel();
        self.to_owner
            .send(Message::Get(reply))
            .expect("the owner runs while the counter exists");
        answer.recv().expect("the owner answers")
    }
}

/// Spawns `tasks` tasks on the Tasklings runtime, each calling `counter.increment()` `increments`
/// times, waits for all of them with a WaitGroup, and returns `counter.get()`.
pub fn count_concurrently<C: Counter + 'static>(
    counter: Arc<C>,
    tasks: usize,
    increments: usize,
) -> u64 {
    runtime::run(async move {
        let wg = WaitGroup::new();
        wg.add(tasks);
        for _ in 0..tasks {
            let (counter, done) = (Arc::clone(&counter), Done(wg.clone()));
            runtime::spawn(async move {
                let _done = done;
                for _ in 0..increments {
                    counter.increment();
                }
            });
        }
        wg.wait().await;
        counter.get()
    })
}

/// Marks one task done when dropped, even if the task panics.
struct Done(WaitGroup);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.done();
    }
}
