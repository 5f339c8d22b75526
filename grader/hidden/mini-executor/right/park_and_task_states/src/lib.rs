// Passes: a task state machine (idle, queued, running, running-and-woken, done) instead of a queued flag cleared before the poll — a wake during the poll is noted and the task queued after it, as the Tasklings runtime does; run parks its thread (park/unpark, no Condvar); block_on's waker is a hand-built RawWakerVTable.
//! Task states in one `AtomicU8`; the executor thread sleeps with `thread::park` and wakers
//! `unpark` it. `block_on` builds its `Waker` from a raw vtable over an `Arc`.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Wake, Waker};
use std::thread::{self, Thread};

// ---- block_on, with a hand-written vtable

struct Signal {
    woken: AtomicBool,
    thread: Thread,
}

const VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

fn raw(signal: Arc<Signal>) -> RawWaker {
    RawWaker::new(Arc::into_raw(signal).cast(), &VTABLE)
}

unsafe fn clone_raw(data: *const ()) -> RawWaker {
    // SAFETY: `data` came from `Arc::into_raw` in `raw` and that reference is still held.
    unsafe { Arc::increment_strong_count(data.cast::<Signal>()) };
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake_raw(data: *const ()) {
    // SAFETY: `wake` consumes the waker's reference, which came from `Arc::into_raw`.
    let signal = unsafe { Arc::from_raw(data.cast::<Signal>()) };
    signal.woken.store(true, Ordering::Release);
    signal.thread.unpark();
}

unsafe fn wake_by_ref_raw(data: *const ()) {
    // SAFETY: the waker holds a reference, so the Signal is alive for this call.
    let signal = unsafe { &*data.cast::<Signal>() };
    signal.woken.store(true, Ordering::Release);
    signal.thread.unpark();
}

unsafe fn drop_raw(data: *const ()) {
    // SAFETY: dropping the waker gives back the reference it held.
    drop(unsafe { Arc::from_raw(data.cast::<Signal>()) });
}

/// Runs `future` to completion on the calling thread and returns its output.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let signal = Arc::new(Signal {
        woken: AtomicBool::new(false),
        thread: thread::current(),
    });
    // SAFETY: the vtable's functions treat the data pointer as the `Arc<Signal>` `raw` made.
    let waker = unsafe { Waker::from_raw(raw(Arc::clone(&signal))) };
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        while !signal.woken.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
}

// ---- the executor

const IDLE: u8 = 0;
const QUEUED: u8 = 1;
const RUNNING: u8 = 2;
/// Running, and woken during the poll: queue it again when the poll returns.
const NOTIFIED: u8 = 3;
const DONE: u8 = 4;

struct Shared {
    queue: Mutex<VecDeque<u64>>,
    /// The thread inside `run`, if any.
    runner: Mutex<Option<Thread>>,
}

impl Shared {
    fn push(&self, id: u64) {
        self.queue.lock().unwrap().push_back(id);
        if let Some(thread) = &*self.runner.lock().unwrap() {
            thread.unpark();
        }
    }
}

struct TaskWaker {
    id: u64,
    state: AtomicU8,
    shared: Arc<Shared>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let next = match state {
                IDLE => QUEUED,
                RUNNING => NOTIFIED,
                // Queued already, or noted already: write the same state back anyway, so that
                // this wake is a release the executor's next `swap` acquires.
                QUEUED | NOTIFIED => state,
                _ => return, // finished
            };
            match self
                .state
                .compare_exchange(state, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if state == IDLE => return self.shared.push(self.id),
                Ok(_) => return,
                Err(actual) => state = actual,
            }
        }
    }
}

type Task = (Pin<Box<dyn Future<Output = ()>>>, Arc<TaskWaker>);

/// A single-threaded executor: a run queue of tasks, `spawn` and `run`.
pub struct Executor {
    tasks: RefCell<HashMap<u64, Task>>,
    next_id: Cell<u64>,
    shared: Arc<Shared>,
}

impl Executor {
    /// An executor with no tasks.
    pub fn new() -> Self {
        Executor {
            tasks: RefCell::new(HashMap::new()),
            next_id: Cell::new(0),
            shared: Arc::new(Shared {
                queue: Mutex::new(VecDeque::new()),
                runner: Mutex::new(None),
            }),
        }
    }

    /// Adds a task that runs `future`; it is queued, and first polled by `run`.
    pub fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let waker = Arc::new(TaskWaker {
            id,
            state: AtomicU8::new(QUEUED),
            shared: Arc::clone(&self.shared),
        });
        self.tasks
            .borrow_mut()
            .insert(id, (Box::pin(future), waker));
        self.shared.push(id);
    }

    /// Runs tasks until every spawned task has finished, then returns.
    pub fn run(&self) {
        *self.shared.runner.lock().unwrap() = Some(thread::current());
        while !self.tasks.borrow().is_empty() {
            let next = self.shared.queue.lock().unwrap().pop_front();
            match next {
                Some(id) => self.poll(id),
                // A push after the check above unparks us (or left its token already).
                None => thread::park(),
            }
        }
        *self.shared.runner.lock().unwrap() = None;
    }

    fn poll(&self, id: u64) {
        let Some((mut future, waker)) = self.tasks.borrow_mut().remove(&id) else {
            return;
        };
        waker.state.swap(RUNNING, Ordering::AcqRel);
        let cx_waker = Waker::from(Arc::clone(&waker));
        if future
            .as_mut()
            .poll(&mut Context::from_waker(&cx_waker))
            .is_ready()
        {
            waker.state.store(DONE, Ordering::Release);
            return;
        }
        let after =
            waker
                .state
                .compare_exchange(RUNNING, IDLE, Ordering::AcqRel, Ordering::Acquire);
        self.tasks
            .borrow_mut()
            .insert(id, (future, Arc::clone(&waker)));
        if after.is_err() {
            // NOTIFIED: woken during the poll.
            waker.state.store(QUEUED, Ordering::Release);
            self.shared.push(id);
        }
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}
