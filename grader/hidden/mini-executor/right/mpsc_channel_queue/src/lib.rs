// Passes: std mpsc channels instead of a Mutex and Condvar: the run queue is a channel of task ids (recv() sleeps for run), and block_on sleeps in recv() on a one-slot channel whose try_send drops the wakes that find it full.
//! The executor's run queue is an `mpsc` channel; the executor keeps one sender so `recv` never
//! fails. `block_on`'s "woken" flag is a `sync_channel(1)`: a full channel already says "woken".

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Runs `future` to completion on the calling thread and returns its output.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let (signal, woken) = mpsc::sync_channel(1);
    let waker = Waker::from(Arc::new(OneSlot(signal)));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        woken
            .recv()
            .expect("the waker in `cx` keeps a sender alive");
    }
}

/// A waker that leaves at most one message: "woken".
struct OneSlot(SyncSender<()>);

impl Wake for OneSlot {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Full: a wake is already waiting to be seen. Disconnected: block_on returned.
        let _ = self.0.try_send(());
    }
}

/// A single-threaded executor: a run queue of tasks, `spawn` and `run`.
pub struct Executor {
    tasks: RefCell<HashMap<u64, (Pin<Box<dyn Future<Output = ()>>>, Arc<TaskWaker>)>>,
    next_id: Cell<u64>,
    ready: Receiver<u64>,
    sender: Sender<u64>,
}

struct TaskWaker {
    id: u64,
    queued: AtomicBool,
    sender: Sender<u64>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            // Fails only when the executor is gone: nothing left to run.
            let _ = self.sender.send(self.id);
        }
    }
}

impl Executor {
    /// An executor with no tasks.
    pub fn new() -> Self {
        let (sender, ready) = mpsc::channel();
        Executor {
            tasks: RefCell::new(HashMap::new()),
            next_id: Cell::new(0),
            ready,
            sender,
        }
    }

    /// Adds a task that runs `future`; it is queued, and first polled by `run`.
    pub fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let waker = Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(false),
            sender: self.sender.clone(),
        });
        self.tasks
            .borrow_mut()
            .insert(id, (Box::pin(future), Arc::clone(&waker)));
        waker.wake_by_ref();
    }

    /// Runs tasks until every spawned task has finished, then returns.
    pub fn run(&self) {
        while !self.tasks.borrow().is_empty() {
            let id = self.ready.recv().expect("the executor keeps a sender");
            let Some((mut future, waker)) = self.tasks.borrow_mut().remove(&id) else {
                continue;
            };
            waker.queued.swap(false, Ordering::AcqRel);
            let cx_waker = Waker::from(Arc::clone(&waker));
            if future
                .as_mut()
                .poll(&mut Context::from_waker(&cx_waker))
                .is_pending()
            {
                self.tasks.borrow_mut().insert(id, (future, waker));
            }
        }
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}
