// Passes: crossbeam channels instead of std's, the reply on a zero-capacity (rendezvous) channel, and a Stop message that Drop sends before joining the owner thread; AtomicCounter with SeqCst; count_concurrently builds its runtime with Runtime::builder().build() and block_on instead of runtime::run.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use crossbeam::channel::{self, Sender};
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
        if let Ok(mut count) = self.count.lock() {
            *count += 1;
        } else {
            panic!("a thread panicked while holding the counter's lock");
        }
    }
    fn get(&self) -> u64 {
        *self
            .count
            .lock()
            .expect("no thread panics while holding the lock")
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
        self.count.fetch_add(1, Ordering::SeqCst);
    }
    fn get(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }
}

enum Message {
    Increment,
    Get(Sender<u64>),
    Stop,
}

/// A counter owned by one thread that stops when told to.
pub struct ChannelCounter {
    to_owner: Sender<Message>,
    owner: Option<JoinHandle<()>>,
}

impl ChannelCounter {
    /// A counter at zero, with its owner already running.
    pub fn new() -> Self {
        let (to_owner, inbox) = channel::unbounded();
        let owner = thread::spawn(move || {
            let mut count = 0_u64;
            loop {
                match inbox.recv() {
                    Ok(Message::Increment) => count += 1,
                    Ok(Message::Get(reply)) => drop(reply.send(count)),
                    Ok(Message::Stop) | Err(_) => break,
                }
            }
        });
        ChannelCounter {
            to_owner,
            owner: Some(owner),
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
        let (reply, answer) = channel::bounded(0);
        self.to_owner
            .send(Message::Get(reply))
            .expect("the owner runs while the counter exists");
        answer.recv().expect("the owner answers")
    }
}

impl Drop for ChannelCounter {
    fn drop(&mut self) {
        let _ = self.to_owner.send(Message::Stop);
        if let Some(owner) = self.owner.take() {
            let _ = owner.join();
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
    let runtime = Runtime::builder()
        .build()
        .expect("the runtime's workers start");
    runtime.block_on(async move {
        let wg = WaitGroup::new();
        for _ in 0..tasks {
            wg.add(1);
            let (counter, wg) = (Arc::clone(&counter), wg.clone());
            runtime::spawn(async move {
                let _done = Done(wg);
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
