//! A task — Go's G: one heap block holding a header, the future and, later, its output.
//!
//! ```text
//! block (one slab allocation, 56 B header + future)
//! ┌─────────────────────── Header ───────────────────────┬──── Stage ─────────────┐
//! │ state: flags, runtime index, refcount │ vtable │ id  │ future F, or           │
//! │ spawn location │ born, polls │ join waker (16 B)     │ Result<Output, Failure>│
//! └──────────────────────────────────────────────────────┴────────────────────────┘
//! ```
//!
//! * The **state word** packs flags and a reference count. `SCHEDULED` is the "in a run queue or
//!   about to be" bit: only the waker that flips it from 0 to 1 may queue the task, so a task is
//!   never queued twice (`mark_scheduled`). A wake that arrives while the task is `RUNNING` only
//!   sets the bit; the worker sees it after the poll and queues the task once (async-task's
//!   protocol). References: one held by the runtime until the task completes (so a task that
//!   nobody can wake stays alive and visible to `dump`, like a leaked goroutine), one by the
//!   queue entry (the `TaskRef` type), one by the `JoinHandle`, one per cloned `Waker`.
//! * The **waker** is the header pointer with a static vtable: waking allocates nothing.
//! * The **vtable** holds the few functions that must know the future's type (poll, drop,
//!   move the output out); every state transition is plain, non-generic code.
//! * The runtime is a 16-bit index into a table of runtimes, kept in the state word (it never
//!   changes, so the word's RMWs leave it alone): no `Arc` and no shared counter is touched
//!   per spawn, and the header stays at 56 bytes. The runtime (`scheduler`) outlives its task
//!   blocks by counting them instead.
//! * Panics in `poll` (and in dropping the future or the output) are caught and become a
//!   `JoinError`; the worker carries on.
//! * The `JoinHandle` and the task share the output slot and the join-waker slot through the
//!   `COMPLETE`, `JOIN_INTEREST` and `JOIN_WAKER` bits (tokio's protocol): whoever the bits say
//!   owns a slot is the only one touching it.

use crate::join::{Failure, TaskId};
use crate::scheduler::{self, Shared};
use crate::slab;
use std::cell::UnsafeCell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::ptr::{self, addr_of, addr_of_mut, NonNull};
use std::sync::atomic::{
    AtomicU32, AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

/// Queued, or about to be: the one bit that keeps a task from being queued twice.
pub(crate) const SCHEDULED: usize = 1 << 0;
/// A worker is polling (or dropping) the future right now.
pub(crate) const RUNNING: usize = 1 << 1;
/// The future is gone; the output (if anyone wants it) is in the stage.
pub(crate) const COMPLETE: usize = 1 << 2;
/// `abort()` was called (or the runtime is shutting down).
pub(crate) const CANCELLED: usize = 1 << 3;
/// A `JoinHandle` still exists.
pub(crate) const JOIN_INTEREST: usize = 1 << 4;
/// The join-waker slot holds a waker that the completing task must wake.
pub(crate) const JOIN_WAKER: usize = 1 << 5;
/// Kind: a `spawn_blocking` closure, run by the blocking pool.
pub(crate) const BLOCKING: usize = 1 << 6;
/// Kind: has an entry in the name table (`dump`).
pub(crate) const NAMED: usize = 1 << 7;
/// Bits 8..24 hold the index of the task's runtime (`scheduler::runtime_at`).
const RUNTIME_SHIFT: u32 = 8;
const REF_ONE: usize = 1 << 24;
const REF_MASK: usize = !(REF_ONE - 1);
/// Runtime + queue entry + JoinHandle.
const INITIAL: usize = SCHEDULED | JOIN_INTEREST | (3 * REF_ONE);

/// The type-erased front of every task block.
#[repr(C)]
pub(crate) struct Header {
    /// Must stay first: the slab and the task walker read it from blocks of unknown state.
    pub(crate) state: AtomicUsize,
    vtable: &'static Vtable,
    pub(crate) id: TaskId,
    pub(crate) location: &'static Location<'static>,
    /// Milliseconds since the process epoch when the task was spawned (coarse).
    pub(crate) born_ms: u32,
    pub(crate) polls: AtomicU32,
    join_waker: UnsafeCell<Option<Waker>>,
}

struct Vtable {
    /// Polls; `Ready(stored)` when the future finished (`stored`: output kept for the handle).
    poll: unsafe fn(NonNull<Header>) -> Poll<bool>,
    /// Drops the future in place and records "aborted"; returns `stored` like `poll`.
    cancel: unsafe fn(NonNull<Header>) -> bool,
    /// Moves the output into `*mut Option<Result<Output, Failure>>`.
    read_output: unsafe fn(NonNull<Header>, *mut ()),
    drop_output: unsafe fn(NonNull<Header>),
    class: usize,
}

#[repr(C)]
struct Cell<F: Future> {
    header: Header,
    stage: UnsafeCell<Stage<F>>,
}

union Stage<F: Future> {
    future: ManuallyDrop<F>,
    output: ManuallyDrop<Result<F::Output, Failure>>,
}

impl<F: Future> Cell<F> {
    const CLASS: usize = slab::class_for(size_of::<Self>(), align_of::<Self>());
}

fn vtable<F: Future>() -> &'static Vtable {
    &Vtable {
        poll: poll::<F>,
        cancel: cancel::<F>,
        read_output: read_output::<F>,
        drop_output: drop_output::<F>,
        class: Cell::<F>::CLASS,
    }
}

