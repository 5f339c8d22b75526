// Must fail run_frees_finished_tasks: finished tasks are dropped only when run returns, so a long run holds every task it ever ran.
//! Finished tasks wait in a list that run empties only on its way out.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
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

/// A task's number, unique for the life of its executor (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct TaskId(u64);

/// A spawned future, boxed so that tasks of different types share one map.
type BoxedTask = Pin<Box<dyn Future<Output = ()>>>;

/// A single-threaded executor: a run queue of tasks, `spawn` and `run`.
pub struct Executor {
    /// Every unfinished task, by id, with the one waker all its polls use. A task is taken out
    /// while it is polled, so `spawn` from inside a task never meets a borrowed map.
    tasks: RefCell<HashMap<TaskId, Task>>,
    next_id: Cell<u64>,
    /// Shared with every waker.
    queue: Arc<RunQueue>,
    /// Tasks that finished, dropped when run returns.
    done: RefCell<Vec<Task>>,
}

/// One task: its future and its waker's state.
struct Task {
    future: BoxedTask,
    waker: Arc<TaskWaker>,
}

/// The run queue: ids of tasks ready to be polled, and the condition variable the thread in
/// `run` sleeps on while it is empty.
struct RunQueue {
    ready: Mutex<VecDeque<TaskId>>,
    not_empty: Condvar,
}

/// A task's waker: its id, whether it is in the run queue now, and the queue.
struct TaskWaker {
    id: TaskId,
    /// True from the wake that queues the task until the executor takes it off the queue: a
    /// wake that finds it set has nothing to do, so the task is queued once per batch of wakes.
    queued: AtomicBool,
    queue: Arc<RunQueue>,
}

impl RunQueue {
    fn lock(&self) -> MutexGuard<'_, VecDeque<TaskId>> {
        // A panic while the lock is held can only come between two plain queue operations; the
        // queue is still consistent.
        self.ready
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn push(&self, id: TaskId) {
        self.lock().push_back(id);
        self.not_empty.notify_one();
    }

    /// The next ready task, sleeping until there is one.
    fn pop(&self) -> TaskId {
        let mut ready = self.lock();
        loop {
            if let Some(id) = ready.pop_front() {
                return id;
            }
            ready = self
                .not_empty
                .wait(ready)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

impl TaskWaker {
    /// Queues the task unless it is queued already. Returns whether this call queued it.
    fn schedule(&self) -> bool {
        // Only the wake that flips the flag from false to true pushes, so the task is in the queue
        // at most once. AcqRel pairs with the executor's clearing `swap` before each poll.
        let was_queued = self.queued.swap(true, Ordering::AcqRel);
        if !was_queued {
            self.queue.push(self.id);
        }
        !was_queued
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.schedule();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.schedule();
    }
}

impl Executor {
    /// An executor with no tasks.
    pub fn new() -> Self {
        Executor {
            tasks: RefCell::new(HashMap::new()),
            next_id: Cell::new(0),
            queue: Arc::new(RunQueue {
                ready: Mutex::new(VecDeque::new()),
                not_empty: Condvar::new(),
            }),
            done: RefCell::new(Vec::new()),
        }
    }

    /// Adds a task that runs `future`; it is queued, and first polled by `run`.
    pub fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        let id = TaskId(self.next_id.get());
        self.next_id.set(id.0 + 1);
        let waker = Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(false),
            queue: Arc::clone(&self.queue),
        });
        self.tasks.borrow_mut().insert(
            id,
            Task {
                future: Box::pin(future),
                waker: Arc::clone(&waker),
            },
        );
        waker.schedule();
    }

    /// Runs tasks until every spawned task has finished, then returns.
    pub fn run(&self) {
        while !self.tasks.borrow().is_empty() {
            let id = self.queue.pop();
            self.poll(id);
        }
        self.done.borrow_mut().clear();
    }

    /// Polls task `id` once; drops it if it finished. An id with no task is a finished task's
    /// waker that was woken late: nothing to do.
    fn poll(&self, id: TaskId) {
        let Some(mut task) = self.tasks.borrow_mut().remove(&id) else {
            return;
        };
        // Cleared before the poll, so a wake during the poll queues the task again. AcqRel: the
        // poll sees whatever a waker wrote before a wake that found the flag still set.
        task.waker.queued.swap(false, Ordering::AcqRel);
        let waker = Waker::from(Arc::clone(&task.waker));
        let mut cx = Context::from_waker(&waker);
        match task.future.as_mut().poll(&mut cx) {
            // Dropping `task` drops the future now: finished means gone.
            Poll::Ready(()) => self.done.borrow_mut().push(task),
            Poll::Pending => {
                self.tasks.borrow_mut().insert(id, task);
            }
        }
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}
