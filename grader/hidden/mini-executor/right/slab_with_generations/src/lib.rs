// Passes: tasks in a slab whose slots are reused, with a generation per slot in the waker's key, so a finished task's late wake is recognised and dropped; no task ids, no HashMap.
//! A slab of reusable slots (with a free list) instead of a map; wakers carry (slot, generation).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// Runs `future` to completion on the calling thread and returns its output.
///
/// Polls the future once, then once more after each batch of wakes of its waker, until it is
/// ready. While it is pending, the calling thread sleeps until the first wake.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let signal = Arc::new(Signal {
        woken: AtomicBool::new(false),
        thread: thread::current(),
    });
    let waker = Waker::from(Arc::clone(&signal));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // `park` may return without an `unpark` meant for us (a token left by an earlier user of
        // this thread, or a spurious return), so the flag, not the return, says "woken". A wake
        // during the poll already set it: then we poll again at once.
        while !signal.woken.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
}

/// What `block_on`'s waker shares with the thread it wakes.
struct Signal {
    /// Set by a wake, cleared by `block_on` before the poll it leads to.
    woken: AtomicBool,
    /// The thread running `block_on`.
    thread: Thread,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Release: whatever the waking thread wrote before the wake (the value the future waits
        // for) is visible to the poll that the `Acquire` swap in `block_on` leads to.
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// A task's slot in the slab.
type Slot = usize;

/// A slot and the generation of the task in it: a finished task's key never matches the next
/// task in its slot, whose generation is one higher.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    slot: Slot,
    generation: u64,
}

/// A spawned future, boxed so that tasks of different types share one slab.
type BoxedTask = Pin<Box<dyn Future<Output = ()>>>;

/// A single-threaded executor: a run queue of tasks, `spawn` and `run`.
pub struct Executor {
    tasks: RefCell<Slab>,
    /// Shared with every waker.
    queue: Arc<RunQueue>,
}

/// Tasks in slots; a finished task's slot is reused by the next spawn, one generation later.
#[derive(Default)]
struct Slab {
    /// Each slot's current generation and task.
    slots: Vec<(u64, Option<Task>)>,
    free: Vec<Slot>,
    /// Unfinished tasks, including one taken out while it is polled.
    live: usize,
}

/// One task: its future and its waker's state.
struct Task {
    future: BoxedTask,
    waker: Arc<TaskWaker>,
}

/// The run queue: slots of tasks ready to be polled, and the condition variable the thread in
/// `run` sleeps on while it is empty.
struct RunQueue {
    ready: Mutex<VecDeque<Key>>,
    not_empty: Condvar,
}

/// A task's waker: its slot, whether it is in the run queue now, and the queue.
struct TaskWaker {
    key: Key,
    queued: AtomicBool,
    queue: Arc<RunQueue>,
}

impl RunQueue {
    fn lock(&self) -> MutexGuard<'_, VecDeque<Key>> {
        self.ready
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn push(&self, key: Key) {
        self.lock().push_back(key);
        self.not_empty.notify_one();
    }

    fn pop(&self) -> Key {
        let mut ready = self.lock();
        loop {
            if let Some(key) = ready.pop_front() {
                return key;
            }
            ready = self
                .not_empty
                .wait(ready)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.queue.push(self.key);
        }
    }
}

impl Executor {
    /// An executor with no tasks.
    pub fn new() -> Self {
        Executor {
            tasks: RefCell::new(Slab::default()),
            queue: Arc::new(RunQueue {
                ready: Mutex::new(VecDeque::new()),
                not_empty: Condvar::new(),
            }),
        }
    }

    /// Adds a task that runs `future`; it is queued, and first polled by `run`.
    pub fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        let mut tasks = self.tasks.borrow_mut();
        let slot = match tasks.free.pop() {
            Some(slot) => slot,
            None => {
                tasks.slots.push((0, None));
                tasks.slots.len() - 1
            }
        };
        tasks.slots[slot].0 += 1;
        let key = Key {
            slot,
            generation: tasks.slots[slot].0,
        };
        let waker = Arc::new(TaskWaker {
            key,
            queued: AtomicBool::new(false),
            queue: Arc::clone(&self.queue),
        });
        tasks.slots[slot].1 = Some(Task {
            future: Box::pin(future),
            waker: Arc::clone(&waker),
        });
        tasks.live += 1;
        drop(tasks);
        waker.wake_by_ref();
    }

    /// Runs tasks until every spawned task has finished, then returns.
    pub fn run(&self) {
        while self.tasks.borrow().live > 0 {
            let key = self.queue.pop();
            self.poll(key);
        }
    }

    /// Polls the task `key` names once, if it is still there; frees its slot if it finished.
    fn poll(&self, key: Key) {
        let slot = key.slot;
        let task = {
            let mut tasks = self.tasks.borrow_mut();
            let (generation, task) = &mut tasks.slots[slot];
            if *generation != key.generation {
                return; // a finished task's late wake
            }
            task.take()
        };
        let Some(mut task) = task else {
            return;
        };
        task.waker.queued.swap(false, Ordering::AcqRel);
        let waker = Waker::from(Arc::clone(&task.waker));
        let mut cx = Context::from_waker(&waker);
        let poll = task.future.as_mut().poll(&mut cx);
        let mut tasks = self.tasks.borrow_mut();
        match poll {
            Poll::Ready(()) => {
                tasks.free.push(slot);
                tasks.live -= 1;
                drop(tasks);
                drop(task);
            }
            Poll::Pending => tasks.slots[slot].1 = Some(task),
        }
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}
