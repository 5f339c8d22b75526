//! The raw task: the block's layout, its vtable, and running a task once.
//!
//! ```text
//! block (one slab allocation, 56 B header + future)
//! ┌─────────────────────── Header ───────────────────────┬──── Stage ─────────────┐
//! │ state: flags, owner slot, refcount │ vtable │ id     │ future F, or           │
//! │ spawn location │ born, polls │ join waker (16 B)     │ Result<Output, Failure>│
//! └──────────────────────────────────────────────────────┴────────────────────────┘
//! ```
//!
//! The vtable holds the few functions that must know the future's type (poll, drop, move the
//! output out) and the owner's hooks (`owner::Hooks`), resolved for the scheduler's type; every
//! state transition is plain, non-generic code. Panics in `poll` (and in dropping the future
//! or the output) are caught and become a `JoinError`; the worker carries on.

use super::id::{self, TaskId};
use super::join::Failure;
use super::owner::{Hooks, OwnerId, Schedule};
use super::state::{AfterPoll, Kind, Snapshot, State};
use super::waker;
use crate::slab;
use std::cell::UnsafeCell;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::ptr::{self, addr_of, addr_of_mut, NonNull};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::task::{Context, Poll, Waker};

/// The type-erased front of every task block.
#[repr(C)]
pub(crate) struct Header {
    /// Must stay first: the slab and the task walker read it from blocks of unknown state.
    pub(super) state: State,
    vtable: &'static Vtable,
    id: TaskId,
    location: &'static Location<'static>,
    /// Milliseconds since the process epoch when the task was spawned (`clock::now_ms`).
    born_ms: u32,
    polls: AtomicU32,
    /// The `JoinHandle`'s waker; who may touch it is decided by the JOIN_* bits (`join`).
    pub(super) join_waker: UnsafeCell<Option<Waker>>,
}

pub(super) struct Vtable {
    /// Polls; `Ready(stored)` when the future finished (`stored`: output kept for the handle).
    poll: unsafe fn(NonNull<Header>) -> Poll<bool>,
    /// Drops the future in place and records "aborted"; returns `stored` like `poll`.
    cancel: unsafe fn(NonNull<Header>) -> bool,
    /// Moves the output into `*mut Option<Result<Output, Failure>>`.
    pub(super) read_output: unsafe fn(NonNull<Header>, *mut ()),
    pub(super) drop_output: unsafe fn(NonNull<Header>),
    /// The slab class of the block.
    class: usize,
    /// How the task reaches its owner.
    hooks: Hooks,
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

/// The vtable of tasks running an `F` for an owner of type `S`.
struct Vtables<F, S>(PhantomData<fn() -> (F, S)>);

impl<F: Future, S: Schedule> Vtables<F, S> {
    const VTABLE: Vtable = Vtable {
        poll: poll::<F>,
        cancel: cancel::<F>,
        read_output: read_output::<F>,
        drop_output: drop_output::<F>,
        class: Cell::<F>::CLASS,
        hooks: Hooks::of::<S>(),
    };
}

/// What a new task's header says about it.
pub(crate) struct NewTask {
    pub(crate) owner: OwnerId,
    pub(crate) id: TaskId,
    /// Shown by `dump`; kept in the name table until the task completes.
    pub(crate) name: Option<String>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) born_ms: u32,
    pub(crate) kind: Kind,
}

/// Builds a task owned by an `S` in a fresh block; it starts scheduled, with three references
/// (its owner's, the queue entry's and the `JoinHandle`'s). Futures too big or too aligned for
/// a size class are boxed first (one extra allocation).
pub(crate) fn allocate<F, S>(future: F, new: NewTask) -> NonNull<Header>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    if Cell::<F>::CLASS == slab::NO_CLASS {
        allocate_in_class::<_, S>(Box::pin(future), new)
    } else {
        allocate_in_class::<F, S>(future, new)
    }
}

