// Passes: a crossbeam channel carrying the wakers themselves (Arc<TaskWaker>) as the run queue, tasks in a BTreeMap, and a block_on that sleeps on a Mutex<bool> and Condvar instead of parking.
//! The run queue is `crossbeam::channel::unbounded`, and what it carries is the task's waker
//! state; `block_on` waits on a condition variable guarding a "woken" flag.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crossbeam::channel::{self, Receiver, Sender};

/// Runs `future` to completion on the calling thread and returns its output.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let signal = Arc::new(Signal::default());
    let waker = Waker::from(Arc::clone(&signal));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        let mut woken = signal.woken.lock().unwrap();
        while !*woken {
            woken = signal.changed.wait(woken).unwrap();
        }
        *woken = false;
    }
}

#[derive(Default)]
struct Signal {
    woken: Mutex<bool>,
    changed: Condvar,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        *self.woken.lock().unwrap() = true;
        self.changed.notify_one();
    }
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// A single-threaded executor: a run queue of tasks, `spawn` and `run`.
pub struct Executor {
    tasks: RefCell<BTreeMap<u64, Task>>,
    next_id: Cell<u64>,
    ready: Receiver<Arc<TaskWaker>>,
    sender: Sender<Arc<TaskWaker>>,
}

struct TaskWaker {
    id: u64,
    queued: AtomicBool,
    sender: Sender<Arc<TaskWaker>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            let sender = self.sender.clone();
            let _ = sender.send(self);
        }
    }
}

impl Executor {
    /// An executor with no tasks.
    pub fn new() -> Self {
        let (sender, ready) = channel::unbounded();
        Executor {
            tasks: RefCell::new(BTreeMap::new()),
            next_id: Cell::new(0),
            ready,
            sender,
        }
    }

    /// Adds a task that runs `future`; it is queued, and first polled by `run`.
    pub fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.tasks.borrow_mut().insert(id, Box::pin(future));
        Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(false),
            sender: self.sender.clone(),
        })
        .wake();
    }

    /// Runs tasks until every spawned task has finished, then returns.
    pub fn run(&self) {
        while !self.tasks.borrow().is_empty() {
            let handle = self.ready.recv().expect("the executor keeps a sender");
            let Some(mut future) = self.tasks.borrow_mut().remove(&handle.id) else {
                continue;
            };
            handle.queued.store(false, Ordering::SeqCst);
            let id = handle.id;
            let waker = Waker::from(handle);
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
