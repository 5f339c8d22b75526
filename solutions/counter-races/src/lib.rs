//! # Counter races — reference solution
//!
//! Go's classic race is `counter++` from many goroutines: a load, an add and a store that other
//! goroutines interleave with, losing updates. Rust refuses to compile that program (see
//! `book/trybuild/tests/compile_fail/`), and offers three honest ways to share a counter
//! instead, one per type here:
//!
//! - [`MutexCounter`]: a lock makes the load-add-store one step that nobody can interleave with.
//! - [`AtomicCounter`]: the hardware does the read-modify-write as one instruction (`fetch_add`).
//! - [`ChannelCounter`]: "share memory by communicating" — one owner thread holds the count and
//!   everybody else sends it messages; only the owner ever touches the number.
//!
//! [`count_concurrently`] is Go's `sync.WaitGroup` example on the Tasklings runtime.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
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

/// What the owner of a [`ChannelCounter`] can be asked.
enum Message {
    Increment,
    /// Send the current count back on this channel.
    Get(Sender<u64>),
}

/// A counter owned by one thread; the others send it messages.
pub struct ChannelCounter {
    /// `mpsc::Sender` is `Sync`, so `&self` methods on many threads can all send through it.
    to_owner: Sender<Message>,
    owner: Option<JoinHandle<()>>,
}

impl ChannelCounter {
    /// A counter at zero, with its owner already running.
    pub fn new() -> Self {
        let (to_owner, inbox) = mpsc::channel();
        let owner = thread::Builder::new()
            .name("counter-owner".into())
            .spawn(move || {
                // The count lives on this thread's stack and nowhere else.
                let mut count = 0_u64;
                // Ends when every Sender is gone: when the ChannelCounter is dropped.
                for message in inbox {
                    match message {
                        Message::Increment => count += 1,
                        // The asker may have given up (panicked); nothing to do then.
                        Message::Get(reply) => drop(reply.send(count)),
                    }
                }
            })
            .expect("the counter's owner thread can be started");
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
        // An unbounded channel: sending never blocks. Messages from one channel are received in the
        // order they were sent, so a later Get is answered after this Increment is counted.
        self.to_owner
            .send(Message::Increment)
            .expect("the owner runs as long as the counter exists");
    }

    fn get(&self) -> u64 {
        // Ask, then wait for the answer: the owner replies after every message queued before ours,
        // so every increment that returned before this call is counted.
        let (reply, answer) = mpsc::channel();
        self.to_owner
            .send(Message::Get(reply))
            .expect("the owner runs as long as the counter exists");
        answer
            .recv()
            .expect("the owner answers every Get it receives")
    }
}

impl Drop for ChannelCounter {
    fn drop(&mut self) {
        // Close the channel so the owner's loop ends, then wait for it: no thread outlives the
        // counter. Replacing the sender drops ours (the owner holds no other).
        let (closed, _) = mpsc::channel();
        drop(std::mem::replace(&mut self.to_owner, closed));
        if let Some(owner) = self.owner.take() {
            // The owner can't panic (it only counts and sends); ignore the impossible error
            // rather than panic inside drop.
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