/// What a new task's header says about it.
pub(crate) struct NewTask {
    /// The runtime's index (`Shared::index`).
    pub(crate) runtime: u16,
    pub(crate) id: TaskId,
    pub(crate) location: &'static Location<'static>,
    pub(crate) born_ms: u32,
    /// `BLOCKING` and/or `NAMED`.
    pub(crate) flags: usize,
}

/// Builds a task in a fresh block; its state is `INITIAL` (scheduled, three references).
/// Futures too big or too aligned for a size class are boxed first (one extra allocation).
pub(crate) fn allocate<F>(future: F, new: NewTask) -> NonNull<Header>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if Cell::<F>::CLASS == slab::NO_CLASS {
        allocate_in_class(Box::pin(future), new)
    } else {
        allocate_in_class(future, new)
    }
}

fn allocate_in_class<F: Future + Send + 'static>(future: F, new: NewTask) -> NonNull<Header> {
    assert!(
        Cell::<F>::CLASS != slab::NO_CLASS,
        "boxed futures always fit"
    );
    let cell = slab::allocate(Cell::<F>::CLASS).cast::<Cell<F>>().as_ptr();
    // SAFETY: the block is free, large and aligned enough for Cell<F> (that is what the class
    // means), and nobody else reads anything but its state word until the Release store below
    // publishes the task. The state word is an AtomicUsize already (slab invariant), so it is
    // written atomically, never with a plain write a concurrent walker could race with.
    unsafe {
        let h = addr_of_mut!((*cell).header);
        addr_of_mut!((*h).vtable).write(vtable::<F>());
        addr_of_mut!((*h).id).write(new.id);
        addr_of_mut!((*h).location).write(new.location);
        addr_of_mut!((*h).born_ms).write(new.born_ms);
        addr_of_mut!((*h).polls).write(AtomicU32::new(0));
        addr_of_mut!((*h).join_waker).write(UnsafeCell::new(None));
        addr_of_mut!((*cell).stage).write(UnsafeCell::new(Stage {
            future: ManuallyDrop::new(future),
        }));
        let runtime = (new.runtime as usize) << RUNTIME_SHIFT;
        (*addr_of!((*h).state)).store(INITIAL | new.flags | runtime, Release);
        NonNull::new_unchecked(h)
    }
}

/// The state word of any carved block (live or free).
///
/// # Safety
/// `block` must come from `slab` (its first word is an `AtomicUsize`).
pub(crate) unsafe fn state_of<'a>(block: NonNull<Header>) -> &'a AtomicUsize {
    // SAFETY: per the slab invariant the first word is always an initialised AtomicUsize; we
    // never create a `&Header` to a block we hold no reference on.
    unsafe { &*addr_of!((*block.as_ptr()).state) }
}