fn allocate_in_class<F: Future + Send + 'static, S: Schedule>(
    future: F,
    new: NewTask,
) -> NonNull<Header> {
    assert!(
        Cell::<F>::CLASS != slab::NO_CLASS,
        "boxed futures always fit"
    );
    let named = new.name.is_some();
    if let Some(name) = new.name {
        id::remember_name(new.id, name);
    }
    let cell = slab::allocate(Cell::<F>::CLASS).cast::<Cell<F>>().as_ptr();
    // SAFETY: the block is free, large and aligned enough for Cell<F> (that is what the class
    // means), and nobody else reads anything but its state word until `publish_new` below
    // publishes the task. The state word is an AtomicUsize already (slab invariant), so it is
    // written atomically, never with a plain write a concurrent walker could race with.
    unsafe {
        let h = addr_of_mut!((*cell).header);
        addr_of_mut!((*h).vtable).write(&Vtables::<F, S>::VTABLE);
        addr_of_mut!((*h).id).write(new.id);
        addr_of_mut!((*h).location).write(new.location);
        addr_of_mut!((*h).born_ms).write(new.born_ms);
        addr_of_mut!((*h).polls).write(AtomicU32::new(0));
        addr_of_mut!((*h).join_waker).write(UnsafeCell::new(None));
        addr_of_mut!((*cell).stage).write(UnsafeCell::new(Stage {
            future: ManuallyDrop::new(future),
        }));
        (*addr_of!((*h).state)).publish_new(new.kind, named, new.owner);
        NonNull::new_unchecked(h)
    }
}

impl Header {
    pub(super) fn vtable(&self) -> &'static Vtable {
        self.vtable
    }

    pub(crate) fn id(&self) -> TaskId {
        self.id
    }

    pub(crate) fn location(&self) -> &'static Location<'static> {
        self.location
    }

    pub(crate) fn born_ms(&self) -> u32 {
        self.born_ms
    }

    /// Times the task was polled.
    pub(crate) fn polls(&self) -> u32 {
        self.polls.load(Relaxed)
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        self.state.load()
    }

    pub(crate) fn owner(&self) -> OwnerId {
        self.state.owner()
    }
}

/// Drops one reference; frees the block when it was the last.
///
/// # Safety
/// The caller owns one reference to the live task at `ptr`.
pub(super) unsafe fn drop_ref(ptr: NonNull<Header>) {
    // SAFETY: we own a reference, so the header is live.
    if unsafe { ptr.as_ref() }.state.ref_dec() {
        // SAFETY: that was the last reference.
        unsafe { dealloc(ptr) };
    }
}

/// Frees the block and tells its owner (who may then be released: `owner`).
///
/// # Safety
/// No references remain; the future is already gone (COMPLETE) and the output was taken or
/// dropped by its owner.
unsafe fn dealloc(ptr: NonNull<Header>) {
    // SAFETY: we are the only user of the block now.
    let (class, hooks, owner) = unsafe {
        let h = ptr.as_ref();
        drop((*h.join_waker.get()).take());
        // Read before the state word (and so the owner slot) is cleared.
        let found = (h.vtable.class, h.vtable.hooks, h.owner());
        h.state.clear();
        found
    };
    // SAFETY: state is 0 and nobody can take a reference any more (refcount was zero).
    unsafe { slab::free(ptr.cast(), class) };
    // SAFETY: a block of `owner`, freed and not yet counted; the hooks match its owner's type.
    unsafe { (hooks.freed)(owner) };
}

/// One queue entry: a task that is SCHEDULED, owning the reference that came with the bit.
/// Consumed by `run`, `shutdown` or `schedule`; the queues hold it as a raw pointer.
#[derive(Debug)]
pub(crate) struct TaskRef(NonNull<Header>);

// SAFETY: a TaskRef is an owned reference to a task whose future and output are Send; the
// header is only mutated through atomics or under the ownership rules of the state word.
unsafe impl Send for TaskRef {}

/// What the worker does after running a task.
pub(crate) enum RunOutcome {
    /// Pending, and nobody woke it during the poll: it waits for a waker.
    Idle,
    /// Finished (returned, panicked or was cancelled); the id is for the trace's "task end".
    Completed(TaskId),
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

    pub(crate) fn owner(&self) -> OwnerId {
        self.header().owner()
    }

    pub(crate) fn kind(&self) -> Kind {
        self.header().snapshot().kind()
    }

    /// Hands the task to its owner's queue (`Schedule::schedule`), from any thread.
    pub(crate) fn schedule(self) {
        let hooks = self.header().vtable.hooks;
        // SAFETY: the hooks were resolved for this task's owner type.
        unsafe { (hooks.schedule)(self) };
    }

