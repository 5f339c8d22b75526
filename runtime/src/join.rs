//! Waiting for a task: `JoinHandle`, `JoinError` and `TaskId` — Go has no handle (you use a
//! channel or a WaitGroup); here `spawn` returns one, and dropping it detaches the task.
//!
//! The handle owns one reference to the task block and talks to the task only through the
//! join bits of the state word (`task::poll_join`, `task::drop_join_handle`): the completing
//! task stores the output in the block and wakes the waker the handle registered. A panic in
//! the task, or an abort, arrives as a `JoinError` carrying the task's id and panic message.

use crate::task::{self, Header};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::num::NonZeroU64;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::task::{Context, Poll};

/// A task's identity, unique within the process (Go's goroutine id). Shown by `dump()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(NonZeroU64);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl TaskId {
    /// Reserves `n` consecutive ids and returns the first (workers take them 64 at a time, as
    /// Go's Ps cache goroutine ids, so spawning touches no shared counter).
    pub(crate) fn reserve(n: u64) -> u64 {
        // Relaxed: only uniqueness matters.
        NEXT_ID.fetch_add(n, Relaxed)
    }

    pub(crate) fn from_raw(raw: u64) -> TaskId {
        TaskId(NonZeroU64::new(raw).expect("task ids start at 1"))
    }

    /// The number shown in dumps.
    pub fn as_u64(&self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a task produced no output; stored in the task block (8 bytes, so tiny tasks stay tiny).
#[derive(Debug)]
pub(crate) enum Failure {
    Aborted,
    /// The panic message, when the payload was a string.
    Panicked(Box<Option<String>>),
}

impl Failure {
    pub(crate) fn panicked(payload: Box<dyn Any + Send>) -> Failure {
        let message = match payload.downcast::<String>() {
            Ok(s) => Some(*s),
            Err(payload) => payload.downcast_ref::<&str>().map(|s| s.to_string()),
        };
        Failure::Panicked(Box::new(message))
    }
}

/// A task that panicked or was aborted instead of returning.
pub struct JoinError {
    id: TaskId,
    failure: Failure,
}

impl JoinError {
    /// True if the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.failure, Failure::Panicked(_))
    }

    /// True if the task was aborted (by `JoinHandle::abort` or because its runtime shut down).
    pub fn is_aborted(&self) -> bool {
        matches!(self.failure, Failure::Aborted)
    }

    /// The panic message, when the task panicked with a string (`panic!("…")`).
    pub fn panic_message(&self) -> Option<&str> {
        match &self.failure {
            Failure::Panicked(message) => message.as_deref(),
            Failure::Aborted => None,
        }
    }

    /// The task that failed.
    pub fn id(&self) -> TaskId {
        self.id
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.failure, self.panic_message()) {
            (Failure::Aborted, _) => write!(f, "task {} was aborted", self.id),
            (_, Some(message)) => write!(f, "task {} panicked: {message}", self.id),
            (_, None) => write!(f, "task {} panicked", self.id),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinError")
            .field("id", &self.id)
            .field("panicked", &self.is_panic())
            .field("message", &self.panic_message())
            .finish()
    }
}

impl std::error::Error for JoinError {}

/// Owned permission to await a task's output. Awaiting gives `Result<T, JoinError>`;
/// `join()` blocks a plain thread; dropping the handle detaches the task (it keeps running).
pub struct JoinHandle<T> {
    raw: NonNull<Header>,
    output_taken: bool,
    _output: PhantomData<T>,
}

// SAFETY: the handle only moves a `T` out of the task (hence `T: Send`); all shared state is
// reached through the task's atomic state word.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` only reads the id and state and can `abort`, all atomic.
unsafe impl<T: Send> Sync for JoinHandle<T> {}
impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// # Safety
    /// `raw` is a task whose output type is `T`, and the caller hands over the handle's reference.
    pub(crate) unsafe fn from_raw(raw: NonNull<Header>) -> Self {
        JoinHandle {
            raw,
            output_taken: false,
            _output: PhantomData,
        }
    }

    fn header(&self) -> &Header {
        // SAFETY: the handle owns a reference, so the header is live.
        unsafe { self.raw.as_ref() }
    }

    /// Blocks the calling thread until the task finishes. For plain threads (and `main`); in a
    /// task use `.await` instead, which lets the worker run other tasks meanwhile.
    pub fn join(self) -> Result<T, JoinError> {
        assert!(
            !crate::context::is_worker_thread(),
            "JoinHandle::join blocks the thread, and this is a runtime worker thread: \
             use `handle.await` inside a task instead"
        );
        // A task this thread spawned lazily and still holds would never start.
        crate::lazy::release_held();
        crate::park::block_on_thread(self)
    }

    /// Asks the task to stop: it is dropped at its next turn to run (a task in the middle of
    /// a poll finishes that poll first). Its handle then yields a `JoinError` that `is_aborted`.
    /// No effect on a finished task.
    pub fn abort(&self) {
        if self.header().request_cancel() {
            // SAFETY: request_cancel gave us a queue reference.
            crate::scheduler::schedule(unsafe { task::TaskRef::from_raw(self.raw) });
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.header().id
    }

    /// True once the task has finished (returned, panicked or been aborted).
    pub fn is_finished(&self) -> bool {
        self.output_taken
            || self
                .header()
                .state
                .load(std::sync::atomic::Ordering::Acquire)
                & task::COMPLETE
                != 0
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(
            !this.output_taken,
            "JoinHandle polled after it returned its result"
        );
        let mut out: Option<Result<T, Failure>> = None;
        // SAFETY: we are the task's JoinHandle and `out` has the task's output type.
        if !unsafe { task::poll_join(this.raw, cx.waker(), (&mut out as *mut Option<_>).cast()) } {
            return Poll::Pending;
        }
        this.output_taken = true;
        let id = this.id();
        Poll::Ready(
            out.expect("poll_join wrote the output")
                .map_err(|failure| JoinError { id, failure }),
        )
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: called once, by the handle, which owns a reference.
        unsafe { task::drop_join_handle(self.raw, self.output_taken) };
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