/// Takes a reference on whatever live task occupies `block`; false if the block is free or
/// the task is already being freed. Lets `dump` and shutdown read tasks they don't own.
///
/// # Safety
/// As `state_of`.
pub(crate) unsafe fn try_acquire_ref(block: NonNull<Header>) -> bool {
    // SAFETY: forwarded. Acquire (in `transition`): pairs with the Release that published the
    // task's fields.
    transition(unsafe { state_of(block) }, |s| match s & REF_MASK {
        0 => (None, false),
        _ => (Some(s + REF_ONE), true),
    })
}

/// Applies `f` to a state word atomically (a CAS loop, AcqRel). `f` sees the current state and
/// returns the next one (`None`: leave it unchanged) and what to tell the caller.
fn transition<R>(state: &AtomicUsize, mut f: impl FnMut(usize) -> (Option<usize>, R)) -> R {
    let mut cur = state.load(Acquire);
    loop {
        let (next, result) = f(cur);
        let Some(next) = next else { return result };
        match state.compare_exchange_weak(cur, next, AcqRel, Acquire) {
            Ok(_) => return result,
            Err(actual) => cur = actual,
        }
    }
}

impl Header {
    /// The runtime this task belongs to.
    pub(crate) fn runtime_index(&self) -> u16 {
        (self.state.load(Relaxed) >> RUNTIME_SHIFT) as u16
    }

    /// The runtime itself; alive as long as the caller holds a reference to the task.
    pub(crate) fn shared(&self) -> *const Shared {
        scheduler::runtime_at(self.runtime_index())
    }

    /// Sets the scheduled bit for a wake-up. True if the caller must queue the task — the
    /// caller then owns a new reference (the queue entry). False when it is already queued,
    /// finished, or running (the runner will requeue it after the poll).
    pub(crate) fn mark_scheduled(&self) -> bool {
        transition(&self.state, |s| match () {
            // Nothing to change, but still write: the waker's prior writes must be visible to
            // the poll that follows (async-task does the same).
            _ if s & (COMPLETE | SCHEDULED) != 0 => (Some(s), false),
            _ if s & RUNNING != 0 => (Some(s | SCHEDULED), false),
            _ => (Some((s | SCHEDULED) + REF_ONE), true),
        })
    }

    /// SCHEDULED → RUNNING, done by the holder of the queue entry. True if cancelled.
    fn transition_to_running(&self) -> bool {
        let prev = self.state.fetch_xor(SCHEDULED | RUNNING, AcqRel);
        debug_assert!(prev & SCHEDULED != 0 && prev & (RUNNING | COMPLETE) == 0);
        prev & CANCELLED != 0
    }

    /// After a `Pending` poll: back to idle (dropping the queue entry's reference), or keep the
    /// reference because a wake-up arrived during the poll, or cancel.
    fn transition_to_idle(&self) -> AfterPoll {
        transition(&self.state, |s| match () {
            _ if s & CANCELLED != 0 => (None, AfterPoll::Cancel),
            _ if s & SCHEDULED != 0 => (Some(s & !RUNNING), AfterPoll::Reschedule),
            _ => (Some((s & !RUNNING) - REF_ONE), AfterPoll::Idle),
        })
    }

    /// RUNNING → COMPLETE. When nobody joins and no output was stored, also drops the
    /// runtime's and the queue entry's references in the same step. Returns the old state.
    fn transition_to_complete(&self, stored: bool) -> usize {
        transition(&self.state, |s| {
            let done = (s & !(RUNNING | SCHEDULED)) | COMPLETE;
            let detached = s & JOIN_INTEREST == 0 && !stored;
            (Some(if detached { done - 2 * REF_ONE } else { done }), s)
        })
    }

    /// `abort()`: sets CANCELLED; true if the caller must queue the task so a worker drops it
    /// (the caller then owns a new queue reference).
    pub(crate) fn request_cancel(&self) -> bool {
        transition(&self.state, |s| match () {
            _ if s & (COMPLETE | CANCELLED) != 0 => (None, false),
            _ if s & (SCHEDULED | RUNNING) != 0 => (Some(s | CANCELLED), false),
            _ => (Some((s | CANCELLED | SCHEDULED) + REF_ONE), true),
        })
    }

