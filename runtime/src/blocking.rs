//! The blocking pool: threads for `spawn_blocking` — Go's Ms that leave their P to sit in a
//! syscall.
//!
//! A blocking closure would stall a worker (and every task queued behind it), so it runs on a
//! separate pool of plain threads instead. The pool is **bounded** (at most 512 threads; more
//! closures wait in its queue) and **idle-reaping** (a thread with nothing to do for 10 s
//! exits), so a burst of blocking calls doesn't leave hundreds of threads behind.
//!
//! A blocking closure is an ordinary task (`BlockingTask`, one poll that calls the closure) with
//! the `BLOCKING` kind bit, so it has a `JoinHandle`, an id, a dump entry (state
//! `blocking` while it runs) and counts in `num_tasks`. The pool threads belong to the runtime
//! (`runtime::spawn` from inside the closure works). On shutdown, queued closures are dropped
//! unrun and running ones are waited for (a thread can't be interrupted).

use crate::context;
use crate::scheduler::Shared;
use crate::task::{self, RunOutcome, TaskRef};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

const MAX_THREADS: usize = 512;
const KEEP_ALIVE: Duration = if cfg!(test) {
    Duration::from_millis(20) // so the reaping test doesn't wait 10 s
} else {
    Duration::from_secs(10)
};

/// The pool of one runtime.
pub(crate) struct BlockingPool {
    state: Mutex<PoolState>,
    work: Condvar,
    /// The pool threads' name (`<worker prefix>-blocking`).
    thread_name: String,
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<TaskRef>,
    threads: usize,
    idle: usize,
    /// Wake-ups sent to idle threads and not yet taken (tells a wake-up from a timeout).
    wakeups: usize,
    shutdown: bool,
    handles: Vec<thread::JoinHandle<()>>,
}

/// What a pool thread is given: its runtime, and the pool (which lives inside the runtime).
struct PoolOf {
    shared: *const Shared,
    pool: *const BlockingPool,
}
// SAFETY: both are Sync, and `Drop for Runtime` joins the pool threads (`shutdown`) before the
// runtime's memory can be released, so the pointers outlive the thread.
unsafe impl Send for PoolOf {}

impl BlockingPool {
    pub(crate) fn new(thread_name: String) -> Self {
        BlockingPool {
            state: Mutex::new(PoolState::default()),
            work: Condvar::new(),
            thread_name,
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        crate::sync::lock(&self.state)
    }

    /// Queues a blocking task, starting a thread if none is idle and the bound allows.
    pub(crate) fn push(&self, task: TaskRef, shared: &Shared) {
        let mut state = self.lock();
        if state.shutdown {
            drop(state);
            task::cancel_orphan(task);
            return;
        }
        state.queue.push_back(task);
        if state.idle > 0 {
            state.idle -= 1;
            state.wakeups += 1;
            self.work.notify_one();
        } else if state.threads < MAX_THREADS {
            state.handles.retain(|h| !h.is_finished());
            let of = PoolOf { shared, pool: self };
            let spawned = thread::Builder::new()
                .name(self.thread_name.clone())
                .spawn(move || {
                    let of = of;
                    // SAFETY: see `PoolOf`.
                    let (shared, pool) = unsafe { (&*of.shared, &*of.pool) };
                    // Belongs to the runtime: `runtime::spawn` in a closure spawns onto it.
                    let _enter = context::enter(shared);
                    pool_thread(pool);
                });
            match spawned {
                Ok(handle) => {
                    state.threads += 1;
                    state.handles.push(handle);
                }
                Err(e) if state.threads == 0 => {
                    panic!("spawn_blocking could not start a thread: {e}")
                }
                Err(_) => {} // an existing thread will get to it
            }
        }
    }

    /// Whether a closure is queued or running (a thread that isn't idle may be finishing one).
    pub(crate) fn busy(&self) -> bool {
        let state = self.lock();
        !state.queue.is_empty() || state.threads > state.idle
    }

    /// Drops queued closures, waits for running ones, joins every thread.
    pub(crate) fn shutdown(&self) {
        let (queued, handles) = {
            let mut state = self.lock();
            state.shutdown = true;
            self.work.notify_all();
            (
                std::mem::take(&mut state.queue),
                std::mem::take(&mut state.handles),
            )
        };
        queued.into_iter().for_each(task::cancel_orphan);
        for handle in handles {
            let _ = handle.join();
        }
    }
}

fn pool_thread(pool: &BlockingPool) {
    let mut state = pool.lock();
    loop {
        if let Some(task) = state.queue.pop_front() {
            drop(state);
            if let RunOutcome::Reschedule(task) = task.run() {
                task.schedule(); // a blocking task never waits, but stay correct
            }
            state = pool.lock();
            continue;
        }
        if state.shutdown {
            break;
        }
        state.idle += 1;
        let (guard, timeout) = pool
            .work
            .wait_timeout(state, KEEP_ALIVE)
            .unwrap_or_else(|e| e.into_inner());
        state = guard;
        if state.wakeups > 0 {
            state.wakeups -= 1; // our `idle` slot was already given up by the waker
        } else {
            state.idle -= 1;
            if timeout.timed_out() && state.queue.is_empty() {
                break; // reaped after KEEP_ALIVE with nothing to do
            }
        }
    }
    state.threads -= 1;
}

/// A blocking closure dressed as a future that completes on its first poll.
pub(crate) struct BlockingTask<F>(Option<F>);

impl<F> BlockingTask<F> {
    pub(crate) fn new(f: F) -> Self {
        BlockingTask(Some(f))
    }
}

impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self.0.take().expect("a blocking task runs once");
        Poll::Ready(f())
    }
}

#[cfg(all(test, not(tasklings_loom)))]
mod tests {
    use super::KEEP_ALIVE;
    use std::sync::{Arc, Barrier};

    #[test]
    fn threads_start_on_demand_and_idle_ones_are_reaped() {
        let rt = crate::Runtime::builder().workers(1).build().unwrap();
        let all_in = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let all_in = all_in.clone();
                rt.spawn_blocking(move || {
                    all_in.wait();
                })
            })
            .collect();
        all_in.wait(); // three closures ran at once: three threads
        handles.into_iter().for_each(|h| h.join().unwrap());
        let pool = rt.shared().blocking_pool();
        // Wait (no time assertion) until the idle threads have left.
        while crate::sync::lock(&pool.state).threads != 0 {
            std::thread::sleep(KEEP_ALIVE);
        }
        assert_eq!(
            rt.spawn_blocking(|| 7).join().unwrap(),
            7,
            "a new thread starts again"
        );
    }
}
