// Passes: a bounded std::sync::sync_channel to the owner thread and a one-slot sync_channel for each reply, the sender in an Option that Drop takes; AtomicCounter is crossbeam's AtomicCell; MutexCounter counts in a usize; count_concurrently spawns one task that spawns the others and awaits it before the WaitGroup.
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use crossbeam::atomic::AtomicCell;
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
    count: Mutex<usize>,
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
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) as u64
    }
}

/// A counter updated with an atomic read-modify-write.
pub struct AtomicCounter {
    count: AtomicCell<u64>,
}

impl AtomicCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        AtomicCounter {
            count: AtomicCell::new(0),
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
        self.count.fetch_add(1);
    }
    fn get(&self) -> u64 {
        self.count.load()
    }
}

enum Message {
    Increment,
    Get(SyncSender<u64>),
}

/// A counter owned by one thread, reached through a bounded channel.
pub struct ChannelCounter {
    to_owner: Option<SyncSender<Message>>,
    owner: Option<JoinHandle<()>>,
}

impl ChannelCounter {
    /// A counter at zero, with its owner already running.
    pub fn new() -> Self {
        // Bounded: senders wait when the owner falls 1024 messages behind.
        let (to_owner, inbox) = mpsc::sync_channel(1024);
        let owner = thread::spawn(move || {
            let mut count = 0_u64;
            for message in inbox {
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
        let sent = self
            .to_owner
            .as_ref()
            .map(|to_owner| to_owner.send(message));
        assert!(
            matches!(sent, Some(Ok(()))),
            "the owner runs while the counter exists"
        );
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
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(Message::Get(reply));
        answer.recv().expect("the owner answers")
    }
}

impl Drop for ChannelCounter {
    fn drop(&mut self) {
        self.to_owner = None;
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
    runtime::run(async move {
        let wg = WaitGroup::new();
        let spawner = {
            let (wg, counter) = (wg.clone(), Arc::clone(&counter));
            runtime::spawn(async move {
                for _ in 0..tasks {
                    wg.add(1);
                    let (counter, done) = (Arc::clone(&counter), Done(wg.clone()));
                    runtime::spawn(async move {
                        let _done = done;
                        for _ in 0..increments {
                            counter.increment();
                        }
                    });
                }
            })
        };
        // Every add happened by the time the spawner ends, so wait() can't see zero too early.
        spawner.await.expect("the spawner only spawns");
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