    /// For shutdown: claims an idle task (not queued, running or done) as if woken and
    /// cancelled. True if the caller now owns a queue reference to it.
    fn claim_idle_for_shutdown(&self) -> bool {
        transition(&self.state, |s| match () {
            _ if s & (COMPLETE | SCHEDULED | RUNNING) != 0 => (None, false),
            _ => (Some((s | SCHEDULED | CANCELLED) + REF_ONE), true),
        })
    }

    fn ref_inc(&self) {
        // Relaxed: a new reference is made from an existing one, which keeps the task alive.
        if self.state.fetch_add(REF_ONE, Relaxed) > isize::MAX as usize {
            std::process::abort(); // mem::forget(waker.clone()) in a loop
        }
    }

    /// Sets (or clears) JOIN_WAKER unless the task is complete; false if it is.
    fn set_join_waker(&self, on: bool) -> bool {
        transition(&self.state, |s| match () {
            _ if s & COMPLETE != 0 => (None, false),
            _ if on => (Some(s | JOIN_WAKER), true),
            _ => (Some(s & !JOIN_WAKER), true),
        })
    }
}

enum AfterPoll {
    Idle,
    Reschedule,
    Cancel,
}

/// Drops one reference; frees the block when it was the last.
///
/// # Safety
/// The caller owns one reference to the live task at `ptr`.
pub(crate) unsafe fn drop_ref(ptr: NonNull<Header>) {
    // SAFETY: we own a reference, so the header is live.
    let prev = unsafe { ptr.as_ref() }.state.fetch_sub(REF_ONE, AcqRel);
    if prev & REF_MASK == REF_ONE {
        // SAFETY: that was the last reference.
        unsafe { dealloc(ptr) };
    }
}

/// # Safety
/// No references remain; the future is already gone (COMPLETE) and the output was taken or
/// dropped by its owner.
unsafe fn dealloc(ptr: NonNull<Header>) {
    // SAFETY: we are the only user of the block now.
    let (class, shared) = unsafe {
        let h = ptr.as_ref();
        drop((*h.join_waker.get()).take());
        let found = (h.vtable.class, h.shared()); // before the state word (and index) is cleared
        h.state.store(0, Release);
        found
    };
    // SAFETY: state is 0 and nobody can take a reference any more (refcount was zero).
    unsafe { slab::free(ptr.cast(), class) };
    scheduler::count_freed(shared);
}

/// One queue entry: a task that is SCHEDULED, owning the reference that came with the bit.
/// Consumed by `run` or `shutdown`; the queues hold it as a raw pointer.
#[derive(Debug)]
pub(crate) struct TaskRef(NonNull<Header>);

// SAFETY: a TaskRef is an owned reference to a task whose future and output are Send; the
// header is only mutated through atomics or under the ownership rules of the state word.
unsafe impl Send for TaskRef {}

/// What the worker does after running a task.
pub(crate) enum RunOutcome {
    Done,
    /// Woken during its own poll (e.g. `yield_now`): goes to the back of the run queue.
    Reschedule(TaskRef),
}

impl TaskRef {
    /// # Safety
    /// `ptr` is a live task and the caller hands over one queue reference.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> TaskRef {
        TaskRef(ptr)
    }

    pub(crate) fn into_raw(self) -> NonNull<Header> {
        self.0
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: we own a reference, so the header is live.
        unsafe { self.0.as_ref() }
    }

    /// Polls the task once and settles its state.
    pub(crate) fn run(self) -> RunOutcome {
        let ptr = self.0;
        let h = self.header();
        if h.transition_to_running() {
            // SAFETY: we hold RUNNING, so we own the future.
            unsafe { cancel_and_complete(ptr) };
            return RunOutcome::Done;
        }
        h.polls
            .store(h.polls.load(Relaxed).wrapping_add(1), Relaxed);
        // SAFETY: we hold RUNNING, so we own the future; the vtable matches the block.
        match unsafe { (h.vtable.poll)(ptr) } {
            // SAFETY: as above.
            Poll::Ready(stored) => unsafe { complete(ptr, stored) },
            Poll::Pending => match h.transition_to_idle() {
                AfterPoll::Idle => {}
                AfterPoll::Reschedule => return RunOutcome::Reschedule(self),
                // SAFETY: still RUNNING, we own the future.
                AfterPoll::Cancel => unsafe { cancel_and_complete(ptr) },
            },
        }
        RunOutcome::Done
    }

    /// Drops the future without polling it (runtime shutdown).
    pub(crate) fn shutdown(self) {
        self.header().transition_to_running();
        // SAFETY: we hold RUNNING, so we own the future.
        unsafe { cancel_and_complete(self.0) };
    }
}

