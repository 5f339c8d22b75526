// Passes: no channel type at all — the owner thread reads a hand-written mailbox (a Mutex<VecDeque> and a Condvar) and answers each get through a one-shot slot of its own; count_concurrently calls done() at the end of each task (no guard) and runs its loop over the task numbers with an iterator.
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

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
        self.count.fetch_add(1, Ordering::AcqRel);
    }
    fn get(&self) -> u64 {
        self.count.load(Ordering::Acquire)
    }
}

/// A one-shot slot the owner fills with the count and the asker waits on.
#[derive(Default)]
struct Answer {
    value: Mutex<Option<u64>>,
    ready: Condvar,
}

enum Message {
    Increment,
    Get(Arc<Answer>),
}

/// The owner's mailbox: messages in arrival order, and whether the counter is gone.
#[derive(Default)]
struct Mailbox {
    queue: Mutex<(VecDeque<Message>, bool)>,
    arrived: Condvar,
}

impl Mailbox {
    fn post(&self, message: Message) {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.0.push_back(message);
        self.arrived.notify_one();
    }

    fn close(&self) {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
        self.arrived.notify_one();
    }

    /// The next message, or None once closed and empty.
    fn take(&self) -> Option<Message> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(message) = queue.0.pop_front() {
                return Some(message);
            }
            if queue.1 {
                return None;
            }
            queue = self
                .arrived
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A counter owned by one thread that reads a mailbox.
pub struct ChannelCounter {
    mailbox: Arc<Mailbox>,
    owner: Option<JoinHandle<()>>,
}

impl ChannelCounter {
    /// A counter at zero, with its owner already running.
    pub fn new() -> Self {
        let mailbox = Arc::new(Mailbox::default());
        let inbox = Arc::clone(&mailbox);
        let owner = thread::spawn(move || {
            let mut count = 0_u64;
            while let Some(message) = inbox.take() {
                match message {
                    Message::Increment => count += 1,
                    Message::Get(answer) => {
                        *answer.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(count);
                        answer.ready.notify_one();
                    }
                }
            }
        });
        ChannelCounter {
            mailbox,
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
        self.mailbox.post(Message::Increment);
    }
    fn get(&self) -> u64 {
        let answer = Arc::new(Answer::default());
        self.mailbox.post(Message::Get(Arc::clone(&answer)));
        let mut value = answer.value.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(count) = *value {
                return count;
            }
            value = answer
                .ready
                .wait(value)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for ChannelCounter {
    fn drop(&mut self) {
        self.mailbox.close();
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
        (0..tasks).for_each(|_| {
            wg.add(1);
            let (counter, wg) = (Arc::clone(&counter), wg.clone());
            drop(runtime::spawn(async move {
                (0..increments).for_each(|_| counter.increment());
                wg.done();
            }));
        });
        wg.wait().await;
        counter.get()
    })
}