    /// Polls the task once and settles its state.
    pub(crate) fn run(self) -> RunOutcome {
        let ptr = self.0;
        let h = self.header();
        let id = h.id;
        if h.state.transition_to_running() {
            // SAFETY: we hold RUNNING, so we own the future.
            unsafe { cancel_and_complete(ptr) };
            return RunOutcome::Completed(id);
        }
        h.polls
            .store(h.polls.load(Relaxed).wrapping_add(1), Relaxed);
        // SAFETY: we hold RUNNING, so we own the future; the vtable matches the block.
        match unsafe { (h.vtable.poll)(ptr) } {
            // SAFETY: as above.
            Poll::Ready(stored) => unsafe { complete(ptr, stored) },
            Poll::Pending => match h.state.transition_to_idle() {
                AfterPoll::Idle => return RunOutcome::Idle,
                AfterPoll::Reschedule => return RunOutcome::Reschedule(self),
                // SAFETY: still RUNNING, we own the future.
                AfterPoll::Cancel => unsafe { cancel_and_complete(ptr) },
            },
        }
        RunOutcome::Completed(id)
    }

    /// Drops the future without polling it (its owner is closed).
    pub(crate) fn shutdown(self) {
        self.header().state.transition_to_running();
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
    // SAFETY: our references keep the owner alive; the hooks match its type.
    unsafe { (h.vtable.hooks.completed)(h.owner()) };
    if h.snapshot().is_named() {
        id::forget_name(h.id);
    }
    let prev = h.state.transition_to_complete(stored);
    if !prev.has_join_interest() {
        if !stored {
            // Our two references went with the transition.
            if prev.refs() == 2 {
                // SAFETY: those were the last ones.
                unsafe { dealloc(ptr) };
            }
            return;
        }
        // The handle left between our look and completion: the output is ours to drop.
        // SAFETY: COMPLETE with no JoinHandle: nobody else touches the output.
        unsafe { (h.vtable.drop_output)(ptr) };
    } else if prev.has_join_waker() {
        // SAFETY: JOIN_WAKER set means the handle won't touch the slot until we clear it.
        let waker = unsafe { &*h.join_waker.get() };
        if let Some(w) = waker {
            w.wake_by_ref();
        }
        if !h.state.unset_join_waker().has_join_interest() {
            // The handle was dropped meanwhile and left the waker to us.
            // SAFETY: as above; we still own the slot.
            drop(unsafe { (*h.join_waker.get()).take() });
        }
    }
    // SAFETY: the owner's reference and the queue entry's, both ours.
    unsafe {
        drop_ref(ptr);
        drop_ref(ptr);
    }
}

/// A live task met while walking the slab; a reference is held on it for as long as the
/// visitor runs.
pub(crate) struct Visited<'a> {
    ptr: NonNull<Header>,
    _held: PhantomData<&'a Header>,
}

impl Visited<'_> {
    pub(crate) fn header(&self) -> &Header {
        // SAFETY: `for_each_live` holds a reference until the visitor returns.
        unsafe { self.ptr.as_ref() }
    }

    /// For shutdown: claims the task if it is idle (not queued, running or done), as if woken
    /// and cancelled; the returned entry owns a new queue reference.
    pub(super) fn claim_idle_for_shutdown(&self) -> Option<TaskRef> {
        // SAFETY: the claim took a queue reference for the entry.
        (self.header().state.claim_idle_for_shutdown())
            .then(|| unsafe { TaskRef::from_raw(self.ptr) })
    }
}

/// Calls `visit` with every live task of every owner. Walks every block the slab ever carved
/// (`slab::for_each_block`), so it costs time proportional to the memory ever used for tasks,
/// and nothing until it is called — there is no registry on the spawn path. Safe from any
/// thread at any time (`dump` from a watchdog).
pub(crate) fn for_each_live(mut visit: impl FnMut(&Visited<'_>)) {
    slab::for_each_block(|block| {
        let ptr: NonNull<Header> = block.cast();
        // SAFETY: per the slab invariant the first word of a carved block is always an
        // initialised AtomicUsize (our `State`); we never create a `&Header` to a block we hold
        // no reference on.
        let state = unsafe { &*addr_of!((*ptr.as_ptr()).state) };
        if !state.try_acquire_ref() {
            return;
        }
        visit(&Visited {
            ptr,
            _held: PhantomData,
        });
        // SAFETY: the reference taken above.
        unsafe { drop_ref(ptr) };
    });
}

// --- The typed half: what must know F. --------------------------------------------------------

/// # Safety
/// `ptr` is a `Cell<F>` whose stage holds the future, and the caller holds RUNNING.
unsafe fn poll<F: Future>(ptr: NonNull<Header>) -> Poll<bool> {
    // SAFETY: the caller's guarantees; the waker borrows our reference (ManuallyDrop: no
    // refcount change), and `Pin` holds because the block never moves.
    unsafe {
        let waker = waker::borrowed(ptr);
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
        if ptr.as_ref().snapshot().has_join_interest() {
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