/// # Safety
/// The caller holds RUNNING and the queue reference.
unsafe fn cancel_and_complete(ptr: NonNull<Header>) {
    // SAFETY: forwarded.
    unsafe {
        let stored = (ptr.as_ref().vtable.cancel)(ptr);
        complete(ptr, stored);
    }
}

/// # Safety
/// The caller holds RUNNING and the queue reference; the future is gone.
unsafe fn complete(ptr: NonNull<Header>, stored: bool) {
    // SAFETY: our references keep the header alive until we drop them at the end.
    let h = unsafe { ptr.as_ref() };
    scheduler::count_completed(h.shared());
    if h.state.load(Relaxed) & NAMED != 0 {
        crate::dump::forget_name(h.id);
    }
    let prev = h.transition_to_complete(stored);
    if prev & JOIN_INTEREST == 0 {
        if !stored {
            // Our two references went with the transition.
            if prev & REF_MASK == 2 * REF_ONE {
                // SAFETY: those were the last ones.
                unsafe { dealloc(ptr) };
            }
            return;
        }
        // The handle left between our look and completion: the output is ours to drop.
        // SAFETY: COMPLETE with no JoinHandle: nobody else touches the output.
        unsafe { (h.vtable.drop_output)(ptr) };
    } else if prev & JOIN_WAKER != 0 {
        // SAFETY: JOIN_WAKER set means the handle won't touch the slot until we clear it.
        let waker = unsafe { &*h.join_waker.get() };
        if let Some(w) = waker {
            w.wake_by_ref();
        }
        let prev = h.state.fetch_and(!JOIN_WAKER, AcqRel);
        if prev & JOIN_INTEREST == 0 {
            // The handle was dropped meanwhile and left the waker to us.
            // SAFETY: as above; we still own the slot.
            drop(unsafe { (*h.join_waker.get()).take() });
        }
    }
    // SAFETY: the runtime's reference and the queue entry's, both ours.
    unsafe {
        drop_ref(ptr);
        drop_ref(ptr);
    }
}

// --- The typed half: what must know F. --------------------------------------------------------

/// # Safety
/// `ptr` is a `Cell<F>` whose stage holds the future, and the caller holds RUNNING.
unsafe fn poll<F: Future>(ptr: NonNull<Header>) -> Poll<bool> {
    // SAFETY: the caller's guarantees; the waker borrows our reference (ManuallyDrop: no
    // refcount change), and `Pin` holds because the block never moves.
    unsafe {
        let waker = ManuallyDrop::new(Waker::from_raw(raw_waker(ptr)));
        let mut cx = Context::from_waker(&waker);
        let stage = &mut *(*ptr.cast::<Cell<F>>().as_ptr()).stage.get();
        let future = Pin::new_unchecked(&mut *stage.future);
        let result = match panic::catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(payload) => Err(Failure::panicked(payload)),
        };
        drop_future::<F>(stage);
        Poll::Ready(store_output::<F>(ptr, result))
    }
}

/// # Safety
/// As `poll`.
unsafe fn cancel<F: Future>(ptr: NonNull<Header>) -> bool {
    // SAFETY: the caller's guarantees.
    unsafe {
        let stage = &mut *(*ptr.cast::<Cell<F>>().as_ptr()).stage.get();
        drop_future::<F>(stage);
        store_output::<F>(ptr, Err(Failure::Aborted))
    }
}

