// Passes: every ChannelCounter's owner is a spawn_blocking task on one runtime kept for the whole process (a OnceLock), whose idle threads outlive the counters — the owner itself ends with its counter, and Drop waits for it; AtomicCounter uses fetch_update; count_concurrently awaits every JoinHandle after the WaitGroup.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use runtime::{JoinHandle, Runtime, WaitGroup};

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
        // fetch_update retries the closure until its compare-and-swap wins.
        let _ = self
            .count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n + 1));
    }
    fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

enum Message {
    Increment,
    Get(Sender<u64>),
}

/// The runtime every counter's owner runs on, started by the first counter.
fn owners() -> &'static Runtime {
    static OWNERS: OnceLock<Runtime> = OnceLock::new();
    OWNERS.get_or_init(|| {
        Runtime::builder()
            .workers(1)
            .thread_name("counter-owners")
            .build()
            .expect("the owners' runtime starts")
    })
}

/// A counter owned by one blocking task on the shared owners' runtime.
pub struct ChannelCounter {
    to_owner: Option<Sender<Message>>,
    owner: Option<JoinHandle<()>>,
}

impl ChannelCounter {
    /// A counter at zero, with its owner already running.
    pub fn new() -> Self {
        let (to_owner, inbox) = mpsc::channel();
        let owner = owners().spawn_blocking(move || {
            let mut count = 0_u64;
            while let Ok(message) = inbox.recv() {
                match message {
                    Message::Increment => count += 1,
                    Message::Get(reply) => drop(reply.send(count)),
                }
            }
        });
        ChannelCounter {
            to_owner: Some(to_owner),
            owner: Some(owner),
        }
    }

    fn send(&self, message: Message) {
        self.to_owner
            .as_ref()
            .expect("only Drop takes the sender")
            .send(message)
            .expect("the owner runs while the counter exists");
    }
}

impl Default for ChannelCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for ChannelCounter {
    fn increment(&self) {
        self.send(Message::Increment);
    }
    fn get(&self) -> u64 {
        let (reply, answer) = mpsc::channel();
        self.send(Message::Get(reply));
        answer.recv().expect("the owner answers")
    }
}

impl Drop for ChannelCounter {
    fn drop(&mut self) {
        drop(self.to_owner.take());
        if let Some(owner) = self.owner.take() {
            // A JoinHandle is a future; this thread is no worker, so it may block on it.
            let _ = owners().block_on(owner);
        }
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
        let mut handles = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            wg.add(1);
            let (counter, wg) = (Arc::clone(&counter), wg.clone());
            handles.push(runtime::spawn(async move {
                struct Done(WaitGroup);
                impl Drop for Done {
                    fn drop(&mut self) {
                        self.0.done();
                    }
                }
                let _done = Done(wg);
                for _ in 0..increments {
                    counter.increment();
                }
            }));
        }
        wg.wait().await;
        for handle in handles {
            let _ = handle.await;
        }
        counter.get()
    })
}
