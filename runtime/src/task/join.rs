//! Waiting for a task: `JoinHandle` and `JoinError` — Go has no handle (you use a channel or a
//! WaitGroup); here `spawn` returns one, and dropping it detaches the task.
//!
//! The handle owns one reference to the task block and talks to the task only through the
//! join bits of the state word (tokio's protocol): the completing task stores the output in
//! the block and wakes the waker the handle registered. `COMPLETE`, `JOIN_INTEREST` and
//! `JOIN_WAKER` say who owns the output slot and the join-waker slot at any moment, and only
//! that side touches it. A panic in the task, or an abort, arrives as a `JoinError` carrying
//! the task's id and panic message.

use super::id::TaskId;
use super::raw::{self, Header, TaskRef};
use crate::{context, lazy, park};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

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
            !context::is_worker_thread(),
            "JoinHandle::join blocks the thread, and this is a runtime worker thread: \
             use `handle.await` inside a task instead"
        );
        // A task this thread spawned lazily and still holds would never start.
        lazy::release_held();
        // A deterministic runtime runs its tasks only while a thread drives it: this one.
        match crate::scheduler::deterministic_owner(self.header().owner()) {
            Some(shared) => shared.drive(self),
            None => park::block_on_thread(self),
        }
    }

    /// Asks the task to stop: it is dropped at its next turn to run (a task in the middle of
    /// a poll finishes that poll first). Its handle then yields a `JoinError` that `is_aborted`.
    /// No effect on a finished task.
    pub fn abort(&self) {
        if self.header().state.request_cancel() {
            // SAFETY: request_cancel gave us a queue reference.
            unsafe { TaskRef::from_raw(self.raw) }.schedule();
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.header().id()
    }

    /// True once the task has finished (returned, panicked or been aborted).
    pub fn is_finished(&self) -> bool {
        self.output_taken || self.header().snapshot().is_complete()
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
        if !unsafe { poll_join(this.raw, cx.waker(), (&mut out as *mut Option<_>).cast()) } {
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
        unsafe { drop_join_handle(self.raw, self.output_taken) };
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

// --- The handle's side of the protocol. ---------------------------------------------------

/// Polls for the output on behalf of the JoinHandle: writes it to `dst` (see `read_output`)
/// and returns true when the task is complete, else registers the waker.
///
/// # Safety
/// Called only by the task's JoinHandle (which owns a reference) before taking the output.
unsafe fn poll_join(ptr: NonNull<Header>, waker: &Waker, dst: *mut ()) -> bool {
    // SAFETY: the JoinHandle's reference keeps the header alive.
    let h = unsafe { ptr.as_ref() };
    let cur = h.snapshot();
    if !cur.is_complete() && !register_join_waker(h, cur.has_join_waker(), waker) {
        return false;
    }
    // SAFETY: COMPLETE with JOIN_INTEREST: the output was stored and is ours.
    unsafe { (h.vtable().read_output)(ptr, dst) };
    true
}

/// False once the waker is registered (keep waiting); true if the task completed meanwhile.
fn register_join_waker(h: &Header, registered: bool, waker: &Waker) -> bool {
    if registered {
        // SAFETY: with JOIN_WAKER set the completer only reads the slot, as we do here.
        let same = unsafe { &*h.join_waker.get() }
            .as_ref()
            .is_some_and(|w| w.will_wake(waker));
        if same {
            return false;
        }
        if !h.state.set_join_waker(false) {
            return true;
        }
    }
    // SAFETY: JOIN_WAKER is clear: the slot is the handle's alone.
    unsafe { *h.join_waker.get() = Some(waker.clone()) };
    !h.state.set_join_waker(true)
}

/// The JoinHandle goes away: gives up the output (dropping it if the task is done and it was
/// never taken), the join waker, and the handle's reference.
///
/// # Safety
/// Called once, by the JoinHandle, which owns a reference.
unsafe fn drop_join_handle(ptr: NonNull<Header>, output_taken: bool) {
    // SAFETY: the handle's reference keeps the header alive until drop_ref below.
    let h = unsafe { ptr.as_ref() };
    // Fast path (fire and forget): the owner's reference, held until completion, keeps the
    // block alive.
    if h.state.drop_join_handle_fast() {
        return;
    }
    let cur = h.state.drop_join_interest();
    if cur.is_complete() && !output_taken {
        // SAFETY: COMPLETE while we still had interest: the output is stored and ours.
        unsafe { (h.vtable().drop_output)(ptr) };
    }
    if !cur.is_complete() || !cur.has_join_waker() {
        // SAFETY: either we just cleared JOIN_WAKER before completion, or the completer has
        // finished with the slot: it is ours.
        drop(unsafe { (*h.join_waker.get()).take() });
    }
    // SAFETY: the handle's own reference.
    unsafe { raw::drop_ref(ptr) };
}