/// # Safety
/// The stage holds the future, which we own.
unsafe fn drop_future<F: Future>(stage: &mut Stage<F>) {
    // A panicking destructor must not take the worker down with it.
    // SAFETY: the future is dropped exactly once, here.
    let _ = panic::catch_unwind(AssertUnwindSafe(|| unsafe {
        ManuallyDrop::drop(&mut stage.future)
    }));
}

/// Keeps the output for the JoinHandle if there still is one, else drops it. True if kept.
///
/// # Safety
/// The future is gone and we hold RUNNING.
unsafe fn store_output<F: Future>(ptr: NonNull<Header>, out: Result<F::Output, Failure>) -> bool {
    // SAFETY: the caller's guarantees.
    unsafe {
        if ptr.as_ref().state.load(Acquire) & JOIN_INTEREST != 0 {
            let stage = (*ptr.cast::<Cell<F>>().as_ptr()).stage.get();
            ptr::write(addr_of_mut!((*stage).output), ManuallyDrop::new(out));
            true
        } else {
            let _ = panic::catch_unwind(AssertUnwindSafe(|| drop(out)));
            false
        }
    }
}

/// # Safety
/// COMPLETE, output stored and not yet taken, caller is the JoinHandle; `dst` points to an
/// `Option<Result<F::Output, Failure>>`.
unsafe fn read_output<F: Future>(ptr: NonNull<Header>, dst: *mut ()) {
    // SAFETY: the caller's guarantees.
    unsafe {
        let stage = &mut *(*ptr.cast::<Cell<F>>().as_ptr()).stage.get();
        let out = ManuallyDrop::take(&mut stage.output);
        *dst.cast::<Option<Result<F::Output, Failure>>>() = Some(out);
    }
}

/// # Safety
/// COMPLETE, output stored and not taken, and the caller owns it.
unsafe fn drop_output<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: the caller's guarantees; dropped exactly once.
    let _ = panic::catch_unwind(AssertUnwindSafe(|| unsafe {
        let stage = &mut *(*ptr.cast::<Cell<F>>().as_ptr()).stage.get();
        ManuallyDrop::drop(&mut stage.output)
    }));
}

// --- JoinHandle's side of the protocol. ----------------------------------------------------

/// Polls for the output on behalf of the JoinHandle: writes it to `dst` (see `read_output`)
/// and returns true when the task is complete, else registers the waker.
///
/// # Safety
/// Called only by the task's JoinHandle (which owns a reference) before taking the output.
pub(crate) unsafe fn poll_join(ptr: NonNull<Header>, waker: &Waker, dst: *mut ()) -> bool {
    // SAFETY: the JoinHandle's reference keeps the header alive.
    let h = unsafe { ptr.as_ref() };
    let cur = h.state.load(Acquire);
    if cur & COMPLETE == 0 && !register_join_waker(h, cur, waker) {
        return false;
    }
    // SAFETY: COMPLETE with JOIN_INTEREST: the output was stored and is ours.
    unsafe { (h.vtable.read_output)(ptr, dst) };
    true
}

/// False once the waker is registered (keep waiting); true if the task completed meanwhile.
fn register_join_waker(h: &Header, cur: usize, waker: &Waker) -> bool {
    if cur & JOIN_WAKER != 0 {
        // SAFETY: with JOIN_WAKER set the completer only reads the slot, as we do here.
        let same = unsafe { &*h.join_waker.get() }
            .as_ref()
            .is_some_and(|w| w.will_wake(waker));
        if same {
            return false;
        }
        if !h.set_join_waker(false) {
            return true;
        }
    }
    // SAFETY: JOIN_WAKER is clear: the slot is the handle's alone.
    unsafe { *h.join_waker.get() = Some(waker.clone()) };
    !h.set_join_waker(true)
}

