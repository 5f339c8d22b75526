// Passes: no per-task flag at all — the run queue keeps a HashSet of the ids it holds, under the same lock, and a wake adds an id only if the set didn't have it; block_on compares a wake counter with the value it saw before the poll instead of clearing a flag.
//! The executor's "already queued?" lives in the run queue (a set next to the deque); tasks are
//! plain futures in a map. `block_on` counts wakes and polls again whenever the count moved.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// Runs `future` to completion on the calling thread and returns its output.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let counter = Arc::new(WakeCounter {
        wakes: AtomicU64::new(0),
        thread: thread::current(),
    });
    let waker = Waker::from(Arc::clone(&counter));
    let mut cx = Context::from_waker(&waker);
    loop {
        // Wakes from here on are news for the poll below or call for the next one.
        let seen = counter.wakes.load(Ordering::Acquire);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        while counter.wakes.load(Ordering::Acquire) == seen {
            thread::park();
        }
    }
}

struct WakeCounter {
    wakes: AtomicU64,
    thread: Thread,
}

impl Wake for WakeCounter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::Release);
        self.thread.unpark();
    }
}

#[derive(Default)]
struct Ready {
    order: VecDeque<u64>,
    queued: HashSet<u64>,
}

#[derive(Default)]
struct RunQueue {
    ready: Mutex<Ready>,
    not_empty: Condvar,
}

impl RunQueue {
    fn push(&self, id: u64) {
        let mut ready = self.ready.lock().unwrap();
        if ready.queued.insert(id) {
            ready.order.push_back(id);
            self.not_empty.notify_one();
        }
    }

    /// Takes the next id off the queue (and out of the set: a wake from now on queues it again).
    fn pop(&self) -> u64 {
        let mut ready = self.ready.lock().unwrap();
        loop {
            if let Some(id) = ready.order.pop_front() {
                ready.queued.remove(&id);
                return id;
            }
            ready = self.not_empty.wait(ready).unwrap();
        }
    }
}

struct TaskWaker {
    id: u64,
    queue: Arc<RunQueue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.queue.push(self.id);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.queue.push(self.id);
    }
}

/// A single-threaded executor: a run queue of tasks, `spawn` and `run`.
pub struct Executor {
    tasks: RefCell<HashMap<u64, Pin<Box<dyn Future<Output = ()>>>>>,
    next_id: Cell<u64>,
    queue: Arc<RunQueue>,
}

impl Executor {
    /// An executor with no tasks.
    pub fn new() -> Self {
        Executor {
            tasks: RefCell::new(HashMap::new()),
            next_id: Cell::new(0),
            queue: Arc::new(RunQueue::default()),
        }
    }

    /// Adds a task that runs `future`; it is queued, and first polled by `run`.
    pub fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.tasks.borrow_mut().insert(id, Box::pin(future));
        self.queue.push(id);
    }

    /// Runs tasks until every spawned task has finished, then returns.
    pub fn run(&self) {
        while !self.tasks.borrow().is_empty() {
            let id = self.queue.pop();
            let Some(mut future) = self.tasks.borrow_mut().remove(&id) else {
                continue;
            };
            // A fresh waker per poll: a small allocation, but no state to keep per task.
            let waker = Waker::from(Arc::new(TaskWaker {
                id,
                queue: Arc::clone(&self.queue),
            }));
            if future
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
            {
                self.tasks.borrow_mut().insert(id, future);
            }
        }
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}