/// The JoinHandle goes away: gives up the output (dropping it if the task is done and it was
/// never taken), the join waker, and the handle's reference.
///
/// # Safety
/// Called once, by the JoinHandle, which owns a reference.
pub(crate) unsafe fn drop_join_handle(ptr: NonNull<Header>, output_taken: bool) {
    // SAFETY: the handle's reference keeps the header alive until drop_ref below.
    let h = unsafe { ptr.as_ref() };
    // Fast path (fire and forget): not complete and no waker registered, so there is no output
    // or waker to deal with; give up the interest and our reference in one step. The
    // runtime's reference, held until completion, keeps the block alive.
    let s = h.state.load(Acquire);
    if s & (COMPLETE | JOIN_WAKER) == 0
        && h.state
            .compare_exchange(s, s - JOIN_INTEREST - REF_ONE, AcqRel, Acquire)
            .is_ok()
    {
        return;
    }
    let cur = transition(&h.state, |s| match s & COMPLETE {
        0 => (Some(s & !(JOIN_INTEREST | JOIN_WAKER)), s),
        _ => (Some(s & !JOIN_INTEREST), s),
    });
    if cur & COMPLETE != 0 && !output_taken {
        // SAFETY: COMPLETE while we still had interest: the output is stored and ours.
        unsafe { (h.vtable.drop_output)(ptr) };
    }
    if cur & COMPLETE == 0 || cur & JOIN_WAKER == 0 {
        // SAFETY: either we just cleared JOIN_WAKER before completion, or the completer has
        // finished with the slot: it is ours.
        drop(unsafe { (*h.join_waker.get()).take() });
    }
    // SAFETY: the handle's own reference.
    unsafe { drop_ref(ptr) };
}

/// Cancels an idle task of runtime number `runtime` during its shutdown. Takes and drops its own
/// reference on `block`, which may be free or belong to any runtime.
///
/// # Safety
/// `block` comes from the slab.
pub(crate) unsafe fn shutdown_if_idle(block: NonNull<Header>, runtime: u16) {
    // SAFETY: forwarded; after try_acquire_ref we own a reference, so the header is live.
    unsafe {
        if !try_acquire_ref(block) {
            return;
        }
        let h = block.as_ref();
        if h.runtime_index() == runtime && h.claim_idle_for_shutdown() {
            scheduler::cancel_orphan(TaskRef(block));
        }
        drop_ref(block);
    }
}

// --- Wakers: the header pointer plus a static vtable. ---------------------------------------

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(waker_clone, waker_wake, waker_wake_by_ref, waker_drop);

fn raw_waker(ptr: NonNull<Header>) -> RawWaker {
    RawWaker::new(ptr.as_ptr() as *const (), &WAKER_VTABLE)
}

unsafe fn waker_clone(data: *const ()) -> RawWaker {
    // SAFETY: a waker owns a reference, so the header is live.
    let ptr = unsafe { NonNull::new_unchecked(data as *mut Header) };
    // SAFETY: as above.
    unsafe { ptr.as_ref() }.ref_inc();
    raw_waker(ptr)
}

unsafe fn waker_wake(data: *const ()) {
    // SAFETY: the waker's reference is consumed here.
    unsafe {
        waker_wake_by_ref(data);
        waker_drop(data);
    }
}

unsafe fn waker_wake_by_ref(data: *const ()) {
    // SAFETY: a waker owns a reference, so the header is live.
    let ptr = unsafe { NonNull::new_unchecked(data as *mut Header) };
    // SAFETY: as above.
    if unsafe { ptr.as_ref() }.mark_scheduled() {
        // SAFETY: mark_scheduled gave us the queue reference.
        scheduler::schedule(unsafe { TaskRef::from_raw(ptr) });
    }
}

unsafe fn waker_drop(data: *const ()) {
    // SAFETY: the waker owns a reference.
    unsafe { drop_ref(NonNull::new_unchecked(data as *mut Header)) };
}

#[cfg(all(test, not(tasklings_loom)))]
mod tests {
    use super::*;

    #[test]
    fn header_is_56_bytes_and_small_tasks_fit_small_blocks() {
        assert_eq!(size_of::<Header>(), 56);
        // 56-byte header + a 16-byte stage (the output slot `Result<(), Failure>`).
        assert_eq!(slab::CLASS_SIZES[Cell::<std::future::Ready<()>>::CLASS], 72);
        assert_eq!(
            Cell::<std::future::Ready<[u8; 5000]>>::CLASS,
            slab::NO_CLASS
        );
    }
}
